import { z } from 'zod';
import { layerSpecSchema } from '../shared/models/layer-spec-schema';
import type { NetworkSummary } from '../shared/models/summary';
import type { TrainingRecipe } from '../shared/models/presets';
import type { CheckpointRecord, MetricPoint, MetricSummary, RunRecord } from '../shared/runs/run-entities';
import { RUN_STATUSES } from '../shared/runs/run-entities';
import { engineInfoSchema } from '../shared/train/events';
import { gpuAdapterSchema } from '../shared/train/gpu-adapter';
import { ENGINE_IDS, runConfigSchema, vggBlockSchema } from '../shared/train/run-config';
import { metricNumber } from './metric-number';

/**
 * The shapes the API hands out, as zod schemas. Where core has the type, the
 * schema is annotated with it, so the compiler catches the two drifting apart.
 */

const int = z.number().int();

export const engineStatusSchema = z.object({
  id: z.enum(ENGINE_IDS),
  available: z.boolean(),
  package: z.string(),
  version: z.string().optional(),
  reason: z.string().optional(),
  detail: z.string().optional(),
  adapter: gpuAdapterSchema.optional(),
});
export type EngineStatusInfo = z.infer<typeof engineStatusSchema>;


const recipeSchema: z.ZodType<TrainingRecipe> = z.object({
  resize: int,
  batchSize: int,
  lr: z.number(),
  epochs: int,
  denseUnits: int.optional(),
  source: z.string(),
});

/** A preset with what a form needs: its recipe and the smallest image side it takes. */
const presetCommon = {
  id: z.string(),
  label: z.string(),
  source: z.string(),
  sourceOriginalTitle: z.string().optional(),
  defaults: recipeSchema,
  minimumSide: int,
};
export const presetInfoSchema = z.discriminatedUnion('family', [
  z.object({ ...presetCommon, family: z.literal('vgg'), blocks: z.array(vggBlockSchema) }),
  z.object({ ...presetCommon, family: z.literal('fixed'), layers: z.array(layerSpecSchema) }),
]);
export type PresetInfo = z.infer<typeof presetInfoSchema>;

export const networkSummarySchema: z.ZodType<NetworkSummary> = z.object({
  name: z.string(),
  inputShape: z.tuple([int, int, int]),
  batchSize: int,
  layers: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['conv', 'maxpool', 'avgpool', 'flatten', 'dense', 'dropout']),
      outputShape: z.array(int),
      params: int,
      macs: z.number(),
    }),
  ),
  totalParams: int,
  totalMacs: z.number(),
  activationsPerExample: z.number(),
  activationBytes: z.number(),
  parameterBytes: z.number(),
});

export const metricSummarySchema: z.ZodType<MetricSummary> = z.object({
  key: z.string(),
  count: int,
  lowerIsBetter: z.boolean(),
  last: z.object({ value: metricNumber, step: int, epoch: int, wallTime: z.number() }),
  best: z.object({ value: metricNumber, step: int, epoch: int }).nullable(),
});

export const runStatusSchema = z.enum(RUN_STATUSES);

export const runRecordSchema: z.ZodType<RunRecord> = z.object({
  id: z.string(),
  name: z.string(),
  status: runStatusSchema,
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  config: runConfigSchema,
  configHash: z.string(),
  model: z.string(),
  architecture: z.array(layerSpecSchema).nullable(),
  dataset: z.string(),
  engine: engineInfoSchema.nullable(),
  host: z.object({ os: z.string(), cpu: z.string().nullable(), gpu: z.string().nullable(), name: z.string().nullable().optional() }).nullable(),
  params: int.nullable(),
  macs: z.number().nullable(),
  shape: z
    .object({ trainSize: int, testSize: int, stepsPerEpoch: int, firstEpoch: int })
    .nullable(),
  epochsCompleted: int.nullable(),
  durationSeconds: metricNumber.nullable(),
  error: z.string().nullable(),
  notes: z.string(),
  tags: z.array(z.string()),
  baseline: z.boolean(),
  owner: z
    .object({ pid: int, hostname: z.string(), heartbeatAt: z.number().nullable() })
    .nullable(),
  summary: z.record(z.string(), metricSummarySchema),
});

export const metricPointSchema: z.ZodType<MetricPoint> = z.object({
  key: z.string(),
  step: int,
  epoch: int,
  batch: int.nullable(),
  value: metricNumber,
  wallTime: z.number(),
});

export const checkpointRecordSchema: z.ZodType<CheckpointRecord> = z.object({
  id: int,
  runId: z.string(),
  epoch: int,
  path: z.string(),
  bytes: int,
  sha256: z.string(),
  createdAt: z.number(),
});

/** The runs waiting for the worker, in the order they will train. */
export const queueEntrySchema = z.object({ runId: z.string(), name: z.string(), model: z.string() });
export const queueStateSchema = z.object({
  running: queueEntrySchema.nullable(),
  queued: z.array(queueEntrySchema),
});
export type QueueState = z.infer<typeof queueStateSchema>;

export const datasetLocationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('found'),
    source: z.enum(['user', 'system', 'downloaded']),
    dir: z.string(),
  }),
  /** Nothing usable here; `dir` is where a download will put the files. */
  z.object({ kind: z.literal('needs-download'), dir: z.string() }),
]);

export const datasetStatusSchema = z.object({
  name: z.literal('fashion-mnist'),
  /** Class names in label order. */
  classes: z.array(z.string()),
  location: datasetLocationSchema,
  downloading: z.boolean(),
});
export type DatasetStatus = z.infer<typeof datasetStatusSchema>;

/**
 * One grayscale image. Pixels travel as base64 of `rows × cols` bytes
 * (row-major, 0..255): a quarter of the size of a JSON number array.
 */
export const imageSchema = z.object({
  index: int.min(0),
  label: int.min(0),
  rows: int.min(1),
  cols: int.min(1),
  pixels: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
});
export type WireImage = z.infer<typeof imageSchema>;

export const misclassifiedImageSchema = imageSchema.extend({ predicted: int.min(0) });

export const replayStateSchema = z.object({
  replayId: z.string(),
  runId: z.string(),
  /** Events emitted so far (the index of the next one). */
  position: int,
  total: int,
  playing: z.boolean(),
  finished: z.boolean(),
  /** × recorded pace, or 'max' for as fast as the events can be sent. */
  speed: z.union([z.number().positive(), z.literal('max')]),
  /** Global batch steps the run recorded, for a seek bar in steps. */
  lastStep: int.nullable(),
});
export type ReplayState = z.infer<typeof replayStateSchema>;
