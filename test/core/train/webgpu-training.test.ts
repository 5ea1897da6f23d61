import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { train } from '../../../src-main/core/train/trainer';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import { selectEngine } from '../../../src-main/core/engine/engines';
import { buildModel } from '../../../src-main/core/models/build';
import { batches } from '../../../src-main/core/data/batches';
import { vggBlock } from '../../../src-main/shared/models/vgg';
import type { LayerSpec } from '../../../src-main/shared/models/layer-spec';
import type { RunConfig } from '../../../src-main/shared/train/run-config';
import type { EngineInfo, TrainingEvent } from '../../../src-main/shared/train/events';
import { realFashionMnist } from '../../helpers/fashion-mnist';
import { selectWebGpuOrSkip } from '../engine/webgpu-fixture';

// Training on the webgpu engine, on SwiftShader where there is no GPU: a GPU
// computed on the CPU, slowly (seconds a LeNet step), so these runs are a few
// small steps. They check that it learns the same numbers as cpu, cancels,
// and gives back every tensor and GPU buffer.

const TOLERANCE = 1e-4;

function assertNear(actual: number, expected: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected)), `${label}: ${actual} vs cpu ${expected}`);
}

async function record(config: RunConfig, engine: EngineInfo, signal?: AbortSignal, onEvent?: (e: TrainingEvent) => void) {
  const events: TrainingEvent[] = [];
  const result = await train({
    config,
    dataset: await realFashionMnist(),
    engine,
    signal,
    onEvent: (e) => {
      events.push(e);
      onEvent?.(e);
    },
  });
  return { result, events };
}

test('webgpu: LeNet on real images learns the same losses as cpu, step for step', async (t) => {
  const webgpu = await selectWebGpuOrSkip(t);
  if (!webgpu) return;
  const config = makeRunConfig({ model: 'lenet', epochs: 1, batchSize: 16, trainLimit: 48, testLimit: 32, seed: 1, engine: 'webgpu' });
  const onGpu = await record(config, webgpu);
  const onCpu = await record({ ...config, engine: 'cpu' }, await selectEngine('cpu'));
  assert.equal(onGpu.result.status, 'completed');
  const gpuBatches = onGpu.events.filter((e) => e.type === 'batch');
  const cpuBatches = onCpu.events.filter((e) => e.type === 'batch');
  assert.equal(gpuBatches.length, 3);
  gpuBatches.forEach((b, i) => assertNear(b.loss, cpuBatches[i]!.loss, `step ${i} loss`));
  const [gpuEpoch] = onGpu.events.filter((e) => e.type === 'epoch');
  const [cpuEpoch] = onCpu.events.filter((e) => e.type === 'epoch');
  assertNear(gpuEpoch!.loss, cpuEpoch!.loss, 'epoch loss');
  assert.equal(gpuEpoch!.testAcc, cpuEpoch!.testAcc, 'test accuracy');
  const start = onGpu.events.find((e) => e.type === 'start');
  assert.equal(start?.engine.adapter?.software, true, 'the run records its adapter');
});

test('webgpu: one step of a VGG block (two 3×3 convs, ReLU, 2×2 max-pool) matches cpu', async (t) => {
  if (!(await selectWebGpuOrSkip(t))) return;
  const layers: LayerSpec[] = [
    ...vggBlock({ convs: 2, channels: 16 }, 1),
    { kind: 'flatten', name: 'flatten' },
    { kind: 'dense', name: 'logits', units: 10, activation: 'linear' },
  ];
  const split = (await realFashionMnist()).train;
  const [batch] = [...batches(split, { batchSize: 8, side: 32, seed: 1, epoch: 0, limit: 8 })];
  const images = await batch!.xs.data();
  const labels = await batch!.ys.data();
  tf.dispose([batch!.xs, batch!.ys]);

  const step = async (backend: string) => {
    await tf.setBackend(backend);
    const model = buildModel(layers, [32, 32, 1], { seed: 3 });
    const optimizer = tf.train.sgd(0.05);
    const xs = tf.tensor4d(images, [8, 32, 32, 1]);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const losses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor) as tf.Scalar, true)!;
      losses.push((await loss.data())[0]!);
      loss.dispose();
    }
    const weights = await Promise.all(model.getWeights().map((w) => w.data<'float32'>()));
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
    return { losses, weights };
  };
  const gpu = await step('webgpu');
  const cpu = await step('cpu');
  gpu.losses.forEach((loss, i) => assertNear(loss, cpu.losses[i]!, `step ${i} loss`));
  gpu.weights.forEach((w, i) => {
    const reference = cpu.weights[i]!;
    const worst = w.reduce((m, v, j) => Math.max(m, Math.abs(v - reference[j]!)), 0);
    assert.ok(worst <= TOLERANCE, `weight ${i} after two steps differs by ${worst}`);
  });
});

test('webgpu: cancel takes effect within one batch, and three runs give back every tensor and GPU buffer', async (t) => {
  const webgpu = await selectWebGpuOrSkip(t);
  if (!webgpu) return;
  const config = makeRunConfig({ model: 'lenet', epochs: 1, batchSize: 16, trainLimit: 64, testLimit: 16, seed: 2, engine: 'webgpu' });
  const abort = new AbortController();
  const cancelled = await record(config, webgpu, abort.signal, (e) => e.type === 'batch' && e.step === 1 && abort.abort());
  assert.equal(cancelled.result.status, 'cancelled');
  // webgpu reads a step behind: step 2 was already enqueued when step 1's values (and the cancel) arrived.
  assert.equal(cancelled.events.filter((e) => e.type === 'batch').at(-1)?.step, 2, 'no batch after the one in flight when cancel arrived');

  const short = { ...config, trainLimit: 32 };
  const memory = () => tf.memory() as tf.MemoryInfo & { numBytesInGPU: number; numBytesAllocatedInGPU: number };
  const before = memory();
  const after: ReturnType<typeof memory>[] = [];
  for (let run = 0; run < 3; run++) {
    const { result } = await record(short, webgpu);
    assert.equal(result.status, 'completed');
    after.push(memory());
  }
  for (const [i, m] of after.entries()) {
    assert.equal(m.numTensors, before.numTensors, `run ${i}: tensors left behind`);
    assert.equal(m.numBytesInGPU, before.numBytesInGPU, `run ${i}: GPU buffers still in use`);
  }
  // Freed buffers go back to tfjs's pool and are reused: the pool stops growing after the first run.
  assert.equal(after[2]!.numBytesAllocatedInGPU, after[1]!.numBytesAllocatedInGPU, 'the buffer pool keeps growing');
});
