import { defineStore } from 'pinia';
import { ref } from 'vue';
import { describeError, type ShownError } from '../lib/describe-error';
import { reactiveTimeline } from '../lib/reactive-timeline';
import { useApiStore, type TopicEvent } from './api-store';

/**
 * The run the Live view watches: its events so far (`runs.events`, for a view
 * opened mid-run) joined with the live `run` topic. Live events that arrive
 * while the catch-up call is out are held, then kept only if newer than the
 * catch-up's `seq`, so no event is drawn twice or lost.
 */
export const useLiveRunStore = defineStore('liveRun', () => {
  const api = useApiStore();
  const runId = ref<string | null>(null);
  const { timeline, version, changed, changedNow } = reactiveTimeline();
  const catchingUp = ref(false);
  const error = ref<ShownError | null>(null);
  let held: TopicEvent<'run'>[] | null = null;
  let generation = 0;

  async function watch(id: string | null): Promise<void> {
    const mine = ++generation;
    runId.value = id;
    timeline.clear();
    error.value = null;
    changedNow();
    if (id === null) return;
    const pending: TopicEvent<'run'>[] = [];
    held = pending;
    catchingUp.value = true;
    try {
      // The whole run: a resumed one from its first epoch, not from its checkpoint.
      const { events, seq } = await api.call('runs.events', { runId: id, whole: true });
      if (mine !== generation) return;
      for (const event of events) timeline.apply(event);
      for (const live of pending) if (live.seq > seq) timeline.apply(live.event);
    } catch (caught) {
      if (mine === generation) error.value = describeError(caught);
    } finally {
      if (mine === generation) {
        held = null;
        catchingUp.value = false;
        changedNow();
      }
    }
  }

  api.on('run', (event) => {
    if (event.runId !== runId.value) return;
    if (held) {
      held.push(event);
      return;
    }
    timeline.apply(event.event);
    if (event.event.type === 'batch') changed();
    else changedNow();
  });
  api.onResync(() => {
    if (runId.value !== null) void watch(runId.value);
  });

  return { runId, timeline, version, catchingUp, error, watch };
});
