import { z } from 'zod';

/**
 * What a queue worker says of itself, every few seconds, under its own Redis
 * key with a time to live; the hub reads it back (queue/list-workers.ts) and
 * the API hands it on as it is (`workers.list`, api/queue-workers.ts). One
 * schema for both sides, so the worker list cannot drift from what workers send.
 */
export const workerAnnouncementSchema = z.object({
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
export type WorkerAnnouncement = z.infer<typeof workerAnnouncementSchema>;
