import { defineStore } from 'pinia';
import { ref } from 'vue';

export const VIEWS = [
  { id: 'launch', label: 'Launch' },
  { id: 'live', label: 'Live run' },
  { id: 'runs', label: 'Runs' },
  { id: 'plans', label: 'Experiment plans' },
  { id: 'compare', label: 'Compare' },
  { id: 'replay', label: 'Replay' },
  { id: 'results', label: 'Results' },
  { id: 'data', label: 'Data & engine' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

/**
 * Which view is open and which run each run-centred view shows. No router:
 * the desktop app has one window state, and a link from one view to another
 * ("watch this run") is a call here.
 */
export const useNavigationStore = defineStore('navigation', () => {
  const view = ref<ViewId>('launch');
  const liveRunId = ref<string | null>(null);
  const resultsRunId = ref<string | null>(null);
  const replayRunId = ref<string | null>(null);

  function go(next: ViewId): void {
    view.value = next;
  }
  function watchRun(runId: string): void {
    liveRunId.value = runId;
    view.value = 'live';
  }
  function showResults(runId: string): void {
    resultsRunId.value = runId;
    view.value = 'results';
  }
  function replayRun(runId: string): void {
    replayRunId.value = runId;
    view.value = 'replay';
  }

  return { view, liveRunId, resultsRunId, replayRunId, go, watchRun, showResults, replayRun };
});
