import type { RunStore } from '../core/store/run-store';
import type { WorkerAnnouncement } from '../queue/queue-messages';
import { redactUrls } from '../shared/redact-urls';
import type { EventHub } from './event-hub';

export interface QueueLinkHandle {
  /** The queue's URL without its password. */
  readonly display: string;
  /** The workers serving the queue now; throws why (redacted) when it cannot be reached. */
  workers(): Promise<WorkerAnnouncement[]>;
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
      ),
  );
  return {
    display: redactUrls(url),
    workers: async () => (await link).workers(),
    close: async () => (await link).close(),
  };
}
