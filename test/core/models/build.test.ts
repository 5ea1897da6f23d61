import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../src-main/core/models/build';
import { resolveNetwork } from '../../../src-main/shared/models/presets';
import { summarizeNetwork } from '../../../src-main/shared/models/summary';
import { vggBlock } from '../../../src-main/shared/models/vgg';
import type { InputShape } from '../../../src-main/shared/models/layer-spec';

before(async () => {
  await tf.setBackend('cpu');
});

test('the chapter\'s check: vgg_block(2, 128) turns (2, 16, 16, 3) into (2, 8, 8, 128)', () => {
  const model = buildModel(vggBlock({ convs: 2, channels: 128 }, 1), [16, 16, 3], { seed: 0 });
  const y = tf.tidy(() => model.predict(tf.randomUniform([2, 16, 16, 3])) as tf.Tensor);
  assert.deepEqual(y.shape, [2, 8, 8, 128]);
  y.dispose();
  model.dispose();
});

const small: { label: string; model: string; input: InputShape; widthRatio?: number; denseUnits?: number }[] = [
  { label: 'lenet at 28', model: 'lenet', input: [28, 28, 1] },
  { label: 'lenet5 at 28', model: 'lenet5', input: [28, 28, 1] },
  { label: 'vgg11 width/8 dense 64 at 32', model: 'vgg11', input: [32, 32, 1], widthRatio: 8, denseUnits: 64 },
];

for (const { label, model: id, input, widthRatio, denseUnits } of small) {
  test(`summary and tfjs agree on ${label}: params, layer names, output shapes`, () => {
    const network = resolveNetwork({ model: id, ...(widthRatio === undefined ? {} : { widthRatio }), ...(denseUnits === undefined ? {} : { denseUnits }) });
    const summary = summarizeNetwork(network.layers, input);
    const model = buildModel(network.layers, input, { seed: 1 });
    assert.equal(summary.totalParams, model.countParams());
    // Every summary row is the tfjs layer of the same name, with the same output shape.
    for (const row of summary.layers) {
      const layer = model.getLayer(row.name);
      assert.deepEqual(layer.outputShape, [null, ...row.outputShape], row.name);
    }
    const y = tf.tidy(() => model.predict(tf.zeros([2, ...input])) as tf.Tensor);
    assert.deepEqual(y.shape, [2, 10]);
    y.dispose();
    model.dispose();
  });
}

test("the first conv folds its explicit pad into the convolution; a later conv's pad is a zero-padding layer named after it", () => {
  const { layers } = resolveNetwork({ model: 'lenet5' });
  const model = buildModel(layers, [28, 28, 1], { seed: 0 });
  assert.throws(() => model.getLayer('conv1_pad'));
  assert.deepEqual(model.getLayer('conv1').outputShape, [null, 28, 28, 6]);
  model.dispose();

  const later = buildModel(
    [
      { kind: 'conv', filters: 2, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' },
      { kind: 'conv', filters: 2, kernel: 5, stride: 1, padding: 'valid', pad: 2, activation: 'relu' },
    ],
    [10, 10, 1],
    { seed: 0 },
  );
  assert.deepEqual(later.getLayer('conv2_pad').outputShape, [null, 12, 12, 2]);
  assert.deepEqual(later.getLayer('conv2').outputShape, [null, 8, 8, 2]);
  later.dispose();
});

test('weights come from the seed: same seed same kernels, another seed other kernels, biases zero', () => {
  const { layers } = resolveNetwork({ model: 'vgg11', widthRatio: 16, denseUnits: 16 });
  const kernels = (seed: number) => {
    const model = buildModel(layers, [32, 32, 1], { seed });
    const values = model.getLayer('block3_conv2').getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return values;
  };
  const [a, aBias] = kernels(7);
  const [b] = kernels(7);
  const [c] = kernels(8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(aBias?.every((v) => v === 0));
});

test('two layers of the same shape do not start as copies of each other', () => {
  const { layers } = resolveNetwork({ model: 'vgg11', widthRatio: 16, denseUnits: 16 });
  const model = buildModel(layers, [32, 32, 1], { seed: 3 });
  // With ratio 16, block4_conv2 and block5_conv1 are both 3×3, 32 → 32 channels.
  const [first, second] = ['block4_conv2', 'block5_conv1'].map((name) => model.getLayer(name).getWeights()[0]);
  assert.ok(first !== undefined && second !== undefined);
  assert.deepEqual(first.shape, [3, 3, 32, 32]);
  assert.deepEqual(second.shape, first.shape);
  assert.notDeepEqual(Array.from(first.dataSync()), Array.from(second.dataSync()));
  model.dispose();
});

test('Glorot uniform bounds: every conv kernel lies within ±sqrt(6 / (fan_in + fan_out))', () => {
  const { layers } = resolveNetwork({ model: 'lenet' });
  const model = buildModel(layers, [28, 28, 1], { seed: 0 });
  const kernel = model.getLayer('conv2').getWeights()[0];
  assert.ok(kernel !== undefined);
  const limit = Math.sqrt(6 / (3 * 3 * 20 + 3 * 3 * 50));
  const values = kernel.dataSync();
  assert.ok(values.every((v) => Math.abs(v) <= limit));
  assert.ok(values.some((v) => Math.abs(v) > limit / 2), 'spread over the range, not all near zero');
  model.dispose();
});

test('dropout acts only in training: predict is deterministic, training: true zeroes units', () => {
  const model = buildModel(
    [{ kind: 'flatten' }, { kind: 'dropout', rate: 0.5 }],
    [4, 4, 1],
    { seed: 0 },
  );
  const x = tf.ones([1, 4, 4, 1]);
  const inference = model.predict(x) as tf.Tensor;
  assert.ok(Array.from(inference.dataSync()).every((v) => v === 1));
  const training = model.apply(x, { training: true }) as tf.Tensor;
  const values = Array.from(training.dataSync());
  assert.ok(values.some((v) => v === 0), 'some units dropped');
  assert.ok(values.every((v) => v === 0 || v === 2), 'kept units scaled by 1 / (1 - rate)');
  tf.dispose([x, inference, training]);
  model.dispose();
});

test('a too-small input fails with the summary\'s advice before tfjs sees it', () => {
  const { name, layers } = resolveNetwork({ model: 'vgg11', widthRatio: 16, denseUnits: 16 });
  assert.throws(() => buildModel(layers, [28, 28, 1], { seed: 0, name }), /vgg11 width\/16 dense 16 needs images of at least 32×32/);
});
