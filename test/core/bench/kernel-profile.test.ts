import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { profileWorkload, totalByKernel, type KernelRecord } from '../../../src-main/core/bench/kernel-profile';
import type { BenchWorkload } from '../../../src-main/core/bench/workloads';

test('kernel times are summed per kernel, slowest first, without double-counting op scopes', () => {
  const records: KernelRecord[] = [
    { name: 'Conv2D', kernelTimeMs: 5, inputShapes: [[8, 16, 16, 1], [3, 3, 1, 8]] },
    { name: 'Relu', kernelTimeMs: 1, inputShapes: [[8, 16, 16, 8]] },
    { name: 'Conv2D', kernelTimeMs: 7, inputShapes: [[8, 8, 8, 8], null] },
    { name: 'fusedConv2d__op', kernelTimeMs: 13, inputShapes: [] },
    { name: 'Relu', kernelTimeMs: { error: 'no timer' }, inputShapes: [] },
  ];
  const totals = totalByKernel(records, 20);
  assert.deepEqual(
    totals.map((t) => [t.kernel, t.calls, t.totalMs, t.share]),
    [
      ['Conv2D', 2, 12, 0.6],
      ['Relu', 1, 1, 0.05],
    ],
  );
  assert.deepEqual(totals[0]?.slowestInputShapes, [[8, 8, 8, 8]]);
});

test('tf.profile times the kernels of a training step on the cpu backend', async () => {
  await tf.setBackend('cpu');
  const workload: BenchWorkload = {
    name: 'tiny',
    network: { model: 'vgg11', blocks: [{ convs: 1, channels: 4 }], denseUnits: 16 },
    side: 8,
    batchSize: 4,
    steps: 1,
    description: 'a one-block VGG',
  };
  const tensorsBefore = tf.memory().numTensors;
  const profile = await profileWorkload(workload, 2);
  assert.equal(profile.backend, 'cpu');
  const names = profile.kernels.map((k) => k.kernel);
  for (const kernel of ['Conv2D', 'Conv2DBackpropFilter', 'MaxPoolGrad', 'BatchMatMul']) assert.ok(names.includes(kernel), kernel);
  assert.ok(!names.some((n) => n.endsWith('__op')));
  assert.ok(profile.kernelMs > 0 && profile.kernelMs <= profile.wallMs);
  assert.equal(profile.kernels.find((k) => k.kernel === 'Conv2DBackpropFilter')?.calls, 2);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the profile leaks no tensors');
});
