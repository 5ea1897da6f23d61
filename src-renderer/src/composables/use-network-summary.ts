import { ref, shallowRef, watch, type Ref } from 'vue';
import type { ApiResult } from '../../../src-main/api/methods';
import { describeError, type ShownError } from '../lib/describe-error';
import type { SummaryRequest } from '../lib/run-request';
import { useApiStore } from '../stores/api-store';

/** Typing in the block editor asks once it pauses, not per keystroke. */
const DEBOUNCE_MS = 200;

/**
 * The live summary beside the Launch form: `models.summary` for the network
 * as it stands, or the reason it cannot be built (an image too small for its
 * pools comes with the smallest side that works).
 */
export function useNetworkSummary(request: Ref<SummaryRequest>) {
  const api = useApiStore();
  const result = shallowRef<ApiResult<'models.summary'> | null>(null);
  const error = ref<ShownError | null>(null);
  const pending = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  async function ask(): Promise<void> {
    const mine = ++asked;
    try {
      const answer = await api.call('models.summary', request.value);
      if (mine !== asked) return;
      result.value = answer;
      error.value = null;
    } catch (caught) {
      if (mine !== asked) return;
      result.value = null;
      error.value = describeError(caught);
    } finally {
      if (mine === asked) pending.value = false;
    }
  }

  watch(
    request,
    () => {
      pending.value = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void ask(), DEBOUNCE_MS);
    },
    { deep: true, immediate: true },
  );

  return { result, error, pending };
}
