import { z } from 'zod';

/** A worker serving the service's Redis queue, as it announces itself (src-main/queue/queue-messages.ts). */
export const queueWorkerSchema = z.object({
  name: z.string(),
  host: z.string(),
  engine: z.string(),
  adapter: z.string().nullable(),
  freeMemoryBytes: z.number(),
  state: z.enum(['idle', 'training', 'stopping']),
  /** The hub's run id it trains now; another hub's run ids mean nothing here. */
  runId: z.string().nullable(),
  heartbeatAt: z.number(),
  startedAt: z.number(),
});
export type QueueWorkerInfo = z.infer<typeof queueWorkerSchema>;

/**
 * `workers.list`'s answer: the queue's address without its password, or null
 * with the reason when the service has no queue (or cannot reach it).
 */
export const queueWorkersSchema = z.object({
  queue: z.string().nullable(),
  workers: z.array(queueWorkerSchema),
  reason: z.string().nullable(),
});
export type QueueWorkers = z.infer<typeof queueWorkersSchema>;

/** `workers.test`'s answer: what the service reached on its queue just now, or why it did not. */
export const queueTestSchema = z.object({
  queue: z.string().nullable(),
  /** The Redis server's version, as INFO says it. */
  redisVersion: z.string().nullable(),
  /** Workers whose heartbeat has not expired. */
  workersSeen: z.number().int().min(0),
  reason: z.string().nullable(),
});
export type QueueTest = z.infer<typeof queueTestSchema>;
