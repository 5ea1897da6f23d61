import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { readLagFor, train } from '../../../src-main/core/train/trainer';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import { selectEngine } from '../../../src-main/core/engine/engines';
import type { EngineInfo, TrainingEvent } from '../../../src-main/shared/train/events';
import type { RunConfig } from '../../../src-main/shared/train/run-config';
import { countsSince, gpuCounts, installGpuCounters, type GpuCounts } from '../../../src-main/core/engine/webgpu/gpu-counters';
import { realFashionMnist } from '../../helpers/fashion-mnist';
import { selectWebGpuOrSkip } from '../engine/webgpu-fixture';

// The loop that reads each step's values one step behind (trainer.ts) must
// tell the same story as the loop that reads them at once: the same batch
// events in the same order with the same numbers, and a cancel that stops
// within one batch.

async function record(config: RunConfig, engine: EngineInfo, readLag: 0 | 1, onEvent?: (e: TrainingEvent) => void, signal?: AbortSignal) {
  const events: TrainingEvent[] = [];
  const result = await train({
    config,
    dataset: await realFashionMnist(),
    engine,
    readLag,
    ...(signal ? { signal } : {}),
    onEvent: (e) => {
      events.push(e);
      onEvent?.(e);
    },
  });
  return { result, events };
}

/** What must not depend on the loop: everything but clocks and rates. */
function story(events: TrainingEvent[]): unknown[] {
  return events.flatMap((e): unknown[] => {
    if (e.type === 'batch') return [{ type: e.type, epoch: e.epoch, step: e.step, batch: e.batch, loss: e.loss, accuracy: e.accuracy }];
    if (e.type === 'epoch') return [{ type: e.type, epoch: e.epoch, loss: e.loss, trainAcc: e.trainAcc, testAcc: e.testAcc }];
    if (e.type === 'done') return [{ type: e.type, status: e.status, epochs: e.epochs }];
    return [{ type: e.type }];
  });
}

test('the engine decides the lag: webgpu reads one step behind, the CPU engines and the replicas at once', () => {
  assert.equal(readLagFor({ id: 'webgpu' }, false), 1);
  assert.equal(readLagFor({ id: 'wasm' }, false), 0);
  assert.equal(readLagFor({ id: 'wasm' }, true), 0);
  assert.equal(readLagFor({ id: 'cpu' }, false), 0);
});

test('cpu: the lagged loop gives the same events, losses and accuracies as the direct one, batch for batch, over two epochs', async () => {
  const engine = await selectEngine('cpu');
  // 56 images in batches of 16: the last batch of each epoch is short (8).
  const config = makeRunConfig({ model: 'lenet', epochs: 2, batchSize: 16, trainLimit: 56, testLimit: 32, seed: 4, engine: 'cpu' });
  const tensorsBefore = tf.memory().numTensors;
  const direct = await record(config, engine, 0);
  const lagged = await record(config, engine, 1);
  assert.equal(lagged.result.status, 'completed');
  assert.equal(lagged.events.filter((e) => e.type === 'batch').length, 8);
  assert.deepEqual(story(lagged.events), story(direct.events));
  for (const e of lagged.events) if (e.type === 'batch') assert.ok(e.imagesPerSec > 0 && Number.isFinite(e.imagesPerSec));
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the lagged loop leaves no tensor behind');
});

test('cpu: a cancel stops the lagged loop within one batch, after the event of the step in flight, leaking nothing', async () => {
  const engine = await selectEngine('cpu');
  const config = makeRunConfig({ model: 'lenet', epochs: 1, batchSize: 8, trainLimit: 80, testLimit: 16, seed: 5, engine: 'cpu' });
  const tensorsBefore = tf.memory().numTensors;
  const abort = new AbortController();
  const { result, events } = await record(config, engine, 1, (e) => e.type === 'batch' && e.step === 2 && abort.abort(), abort.signal);
  assert.equal(result.status, 'cancelled');
  const steps = events.flatMap((e) => (e.type === 'batch' ? [e.step] : []));
  // Step 3 was already enqueued when step 2's values arrived: it trained, so its event is told, and nothing after.
  assert.deepEqual(steps, [0, 1, 2, 3]);
  assert.equal(events.at(-1)?.type, 'done');
  assert.equal(tf.memory().numTensors, tensorsBefore);
});

test('webgpu: the lagged loop matches cpu batch for batch, and no read blocks the queue between the first step and the last', async (t) => {
  const webgpu = await selectWebGpuOrSkip(t);
  if (!webgpu) return;
  assert.ok(installGpuCounters(), 'the counters install on Dawn\'s classes');
  // Layer statistics off: this counts the loop's own reads (loss, correct); a measured step adds a third, as non-blocking.
  const config = makeRunConfig({ model: 'lenet', epochs: 1, batchSize: 8, trainLimit: 32, testLimit: 8, seed: 6, engine: 'webgpu', layerStats: 'off' });
  let first: GpuCounts | undefined;
  let window: GpuCounts | undefined;
  const onGpu = await record(config, webgpu, 1, (e) => {
    if (e.type !== 'batch') return;
    // From step 0's values to step 2's: the reads of steps 1 and 2, each awaited with the next step queued behind it.
    if (e.step === 0) first = gpuCounts();
    if (e.step === 2 && first) window = countsSince(first);
  });
  assert.equal(onGpu.result.status, 'completed');
  const onCpu = await record({ ...config, engine: 'cpu' }, await selectEngine('cpu'), 0);
  const gpuBatches = onGpu.events.flatMap((e) => (e.type === 'batch' ? [e] : []));
  const cpuBatches = onCpu.events.flatMap((e) => (e.type === 'batch' ? [e] : []));
  assert.deepEqual(gpuBatches.map((b) => b.step), [0, 1, 2, 3]);
  gpuBatches.forEach((b, i) => {
    assert.ok(Math.abs(b.loss - cpuBatches[i]!.loss) <= 1e-4, `step ${i}: ${b.loss} vs cpu ${cpuBatches[i]!.loss}`);
    assert.equal(b.accuracy, cpuBatches[i]!.accuracy, `step ${i} accuracy`);
  });
  assert.ok(window, 'the window was measured');
  assert.equal(window.reads, 4, 'the loss and the count of correct predictions of steps 1 and 2');
  assert.equal(window.blockingReads, 0, 'no read ran the queue dry');
  assert.equal(window.pipelinesCompiled, 0, 'no shader compiled after the first step');
});
