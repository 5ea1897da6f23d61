import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { planSplitK } from '../../../../src-main/core/engine/webgpu/conv2d-backprop-filter';
import { selectWebGpuOrSkip } from '../webgpu-fixture';

// Every gradient our networks train with, on the webgpu engine against the
// plain-JS cpu backend (tfjs's reference kernels), at the layer shapes of
// LeNet, LeNet-5, AlexNet and the VGGs with the batch and sides cut down, so
// SwiftShader (a GPU computed on the CPU) gets through them in CI. Channel
// counts are kept where they decide which program runs: our filter gradient
// picks its tile from kh·kw·Cin × Cout, the input gradient its program from Cin.

function wave(size: number, phase: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => scale * Math.sin(i * 0.37 + phase));
}

/** Runs `compute` on cpu and on webgpu (async reads: Node's webgpu has no sync read) and returns both. */
async function onBothBackends(compute: () => tf.Tensor[]): Promise<{ cpu: Float32Array[]; gpu: Float32Array[] }> {
  const read = async (): Promise<Float32Array[]> => {
    const tensors = tf.tidy(compute);
    try {
      return await Promise.all(tensors.map((t) => t.data<'float32'>()));
    } finally {
      tf.dispose(tensors);
    }
  };
  await tf.setBackend('cpu');
  const cpu = await read();
  await tf.setBackend('webgpu');
  return { cpu, gpu: await read() };
}

/** max |actual − expected| relative to max |expected|. */
function assertClose(actual: Float32Array, expected: Float32Array, label: string, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length, `${label}: size`);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  assert.ok(scale > 0, `${label}: reference is all zeros, the case tests nothing`);
  assert.ok(worst <= tolerance * scale, `${label}: max error ${worst} exceeds ${tolerance} × ${scale}`);
}

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  kernel: number;
  outChannels: number;
  stride: number;
  pad: 'same' | 'valid';
}

const convCases: ConvCase[] = [
  { name: 'VGG 3×3 pad 1, first block (1 → 8 channels)', x: [2, 16, 16, 1], kernel: 3, outChannels: 8, stride: 1, pad: 'same' },
  { name: 'VGG 3×3 pad 1, 16 → 32', x: [2, 8, 8, 16], kernel: 3, outChannels: 32, stride: 1, pad: 'same' },
  { name: 'VGG 3×3 pad 1, 64 → 64 (the 64×64 tile)', x: [2, 6, 6, 64], kernel: 3, outChannels: 64, stride: 1, pad: 'same' },
  // VGG-11's fourth block at 96 px: 36 × 8 tiles of the filter gradient, one K slice.
  { name: 'VGG 3×3 pad 1, 256 → 512 at 6×6', x: [1, 6, 6, 256], kernel: 3, outChannels: 512, stride: 1, pad: 'same' },
  { name: 'LeNet 5×5 pad 2, 1 → 6', x: [2, 28, 28, 1], kernel: 5, outChannels: 6, stride: 1, pad: 'same' },
  { name: 'LeNet 5×5 valid, 6 → 16', x: [2, 14, 14, 6], kernel: 5, outChannels: 16, stride: 1, pad: 'valid' },
  { name: 'AlexNet 11×11 stride 4, 1 → 12', x: [1, 35, 35, 1], kernel: 11, outChannels: 12, stride: 4, pad: 'valid' },
  { name: 'AlexNet 5×5 pad 2, 32 → 24', x: [1, 7, 7, 32], kernel: 5, outChannels: 24, stride: 1, pad: 'same' },
];

test('webgpu: convolution gradients (filter and input) match cpu at the networks\' layer shapes', async (t) => {
  if (!(await selectWebGpuOrSkip(t))) return;
  for (const c of convCases) {
    const [, , , inChannels] = c.x;
    const xValues = wave(c.x.reduce((a, b) => a * b), 0.3);
    const wValues = wave(c.kernel * c.kernel * inChannels * c.outChannels, 1.1, 0.2);
    const { cpu, gpu } = await onBothBackends(() => {
      const x = tf.tensor4d(xValues, c.x);
      const w = tf.tensor4d(wValues, [c.kernel, c.kernel, inChannels, c.outChannels]);
      const f = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.sum(tf.square(tf.conv2d(x, w, c.stride, c.pad))) as tf.Scalar;
      const { value, grads } = tf.valueAndGrads(f as (...a: tf.Tensor[]) => tf.Scalar)([x, w]);
      return [value, ...grads];
    });
    assertClose(gpu[0]!, cpu[0]!, `${c.name}: loss`);
    assertClose(gpu[1]!, cpu[1]!, `${c.name}: input gradient`);
    assertClose(gpu[2]!, cpu[2]!, `${c.name}: filter gradient`);
  }
});

test('webgpu: the filter gradient splits K across workgroups and takes the small tile for thin filters', () => {
  // VGG-11's second block at 96 px, batch 64: 3·3·64 × 128 over 64·48·48 positions.
  const vgg = planSplitK(576, 128, 64 * 48 * 48);
  assert.equal(vgg.tile, 64);
  assert.ok(vgg.slices > 1, 'an 18-tile product gets more than one slice');
  assert.ok(vgg.slices * vgg.kPerSlice >= 64 * 48 * 48 && (vgg.slices - 1) * vgg.kPerSlice < 64 * 48 * 48);
  assert.equal(vgg.kPerSlice % 16, 0);
  // LeNet's first layer: 5·5·1 × 6 would leave a 64×64 tile 96 % empty.
  assert.equal(planSplitK(25, 6, 256 * 28 * 28).tile, 16);
  // VGG's last block: 4608 × 512 fills 576 tiles, enough without splitting.
  assert.equal(planSplitK(4608, 512, 64 * 6 * 6).slices, 1);
});

test('webgpu: pooling gradients match cpu, ties included', async (t) => {
  if (!(await selectWebGpuOrSkip(t))) return;
  // Fashion-MNIST's background is flat: whole windows of equal values, where
  // the gradient must go to the same element as cpu's (the first maximum).
  const side = 12;
  const values = wave(2 * side * side * 3, 0.5).map((v, i) => (i % 7 < 3 ? 0 : v));
  const cases: [string, (x: tf.Tensor4D) => tf.Tensor][] = [
    ['max pool 2×2 stride 2 (VGG, LeNet)', (x) => tf.maxPool(x, 2, 2, 'valid')],
    ['max pool 3×3 stride 2 (AlexNet)', (x) => tf.maxPool(x, 3, 2, 'valid')],
    ['avg pool 2×2 stride 2 (LeNet-5)', (x) => tf.avgPool(x, 2, 2, 'valid')],
  ];
  for (const [name, pool] of cases) {
    const { cpu, gpu } = await onBothBackends(() => {
      const x = tf.tensor4d(values, [2, side, side, 3]);
      const weights = tf.tensor1d(wave(1000, 2.2)).slice(0, 1).reshape([]);
      const f = (x: tf.Tensor4D) => tf.sum(tf.mul(pool(x), tf.add(weights, tf.range(0, 1, 1)))) as tf.Scalar;
      const { value, grad } = tf.valueAndGrad(f as (x: tf.Tensor) => tf.Scalar)(x);
      return [value, grad];
    });
    assertClose(gpu[0]!, cpu[0]!, `${name}: value`);
    assertClose(gpu[1]!, cpu[1]!, `${name}: gradient`);
  }
});

test('webgpu: dense, relu, sigmoid, dropout and softmax cross-entropy gradients match cpu', async (t) => {
  if (!(await selectWebGpuOrSkip(t))) return;
  const batch = 4;
  const inputs = 48;
  const hidden = 32;
  const classes = 10;
  const xValues = wave(batch * inputs, 0.2);
  const w1Values = wave(inputs * hidden, 0.9, 0.3);
  const w2Values = wave(hidden * classes, 1.7, 0.3);
  const bValues = wave(hidden, 2.5, 0.1);
  const { cpu, gpu } = await onBothBackends(() => {
    const x = tf.tensor2d(xValues, [batch, inputs]);
    const w1 = tf.tensor2d(w1Values, [inputs, hidden]);
    const b1 = tf.tensor1d(bValues);
    const w2 = tf.tensor2d(w2Values, [hidden, classes]);
    const labels = tf.oneHot(tf.tensor1d([3, 1, 4, 1], 'int32'), classes);
    const f = (x: tf.Tensor2D, w1: tf.Tensor2D, b1: tf.Tensor1D, w2: tf.Tensor2D) => {
      const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
      // Dropout's mask comes from a seeded generator in tfjs-core, the same on every backend.
      const d = tf.dropout(tf.sigmoid(h), 0.5, undefined, 7);
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(d, w2)) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f as (...a: tf.Tensor[]) => tf.Scalar)([x, w1, b1, w2]);
    return [value, ...grads];
  });
  const names = ['loss', 'dx', 'dw1', 'db1', 'dw2'];
  names.forEach((name, i) => assertClose(gpu[i]!, cpu[i]!, name));
});
