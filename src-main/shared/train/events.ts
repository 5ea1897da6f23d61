import { z } from 'zod';
import { gpuAdapterSchema } from './gpu-adapter';
import { fieldSuggestionSchema } from '../refusal';
import { ENGINE_IDS, runConfigSchema } from './run-config';
import { layerEpochEventSchema, layerStepEventSchema } from './layer-stats';

/**
 * The trainer's event stream. A live run and a replayed run emit exactly this,
 * so the CLI, the store and the GUI have one thing to consume.
 * `time` is milliseconds since the epoch (Date.now()).
 */
/**
 * A measured value: any number, NaN and ±Infinity included. A diverged run's
 * loss is NaN, and that is a result to record, not a malformed message
 * (z.number() would reject it and take the worker for broken).
 */
const measured = z.custom<number>((value) => typeof value === 'number', { message: 'expected a number' });

export const engineInfoSchema = z.object({
  id: z.enum(ENGINE_IDS),
  backend: z.string(),
  version: z.string(),
  /** e.g. "GPU: NVIDIA ...", or why the GPU is not used. */
  detail: z.string().optional(),
  /** CPU threads the engine trains on, where it says (wasm: its XNNPACK pool). */
  threads: z.number().int().positive().optional(),
  /** Data-parallel copies of the network the threads are split over (wasm: each on threads / replicas); absent: one. */
  replicas: z.number().int().min(2).optional(),
  /** The WebGPU adapter, for the webgpu engine: what it is, and its limits for the memory check. */
  adapter: gpuAdapterSchema.optional(),
});
export type EngineInfo = z.infer<typeof engineInfoSchema>;

export const startEventSchema = z.object({
  type: z.literal('start'),
  time: z.number(),
  config: runConfigSchema,
  engine: engineInfoSchema,
  params: z.number().int(),
  macs: z.number(),
  trainSize: z.number().int(),
  testSize: z.number().int(),
  stepsPerEpoch: z.number().int(),
  /** Epoch the run starts at: 0, or later when resumed from a checkpoint. */
  firstEpoch: z.number().int().min(0).default(0),
  /** Present when the run was initialised from another run's checkpoint (`initFrom`). */
  warmStart: z
    .object({
      fromRun: z.string(),
      /** The source checkpoint's epoch. */
      epoch: z.number().int().min(0),
      /** Layers whose weights came from the source: same name, same shapes. */
      copied: z.array(z.string()),
      /** Layers with weights that start from their fresh initialisation. */
      fresh: z.array(z.string()),
    })
    .optional(),
});

export const batchEventSchema = z.object({
  type: z.literal('batch'),
  time: z.number(),
  epoch: z.number().int(),
  /** Global step, counted from the first batch of the run. */
  step: z.number().int(),
  /** Batch index within the epoch. */
  batch: z.number().int(),
  loss: measured,
  accuracy: measured,
  imagesPerSec: measured,
});

export const epochEventSchema = z.object({
  type: z.literal('epoch'),
  time: z.number(),
  epoch: z.number().int(),
  loss: measured,
  trainAcc: measured,
  testAcc: measured,
  seconds: measured,
  imagesPerSec: measured,
});

export const doneEventSchema = z.object({
  type: z.literal('done'),
  time: z.number(),
  status: z.enum(['completed', 'cancelled']),
  epochs: z.number().int(),
  seconds: measured,
});

export const errorEventSchema = z.object({
  type: z.literal('error'),
  time: z.number(),
  message: z.string(),
  /** With a refusal that knows what would work (too little memory): the fields to change. */
  suggestions: z.array(fieldSuggestionSchema).optional(),
});

export const trainingEventSchema = z.discriminatedUnion('type', [
  startEventSchema,
  batchEventSchema,
  epochEventSchema,
  doneEventSchema,
  errorEventSchema,
  layerStepEventSchema,
  layerEpochEventSchema,
]);

export type StartEvent = z.infer<typeof startEventSchema>;
export type BatchEvent = z.infer<typeof batchEventSchema>;
export type EpochEvent = z.infer<typeof epochEventSchema>;
export type DoneEvent = z.infer<typeof doneEventSchema>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;
export type TrainingEvent = z.infer<typeof trainingEventSchema>;
