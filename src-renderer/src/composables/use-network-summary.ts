import { ref, shallowRef, watch, type Ref } from 'vue';
import type { ApiResult } from '../../../src-main/api/methods';
import { resolveNetwork } from '../../../src-main/shared/models/presets';
import { InputTooSmallError, summarizeNetwork } from '../../../src-main/shared/models/summary';
import { describeError, type ShownError } from '../lib/describe-error';
import type { SummaryRequest } from '../lib/run-request';
import { useApiStore } from '../stores/api-store';

/**
 * An image too small for the network's pools, found with the same shared code
 * the service uses: an expected refusal, not a failed call.
 */
function tooSmall(request: SummaryRequest): ShownError | null {
  try {
    const network = resolveNetwork(request);
    summarizeNetwork(network.layers, [request.resize, request.resize, 1], { name: network.name });
    return null;
  } catch (error) {
    if (!(error instanceof InputTooSmallError)) return null; // the service says what else is wrong
    return { message: error.message, field: 'resize', minimumSide: error.minimumSide, suggestions: error.suggestions };
  }
}

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
    const refused = tooSmall(request.value);
    if (refused) {
      // Known here from the shared network code: no call, so no refused request in the console.
      result.value = null;
      error.value = refused;
      pending.value = false;
      return;
    }
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
