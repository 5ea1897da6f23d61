import { z } from 'zod';
import { layerSpecSchema } from '../../shared/models/layer-spec-schema';
import { engineInfoSchema } from '../../shared/train/events';
import { runConfigSchema } from '../../shared/train/run-config';
import { RUN_STATUSES, type RunSnapshot } from '../../shared/runs/run-entities';
import { RUN_NAME_MAX_LENGTH, type RunStore } from './run-store';
import { importSnapshot } from './snapshot-import';

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
/** Tags are labels, not documents. */
export const TAG_MAX_LENGTH = 100;

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
  model: z.string(),
  architecture: z.array(layerSpecSchema).nullable(),
  dataset: z.string().min(1),
  engine: engineInfoSchema.nullable(),
  host: z
    .object({ os: z.string(), cpu: z.string().nullable(), gpu: z.string().nullable() })
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
  notes: z.string(),
  tags: z.array(z.string().trim().min(1).max(TAG_MAX_LENGTH)),
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
    .array(z.array(int.min(0)))
    .min(2)
    .refine((rows) => rows.every((row) => row.length === rows.length), 'must be square')
    .nullable(),
}).superRefine((run, ctx) => noDuplicatePoints(run.metrics, ctx));

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

function toExported(snapshot: RunSnapshot): ExportedRun {
  return {
    ...snapshot.run,
    metrics: snapshot.metrics.map((point) => ({ ...point, value: encodeValue(point.value) })),
    // A local path means nothing on another machine, and an import never opens one.
    checkpoints: snapshot.checkpoints.map(({ path: _path, ...rest }) => rest),
    confusion: snapshot.confusion,
  };
}

function toSnapshot(exported: ExportedRun): RunSnapshot {
  const { metrics, checkpoints, confusion, ...run } = exported;
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
    runs: ids.map((id) => toExported(store.snapshot(id))),
  };
}

export const exportRunsJson = (store: RunStore, ids: readonly string[]): string =>
  JSON.stringify(exportRuns(store, ids));

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
    return file.runs.map((run) => {
      const imported = importSnapshot(store, toSnapshot(run));
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
export function metricsCsv(store: RunStore, ids: readonly string[]): string {
  const lines = [METRICS_CSV_COLUMNS.join(',')];
  for (const id of ids) {
    const run = store.requireRun(id);
    for (const p of store.metrics(id)) {
      lines.push(
        [run.id, run.name, p.key, p.step, p.epoch, p.value, p.wallTime].map(csvField).join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
