import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { QueueState } from '../../../src-main/api/entities';
import { useApiStore } from './api-store';

/** The run training now and those waiting, as the service announces them. */
export const useQueueStore = defineStore('queue', () => {
  const api = useApiStore();
  const queue = shallowRef<QueueState>({ running: null, queued: [] });

  async function load(): Promise<void> {
    queue.value = await api.call('runs.queue', {});
  }

  api.on('queue', (event) => (queue.value = event.queue));
  api.onResync(() => void load().catch(() => undefined));

  async function cancel(runId: string): Promise<void> {
    await api.call('runs.cancel', { runId });
  }

  /** Whether the run is training or waiting here. */
  function holds(runId: string): boolean {
    return queue.value.running?.runId === runId || queue.value.queued.some((entry) => entry.runId === runId);
  }

  return { queue, load, cancel, holds };
});
