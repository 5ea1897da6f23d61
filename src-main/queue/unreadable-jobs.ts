import type { Redis } from 'ioredis';
import { z } from 'zod';
import { errorMessage } from '../shared/error-message';

/** Where BullMQ keeps a queue's jobs: a Worker's or Queue's `toKey` (`bull:QUEUE:active`, `bull:QUEUE:JOBID`). */
export interface JobKeys {
  toKey: (type: string) => string;
}

/** A run's job id is `HUBID-RUNID` (queue-keys.ts): enough to tell its hub, even when the data cannot be read. */
const RUN_JOB_ID = /^([A-Za-z0-9_]{1,64})-([A-Za-z0-9_-]{1,64})$/;
const runOfJob = z.string().regex(RUN_JOB_ID);

/** An unreadable job, and the run its id names (when it names one). */
export interface UnreadableJob {
  id: string;
  run?: { hubId: string; runId: string };
}

/**
 * BullMQ parses a job's data after it has made the job active; data that is
 * not JSON throws there, inside BullMQ, before any code of ours sees the job.
 * The job stays active, stalls, is handed out again, and throws again: a
 * warning every stalled-check interval that names no job. This finds such
 * jobs among the active ones, removes them from the queue (there is nothing
 * to run), and returns them for the caller to log and report.
 */
export async function dropUnreadableJobs(redis: Redis, queue: JobKeys): Promise<UnreadableJob[]> {
  const active = queue.toKey('active');
  const ids = await redis.lrange(active, 0, -1);
  const dropped: UnreadableJob[] = [];
  for (const id of ids) {
    const data = await redis.hget(queue.toKey(id), 'data');
    if (data === null || readable(data)) continue;
    const jobKey = queue.toKey(id);
    await redis.multi().lrem(active, 0, id).srem(queue.toKey('stalled'), id).del(jobKey, `${jobKey}:lock`, `${jobKey}:logs`).exec();
    const match = runOfJob.safeParse(id).success ? RUN_JOB_ID.exec(id) : null;
    dropped.push(match ? { id, run: { hubId: match[1]!, runId: match[2]! } } : { id });
  }
  return dropped;
}

function readable(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** BullMQ's error for such a job: JSON.parse's SyntaxError, passed on as it is. */
export const isUnreadableJobError = (error: unknown): boolean => error instanceof SyntaxError && /JSON/i.test(errorMessage(error));
