import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { measureWorkload } from '../../../src-main/core/bench/measure';
import { measureInChildProcess } from '../../../src-main/core/bench/measure-in-child-process';
import type { BenchWorkload } from '../../../src-main/core/bench/workloads';

const TINY: BenchWorkload = {
  name: 'tiny',
  network: { model: 'vgg11', blocks: [{ convs: 1, channels: 4 }], denseUnits: 16 },
  side: 8,
  batchSize: 4,
  steps: 3,
  description: 'a one-block VGG',
};

test('a workload is timed after a warm-up step, and reports throughput, loss and memory', async () => {
  await tf.setBackend('cpu');
  const calls: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const m = await measureWorkload(TINY, { steps: 2, onStep: (done, total) => calls.push(done, total) });
  assert.deepEqual(calls, [0, 2, 1, 2, 2, 2]);
  assert.equal(m.steps, 2);
  assert.equal(m.backend, 'cpu');
  assert.ok(m.seconds > 0 && Math.abs(m.imagesPerSec - 8 / m.seconds) < 1e-6);
  assert.ok(Number.isFinite(m.lastLoss));
  assert.ok(m.peakRssBytes > 10 * 2 ** 20);
  assert.equal(m.wasmHeapBytes, undefined);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the measurement leaks no tensors');
});

test('a workload measured in its own process reports the engine and the wasm heap', async () => {
  const steps: number[] = [];
  const { engine, measurement } = await measureInChildProcess('lenet-28-b256', 'wasm', { steps: 1, onStep: (done) => steps.push(done) });
  assert.equal(engine.id, 'wasm');
  assert.equal(measurement.workload, 'lenet-28-b256');
  assert.equal(measurement.steps, 1);
  assert.deepEqual(steps, [0, 1]);
  assert.ok(measurement.imagesPerSec > 0);
  assert.ok((measurement.wasmHeapBytes ?? 0) > measurement.batchSize * 28 * 28 * 4);
  assert.ok(measurement.peakRssBytes >= (measurement.wasmHeapBytes ?? 0));
});

test('a failure in the measuring process comes back as an error naming the workload', async () => {
  await assert.rejects(measureInChildProcess('no-such-workload', 'cpu'), /no-such-workload: unknown workload/);
});
