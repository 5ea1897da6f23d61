import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ReplayState } from '../../../src-main/api/entities';
import { describeError, type ShownError } from '../lib/describe-error';
import { reactiveTimeline } from '../lib/reactive-timeline';
import { useApiStore } from './api-store';

export type ReplaySpeed = 1 | 10 | 'max';

/**
 * One open replay of a recorded run. Its events come on the `replay` topic
 * and go through the same timeline as a live run's, so the charts fill in as
 * they did live; `reset` (a backward seek) clears them first.
 */
export const useReplayStore = defineStore('replay', () => {
  const api = useApiStore();
  const state = shallowRef<ReplayState | null>(null);
  /** Events received since the last reset: the position the timeline shows. */
  const received = ref(0);
  const error = ref<ShownError | null>(null);
  const { timeline, version, changed, changedNow } = reactiveTimeline();

  const replayId = (): string | null => state.value?.replayId ?? null;
  /** Counts `end` signals, so a reply overtaken by its replay's end does not show it playing again. */
  let ends = 0;

  api.on('replay', (event) => {
    if (event.replayId !== replayId()) return;
    const signal = event.signal;
    switch (signal.kind) {
      case 'event':
        timeline.apply(signal.event);
        received.value += 1;
        changed();
        break;
      case 'reset':
        timeline.clear();
        received.value = 0;
        changedNow();
        break;
      case 'end':
        ends += 1;
        if (state.value) state.value = { ...state.value, playing: false, finished: true, position: state.value.total };
        changedNow();
        break;
      case 'closed':
        state.value = null;
        break;
    }
  });
  // Missed events: seek back to the last batch drawn, which resets and re-sends everything up to it.
  api.onResync(() => {
    const id = replayId();
    if (id === null) return;
    const step = timeline.batches[timeline.batches.length - 1]?.step ?? 0;
    void control(() => api.call('replay.seek', { replayId: id, target: { step } }));
  });

  async function control(action: () => Promise<{ replay: ReplayState }>): Promise<void> {
    const endsBefore = ends;
    try {
      const next = (await action()).replay;
      state.value = ends === endsBefore ? next : { ...next, playing: false, finished: true, position: next.total };
      error.value = null;
    } catch (caught) {
      error.value = describeError(caught);
    }
  }

  async function open(runId: string, speed: ReplaySpeed): Promise<void> {
    await close();
    timeline.clear();
    received.value = 0;
    changedNow();
    await control(() => api.call('replay.open', { runId, speed }));
  }

  async function close(): Promise<void> {
    const id = replayId();
    if (id === null) return;
    state.value = null;
    await api.call('replay.close', { replayId: id }).catch(() => undefined);
  }

  function withReplay(action: (id: string) => Promise<{ replay: ReplayState }>): Promise<void> {
    const id = replayId();
    return id === null ? Promise.resolve() : control(() => action(id));
  }

  const play = () => withReplay((id) => api.call('replay.play', { replayId: id }));
  const pause = () => withReplay((id) => api.call('replay.pause', { replayId: id }));
  const setSpeed = (speed: ReplaySpeed) => withReplay((id) => api.call('replay.setSpeed', { replayId: id, speed }));
  /** To the point where exactly `event` events have been delivered (the timeline slider's unit). */
  const seek = (event: number) => withReplay((id) => api.call('replay.seek', { replayId: id, target: { event } }));

  return { state, received, error, timeline, version, open, close, play, pause, setSpeed, seek };
});
