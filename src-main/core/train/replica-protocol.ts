import { z } from 'zod';
import { layerSpecSchema } from '../../shared/models/layer-spec-schema';
import { ENGINE_IDS } from '../../shared/train/run-config';

/**
 * Messages between the training thread (replica 0, the coordinator) and one
 * helper replica thread. Both sides parse what they receive, as the training
 * worker's protocol does: a malformed message must fail loudly.
 *
 * A step is: `step` (the helper's shard) → `gradients` (its slot of the
 * shared buffer is written) → `apply` (every slot is written: sum and update)
 * → `applied`. The coordinator sends the next `step` only after every
 * `applied`, so no replica overwrites a slot another is still summing.
 */

const float32 = z.instanceof(Float32Array);

export const replicaInitSchema = z.object({
  type: z.literal('init'),
  /** The network as data, built with the same builder as replica 0's. */
  layers: z.array(layerSpecSchema).min(1),
  side: z.number().int().positive(),
  seed: z.number().int().min(0),
  /** The engine to load, as replica 0 runs it: through its row's loadReplica. */
  engine: z.enum(ENGINE_IDS),
  /** Threads this replica's engine runs on (wasm: its XNNPACK pool). */
  threads: z.number().int().positive(),
  optimizer: z.object({ lr: z.number().positive(), momentum: z.number().min(0).max(1) }),
  /** replicas × parameters float32s: slot i is replica i's gradient. */
  gradients: z.instanceof(SharedArrayBuffer),
  replicas: z.number().int().min(2),
  /** This helper's slot, 1..replicas-1 (0 is the coordinator's). */
  slot: z.number().int().min(1),
});

export const toReplicaSchema = z.discriminatedUnion('type', [
  replicaInitSchema,
  /** Replica 0's weights (model.getWeights order) and optimizer state, once before the first step. */
  z.object({
    type: z.literal('sync'),
    weights: z.array(float32),
    optimizer: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), values: float32 })),
  }),
  z.object({
    type: z.literal('step'),
    /** [n, side, side, 1] row-major; n may be 0 for a batch smaller than the replica count. */
    xs: float32,
    labels: z.instanceof(Int32Array),
    /** The whole batch's size, which divides every shard's summed loss. */
    batchSize: z.number().int().positive(),
  }),
  z.object({ type: z.literal('apply') }),
]);
export type ToReplica = z.infer<typeof toReplicaSchema>;
export type ReplicaInit = z.infer<typeof replicaInitSchema>;

export const fromReplicaSchema = z.discriminatedUnion('type', [
  /** Built: its parameter count, which must equal replica 0's. */
  z.object({ type: z.literal('ready'), parameters: z.number().int().min(0) }),
  z.object({ type: z.literal('synced') }),
  /** A diverged run's loss is NaN or infinite, which the trainer reports as it is. */
  z.object({ type: z.literal('gradients'), loss: z.union([z.number(), z.nan(), z.literal(Infinity), z.literal(-Infinity)]), correct: z.number().int().min(0) }),
  z.object({ type: z.literal('applied') }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type FromReplica = z.infer<typeof fromReplicaSchema>;
