import { ApiError } from '../api/api-error';
import type { ReplayState } from '../api/entities';
import type { ReplaySignal } from '../api/events';
import { Replay, type SeekTarget } from './replay';
import type { RunStore } from '../core/store/run-store';
import type { EventHub } from './event-hub';

export type ReplaySpeed = number | 'max';

interface Session {
  replay: Replay;
  runId: string;
  lastStep: number | null;
  stop: () => void;
}

/** Open replays kept at most; opening one more closes the oldest (a tab that never closed its own). */
export const MAX_OPEN_REPLAYS = 16;

const toSpeed = (speed: ReplaySpeed): number => (speed === 'max' ? Infinity : speed);

/**
 * Replays of recorded runs, each named by an id, whose events go out on the
 * `replay` topic exactly as a live run's would, so the same charts draw them.
 */
export class ReplaySessions {
  private readonly sessions = new Map<string, Session>();
  private opened = 0;

  constructor(
    private readonly store: RunStore,
    private readonly hub: EventHub,
  ) {}

  open(runId: string, speed: ReplaySpeed = 1): ReplayState {
    const replay = Replay.fromStore(this.store, runId, { speed: toSpeed(speed) });
    const replayId = `replay-${++this.opened}`;
    const send = (signal: ReplaySignal): void => this.announce(replayId, runId, signal);
    const offs = [
      replay.on('event', (event) => send({ kind: 'event', event })),
      replay.on('reset', () => send({ kind: 'reset' })),
      replay.on('end', () => send({ kind: 'end' })),
    ];
    const steps = replay.events.flatMap((event) => (event.type === 'batch' ? [event.step] : []));
    this.sessions.set(replayId, {
      replay,
      runId,
      lastStep: steps.length > 0 ? Math.max(...steps) : null,
      stop: () => offs.forEach((off) => off()),
    });
    while (this.sessions.size > MAX_OPEN_REPLAYS) this.close(this.sessions.keys().next().value!);
    return this.state(replayId);
  }

  play(replayId: string): ReplayState {
    this.session(replayId).replay.play();
    return this.state(replayId);
  }

  pause(replayId: string): ReplayState {
    this.session(replayId).replay.pause();
    return this.state(replayId);
  }

  seek(replayId: string, target: SeekTarget): ReplayState {
    this.session(replayId).replay.seek(target);
    return this.state(replayId);
  }

  setSpeed(replayId: string, speed: ReplaySpeed): ReplayState {
    this.session(replayId).replay.setSpeed(toSpeed(speed));
    return this.state(replayId);
  }

  close(replayId: string): boolean {
    const session = this.sessions.get(replayId);
    if (!session) return false;
    session.replay.pause();
    session.stop();
    this.sessions.delete(replayId);
    this.announce(replayId, session.runId, { kind: 'closed' });
    return true;
  }

  closeAll(): void {
    for (const replayId of [...this.sessions.keys()]) this.close(replayId);
  }

  state(replayId: string): ReplayState {
    const { replay, runId, lastStep } = this.session(replayId);
    return {
      replayId,
      runId,
      position: replay.position,
      total: replay.events.length,
      playing: replay.playing,
      finished: replay.finished,
      speed: replay.speed === Infinity ? 'max' : replay.speed,
      lastStep,
    };
  }

  private session(replayId: string): Session {
    const session = this.sessions.get(replayId);
    if (!session) throw new ApiError('not-found', `no open replay ${replayId} (closed, or replaced by newer ones)`);
    return session;
  }

  private announce(replayId: string, runId: string, signal: ReplaySignal): void {
    this.hub.emit({ topic: 'replay', replayId, runId, signal });
  }
}
