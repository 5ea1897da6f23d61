import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../../src-main/core/engine/wasm/training-kernels';

// The wasm kernels are checked against the plain-JS cpu backend, the reference
// implementation of every tfjs kernel. Inputs are deterministic waves, so a
// failure reproduces exactly.

registerWasmTrainingKernels();

function wave(size: number, phase: number): number[] {
  return Array.from({ length: size }, (_, i) => Math.sin(i * 0.37 + phase));
}

/** Runs `compute` on the cpu and on the wasm backend and returns both results as plain arrays. */
async function onBothBackends(compute: () => tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const read = () => {
    const results: Float32Array[] = [];
    tf.tidy(() => {
      for (const t of compute()) results.push(t.dataSync() as Float32Array);
    });
    return results;
  };
  await tf.setBackend('cpu');
  const cpu = read();
  await tf.setBackend('wasm');
  return { cpu, wasm: read() };
}

/** max |actual - expected| relative to max |expected|, per the brief's ~1e-4 tolerance. */
function assertClose(actual: Float32Array, expected: Float32Array, label: string, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length, `${label}: size`);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  assert.ok(scale > 0, `${label}: reference is all zeros, the case tests nothing`);
  assert.ok(worst <= tolerance * scale, `${label}: max error ${worst} exceeds ${tolerance} x ${scale}`);
}

const convCases: {
  name: string;
  x: [number, number, number, number];
  kernel: number;
  outChannels: number;
  stride: number;
  pad: 'same' | 'valid' | number;
}[] = [
  { name: '3x3 stride 1 same', x: [2, 8, 8, 3], kernel: 3, outChannels: 4, stride: 1, pad: 'same' },
  { name: '3x3 stride 2 valid', x: [2, 9, 9, 3], kernel: 3, outChannels: 4, stride: 2, pad: 'valid' },
  { name: '3x3 stride 2 same, non-square', x: [2, 10, 7, 3], kernel: 3, outChannels: 4, stride: 2, pad: 'same' },
  { name: '3x3 stride 3 same (uneven padding)', x: [1, 13, 11, 3], kernel: 3, outChannels: 2, stride: 3, pad: 'same' },
  { name: '5x5 pad 2 (LeNet), non-square', x: [2, 12, 10, 2], kernel: 5, outChannels: 3, stride: 1, pad: 2 },
  { name: '5x5 valid', x: [2, 12, 12, 2], kernel: 5, outChannels: 3, stride: 1, pad: 'valid' },
  // 28 x 30: stride 4 leaves the last 1 row and 3 columns unused, so the kernel
  // computes extra filter rows and columns and slices them off.
  { name: '11x11 stride 4 valid (AlexNet)', x: [2, 28, 30, 3], kernel: 11, outChannels: 4, stride: 4, pad: 'valid' },
  { name: '1x1', x: [2, 7, 7, 3], kernel: 1, outChannels: 5, stride: 1, pad: 'valid' },
];

for (const c of convCases) {
  test(`conv2d gradients on wasm match cpu: ${c.name}`, async () => {
    const filterShape: [number, number, number, number] = [c.kernel, c.kernel, c.x[3], c.outChannels];
    const xValues = wave(c.x.reduce((a, b) => a * b), 0.1);
    const wValues = wave(filterShape.reduce((a, b) => a * b), 1.7);
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor4d(xValues, c.x);
      const w = tf.tensor4d(wValues, filterShape);
      // Squaring makes dy depend on the output, so every dy entry differs.
      const loss = (x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad)));
      return tf.grads(loss)([x, w]);
    });
    assertClose(wasm[0], cpu[0], 'dx (Conv2DBackpropInput)');
    assertClose(wasm[1], cpu[1], 'dw (Conv2DBackpropFilter)');
  });
}

test('transposed matrix products on wasm match cpu (dense-layer gradients)', async () => {
  const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false }, // dW = xᵀ·dy
    { a: [5, 7], b: [30, 7], transposeA: false, transposeB: true }, // dx = dy·Wᵀ, W larger than dy
    { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
    { a: [1, 9, 4], b: [1, 30, 9], transposeA: true, transposeB: true }, // rank 3, batch 1
    { a: [2, 4, 3], b: [2, 5, 4], transposeA: true, transposeB: true }, // batched: left to the backend
  ];
  for (const c of cases) {
    const aValues = wave(c.a.reduce((x, y) => x * y), 0.3);
    const bValues = wave(c.b.reduce((x, y) => x * y), 2.1);
    const { cpu, wasm } = await onBothBackends(() => [
      tf.matMul(tf.tensor(aValues, c.a), tf.tensor(bValues, c.b), c.transposeA, c.transposeB),
    ]);
    assertClose(wasm[0], cpu[0], `matMul ${JSON.stringify(c)}`);
  }
});

/** Small conv nets with every layer kind our models use, gradients of all weights. */
function smallNets(): Record<string, () => tf.LayersModel> {
  const init = { kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) };
  return {
    'LeNet-style: sigmoid, average pooling': () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 3, kernelSize: 5, padding: 'same', activation: 'sigmoid', ...init }),
          tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
          tf.layers.conv2d({ filters: 4, kernelSize: 5, activation: 'sigmoid', ...init }),
          tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 6, activation: 'sigmoid', ...init }),
          tf.layers.dense({ units: 10, activation: 'softmax', ...init }),
        ],
      }),
    'VGG/AlexNet-style: ReLU, max pooling, dropout': () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', ...init }),
          tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', ...init }),
          tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
          tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', ...init }),
          tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 8, activation: 'relu', ...init }),
          // Seeded, so both backends drop the same units.
          tf.layers.dropout({ rate: 0.5, seed: 11 }),
          tf.layers.dense({ units: 10, activation: 'softmax', ...init }),
        ],
      }),
  };
}

for (const [name, build] of Object.entries(smallNets())) {
  test(`training gradients of a small net on wasm match cpu: ${name}`, async () => {
    await tf.setBackend('cpu');
    const model = build();
    const xValues = wave(4 * 12 * 12, 0.5).map(Math.abs);
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor4d(xValues, [4, 12, 12, 1]);
      const labels = tf.oneHot(tf.tensor1d([0, 3, 7, 9], 'int32'), 10);
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      );
      return [value, ...model.trainableWeights.map((w) => grads[w.originalName])];
    });
    assert.equal(cpu.length, model.trainableWeights.length + 1);
    assertClose(wasm[0], cpu[0], 'loss');
    model.trainableWeights.forEach((w, i) => assertClose(wasm[i + 1], cpu[i + 1], `gradient of ${w.originalName}`));
    model.dispose();
  });
}

test('the registered kernels leak no tensors and no backend buffers', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor4d(wave(2 * 28 * 28 * 3, 0), [2, 28, 28, 3]);
  const w3 = tf.tensor4d(wave(3 * 3 * 3 * 4, 1), [3, 3, 3, 4]);
  const w11 = tf.tensor4d(wave(11 * 11 * 3 * 4, 2), [11, 11, 3, 4]);
  const dense = tf.tensor2d(wave(25 * 20, 3), [25, 20]);
  const step = () =>
    tf.tidy(() => {
      // Every path: filter gradient with and without slicing, input gradient fast
      // (stride 1) and shipped (stride 4), and both forms of transposed matMul
      // (the gradients of c: bᵀ·dy directly, dy·denseᵀ swapped).
      const loss = (x: tf.Tensor, w3: tf.Tensor, w11: tf.Tensor, dense: tf.Tensor) => {
        const a = tf.conv2d(x as tf.Tensor4D, w3 as tf.Tensor4D, 1, 'same');
        const b = tf.conv2d(x as tf.Tensor4D, w11 as tf.Tensor4D, 4, 'valid'); // [2, 5, 5, 4]
        const c = tf.matMul(tf.reshape(b, [8, 25]), dense);
        return tf.add(tf.sum(tf.square(a)), tf.sum(tf.square(c)));
      };
      tf.grads(loss)([x, w3, w11, dense]).forEach((g) => g.dataSync());
    });
  step(); // warm-up: lazily created state is not a leak
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = tf.backend().numDataIds();
  for (let i = 0; i < 5; i++) step();
  // numTensors counts engine tensors; numDataIds also counts the kernels' own intermediates.
  assert.equal(tf.memory().numTensors, tensorsBefore);
  assert.equal(tf.backend().numDataIds(), buffersBefore);
  tf.dispose([x, w3, w11, dense]);
});

test('registerWasmTrainingKernels is idempotent', () => {
  const kernels = [tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput, tf.BatchMatMul];
  const before = kernels.map((name) => tf.getKernel(name, 'wasm').kernelFunc);
  registerWasmTrainingKernels();
  registerWasmTrainingKernels();
  assert.deepEqual(
    kernels.map((name) => tf.getKernel(name, 'wasm').kernelFunc),
    before,
  );
});

for (const { name, x, size, stride } of [
  { name: '2x2/2 tiling (LeNet-5, fast path)', x: [3, 8, 6, 4] as const, size: 2, stride: 2 },
  { name: '3x3/3 tiling, non-square (fast path)', x: [2, 9, 6, 2] as const, size: 3, stride: 3 },
  { name: '2x2/2 on an odd side (backend kernel)', x: [2, 7, 7, 2] as const, size: 2, stride: 2 },
  { name: '3x3/2 overlapping (backend kernel)', x: [2, 9, 9, 2] as const, size: 3, stride: 2 },
]) {
  test(`AvgPoolGrad ${name} matches cpu and leaks nothing`, async () => {
    const compute = () => {
      const input = tf.tensor4d(wave(x[0] * x[1] * x[2] * x[3], 0.3), [...x]);
      const [dx] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, size, stride, 'valid'), tf.avgPool(t as tf.Tensor4D, size, stride, 'valid'))))([input]);
      return [dx!];
    };
    const { cpu, wasm } = await onBothBackends(compute);
    assertClose(wasm[0]!, cpu[0]!, name);
    const [tensors, buffers] = [tf.memory().numTensors, tf.backend().numDataIds()];
    tf.tidy(() => void compute()[0]!.dataSync());
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.backend().numDataIds(), buffers);
  });
}

/**
 * Values in {-2, -1, 0, 1}: most windows hold ties, some hold only zeros or
 * only negatives, as activations on Fashion-MNIST's flat background do.
 */
function tiedValues(size: number): number[] {
  return wave(size, 0.9).map((v, i) => (i % 11 === 0 ? -2 : Math.floor(v * 2)));
}

for (const { name, x, size, stride, pad } of [
  { name: '2x2/2 valid (VGG)', x: [2, 8, 6, 3] as const, size: 2, stride: 2, pad: 'valid' as const },
  { name: '3x3/2 valid, overlapping (AlexNet)', x: [2, 13, 11, 2] as const, size: 3, stride: 2, pad: 'valid' as const },
  { name: '3x3/1 same, padded windows', x: [1, 7, 9, 2] as const, size: 3, stride: 1, pad: 'same' as const },
  { name: '2x2/2 same on an odd side', x: [2, 7, 5, 2] as const, size: 2, stride: 2, pad: 'same' as const },
]) {
  test(`MaxPoolGrad ${name} sends each window's gradient to its first maximum, as cpu does`, async () => {
    const values = tiedValues(x[0] * x[1] * x[2] * x[3]);
    const compute = () => {
      const input = tf.tensor4d(values, [...x]);
      // A distinct weight per output, so a gradient sent to the wrong pixel shows.
      const [dx] = tf.grads((t: tf.Tensor) => {
        const pooled = tf.maxPool(t as tf.Tensor4D, size, stride, pad);
        return tf.sum(tf.mul(pooled, tf.add(tf.range(1, pooled.size + 1).reshape(pooled.shape), 0.5)));
      })([input]);
      return [dx!];
    };
    const { cpu, wasm } = await onBothBackends(compute);
    // One contribution per pixel where windows tile; overlapping ones may round differently.
    if (size === stride) assert.deepEqual(wasm[0], cpu[0], name);
    else assertClose(wasm[0]!, cpu[0]!, name, 1e-6);
    const [tensors, buffers] = [tf.memory().numTensors, tf.backend().numDataIds()];
    tf.tidy(() => void compute()[0]!.dataSync());
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.backend().numDataIds(), buffers);
  });
}

test('MaxPoolGrad passes nothing from a window of -Infinity or NaN, as cpu does', async () => {
  const values = [-Infinity, -Infinity, -Infinity, -Infinity, NaN, 3, NaN, 3];
  const { cpu, wasm } = await onBothBackends(() => {
    const [dx] = tf.grads((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))([
      tf.tensor4d(values, [2, 2, 2, 1]),
    ]);
    return [dx!];
  });
  assert.deepEqual(Array.from(wasm[0]!), Array.from(cpu[0]!));
  assert.deepEqual(Array.from(cpu[0]!), [0, 0, 0, 0, 0, 1, 0, 0]);
});
