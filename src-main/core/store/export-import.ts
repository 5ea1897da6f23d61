import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EXPORT_MAX_POINTS, EXPORT_PAGE_POINTS } from '../../shared/runs/run-limits';
import type { RunStore } from './run-store';
import { importSnapshot } from './snapshot-import';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  ImportError,
  encodeValue,
  exportedHead,
  formatPath,
  parseRunExport,
  toExported,
  toSnapshot,
  type RunExport,
} from './export-format';

import { decodeLayerEvent, encodeLayerEvent, type LayerStatsEvent } from './layer-stats-store';

export { EXPORT_FORMAT, EXPORT_VERSION, ImportError, parseRunExport, runExportSchema, TAG_MAX_LENGTH, type RunExport } from './export-format';

type ExportedRun = RunExport['runs'][number];

/** A run's exported layer events, each through decodeLayerEvent; a bad one is refused naming its place and field. */
function importedLayerEvents(run: ExportedRun, runIndex: number): LayerStatsEvent[] {
  return (run.layerStats ?? []).map((item, i) => {
    try {
      return decodeLayerEvent(item);
    } catch (error) {
      const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
      const where = formatPath(['runs', runIndex, 'layerStats', i, ...(issue?.path ?? [])]);
      throw new ImportError(`invalid run export: ${where}: ${issue?.message ?? String(error)}`);
    }
  });
}

/** The run's layer events as the export writes them: NaN and Infinity as strings (encodeLayerEvent). */
function exportedLayerStats(store: RunStore, id: string): { layerStats?: unknown[] } {
  const events = store.layerStats.events(id);
  return events.length === 0 ? {} : { layerStats: events.map((event) => JSON.parse(encodeLayerEvent(event)) as unknown) };
}

/**
 * Runs as one JSON document (everything recorded, for moving runs between
 * machines) and metrics as CSV (one row per point, for spreadsheets and pandas),
 * both written a bounded page at a time; and the import of such a document.
 * The document's schema is export-format.ts's.
 */

/** An export would cover more points than EXPORT_MAX_POINTS: nothing was written. */
export class ExportTooLargeError extends Error {
  constructor(points: number, cap: number) {
    super(
      `these runs hold ${points.toLocaleString('en-US')} metric points, more than one export takes (${cap.toLocaleString('en-US')}): export fewer runs at a time`,
    );
    this.name = 'ExportTooLargeError';
  }
}

/** A page cursor this export did not hand out (or one for other runs or another format). */
export class ExportCursorError extends Error {
  constructor() {
    super('the export cursor is not one this export handed out: start the export again without a cursor');
    this.name = 'ExportCursorError';
  }
}
export function exportRuns(store: RunStore, ids: readonly string[]): RunExport {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: Date.now(),
    runs: ids.map((id) => toExported(store.snapshot(id), exportedLayerStats(store, id))),
  };
}

/** The whole JSON export as one string: for tests and small exports; the service and CLI page through it. */
export const exportRunsJson = (store: RunStore, ids: readonly string[]): string =>
  [...exportPages(store, ids, 'json')].join('');

export type ExportFormat = 'json' | 'csv';

/** Where the next page starts: a run (by index) and the last point written of it. */
interface ExportCursor {
  /** Index into the (de-duplicated) run list. */
  run: number;
  /** Row id of the last point written of that run; -1: the run's record is not written yet. */
  after: number;
  /** The file's exportedAt, the same on every page. */
  exportedAt: number;
  /** Which export this cursor belongs to (ids and format), so it is not replayed on another. */
  of: string;
}

const cursorSchema = z.object({
  run: z.number().int().min(0),
  after: z.number().int().min(-1),
  exportedAt: z.number().min(0),
  of: z.string(),
});

function exportIdentity(ids: readonly string[], format: ExportFormat): string {
  return createHash('sha256').update(JSON.stringify([format, ids])).digest('base64url').slice(0, 16);
}

function encodeCursor(cursor: ExportCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, of: string): ExportCursor {
  try {
    const cursor = cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    if (cursor.of !== of) throw new ExportCursorError();
    return cursor;
  } catch {
    throw new ExportCursorError();
  }
}

export interface ExportPage {
  /** The next piece of the file: the pieces in order are the whole file. */
  content: string;
  /** Pass back for the next piece; absent on the last. */
  next?: string;
}

/**
 * One bounded piece of an export: at most `pagePoints` metric points, read
 * from SQLite a page at a time, so neither the store nor the caller ever holds
 * the whole file. `ids` must hold each run once (see uniqueIds). A first page
 * (no cursor) checks every run exists and the total stays under EXPORT_MAX_POINTS.
 */
export function exportPage(
  store: RunStore,
  ids: readonly string[],
  format: ExportFormat,
  cursorText?: string,
  { pagePoints = EXPORT_PAGE_POINTS, maxPoints = EXPORT_MAX_POINTS }: { pagePoints?: number; maxPoints?: number } = {},
): ExportPage {
  const of = exportIdentity(ids, format);
  const parts: string[] = [];
  let cursor: ExportCursor;
  if (cursorText === undefined) {
    for (const id of ids) store.requireRun(id);
    const total = store.countMetrics(ids);
    if (total > maxPoints) throw new ExportTooLargeError(total, maxPoints);
    cursor = { run: 0, after: -1, exportedAt: Date.now(), of };
    parts.push(
      format === 'json'
        ? `{"format":${JSON.stringify(EXPORT_FORMAT)},"version":${EXPORT_VERSION},"exportedAt":${cursor.exportedAt},"runs":[`
        : `${METRICS_CSV_COLUMNS.join(',')}\n`,
    );
  } else {
    cursor = decodeCursor(cursorText, of);
    if (cursor.run > ids.length) throw new ExportCursorError();
  }
  let budget = pagePoints;
  while (cursor.run < ids.length && budget > 0) {
    const id = ids[cursor.run]!;
    const run = store.requireRun(id);
    if (cursor.after === -1) {
      if (format === 'json') {
        const record = JSON.stringify({ ...exportedHead(store.snapshotHead(id)), ...exportedLayerStats(store, id) });
        // The record without its closing brace, then its points: `{…,"metrics":[` … `]}`.
        parts.push(`${cursor.run > 0 ? ',' : ''}${record.slice(0, -1)},"metrics":[`);
      }
      cursor.after = 0;
    }
    const rows = store.metricsPage(id, cursor.after, budget);
    rows.forEach(({ point }, i) => {
      if (format === 'json') {
        // No comma before the run's very first point, which may open any page.
        const separator = cursor.after === 0 && i === 0 ? '' : ',';
        parts.push(`${separator}${JSON.stringify({ ...point, value: encodeValue(point.value) })}`);
      } else {
        parts.push(`${[run.id, run.name, point.key, point.step, point.epoch, point.value, point.wallTime].map(csvField).join(',')}\n`);
      }
    });
    budget -= rows.length;
    if (rows.length > 0) cursor.after = rows.at(-1)!.rowId;
    if (budget > 0) {
      // Fewer than asked: the run is done.
      if (format === 'json') parts.push(']}');
      cursor.run += 1;
      cursor.after = -1;
    }
  }
  if (cursor.run >= ids.length) {
    if (format === 'json') parts.push(']}\n');
    return { content: parts.join('') };
  }
  return { content: parts.join(''), next: encodeCursor(cursor) };
}

/** Every page of an export in turn (the CLI writes each as it comes). */
export function* exportPages(
  store: RunStore,
  ids: readonly string[],
  format: ExportFormat,
  limits: { pagePoints?: number; maxPoints?: number } = {},
): Generator<string> {
  let cursor: string | undefined;
  do {
    const page = exportPage(store, ids, format, cursor, limits);
    yield page.content;
    cursor = page.next;
  } while (cursor !== undefined);
}

/** Each id once, first mention first: a list naming one run 200 times exports it once. */
export const uniqueIds = (ids: readonly string[]): string[] => [...new Set(ids)];

export interface ImportedRun {
  /** The run's id, here as in the file. */
  id: string;
  name: string;
  /** The file listed checkpoints, which were not taken: evaluate and resume need one. */
  withoutWeights: boolean;
}

/** What to tell whoever imported runs whose checkpoints stayed behind. */
export const WITHOUT_WEIGHTS_NOTICE = 'imported without weights: evaluate and resume need a checkpoint';

/**
 * Imports every run in the file in one transaction: all or nothing. Each run
 * keeps its id; a file naming an id this database already holds is refused
 * with those ids, never imported under another.
 */
export function importRuns(store: RunStore, text: string): ImportedRun[] {
  const file = parseRunExport(text);
  return store.transaction(() => {
    const taken = file.runs.filter((run) => store.getRun(run.id) !== undefined).map((run) => run.id);
    if (taken.length > 0) {
      throw new ImportError(
        `run id${taken.length > 1 ? 's' : ''} ${taken.join(', ')} ${taken.length > 1 ? 'are' : 'is'} already in this database (imported before?): delete ${taken.length > 1 ? 'them' : 'it'} here first to import again`,
      );
    }
    return file.runs.map((run, i) => {
      const layerEvents = importedLayerEvents(run, i);
      const imported = importSnapshot(store, toSnapshot(run));
      store.layerStats.append(imported.id, layerEvents);
      return { id: imported.id, name: run.name, withoutWeights: imported.checkpointsDropped > 0 };
    });
  });
}

export const METRICS_CSV_COLUMNS = [
  'run_id',
  'run_name',
  'key',
  'step',
  'epoch',
  'value',
  'wall_time',
] as const;

/** RFC 4180: quote a field holding a comma, quote or line break; double inner quotes. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row per metric point of every run given, in recorded order; NaN written as "NaN". */
export const metricsCsv = (store: RunStore, ids: readonly string[]): string => [...exportPages(store, ids, 'csv')].join('');
