import type { ApiResult } from '../api/methods';
import { exportPage, type ExportFormat } from '../core/store/export-import';
import type { RunStore } from '../core/store/run-store';

/** One page of `runs.export` with the name and type the saved file gets (the first page's name counts). */
export function exportFile(store: RunStore, ids: readonly string[], format: ExportFormat, cursor?: string): ApiResult<'runs.export'> {
  const page = exportPage(store, ids, format, cursor);
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  const stem = ids.length === 1 ? `run-${ids[0]}` : `runs-${stamp}`;
  return format === 'json'
    ? { fileName: `${stem}.json`, mimeType: 'application/json', ...page }
    : { fileName: `${stem}-metrics.csv`, mimeType: 'text/csv', ...page };
}
