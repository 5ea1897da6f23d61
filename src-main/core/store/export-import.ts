import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { z } from 'zod';
import { layerSpecSchema } from '../../shared/models/layer-spec-schema';
import { engineInfoSchema } from '../../shared/train/events';
import { runConfigSchema } from '../../shared/train/run-config';
import { RUN_STATUSES, type RunSnapshot } from '../../shared/runs/run-entities';
import {
  ARCHITECTURE_MAX_LAYERS,
  CONFUSION_CLASSES,
  EXPORT_MAX_POINTS,
  EXPORT_PAGE_POINTS,
  NOTES_MAX_LENGTH,
  RUN_NAME_MAX_LENGTH,
  TAG_MAX_LENGTH,
  TAGS_PER_RUN_MAX,
} from '../../shared/runs/run-limits';
import type { RunStore } from './run-store';
import { importSnapshot } from './snapshot-import';
import { decodeLayerEvent, encodeLayerEvent, LAYER_EVENTS_MAX, type LayerStatsEvent } from './layer-stats-store';

/**
 * Runs as one JSON document (everything recorded, for moving runs between
 * machines) and metrics as CSV (one row per point, for spreadsheets and pandas).
 */
export const EXPORT_FORMAT = 'vgg-workbench/runs';
export const EXPORT_VERSION = 1;

/** The import file was refused; nothing was written. */
export class ImportError extends Error {
  constructor(message: string) {
    super(`${message}; nothing was imported`);
    this.name = 'ImportError';
  }
}

/** JSON has no NaN or Infinity: those values travel as strings. */
const NON_FINITE = ['NaN', 'Infinity', '-Infinity'] as const;
const metricValueSchema = z.union([z.number(), z.enum(NON_FINITE)]);
const encodeValue = (value: number): number | (typeof NON_FINITE)[number] =>
  Number.isFinite(value) ? value : (String(value) as (typeof NON_FINITE)[number]);
const decodeValue = (value: number | string): number =>
  typeof value === 'number' ? value : Number(value);

const int = z.number().int();
/** Steps, counts, sizes: a negative one is a corrupt or forged file. */
const count = int.min(0);
/** ms since the epoch, or seconds: never before zero. */
const time = z.number().min(0);
export { TAG_MAX_LENGTH };

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
/** Every (key, step) once: the summary and the charts assume one value per step. */
function noDuplicatePoints(metrics: readonly { key: string; step: number }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  metrics.forEach((point, i) => {
    const id = `${point.key}\u0000${point.step}`;
    if (seen.has(id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metrics', i],
        message: `a second point for key ${point.key} at step ${point.step}`,
      });
    }
    seen.add(id);
  });
}

const exportedRunSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - or _ (1 to 64)'),
  name: z.string().trim().min(1).max(RUN_NAME_MAX_LENGTH),
  status: z.enum(RUN_STATUSES),
  createdAt: time,
  startedAt: time.nullable(),
  finishedAt: time.nullable(),
  config: runConfigSchema,
  /** Informative: the importing store recomputes it from `config`. */
  configHash: z.string(),
  model: z.string().min(1).max(100),
  architecture: z.array(layerSpecSchema).max(ARCHITECTURE_MAX_LAYERS).nullable(),
  dataset: z.string().min(1),
  engine: engineInfoSchema.nullable(),
  host: z
    .object({ os: z.string(), cpu: z.string().nullable(), gpu: z.string().nullable(), name: z.string().max(255).nullable().optional() })
    .nullable(),
  params: count.nullable(),
  macs: z.number().min(0).nullable(),
  shape: z
    .object({
      trainSize: int.min(0),
      testSize: int.min(0),
      stepsPerEpoch: int.min(0),
      firstEpoch: int.min(0),
    })
    .nullable(),
  epochsCompleted: count.nullable(),
  durationSeconds: time.nullable(),
  error: z.string().nullable(),
  notes: z.string().max(NOTES_MAX_LENGTH),
  tags: z.array(z.string().trim().min(1).max(TAG_MAX_LENGTH)).max(TAGS_PER_RUN_MAX),
  baseline: z.boolean(),
  metrics: z.array(
    z.object({
      key: z.string().min(1).max(100),
      step: count,
      epoch: count,
      batch: count.nullable(),
      value: metricValueSchema,
      wallTime: time,
    }),
  ),
  /**
   * What checkpoints the run had where it was recorded. Informative only: an
   * import never records them, and `path` (written by earlier releases) is
   * never opened.
   */
  checkpoints: z.array(
    z.object({
      epoch: count,
      path: z.string().optional(),
      bytes: count,
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 as 64 lowercase hex digits'),
      createdAt: time,
    }),
  ),
  confusion: z
    .array(z.array(int.min(0)).max(CONFUSION_CLASSES))
    .min(2)
    .max(CONFUSION_CLASSES)
    .refine((rows) => rows.every((row) => row.length === rows.length), 'must be square')
    .nullable(),
  /** Per-layer statistics (layer-stats.ts), NaN and Infinity as strings; absent in exports from before them. */
  layerStats: z.array(z.unknown()).max(LAYER_EVENTS_MAX).optional(),
}).superRefine((run, ctx) => {
  // The list and the filters read `model`; the trainer reads `config.model`: one run, one model.
  if (run.model !== run.config.model) {
    ctx.addIssue({ code: 'custom', path: ['model'], message: `${run.model} contradicts config.model ${run.config.model}` });
  }
  noDuplicatePoints(run.metrics, ctx);
});

export const runExportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.number(),
  runs: z.array(exportedRunSchema).superRefine((runs, ctx) => {
    const seen = new Set<string>();
    runs.forEach((run, i) => {
      if (seen.has(run.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `run id ${run.id} appears twice` });
      seen.add(run.id);
    });
  }),
});
export type RunExport = z.infer<typeof runExportSchema>;
type ExportedRun = RunExport['runs'][number];

/** A run's record as exported, without its points: no path of this machine travels. */
function exportedHead(snapshot: Omit<RunSnapshot, 'metrics'>): Omit<ExportedRun, 'metrics'> {
  return {
    ...snapshot.run,
    // A stored config holds no data folder (migration 4); checkpoint paths name this machine's files.
    config: snapshot.run.config,
    // An error message may quote a file of this machine (ENOENT …/home/name/…): its home becomes ~.
    error: snapshot.run.error === null ? null : withoutHome(snapshot.run.error),
    checkpoints: snapshot.checkpoints.map(({ path: _path, ...rest }) => rest),
    confusion: snapshot.confusion,
  };
}

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

function toExported(snapshot: RunSnapshot, layerStats: { layerStats?: unknown[] }): ExportedRun {
  return {
    ...exportedHead(snapshot),
    ...layerStats,
    metrics: snapshot.metrics.map((point) => ({ ...point, value: encodeValue(point.value) })),
  };
}

function withoutHome(text: string): string {
  const home = homedir();
  return home.length > 1 ? text.replaceAll(home, '~') : text;
}

function toSnapshot(exported: ExportedRun): RunSnapshot {
  const { metrics, checkpoints, confusion, layerStats: _layerStats, ...exportedRun } = exported;
  // An older export's `dataDir` (a folder of the recording machine) was dropped by the config schema.
  const run = exportedRun;
  return {
    run,
    metrics: metrics.map((point) => ({ ...point, value: decodeValue(point.value) })),
    checkpoints: checkpoints.map((checkpoint) => ({ ...checkpoint, path: checkpoint.path ?? '' })),
    confusion,
  };
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
  run: int.min(0),
  after: int.min(-1),
  exportedAt: time,
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

/** `runs[0].metrics[3].step` from zod's path array. */
function formatPath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((part, i) =>
        typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
      )
      .join('') || '(top level)'
  );
}

/** Parses and validates an export file; the error names the offending field. */
export function parseRunExport(text: string): RunExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`not a JSON file (${(error as Error).message})`);
  }
  const head = z.object({ format: z.unknown(), version: z.unknown() }).safeParse(json);
  if (!head.success || head.data.format !== EXPORT_FORMAT) {
    const format = head.success ? JSON.stringify(head.data.format) : 'missing';
    throw new ImportError(
      `not a VGG Workbench run export (format: expected "${EXPORT_FORMAT}", got ${format})`,
    );
  }
  if (typeof head.data.version === 'number' && head.data.version > EXPORT_VERSION) {
    throw new ImportError(
      `export version ${head.data.version} is newer than this release reads (${EXPORT_VERSION})`,
    );
  }
  const parsed = runExportSchema.safeParse(json);
  if (!parsed.success) {
    const shown = parsed.error.issues.slice(0, 5).map((issue) => {
      return `${formatPath(issue.path)}: ${issue.message}`;
    });
    const more = parsed.error.issues.length - shown.length;
    throw new ImportError(
      `invalid run export: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    );
  }
  return parsed.data;
}

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
