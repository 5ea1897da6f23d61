import { z } from 'zod';
import { runConfigSchema } from '../shared/train/run-config';
import { trainingEventSchema } from '../shared/train/events';

/**
 * Messages between the main thread and the long-lived training worker.
 * Both sides parse what they receive: a worker boundary is a process boundary
 * in all but name, and a malformed message must fail loudly, not half-work.
 */
export const runMessageSchema = z.object({
  type: z.literal('run'),
  runId: z.string().min(1),
  config: runConfigSchema,
  /** The Fashion-MNIST folder, located once by the service when the run was queued: the worker does not look again. */
  datasetDir: z.string().min(1),
  /**
   * The memory this run may plan for ("6GB", "60%"), from the request's
   * `memoryLimit` (prepare-run.ts checked it); absent: VGG_WORKBENCH_MEMORY_LIMIT,
   * else the machine's default share.
   */
  memoryLimit: z.string().min(1).max(32).optional(),
  /** Where this run's checkpoints go; none are written when absent. */
  checkpoint: z
    .object({
      dir: z.string().min(1),
      /** 'every': after each epoch; 'last': after the final epoch only. */
      policy: z.enum(['every', 'last']),
    })
    .optional(),
  /** Resume from a checkpoint written at the end of `epoch`: training goes on at epoch + 1. */
  resume: z
    .object({
      path: z.string().min(1),
      epoch: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    })
    .optional(),
  /** The checkpoint a run with `config.initFrom` copies its matching layers from; ignored when resuming. */
  warmStart: z
    .object({
      runId: z.string().min(1),
      path: z.string().min(1),
      epoch: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    })
    .optional(),
});
export type RunMessage = z.infer<typeof runMessageSchema>;

export const toWorkerSchema = z.discriminatedUnion('type', [
  runMessageSchema,
  z.object({ type: z.literal('cancel'), runId: z.string().min(1) }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

export const checkpointWrittenSchema = z.object({
  epoch: z.number().int().min(0),
  path: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type CheckpointWritten = z.infer<typeof checkpointWrittenSchema>;

export const fromWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), runId: z.string(), event: trainingEventSchema }),
  z.object({ type: z.literal('checkpoint'), runId: z.string(), checkpoint: checkpointWrittenSchema }),
  z.object({
    type: z.literal('finished'),
    runId: z.string(),
    status: z.enum(['completed', 'cancelled', 'failed']),
    epochsDone: z.number().int(),
    confusion: z.array(z.array(z.number().int())).optional(),
  }),
  /** A message the worker could not parse; it answers instead of dying. */
  z.object({ type: z.literal('rejected'), message: z.string() }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;
