import { homedir } from 'node:os';
import { z } from 'zod';
import { layerSpecSchema } from '../../shared/models/layer-spec-schema';
import { engineInfoSchema } from '../../shared/train/events';
import { runConfigSchema } from '../../shared/train/run-config';
import { RUN_STATUSES, type RunSnapshot } from '../../shared/runs/run-entities';
import {
  ARCHITECTURE_MAX_LAYERS,
  CONFUSION_CLASSES,
  ENGINE_DETAIL_MAX_LENGTH,
  ERROR_MAX_LENGTH,
  NOTES_MAX_LENGTH,
  RUN_NAME_MAX_LENGTH,
  TAG_MAX_LENGTH,
  TAGS_PER_RUN_MAX,
  TIME_MAX_MS,
} from '../../shared/runs/run-limits';
import { LAYER_EVENTS_MAX } from './layer-stats-store';

/**
 * The run export file's format: its schema (every field capped, as any file
 * that crosses from another machine), a run's record to and from it, and the
 * parse that names the offending field. export-import.ts writes and reads it.
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
export const encodeValue = (value: number): number | (typeof NON_FINITE)[number] =>
  Number.isFinite(value) ? value : (String(value) as (typeof NON_FINITE)[number]);
const decodeValue = (value: number | string): number =>
  typeof value === 'number' ? value : Number(value);

const int = z.number().int();
/** Steps, counts, sizes: a negative one is a corrupt or forged file. */
const count = int.min(0);
/** ms since the epoch, or seconds: never before zero. */
const time = z.number().min(0).max(TIME_MAX_MS);
export { TAG_MAX_LENGTH };

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
  engine: engineInfoSchema.extend({ detail: z.string().max(ENGINE_DETAIL_MAX_LENGTH).optional() }).nullable(),
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
  error: z.string().max(ERROR_MAX_LENGTH).nullable(),
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
export type ExportedRun = RunExport['runs'][number];

/** A run's record as exported, without its points: no path of this machine travels. */
export function exportedHead(snapshot: Omit<RunSnapshot, 'metrics'>): Omit<ExportedRun, 'metrics'> {
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

export function toExported(snapshot: RunSnapshot, layerStats: { layerStats?: unknown[] } = {}): ExportedRun {
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

export function toSnapshot(exported: ExportedRun): RunSnapshot {
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

/** `runs[0].metrics[3].step` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
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
