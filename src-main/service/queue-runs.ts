import type { RunStore } from '../core/store/run-store';
import type { PreparedRun } from '../shared/train/prepared-run';
import type { WorkerAnnouncement } from '../queue/queue-messages';
import { redactUrls } from '../shared/redact-urls';
import type { EventHub } from './event-hub';

export interface QueueLinkHandle {
  /** The queue's URL without its password. */
  readonly display: string;
  /** The workers serving the queue now; throws why (redacted) when it cannot be reached. */
  workers(): Promise<WorkerAnnouncement[]>;
  /** Reaches the queue now: the Redis version and how many workers it sees. */
  test(): Promise<{ redisVersion: string; workersSeen: number }>;
  /** Puts a run on the queue for the workers, recorded in this database; resolves with its id. */
  startRun(run: PreparedRun, options: { tags?: string[]; notes?: string; baseline?: boolean }): Promise<string>;
  /** Cancels a run of this database on the queue, waiting or training on a worker. */
  cancel(runId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Catches up with, then follows, the runs this database put on a Redis queue;
 * their events reach every window as local runs' do. Loaded only with a queue
 * URL: without one, BullMQ is never imported.
 */
export function linkQueue(url: string, store: RunStore, hub: EventHub, onError: (error: unknown) => void): QueueLinkHandle {
  const link = import('../queue/queue-link').then(
    ({ QueueLink }) =>
      new QueueLink(
        url,
        store,
        (runId, event) => {
          hub.emit({ topic: 'run', runId, event });
          if (event.type === 'start' || event.type === 'done' || event.type === 'error') hub.emit({ topic: 'runs', change: 'updated', runIds: [runId] });
        },
        onError,
        // A run queued by another process of this hub (a CLI on the same database): lists learn of it now.
        (runId) => hub.emit({ topic: 'runs', change: 'updated', runIds: [runId] }),
      ),
  );
  return {
    display: redactUrls(url),
    workers: async () => (await link).workers(),
    test: async () => (await link).test(),
    startRun: async (config, options) => (await link).startRun(config, options),
    cancel: async (runId) => (await link).cancel(runId),
    close: async () => (await link).close(),
  };
}
