import type { WorkbenchEvent } from '../../src-main/api/events';
import type { TrainingEvent } from '../../src-main/shared/train/events';

/** Collects a subscriber's events and lets a test wait for one to arrive. */
export class EventLog {
  readonly events: WorkbenchEvent[] = [];
  private waiters: { match: (e: WorkbenchEvent) => boolean; resolve: (e: WorkbenchEvent) => void }[] = [];

  readonly listener = (event: WorkbenchEvent): void => {
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  };

  /** The first event (already seen or still to come) that matches; fails after `timeoutMs`. */
  waitFor(match: (e: WorkbenchEvent) => boolean, timeoutMs = 60_000, what = 'event'): Promise<WorkbenchEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  /** The trainer events of one live run, in arrival order. */
  runEvents(runId: string): TrainingEvent[] {
    return this.events.flatMap((e) => (e.topic === 'run' && e.runId === runId ? [e.event] : []));
  }
}

export const isRunEvent =
  (runId: string, type: TrainingEvent['type'], extra: (e: TrainingEvent) => boolean = () => true) =>
  (e: WorkbenchEvent): boolean =>
    e.topic === 'run' && e.runId === runId && e.event.type === type && extra(e.event);
