/**
 * Every Redis name the workbench uses, in one place. A run's keys carry the
 * hub's id as well as its run id: two hubs (two databases) may share a queue.
 */
export const QUEUE_NAME = 'vgg-workbench-runs';
const PREFIX = 'vgg-workbench';

export const workerKey = (name: string): string => `${PREFIX}:worker:${name}`;
export const WORKER_KEY_PATTERN = `${PREFIX}:worker:*`;
export const hubRunsKey = (hubId: string): string => `${PREFIX}:hub:${hubId}:runs`;

export interface RunKeys {
  /** The run's events, in order: a Redis Stream the hub reads through its consumer group. */
  events: string;
  /** Set by the hub; the worker checks it on every batch. */
  cancel: string;
  /** Incremented by every worker that takes the run: 1 the first time, more after a takeover. */
  attempt: string;
  /** The newest start message: a hub that attaches late marks the run running from it. */
  start: string;
  /** Which process of the hub records the run now (hub-recorder-lease.ts); the others only watch. */
  recorder: string;
  /** The newest checkpoint the hub holds a copy of: JSON meta, and its chunks. */
  checkpoint: string;
  /** Chunks are named by epoch: a hub reading epoch N's never finds epoch N+1's bytes there. */
  checkpointChunk: (epoch: number, index: number) => string;
}

export function runKeys(hubId: string, runId: string): RunKeys {
  const base = `${PREFIX}:run:${hubId}:${runId}`;
  return {
    events: `${base}:events`,
    cancel: `${base}:cancel`,
    attempt: `${base}:attempt`,
    start: `${base}:start`,
    recorder: `${base}:recorder`,
    checkpoint: `${base}:checkpoint`,
    checkpointChunk: (epoch, index) => `${base}:checkpoint:${epoch}:${index}`,
  };
}

/** The hub's consumer group on each run's stream. */
export const HUB_GROUP = 'hub';

/** The BullMQ job id of a run: one job per (hub, run), so a repeated submit adds nothing. */
export const jobId = (hubId: string, runId: string): string => `${hubId}-${runId}`;
