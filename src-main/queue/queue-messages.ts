import { z } from 'zod';
import { runConfigSchema, type RunConfig } from '../shared/train/run-config';
import { trainingEventSchema } from '../shared/train/events';

/** Ids that are only letters, digits, - and _: they become parts of Redis keys, never paths. */
const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only (1 to 64)');

/**
 * A run's config as it travels: the same schema as everywhere, without
 * dataDir (the data is the worker's own) and without initFrom (the source
 * checkpoint is in the hub's store, not on the worker).
 */
export const queuedConfigSchema = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete copy.dataDir;
  return copy;
}, runConfigSchema.refine((config) => config.initFrom === undefined, {
  message: 'a queued run cannot start from another run (initFrom): its checkpoint is not on the worker',
  path: ['initFrom'],
}));

/**
 * A job on the queue: a run config and two ids, nothing else (no paths, no
 * code, no file names). Strict: a job with any other field is refused.
 */
export const queueJobSchema = z
  .object({
    kind: z.literal('vgg-workbench-run'),
    hubId: idSchema,
    runId: idSchema,
    config: queuedConfigSchema,
  })
  .strict();
export type QueueJob = z.infer<typeof queueJobSchema>;

export function makeQueueJob(hubId: string, runId: string, config: RunConfig): QueueJob {
  return queueJobSchema.parse({ kind: 'vgg-workbench-run', hubId, runId, config });
}

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

export const workerHostSchema = z.object({
  os: z.string(),
  cpu: z.string().nullable(),
  gpu: z.string().nullable(),
  /** The worker machine's host name. */
  name: z.string(),
});

/**
 * What a worker appends to a run's stream. `attempt` says which take of the
 * run sent it: after a takeover, anything an older take still sends is dropped.
 */
export const streamMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('event'),
    attempt: z.number().int().min(1),
    worker: z.string(),
    event: trainingEventSchema,
    /** With the start event: the machine the run trains on (recorded as the run's host). */
    host: workerHostSchema.optional(),
  }),
  /** A checkpoint whose chunks are in Redis under the run's checkpoint keys. */
  z.object({
    type: z.literal('checkpoint'),
    attempt: z.number().int().min(1),
    epoch: z.number().int().min(0),
    bytes: z.number().int().min(0),
    sha256: sha256Schema,
    chunks: z.number().int().min(1),
  }),
  /** A checkpoint above --checkpoint-transfer-max: it stays on the worker. */
  z.object({ type: z.literal('checkpoint-kept'), attempt: z.number().int().min(1), worker: z.string(), epoch: z.number().int().min(0), bytes: z.number().int().min(0) }),
  z.object({ type: z.literal('confusion'), attempt: z.number().int().min(1), matrix: z.array(z.array(z.number().int())) }),
  /** A worker took the run after another left it: from a checkpoint, or from the start. */
  z.object({ type: z.literal('takeover'), attempt: z.number().int().min(2), worker: z.string(), resumedFromEpoch: z.number().int().min(0).nullable() }),
]);
export type StreamMessage = z.infer<typeof streamMessageSchema>;

export const checkpointMetaSchema = z.object({
  epoch: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: sha256Schema,
  chunks: z.number().int().min(1),
});
export type CheckpointMeta = z.infer<typeof checkpointMetaSchema>;

/** What a worker says of itself: one schema, shared with the API's worker list. */
export { workerAnnouncementSchema, type WorkerAnnouncement } from '../shared/queue/worker-announcement';
