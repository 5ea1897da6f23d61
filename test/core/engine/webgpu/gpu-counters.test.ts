import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { countsSince, gpuCounts, installGpuCounters } from '../../../../src-main/core/engine/webgpu/gpu-counters';
import { measureWorkload, prepareRig } from '../../../../src-main/core/bench/measure';
import type { BenchWorkload } from '../../../../src-main/core/bench/workloads';
import { selectWebGpuOrSkip } from '../webgpu-fixture';

// The bench's LeNet (lenet-28-b256) at batch 8: SwiftShader takes seconds a
// step at 256. The counters are read from Dawn's own calls, so the targets
// (no blocking read per step, no pipeline after warm-up) are measured, not assumed.
const SMALL_LENET: BenchWorkload = {
  name: 'lenet-28-b8',
  network: { model: 'lenet5' },
  side: 28,
  batchSize: 8,
  steps: 4,
  description: 'the bench LeNet at batch 8',
};

test('webgpu: a 4-step LeNet run holds the targets: 0 blocking reads per step, 0 pipelines compiled after warm-up', async (t) => {
  const engine = await selectWebGpuOrSkip(t);
  if (!engine) return;
  const measurement = await measureWorkload(SMALL_LENET, { steps: 4, engine });
  const gpu = measurement.gpu;
  assert.ok(gpu, 'webgpu measurements carry the counts');
  assert.equal(gpu.blockingReadsPerStep, 0);
  assert.equal(gpu.pipelinesCompiledAfterWarmup, 0);
  // The last step's loss is awaited with nothing left to enqueue: that one read does block, and is told apart.
  assert.equal(gpu.blockingReadsAtEnd, 1);
  assert.equal(gpu.readsPerStep, 1, 'one read per step: its loss');
  // A LeNet step is dozens of kernels (forward, backward, SGD); each dispatch writes its uniforms.
  assert.ok(gpu.dispatchesPerStep >= 30, `${gpu.dispatchesPerStep} dispatches per step`);
  assert.equal(gpu.uniformWritesPerStep, gpu.dispatchesPerStep);
  assert.ok(gpu.submitsPerStep >= 1);
  assert.ok(Number.isFinite(measurement.lastLoss));
});

test('webgpu: the counters see a blocking read where the loss is awaited at once, and a compile for a new shape', async (t) => {
  if (!(await selectWebGpuOrSkip(t))) return;
  assert.ok(installGpuCounters());
  const rig = prepareRig(SMALL_LENET, 3);
  try {
    await rig.step();
    const before = gpuCounts();
    // The old loop: enqueue, then await this very step's loss with nothing behind it.
    for (let i = 0; i < 2; i++) await rig.step();
    const direct = countsSince(before);
    assert.equal(direct.reads, 2);
    assert.equal(direct.blockingReads, 2, 'each read ran the queue dry');
    assert.equal(direct.pipelinesCompiled, 0);
    const compiled = gpuCounts();
    const odd = tf.tidy(() => tf.sum(tf.relu(tf.ones([3, 5, 7]))));
    await odd.data();
    odd.dispose();
    assert.ok(countsSince(compiled).pipelinesCompiled >= 1, 'a never-seen shape compiles a pipeline, and it is counted');
  } finally {
    rig.dispose();
  }
});
