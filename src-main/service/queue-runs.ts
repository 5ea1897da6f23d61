import type { RunStore } from '../core/store/run-store';
import type { EventHub } from './event-hub';

export interface QueueLinkHandle {
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
  return { close: async () => (await link).close() };
}
