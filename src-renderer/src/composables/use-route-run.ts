import { ref, watch, type Ref } from 'vue';
import type { RunViewId } from '../router/views';
import { useNavigationStore } from '../stores/navigation-store';

/**
 * The run in the address while `view` is the open view. It keeps its value
 * while the router leaves for another view, so a view on its way out never
 * sees (and starts loading) the next view's run.
 */
export function useRouteRun(view: RunViewId): Ref<string | null> {
  const navigation = useNavigationStore();
  const runId = ref<string | null>(null);
  watch(
    () => (navigation.view === view ? navigation.runId : undefined),
    (id) => {
      if (id !== undefined) runId.value = id;
    },
    { immediate: true },
  );
  return runId;
}
