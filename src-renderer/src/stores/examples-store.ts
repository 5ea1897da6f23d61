import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ApiResult } from '../../../src-main/api/methods';
import { describeError, type ShownError } from '../lib/describe-error';
import { serialReload } from '../lib/serial-reload';
import { useApiStore } from './api-store';
import { useRunsStore } from './runs-store';

/** Set once the offer was answered (opened or declined): it is made once, not on every empty start. */
const ANSWERED_KEY = 'vgg-workbench.example-runs-offer-answered';

function answeredBefore(): boolean {
  try {
    return window.localStorage.getItem(ANSWERED_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * The chapter's runs shipped with the app: offered once to an empty database,
 * opened in one click, removed in one click.
 */
export const useExamplesStore = defineStore('examples', () => {
  const api = useApiStore();
  const runs = useRunsStore();
  const state = ref<ApiResult<'examples.status'> | null>(null);
  const busy = ref(false);
  const error = ref<ShownError | null>(null);
  const answered = ref(answeredBefore());

  function answer(): void {
    answered.value = true;
    try {
      window.localStorage.setItem(ANSWERED_KEY, '1');
    } catch {
      // Storage off (a private window): the offer then comes back next time, no harm.
    }
  }

  const load = serialReload(async () => {
    try {
      state.value = await api.call('examples.status', {});
    } catch (caught) {
      error.value = describeError(caught);
    }
  });
  api.on('runs', () => void load());
  api.onResync(() => void load());

  /** Offered while the database is empty, the set ships, and the offer was never answered. */
  const offered = computed(() => state.value?.available === true && runs.loaded && runs.runs.length === 0 && !answered.value);
  const present = computed(() => state.value?.present ?? []);

  async function act(call: () => Promise<ApiResult<'examples.status'>>): Promise<boolean> {
    busy.value = true;
    try {
      state.value = await call();
      error.value = null;
      await runs.load();
      return true;
    } catch (caught) {
      error.value = describeError(caught);
      return false;
    } finally {
      busy.value = false;
    }
  }

  const open = async (): Promise<boolean> => {
    const done = await act(() => api.call('examples.open', {}));
    if (done) answer();
    return done;
  };
  const remove = (): Promise<boolean> => act(() => api.call('examples.remove', {}));

  return { state, busy, error, offered, present, load, open, remove, decline: answer };
});
