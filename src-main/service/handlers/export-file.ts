import type { ApiResult } from '../../api/methods';
import { exportPage, type ExportFormat } from '../../core/store/export-import';
import type { RunStore } from '../../core/store/run-store';
import { exportFileName } from './export-file-name';

/** One page of `runs.export` with the name and type the saved file gets (the first page's name counts). */
export function exportFile(store: RunStore, ids: readonly string[], format: ExportFormat, cursor?: string): ApiResult<'runs.export'> {
  const page = exportPage(store, ids, format, cursor);
  const fileName = exportFileName(ids, format);
  return format === 'json' ? { fileName, mimeType: 'application/json', ...page } : { fileName, mimeType: 'text/csv', ...page };
}
