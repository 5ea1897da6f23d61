import type { TrainingEvent } from '../shared/train/events';
import { recordedEvents } from '../core/store/recorded-events';

/** Time and timers, injectable so tests can drive a replay deterministically. */
export interface ReplayClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `fn` after `ms` (0: as soon as possible); returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void;
}

export const realClock: ReplayClock = {
  now: () => performance.now(),
  schedule(fn, ms) {
    if (ms <= 0) {
      const handle = setImmediate(fn);
      return () => clearImmediate(handle);
    }
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

/**
 * Seek to a global batch step, to a fraction (0..1) of the run's recorded
 * duration, or to an event count (`event: n`: exactly the first n events
 * delivered, what a timeline slider in events shows).
 */
export type SeekTarget = { step: number } | { fraction: number } | { event: number };

interface ReplayListeners {
  event: (event: TrainingEvent) => void;
  /** Everything emitted so far is void: a backward seek starts over (clear the charts). */
  reset: () => void;
  end: () => void;
}

export interface ReplayOptions {
  /** 1 = recorded pace, 10 = ten times faster, Infinity = as fast as possible. */
  speed?: number;
  clock?: ReplayClock;
}

/**
 * Events emitted per timer turn at most, so a fast replay of a long run still
 * lets the event loop (IPC, other windows) breathe between chunks.
 */
const MAX_EVENTS_PER_TURN = 1000;

/**
 * Plays a recorded event stream back at its recorded pace times `speed`:
 * each event is emitted when the replay clock reaches its recorded time.
 *
 * Seek semantics (what the GUI's "charts fill as they did live" needs): after
 * `seek(target)`, listeners have received exactly the events up to the target,
 * as if the run had been watched live until then. Seeking forward emits the
 * skipped events at once, synchronously, in order; seeking backward emits
 * `reset` and then the events from the start up to the target at once.
 * Playback, if playing, continues from there. Reaching the end emits `end`.
 */
export class Replay {
  private cursor = 0;
  private isPlaying = false;
  private currentSpeed: number;
  /** Recorded time the replay clock showed at the last pause/seek/anchor. */
  private anchorRecorded: number;
  /** Wall time (clock.now) at which the replay clock showed `anchorRecorded`. */
  private anchorWall = 0;
  private cancelTimer: (() => void) | undefined;
  /** Bumped by every control call, so a tick interrupted by a listener's call stops. */
  private generation = 0;
  private readonly listeners: { [K in keyof ReplayListeners]: Set<ReplayListeners[K]> } = {
    event: new Set(),
    reset: new Set(),
    end: new Set(),
  };
  private readonly clock: ReplayClock;

  constructor(
    readonly events: readonly TrainingEvent[],
    options: ReplayOptions = {},
  ) {
    this.currentSpeed = validSpeed(options.speed ?? 1);
    this.clock = options.clock ?? realClock;
    this.anchorRecorded = events[0]?.time ?? 0;
  }

  static fromStore(store: Parameters<typeof recordedEvents>[0], runId: string, options?: ReplayOptions): Replay {
    return new Replay(recordedEvents(store, runId), options);
  }

  on<K extends keyof ReplayListeners>(type: K, listener: ReplayListeners[K]): () => void {
    const set = this.listeners[type] as Set<ReplayListeners[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Index of the next event to emit. */
  get position(): number {
    return this.cursor;
  }
  get playing(): boolean {
    return this.isPlaying;
  }
  get finished(): boolean {
    return this.cursor >= this.events.length;
  }
  get speed(): number {
    return this.currentSpeed;
  }

  play(): void {
    if (this.isPlaying || this.finished) return;
    this.generation += 1;
    this.isPlaying = true;
    this.anchorWall = this.clock.now();
    this.tick();
  }

  pause(): void {
    if (!this.isPlaying) return;
    this.generation += 1;
    this.anchorRecorded = this.recordedNow();
    this.isPlaying = false;
    this.clearTimer();
  }

  setSpeed(speed: number): void {
    const next = validSpeed(speed);
    if (!this.isPlaying) {
      this.currentSpeed = next;
      return;
    }
    this.generation += 1;
    this.clearTimer();
    this.anchorRecorded = this.recordedNow();
    this.anchorWall = this.clock.now();
    this.currentSpeed = next;
    this.tick();
  }

  seek(target: SeekTarget): void {
    const { index, time } = this.locate(target);
    const generation = ++this.generation;
    this.clearTimer();
    if (index < this.cursor) {
      this.cursor = 0;
      for (const listener of this.listeners.reset) listener();
    }
    while (this.cursor < index && generation === this.generation) {
      this.emit(this.events[this.cursor++]);
    }
    if (generation !== this.generation) return; // a listener took over
    this.anchorRecorded = time;
    this.anchorWall = this.clock.now();
    if (this.finished) this.finish();
    else if (this.isPlaying) this.tick();
  }

  /** Plays and yields every event until the end (a `reset` is not represented; use `on` for seeking UIs). */
  async *stream(): AsyncGenerator<TrainingEvent, void, undefined> {
    const queue: TrainingEvent[] = [];
    let ended = this.finished;
    let wake: (() => void) | undefined;
    const offEvent = this.on('event', (event) => {
      queue.push(event);
      wake?.();
    });
    const offEnd = this.on('end', () => {
      ended = true;
      wake?.();
    });
    try {
      this.play();
      for (;;) {
        let next = queue.shift();
        while (next !== undefined) {
          yield next;
          next = queue.shift();
        }
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      offEvent();
      offEnd();
      this.pause();
    }
  }

  /** Where the replay clock stands, never past the next event (timers may run late). */
  private recordedNow(): number {
    const next = this.events[this.cursor]?.time ?? this.anchorRecorded;
    if (!this.isPlaying) return this.anchorRecorded;
    const elapsed = this.clock.now() - this.anchorWall;
    const now =
      this.currentSpeed === Infinity ? Infinity : this.anchorRecorded + elapsed * this.currentSpeed;
    return Math.min(now, Math.max(next, this.anchorRecorded));
  }

  private tick(): void {
    this.cancelTimer = undefined;
    const generation = this.generation;
    let emitted = 0;
    while (this.isPlaying && generation === this.generation && !this.finished) {
      const event = this.events[this.cursor];
      if (event.time > this.recordedNow()) break;
      if (emitted === MAX_EVENTS_PER_TURN) {
        this.cancelTimer = this.clock.schedule(() => this.tick(), 0);
        return;
      }
      this.cursor += 1;
      emitted += 1;
      this.emit(event);
    }
    if (!this.isPlaying || generation !== this.generation) return;
    if (this.finished) {
      this.finish();
      return;
    }
    const wait = (this.events[this.cursor].time - this.recordedNow()) / this.currentSpeed;
    this.cancelTimer = this.clock.schedule(() => this.tick(), wait);
  }

  private finish(): void {
    this.isPlaying = false;
    this.clearTimer();
    for (const listener of this.listeners.end) listener();
  }

  private emit(event: TrainingEvent): void {
    for (const listener of this.listeners.event) listener(event);
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private locate(target: SeekTarget): { index: number; time: number } {
    const { events } = this;
    if (events.length === 0) return { index: 0, time: 0 };
    const first = events[0].time;
    if ('event' in target) {
      const index = Math.min(events.length, Math.max(0, Math.round(target.event)));
      return { index, time: index === 0 ? first : events[index - 1].time };
    }
    if ('step' in target) {
      // Up to and including the batch at `step`, and the epoch end that follows it.
      let index = events.findIndex((e, i) => i > 0 && e.type === 'batch' && e.step > target.step);
      if (index === -1) index = events.length;
      return { index, time: events[index - 1].time };
    }
    const fraction = Math.min(1, Math.max(0, target.fraction));
    const time = first + fraction * (events[events.length - 1].time - first);
    let index = events.findIndex((e) => e.time > time);
    if (index === -1) index = events.length;
    return { index: Math.max(index, 1), time };
  }
}

function validSpeed(speed: number): number {
  if (!(speed > 0)) throw new RangeError(`replay speed must be > 0 (Infinity for as fast as possible), got ${speed}`);
  return speed;
}
