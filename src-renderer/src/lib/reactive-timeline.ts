import { markRaw, ref, type Ref } from 'vue';
import { TrainingTimeline } from './training-timeline';

/** Redraws per second at most while events pour in (a fast replay sends thousands). */
const REDRAW_INTERVAL_MS = 120;

export interface ReactiveTimeline {
  /** Marked raw: Vue must not wrap thousands of points in proxies. */
  timeline: ReturnType<typeof markRaw<TrainingTimeline>>;
  /** Bumped when the timeline changed; computed chart options read it to recompute. */
  version: Ref<number>;
  /** Marks a change, drawn within REDRAW_INTERVAL_MS (many changes, one redraw). */
  changed(): void;
  /** Marks a change to draw at once (a new run, a reset). */
  changedNow(): void;
}

/**
 * A TrainingTimeline behind a version counter: the arrays stay plain (Vue
 * proxies on thousands of points cost more than the charts), and the charts
 * redraw a few times a second instead of once per batch.
 */
export function reactiveTimeline(): ReactiveTimeline {
  const timeline = markRaw(new TrainingTimeline());
  const version = ref(0);
  let timer: ReturnType<typeof setTimeout> | undefined;

  function changedNow(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    version.value += 1;
  }
  function changed(): void {
    timer ??= setTimeout(changedNow, REDRAW_INTERVAL_MS);
  }
  return { timeline, version, changed, changedNow };
}
