import type { TrainingEvent } from '../shared/train/events';
import type { WorkbenchApi } from './workbench-api';

/**
 * Every event of one run, in order, none twice: those announced before the
 * call (from `runs.events`), then the live ones. This is the catch-up that
 * `runs.events` documents, written once for every caller that starts or
 * opens a run and wants it from its first event. Live events that arrive
 * while the catch-up is out are held until it is in; any transport works.
 * Resolves with the unsubscribe function once caught up.
 */
export async function followRun(
  api: WorkbenchApi,
  runId: string,
  onEvent: (event: TrainingEvent) => void,
): Promise<() => void> {
  let caughtUpTo: number | undefined;
  const held: { seq: number; event: TrainingEvent }[] = [];
  const unsubscribe = api.subscribe((message) => {
    if (message.topic !== 'run' || message.runId !== runId) return;
    if (caughtUpTo === undefined) held.push(message);
    else if (message.seq > caughtUpTo) onEvent(message.event);
  });
  try {
    const { events, seq } = await api.call('runs.events', { runId });
    for (const event of events) onEvent(event);
    for (const message of held.splice(0)) if (message.seq > seq) onEvent(message.event);
    caughtUpTo = seq;
  } catch (error) {
    unsubscribe();
    throw error;
  }
  return unsubscribe;
}
