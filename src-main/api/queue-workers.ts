import { z } from 'zod';
import { workerAnnouncementSchema } from '../shared/queue/worker-announcement';

/**
 * `workers.list`'s answer: the queue's address without its password, or null
 * with the reason when the service has no queue (or cannot reach it). Each
 * worker as it announces itself (shared/queue/worker-announcement.ts).
 */
export const queueWorkersSchema = z.object({
  queue: z.string().nullable(),
  workers: z.array(workerAnnouncementSchema),
  reason: z.string().nullable(),
});
export type QueueWorkers = z.infer<typeof queueWorkersSchema>;
