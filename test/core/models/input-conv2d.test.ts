import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { InputConv2D } from '../../../src-main/core/models/input-conv2d';

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

for (const [padding, strides, activation] of [['same', 1, 'relu'], ['valid', 2, 'sigmoid'], ['valid', 4, 'linear']] as const) {
  test(`InputConv2D (${padding}, stride ${strides}, ${activation}) matches tf.layers.conv2d in value and filter/bias gradients`, async () => {
    await tf.setBackend('cpu');
    const config = { filters: 4, kernelSize: 5, strides, padding, activation } as const;
    const ours = new InputConv2D({ name: 'ours', seed: 7, ...config });
    const theirs = tf.layers.conv2d({ name: 'theirs', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }), ...config });
    const x = tf.randomUniform([2, 17, 17, 3], 0, 1, 'float32', 1);
    ours.apply(x);
    theirs.apply(x);
    assert.deepEqual(ours.computeOutputShape([2, 17, 17, 3]), (theirs.apply(x) as tf.Tensor).shape);
    assert.equal(maxDiff(ours.getWeights()[0]!, theirs.getWeights()[0]!), 0, 'same seeded initial kernel');
    const f = (layer: tf.layers.Layer) => () => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar;
    const [a, b] = [tf.variableGrads(f(ours)), tf.variableGrads(f(theirs))];
    assert.ok(Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!) < 1e-3);
    // Variable names are made unique per process (`ours/kernel_1`), so look them up.
    const grad = (g: tf.NamedTensorMap, layer: tf.layers.Layer, i: number) => g[layer.trainableWeights[i]!.name]!;
    assert.ok(maxDiff(grad(a.grads, ours, 0), grad(b.grads, theirs, 0)) < 1e-3, 'kernel gradient');
    assert.ok(maxDiff(grad(a.grads, ours, 1), grad(b.grads, theirs, 1)) < 1e-3, 'bias gradient');
  });
}

test('the first conv of a model never computes the gradient of the input image', async () => {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      new InputConv2D({ name: 'conv1', filters: 2, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', seed: 1, inputShape: [8, 8, 1] }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ],
  });
  const kernelsRun: string[] = [];
  const x = tf.ones([2, 8, 8, 1]);
  const profile = await tf.profile(() => tf.variableGrads(() => tf.sum(model.apply(x) as tf.Tensor) as tf.Scalar));
  for (const k of profile.kernels) kernelsRun.push(k.name);
  assert.ok(kernelsRun.includes('Conv2DBackpropFilter'));
  assert.ok(!kernelsRun.includes('Conv2DBackpropInput'), kernelsRun.join(','));
});

for (const padding of ['valid', 'same'] as const) test(`a model with InputConv2D (${padding}) saves and loads through the layers serialisation`, async () => {
  await tf.setBackend('cpu');
  // As build.ts passes it (pad: undefined): the saved topology holds pad null, which must read as no pad (a VGG's first conv).
  const model = tf.sequential({
    layers: [new InputConv2D({ name: 'conv1', filters: 2, kernelSize: 3, strides: 1, padding, pad: undefined, activation: 'sigmoid', seed: 2, inputShape: [6, 6, 1] })],
  });
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  // Through JSON, as a checkpoint file holds it.
  const loaded = await tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: JSON.parse(JSON.stringify(saved!.modelTopology)) as tf.io.ModelArtifacts["modelTopology"] }));
  const x = tf.randomUniform([1, 6, 6, 1]);
  assert.equal(maxDiff(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor), 0);
});

test('an explicit pad in InputConv2D equals zero-padding then a valid conv', async () => {
  await tf.setBackend('cpu');
  const ours = new InputConv2D({ name: 'padded', filters: 3, kernelSize: 5, strides: 1, padding: 'valid', pad: 2, activation: 'sigmoid', seed: 4 });
  const reference = tf.layers.conv2d({ name: 'reference', filters: 3, kernelSize: 5, padding: 'valid', activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) });
  const x = tf.randomUniform([2, 12, 10, 1], 0, 1, 'float32', 3);
  const y = ours.apply(x) as tf.Tensor;
  assert.deepEqual(y.shape, [2, 12, 10, 3]);
  assert.deepEqual(ours.computeOutputShape([2, 12, 10, 1]), [2, 12, 10, 3]);
  assert.ok(maxDiff(y, reference.apply(tf.pad(x, [[0, 0], [2, 2], [2, 2], [0, 0]])) as tf.Tensor) < 1e-5);
});
