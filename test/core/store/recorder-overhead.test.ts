import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RunRecorder } from '../../../src-main/core/store/run-recorder';
import { RunStore } from '../../../src-main/core/store/run-store';
import type { BatchEvent } from '../../../src-main/shared/train/events';
import { smallConfig, syntheticRun, tempDir } from './store-fixtures';

/**
 * Micro-benchmark: what recording one batch event costs, flushes included,
 * against a real database file with the default flush policy.
 *
 * Budget: logging under 1% of training time. The fastest batch the workbench
 * runs is LeNet on Fashion-MNIST 28×28 at batch 256 on the tfjs-node CPU
 * engine, tens of milliseconds; 1% of 20 ms is 200 µs per event. The measured
 * cost is reported in the test output (a few µs on a laptop-class core).
 */
const BUDGET_US_PER_EVENT = 200;
const EVENTS = 6000;

test(`recording a batch event costs under ${BUDGET_US_PER_EVENT} µs (1% of a 20 ms batch)`, (t) => {
  const { dir, cleanup } = tempDir();
  const store = RunStore.open(join(dir, 'runs.sqlite'));
  t.after(() => {
    store.close();
    cleanup();
  });
  const start = syntheticRun({ end: 'none' })[0];
  const id = store.createRun(smallConfig());
  const recorder = new RunRecorder(store, id);
  recorder.record(start);
  const events: BatchEvent[] = Array.from({ length: EVENTS }, (_, step) => ({
    type: 'batch',
    time: start.time + step * 20,
    epoch: Math.floor(step / 500),
    step,
    batch: step % 500,
    loss: 2 / (1 + step),
    accuracy: step / EVENTS,
    imagesPerSec: 10_000 + step,
  }));

  let worst = 0;
  const began = performance.now();
  for (const event of events) {
    const t0 = performance.now();
    recorder.record(event);
    worst = Math.max(worst, performance.now() - t0);
  }
  recorder.flush();
  const totalMs = performance.now() - began;
  recorder.close();

  const perEventUs = (totalMs * 1000) / EVENTS;
  t.diagnostic(
    `recorder: ${perEventUs.toFixed(1)} µs per batch event on average (${EVENTS} events, ` +
      `flush every 50), slowest single event (a flush) ${(worst * 1000).toFixed(0)} µs`,
  );
  assert.equal(store.metrics(id, ['batch.loss']).length, EVENTS, 'every event was written');
  assert.ok(
    perEventUs < BUDGET_US_PER_EVENT,
    `${perEventUs.toFixed(1)} µs per event is over the ${BUDGET_US_PER_EVENT} µs budget`,
  );
});
