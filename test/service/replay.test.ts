import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { recordedEvents } from '../../src-main/core/store/recorded-events';
import { Replay, type ReplayClock } from '../../src-main/service/replay';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import { RunStore } from '../../src-main/core/store/run-store';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import { smallConfig, syntheticRun, tempDir, type SyntheticRunOptions } from '../core/store/store-fixtures';

function recordRun(t: { after: (fn: () => void) => void }, options: SyntheticRunOptions) {
  const { dir, cleanup } = tempDir();
  const store = RunStore.open(join(dir, 'runs.sqlite'));
  t.after(() => {
    store.close();
    cleanup();
  });
  const events = syntheticRun(options);
  const id = store.createRun(smallConfig());
  const recorder = new RunRecorder(store, id, { flushEveryEvents: 3 });
  for (const event of events) recorder.record(event);
  recorder.close();
  return { store, id, events };
}

/** Timers under the test's control: time moves only in advance(). */
class FakeClock implements ReplayClock {
  time = 0;
  private tasks: { at: number; fn: () => void }[] = [];
  now = (): number => this.time;
  schedule = (fn: () => void, ms: number): (() => void) => {
    const task = { at: this.time + Math.max(0, ms), fn };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((x) => x !== task);
    };
  };
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.tasks.filter((x) => x.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((x) => x !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = target;
  }
}

function collect(replay: Replay): { events: TrainingEvent[]; resets: number; ends: number } {
  const log = { events: [] as TrainingEvent[], resets: 0, ends: 0 };
  replay.on('event', (e) => log.events.push(e));
  replay.on('reset', () => {
    log.resets += 1;
    log.events = [];
  });
  replay.on('end', () => (log.ends += 1));
  return log;
}

test('a recorded run is rebuilt as exactly the events it emitted, NaN included', (t) => {
  const { store, id, events } = recordRun(t, { epochs: 3, stepsPerEpoch: 4, nanSteps: [2] });
  assert.deepEqual(recordedEvents(store, id), events);
});

test('a failed run ends with its error event, an interrupted one just stops, an unstarted one has none', (t) => {
  const failed = recordRun(t, { epochs: 1, end: 'failed' });
  assert.deepEqual(recordedEvents(failed.store, failed.id), failed.events);
  const cut = recordRun(t, { epochs: 1, end: 'none' });
  assert.deepEqual(recordedEvents(cut.store, cut.id), cut.events);
  const queued = cut.store.createRun(smallConfig());
  assert.deepEqual(recordedEvents(cut.store, queued), []);
});

test('speed Infinity plays everything in order as fast as possible, via listeners and via stream()', async (t) => {
  const { store, id, events } = recordRun(t, { epochs: 2, stepsPerEpoch: 5, batchMs: 60_000 });
  const replay = Replay.fromStore(store, id, { speed: Infinity });
  const log = collect(replay);
  const ended = new Promise<void>((resolve) => replay.on('end', resolve));
  const began = performance.now();
  replay.play();
  await ended;
  assert.ok(performance.now() - began < 1000, 'ten recorded minutes replay at once');
  assert.deepEqual(log.events, events);
  assert.equal(log.ends, 1);
  assert.equal(replay.finished, true);

  const streamed: TrainingEvent[] = [];
  for await (const event of Replay.fromStore(store, id, { speed: Infinity }).stream()) streamed.push(event);
  assert.deepEqual(streamed, events);
});

test('speed 1000 keeps the recorded pace, scaled', async (t) => {
  // 12 batches 10 s apart plus epoch gaps: 160 recorded seconds, 160 ms at ×1000.
  const { store, id, events } = recordRun(t, { epochs: 2, stepsPerEpoch: 6, batchMs: 10_000 });
  const recordedMs = events[events.length - 1].time - events[0].time;
  const replay = Replay.fromStore(store, id, { speed: 1000 });
  const arrivals: number[] = [];
  const log = collect(replay);
  replay.on('event', () => arrivals.push(performance.now()));
  const ended = new Promise<void>((resolve) => replay.on('end', resolve));
  const began = performance.now();
  replay.play();
  await ended;
  const elapsed = performance.now() - began;
  assert.deepEqual(log.events, events);
  assert.ok(elapsed >= recordedMs / 1000 - 2, `took ${elapsed} ms, recorded ${recordedMs} ms`);
  assert.ok(elapsed < recordedMs / 1000 + 2000, `took ${elapsed} ms: far slower than ×1000`);
  // No event comes early: each arrives no sooner than its recorded offset / 1000
  // (2 ms slack for timer granularity). Late ones do not push the rest back.
  events.forEach((event, i) => {
    const due = (event.time - events[0].time) / 1000;
    assert.ok(arrivals[i] - began >= due - 2, `event ${i} at ${arrivals[i] - began} ms, due ${due} ms`);
  });
});

test('pacing, pause, resume and speed changes follow the recorded clock exactly (fake timers)', (t) => {
  const { store, id, events } = recordRun(t, { epochs: 1, stepsPerEpoch: 5, batchMs: 100 });
  const clock = new FakeClock();
  const replay = Replay.fromStore(store, id, { speed: 1, clock });
  const log = collect(replay);
  replay.play();
  assert.equal(log.events.length, 1, 'start at once');
  clock.advance(99);
  assert.equal(log.events.length, 1);
  clock.advance(1);
  assert.equal(log.events.length, 2, 'first batch 100 ms later');
  clock.advance(50);
  replay.pause();
  clock.advance(10_000);
  assert.equal(log.events.length, 2, 'nothing while paused');
  replay.play();
  clock.advance(49);
  assert.equal(log.events.length, 2);
  clock.advance(1);
  assert.equal(log.events.length, 3, 'the remaining 50 ms of the gap after resuming');
  replay.setSpeed(10);
  clock.advance(10);
  assert.equal(log.events.length, 4, '100 recorded ms take 10 ms at ×10');
  replay.setSpeed(Infinity);
  assert.equal(log.events.length, events.length, 'the rest at once');
  assert.equal(log.ends, 1);
  assert.deepEqual(log.events, events);
  assert.throws(() => replay.setSpeed(0), RangeError);
});

test('seek forward emits the skipped events at once; seek backward resets and refills up to the target', (t) => {
  const { store, id, events } = recordRun(t, { epochs: 2, stepsPerEpoch: 5, batchMs: 100 });
  const clock = new FakeClock();
  const replay = Replay.fromStore(store, id, { clock });
  const log = collect(replay);
  // events: start, b0..b4, epoch0, b5..b9, epoch1, done
  replay.seek({ step: 4 });
  assert.deepEqual(log.events, events.slice(0, 7), 'through batch 4 and the end of epoch 0');
  replay.seek({ step: 7 });
  assert.deepEqual(log.events, events.slice(0, 10));
  assert.equal(log.resets, 0);
  replay.seek({ step: 1 });
  assert.equal(log.resets, 1);
  assert.deepEqual(log.events, events.slice(0, 3));
  assert.equal(replay.playing, false, 'seeking does not start playback');

  // Playing on from a seek keeps the recorded gaps.
  replay.play();
  clock.advance(99);
  assert.equal(log.events.length, 3);
  clock.advance(1);
  assert.equal(log.events.length, 4);

  replay.seek({ fraction: 0 });
  assert.deepEqual(log.events, events.slice(0, 1), 'fraction 0: the start only');
  replay.seek({ fraction: 1 });
  assert.deepEqual(log.events, events);
  assert.equal(log.ends, 1);
  assert.equal(replay.finished, true);
});

test('seek to an event count delivers exactly that many events: one more, one fewer, 0 and the end', (t) => {
  const { store, id, events } = recordRun(t, { epochs: 1, stepsPerEpoch: 6, batchMs: 100 });
  const replay = Replay.fromStore(store, id, { clock: new FakeClock() });
  const log = collect(replay);
  // events: start, b0..b5, epoch0, done (9)
  replay.seek({ event: 5 });
  assert.deepEqual(log.events, events.slice(0, 5));
  replay.seek({ event: 6 });
  assert.deepEqual(log.events, events.slice(0, 6), 'one forward is one more event, not a jump by time');
  assert.equal(log.resets, 0);
  replay.seek({ event: 5 });
  assert.equal(log.resets, 1);
  assert.deepEqual(log.events, events.slice(0, 5), 'one back is one fewer');
  replay.seek({ event: 0 });
  assert.deepEqual(log.events, [], 'event 0: nothing yet, the start of the timeline');
  assert.equal(replay.position, 0);
  replay.seek({ event: events.length + 10 });
  assert.deepEqual(log.events, events);
  assert.equal(replay.finished, true);
});

test('a long run at speed Infinity is emitted in chunks across event-loop turns, all in order', async () => {
  const events = syntheticRun({ epochs: 2, stepsPerEpoch: 1500 });
  const replay = new Replay(events, { speed: Infinity });
  const log = collect(replay);
  let turnsSeen = 0;
  const ticker = setInterval(() => (turnsSeen += 1), 0);
  const ended = new Promise<void>((resolve) => replay.on('end', resolve));
  replay.play();
  assert.ok(log.events.length < events.length, 'not all in one synchronous burst');
  await ended;
  clearInterval(ticker);
  assert.deepEqual(log.events, events);
});
