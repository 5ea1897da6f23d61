import { defineStore } from 'pinia';
import { computed, reactive } from 'vue';
import type { RouteLocationRaw } from 'vue-router';
import { firstString, runIdList, runIdQuery } from '../lib/route-subjects';
import { router } from '../router';
import { isViewId, type RunViewId, type ViewId } from '../router/views';

/**
 * Where the person is, as the router's address says, and the moves between
 * views ("watch this run"). Each run view's link returns to the run last
 * shown there, as Compare's returns to the last comparison.
 */
export const useNavigationStore = defineStore('navigation', () => {
  const route = router.currentRoute;
  const view = computed<ViewId>(() => (isViewId(route.value.name) ? route.value.name : 'launch'));
  /** The run in the address of a run view (null: the view picks its default). */
  const runId = computed(() => firstString(route.value.params.run));
  const compareIds = computed(() => runIdList(route.value.query.runs));

  const lastRun = reactive<Record<RunViewId, string | null>>({ live: null, replay: null, results: null });
  let lastCompare: string[] = [];
  router.afterEach((to) => {
    if (to.name === 'live' || to.name === 'replay' || to.name === 'results') lastRun[to.name] = firstString(to.params.run);
    if (to.name === 'compare') lastCompare = runIdList(to.query.runs);
  });

  function runLocation(name: RunViewId, id: string | null): RouteLocationRaw {
    return id === null ? { name } : { name, params: { run: id } };
  }
  /** Where a navigation link goes: a run view to its last run, Compare to its last runs. */
  function linkTo(next: ViewId): RouteLocationRaw {
    if (next === 'live' || next === 'replay' || next === 'results') return runLocation(next, lastRun[next]);
    if (next === 'compare') return { name: next, query: runIdQuery(lastCompare) };
    return { name: next };
  }

  const go = (next: ViewId) => router.push(linkTo(next));
  const watchRun = (id: string) => router.push(runLocation('live', id));
  const showResults = (id: string) => router.push(runLocation('results', id));
  const replayRun = (id: string) => router.push(runLocation('replay', id));
  /** A run chosen in a run view's own picker: a new entry in the history, so Back returns to the one before. */
  const chooseRun = (where: RunViewId, id: string | null) => router.push(runLocation(where, id));
  const compareRuns = (ids: readonly string[]) => router.push({ name: 'compare', query: runIdQuery(ids) });
  /** Ticking a run in Compare edits the address in place: Back leaves Compare rather than unticking. */
  const setCompared = (ids: readonly string[]) => router.replace({ name: 'compare', query: runIdQuery(ids) });

  return { view, runId, compareIds, linkTo, go, watchRun, showResults, replayRun, chooseRun, compareRuns, setCompared };
});
