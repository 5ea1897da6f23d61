import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  checkRunFits,
  estimateRunMemory,
  RunTooLargeError,
  WASM_HEAP_MAX_BYTES,
  type MemoryEstimateConfig,
  estimateWasmHeapBytes,
} from '../../../src-main/core/train/memory-estimate';
import { formatBytes } from '../../../src-main/shared/format';
import { resolveNetwork } from '../../../src-main/shared/models/presets';
import { summarizeNetwork } from '../../../src-main/shared/models/summary';
import { buildModel } from '../../../src-main/core/models/build';

const CHAPTER_VGG11: MemoryEstimateConfig = { model: 'vgg11', resize: 96, batchSize: 64 };
const VGG16_224: MemoryEstimateConfig = { model: 'vgg16', resize: 224, batchSize: 128 };

function refusal(run: () => unknown): RunTooLargeError {
  try {
    run();
  } catch (error) {
    if (error instanceof RunTooLargeError) return error;
    throw error;
  }
  assert.fail('expected the run to be refused');
}

test("the chapter's VGG-11 at 96×96, batch 64 fits the wasm engine", () => {
  const estimate = checkRunFits(CHAPTER_VGG11, 'wasm');
  assert.ok(estimate.totalBytes < WASM_HEAP_MAX_BYTES, formatBytes(estimate.totalBytes));
});

test('VGG-11 at 96×96, batch 96, which ran the wasm heap out when tried, is refused', () => {
  const error = refusal(() => checkRunFits({ ...CHAPTER_VGG11, batchSize: 96 }, 'wasm'));
  assert.match(error.message, /the wasm engine has 4 GB \(3 GB of it for tensors\)/);
  assert.ok((error.fits.batchSize ?? 0) >= 64, error.message);
});

test('VGG-16 at 224×224, batch 128 does not fit wasm; the message names a batch that fits and one more that does not', () => {
  const error = refusal(() => checkRunFits(VGG16_224, 'wasm'));
  assert.match(error.message, /^vgg16 at 224×224, batch 128 needs about \d+ GB \(activations \d+ GB/);
  assert.match(error.message, /the wasm engine has 4 GB/);
  assert.doesNotMatch(error.message, /--/, 'core speaks no CLI: the flags are for the CLI to add');
  const batch = Number(/a batch of (\d+) or less/.exec(error.message)?.[1]);
  assert.ok(batch >= 1 && batch < 128, error.message);
  assert.equal(error.fits.batchSize, batch);
  // The same ways out, as field bounds a front end can offer.
  assert.deepEqual(error.suggestions[0], { field: 'batchSize', max: batch });
  assert.doesNotThrow(() => checkRunFits({ ...VGG16_224, batchSize: batch }, 'wasm'));
  assert.throws(() => checkRunFits({ ...VGG16_224, batchSize: batch + 1 }, 'wasm'), RunTooLargeError);

  // The other ways out it offers fit too.
  const { resize, widthRatio } = error.fits;
  assert.ok(resize !== undefined && resize < 224 && error.message.includes(`${resize}×${resize} images`));
  assert.ok(error.suggestions.some((s) => s.field === 'resize' && s.max === resize));
  assert.doesNotThrow(() => checkRunFits({ ...VGG16_224, resize }, 'wasm'));
  assert.ok(widthRatio !== undefined && error.message.includes(`width ratio ${widthRatio}`));
  assert.ok(error.suggestions.some((s) => s.field === 'widthRatio' && s.min === widthRatio));
  assert.doesNotThrow(() => checkRunFits({ ...VGG16_224, widthRatio }, 'wasm'));
});

test('the estimate is built on summarizeNetwork: weights, gradients, the activation floor, batch scaling, momentum', () => {
  const { name, layers } = resolveNetwork(CHAPTER_VGG11);
  const summary = summarizeNetwork(layers, [96, 96, 1], { name, batchSize: 64 });
  const estimate = estimateRunMemory(CHAPTER_VGG11);
  assert.equal(estimate.weightBytes, summary.parameterBytes);
  assert.equal(estimate.weightCopyBytes, summary.parameterBytes);
  assert.equal(estimate.gradientBytes, summary.parameterBytes);
  assert.equal(estimate.optimizerBytes, 0);
  // tfjs keeps more than one copy of each layer output: the summary's figure is a floor.
  assert.ok(estimate.activationBytes > summary.activationBytes);
  assert.ok(estimate.activationBytes < 4 * summary.activationBytes);
  assert.equal(estimate.inputBytes, 64 * 96 * 96 * 4);

  const parts =
    estimate.weightBytes +
    estimate.weightCopyBytes +
    estimate.gradientBytes +
    estimate.optimizerBytes +
    estimate.activationBytes +
    estimate.activationGradientBytes +
    estimate.inputBytes +
    estimate.workspaceBytes;
  assert.equal(estimate.trainingBytes, parts);
  assert.equal(estimate.totalBytes, Math.max(estimate.trainingBytes, estimate.evaluationBytes));

  const half = estimateRunMemory({ ...CHAPTER_VGG11, batchSize: 32 });
  assert.equal(half.activationBytes * 2, estimate.activationBytes);
  assert.equal(half.weightBytes, estimate.weightBytes);

  const momentum = estimateRunMemory({ ...CHAPTER_VGG11, momentum: 0.9 });
  assert.equal(momentum.optimizerBytes, summary.parameterBytes);
  assert.equal(momentum.trainingBytes, estimate.trainingBytes + summary.parameterBytes);
});

test('per-layer accounting on a network small enough to count by hand', () => {
  // 4×4×1 → conv 2 (4×4×2 = 32) → pool (2×2×2 = 8) → flatten 8 → fc1 4 → dropout → fc2 4 → dropout → fc3 10.
  const estimate = estimateRunMemory({ model: 'vgg11', blocks: [{ convs: 1, channels: 2 }], denseUnits: 4, resize: 4, batchSize: 1 });
  // kept: conv 16 + 2·32, pool 32 + 8, fc1 8 + 2·4, dropout 4·4, fc2 4 + 2·4, dropout 4·4, fc3 (linear) 4 + 10
  assert.equal(estimate.activationBytes, (80 + 40 + 16 + 16 + 12 + 16 + 14) * 4);
  // gradients: conv 2·32, pool 8, fc1 2·4, dropout 2·4, fc2 2·4, dropout 2·4, fc3 10
  assert.equal(estimate.activationGradientBytes, (64 + 8 + 8 + 8 + 8 + 8 + 10) * 4);
  // The largest tensor is the conv output, 32 values: twice that for one gradient's temporaries.
  assert.equal(estimate.workspaceBytes, 64 * 4);
});

test("the estimate matches tfjs's own count of the bytes a training step holds at its peak", async () => {
  // tf.profile's peakBytes counts every tensor, clones included: what the wasm
  // backend, whose clones copy, really holds. Run on cpu, where this net is quick.
  await tf.setBackend('cpu');
  const config: MemoryEstimateConfig = {
    model: 'vgg11',
    blocks: [
      { convs: 1, channels: 8 },
      { convs: 2, channels: 16 },
    ],
    denseUnits: 32,
    resize: 16,
    batchSize: 8,
  };
  const { layers } = resolveNetwork(config);
  const model = buildModel(layers, [16, 16, 1], { seed: 1 });
  const optimizer = tf.train.sgd(0.05);
  const xs = tf.randomUniform([8, 16, 16, 1], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  try {
    const step = (): void => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(xs, { training: true }) as tf.Tensor2D) as tf.Scalar,
        true,
      );
      loss?.dispose();
    };
    step();
    const profile = await tf.profile(step);
    const estimate = estimateRunMemory(config);
    const ratio = estimate.trainingBytes / profile.peakBytes;
    assert.ok(ratio > 0.8 && ratio < 1.25, `estimate ${estimate.trainingBytes} vs tfjs peak ${profile.peakBytes}`);
  } finally {
    tf.dispose([xs, labels]);
    optimizer.dispose();
    model.dispose();
  }
});

test('cpu uses the memory the machine has free; the GPU engine is not checked', () => {
  const error = refusal(() => checkRunFits(CHAPTER_VGG11, 'cpu', { availableBytes: 2 ** 30 }));
  assert.match(error.message, /this machine has 1 GB free for the cpu engine/);
  assert.equal(error.limitBytes, 2 ** 30);
  assert.doesNotThrow(() => checkRunFits(CHAPTER_VGG11, 'cpu', { availableBytes: 64 * 2 ** 30 }));
  assert.doesNotThrow(() => checkRunFits({ ...VGG16_224, batchSize: 4096 }, 'tensorflow-gpu'));
});

test('when nothing fits, the message says so instead of suggesting a batch', () => {
  const error = refusal(() => checkRunFits(CHAPTER_VGG11, 'cpu', { availableBytes: 1000 }));
  assert.deepEqual(error.fits, {});
  assert.deepEqual(error.suggestions, []);
  assert.match(error.message, /Nothing short of a smaller network fits/);
});

test('sizes read as people read them', () => {
  assert.equal(formatBytes(WASM_HEAP_MAX_BYTES), '4 GB');
  assert.equal(formatBytes(9.8 * 2 ** 30), '9.8 GB');
  assert.equal(formatBytes(512 * 2 ** 20), '512 MB');
  assert.equal(formatBytes(40 * 2 ** 30), '40 GB');
});

test('the wasm heap estimate reproduces the measured heap of VGG-11 at 96x96, batch 64, whatever the threads', () => {
  // Heap after three steps (one process per count): 1 thread (stock build), 2 and 4 (threaded build).
  const measured = { 1: 3_602_776_064, 2: 3_602_841_600, 4: 3_602_972_672 };
  const estimate = estimateRunMemory({ model: 'vgg11', resize: 96, batchSize: 64 });
  for (const [threads, heap] of Object.entries(measured)) {
    const predicted = estimateWasmHeapBytes(estimate, Number(threads));
    assert.ok(Math.abs(predicted - heap) / heap < 0.03, `${threads} threads: ${predicted} vs measured ${heap}`);
  }
  // Each thread adds its stack and nothing else, as measured (65,536 bytes apart).
  assert.equal(estimateWasmHeapBytes(estimate, 2) - estimateWasmHeapBytes(estimate, 1), measured[2] - measured[1]);
});
