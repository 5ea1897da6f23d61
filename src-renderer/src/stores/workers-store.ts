import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { QueueTest, QueueWorkers } from '../../../src-main/api/queue-workers';
import { describeError, type ShownError } from '../lib/describe-error';
import { useApiStore } from './api-store';

/** Workers refresh their announcement every 5 s (queue-worker.ts): asking more often shows nothing new. */
export const WORKERS_REFRESH_MS = 5_000;

/** The workers serving the service's Redis queue, while a view that shows them is open. */
export const useWorkersStore = defineStore('workers', () => {
  const api = useApiStore();
  const state = shallowRef<QueueWorkers>({ queue: null, workers: [], reason: null });
  const loaded = ref(false);
  const error = ref<ShownError | null>(null);
  let timer: ReturnType<typeof setInterval> | undefined;
  let watchers = 0;

  async function load(): Promise<void> {
    try {
      state.value = await api.call('workers.list', {});
      error.value = null;
    } catch (caught) {
      error.value = describeError(caught);
    } finally {
      loaded.value = true;
    }
  }

  /** Starts refreshing (one timer however many views watch); the returned function stops this view's share. */
  function watch(): () => void {
    watchers += 1;
    void load();
    timer ??= setInterval(() => void load(), WORKERS_REFRESH_MS);
    return () => {
      watchers -= 1;
      if (watchers === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  }

  /** The Test button's last answer: what the service reached on its queue. */
  const tested = shallowRef<QueueTest | null>(null);
  async function test(): Promise<void> {
    try {
      tested.value = await api.call('workers.test', {});
      error.value = null;
    } catch (caught) {
      error.value = describeError(caught);
    }
  }

  /** Workers that would take a run now. */
  const ready = (): number => state.value.workers.filter((w) => w.state === 'idle').length;

  return { state, loaded, error, load, watch, ready, tested, test };
});
