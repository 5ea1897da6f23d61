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

/**
 * The Queue panel's settings. `editable`: the desktop app, which keeps them
 * (the password encrypted); false in `serve`, whose queue comes from its
 * flags and environment. The password itself is never sent back.
 */
export const queueSettingsSchema = z.object({
  editable: z.boolean(),
  /** The saved URL (no password in it), or the running queue's address in serve; null: none. */
  url: z.string().nullable(),
  hasPassword: z.boolean(),
  caFile: z.string().nullable(),
  /** Saved settings differ from the queue the app runs with: they apply when it next starts. */
  restartNeeded: z.boolean(),
});
export type QueueSettings = z.infer<typeof queueSettingsSchema>;

export const queueConfigureSchema = z
  .object({
    /** redis://HOST:PORT[/DB] or rediss://…, without a password; empty: no queue. */
    url: z.string().max(500),
    /** Absent: keep the saved one; empty: none. */
    password: z.string().max(512).optional(),
    caFile: z.string().min(1).max(4096).nullable().optional(),
  })
  .strict();
