import type { UnnumberedEvent, WorkbenchEvent } from '../api/events';

export type HubListener = (event: WorkbenchEvent) => void;

/**
 * Fans every event out to every subscriber, numbered in emission order.
 * Listeners run synchronously, so all of them see the same order; one that
 * throws is reported and skipped, never allowed to starve the rest.
 */
export class EventHub {
  private nextSeq = 0;
  private readonly listeners = new Set<HubListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = defaultReport) {}

  emit(event: UnnumberedEvent): WorkbenchEvent {
    const numbered = { ...event, seq: this.nextSeq++ } as WorkbenchEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(numbered);
      } catch (error) {
        this.onListenerError(error);
      }
    }
    return numbered;
  }

  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The seq of the last event emitted, -1 before the first. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}

function defaultReport(error: unknown): void {
  console.error('workbench event subscriber failed:', error);
}
