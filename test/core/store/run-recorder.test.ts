import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunRecorder } from '../../../src-main/core/store/run-recorder';
import { RunStore } from '../../../src-main/core/store/run-store';
import type { BatchEvent, EpochEvent, TrainingEvent } from '../../../src-main/shared/train/events';
import { smallConfig, syntheticRun, tempDir } from './store-fixtures';

function openTemp(t: { after: (fn: () => void) => void }): RunStore {
  const { dir, cleanup } = tempDir();
  const store = RunStore.open(join(dir, 'runs.sqlite'));
  t.after(() => {
    store.close();
    cleanup();
  });
  return store;
}

const batches = (events: TrainingEvent[]) => events.filter((e): e is BatchEvent => e.type === 'batch');
const epochs = (events: TrainingEvent[]) => events.filter((e): e is EpochEvent => e.type === 'epoch');

test('a synthetic run is recorded point for point, with a summary computed from the events', (t) => {
  const store = openTemp(t);
  const events = syntheticRun({ epochs: 3, stepsPerEpoch: 7, nanSteps: [4] });
  const id = store.createRun(events[0].type === 'start' ? events[0].config : smallConfig());
  const recorder = new RunRecorder(store, id, { flushEveryEvents: 4 });
  for (const event of events) recorder.record(event);

  const run = store.requireRun(id);
  assert.equal(run.status, 'completed');
  assert.equal(run.startedAt, events[0].time);
  assert.equal(run.finishedAt, events[events.length - 1].time);
  assert.equal(run.epochsCompleted, 3);
  assert.deepEqual(run.engine, { id: 'cpu', backend: 'cpu', version: '4.22.0' });
  assert.equal(run.owner?.pid, process.pid);
  assert.equal(run.owner?.hostname, hostname());
  assert.ok(run.host?.os);

  const b = batches(events);
  const loss = store.metrics(id, ['batch.loss']);
  assert.deepEqual(loss.map((p) => [p.step, p.epoch, p.batch, p.wallTime]), b.map((e) => [e.step, e.epoch, e.batch, e.time]));
  loss.forEach((p, i) => assert.ok(Object.is(p.value, b[i].loss)));
  assert.deepEqual(store.metrics(id, ['batch.images_per_sec']).map((p) => p.value), b.map((e) => e.imagesPerSec));
  assert.deepEqual(store.metrics(id, ['epoch.test_acc']).map((p) => [p.step, p.value]), epochs(events).map((e) => [e.epoch, e.testAcc]));
  assert.equal(store.metrics(id).length, b.length * 3 + epochs(events).length * 5);

  // Summary recomputed independently from the events.
  const finite = b.filter((e) => !Number.isNaN(e.loss));
  const bestLoss = finite.reduce((best, e) => (e.loss < best.loss ? e : best));
  const bestAcc = b.reduce((best, e) => (e.accuracy > best.accuracy ? e : best));
  const s = run.summary;
  assert.deepEqual(s['batch.loss'].best, { value: bestLoss.loss, step: bestLoss.step, epoch: bestLoss.epoch });
  assert.deepEqual(s['batch.accuracy'].best, { value: bestAcc.accuracy, step: bestAcc.step, epoch: bestAcc.epoch });
  assert.equal(s['batch.loss'].count, b.length);
  assert.equal(s['batch.loss'].last.value, b[b.length - 1].loss);
  const ep = epochs(events);
  assert.equal(s['epoch.test_acc'].best?.value, Math.max(...ep.map((e) => e.testAcc)));
  assert.equal(s['epoch.test_acc'].last.value, ep[ep.length - 1].testAcc);
  assert.equal(s['epoch.seconds'].best?.value, Math.min(...ep.map((e) => e.seconds)));
});

test('batch points are buffered until N events, then written in one go', (t) => {
  const store = openTemp(t);
  const events = syntheticRun({ epochs: 1, stepsPerEpoch: 10, end: 'none' });
  const id = store.createRun(smallConfig());
  const recorder = new RunRecorder(store, id, { flushEveryEvents: 4, flushIntervalMs: 60_000 });
  t.after(() => recorder.close());
  recorder.record(events[0]);
  const b = batches(events);
  for (const event of b.slice(0, 3)) recorder.record(event);
  assert.equal(store.metrics(id).length, 0, 'three events stay buffered');
  assert.equal(recorder.pendingEvents, 3);
  recorder.record(b[3]);
  assert.equal(store.metrics(id).length, 12, 'the fourth flushes all four');
  for (const event of b.slice(4, 6)) recorder.record(event);
  assert.equal(store.metrics(id).length, 12);
  recorder.record(epochs(events)[0]);
  assert.equal(store.metrics(id).length, 6 * 3 + 5, 'an epoch event flushes the buffer with it');
  assert.equal(store.requireRun(id).status, 'running');
});

test('a partial buffer is flushed by the timer', async (t) => {
  const store = openTemp(t);
  const events = syntheticRun({ epochs: 1, stepsPerEpoch: 3, end: 'none' });
  const id = store.createRun(smallConfig());
  const recorder = new RunRecorder(store, id, { flushEveryEvents: 100, flushIntervalMs: 20 });
  t.after(() => recorder.close());
  recorder.record(events[0]);
  recorder.record(events[1]);
  assert.equal(store.metrics(id).length, 0);
  const deadline = Date.now() + 2000;
  while (store.metrics(id).length === 0 && Date.now() < deadline) await sleep(10);
  assert.equal(store.metrics(id).length, 3);
  assert.equal(recorder.pendingEvents, 0);
});

test('an error event marks the run failed with its message, keeping the points before it', (t) => {
  const store = openTemp(t);
  const events = syntheticRun({ epochs: 1, stepsPerEpoch: 3, end: 'failed' });
  const id = store.createRun(smallConfig());
  const recorder = new RunRecorder(store, id, { flushEveryEvents: 100 });
  for (const event of events.filter((e) => e.type !== 'epoch')) recorder.record(event);
  const run = store.requireRun(id);
  assert.equal(run.status, 'failed');
  assert.equal(run.error, 'out of memory');
  assert.equal(run.finishedAt, events[events.length - 1].time);
  assert.equal(store.metrics(id).length, 9);
  // The record is closed: a late event changes nothing.
  recorder.record(events[1]);
  assert.equal(store.metrics(id).length, 9);
  assert.equal(store.requireRun(id).status, 'failed');
});

test('a cancelled run is recorded as cancelled', (t) => {
  const store = openTemp(t);
  const id = store.createRun(smallConfig());
  const recorder = new RunRecorder(store, id);
  for (const event of syntheticRun({ epochs: 1, end: 'cancelled' })) recorder.record(event);
  assert.equal(store.requireRun(id).status, 'cancelled');
});

test('the heartbeat advances while a run is recorded', async (t) => {
  const store = openTemp(t);
  const events = syntheticRun({ startTime: Date.now() - 60_000, end: 'none' });
  const id = store.createRun(smallConfig());
  const recorder = new RunRecorder(store, id, { heartbeatMs: 10 });
  t.after(() => recorder.close());
  recorder.record(events[0]);
  const first = store.requireRun(id).owner?.heartbeatAt ?? 0;
  const deadline = Date.now() + 2000;
  while ((store.requireRun(id).owner?.heartbeatAt ?? 0) <= first && Date.now() < deadline) await sleep(10);
  assert.ok((store.requireRun(id).owner?.heartbeatAt ?? 0) > first);
});
