import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { prepareNetwork } from '../../../src-main/core/train/prepare-network';
import { warmStartFrom } from '../../../src-main/core/train/warm-start';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import { saveCheckpoint } from '../../../src-main/core/checkpoint/checkpoint-io';
import { selectEngine } from '../../../src-main/core/engine/engines';

const weightsOf = (model: tf.LayersModel, name: string): Float32Array[] =>
  model.getLayer(name).getWeights().map((w) => w.dataSync() as Float32Array);

test('a VGG-19 warm-started from a VGG-11 checkpoint takes every layer of equal name and shape, and only those', async () => {
  await selectEngine('wasm');
  const narrow = { widthRatio: 16, denseUnits: 32, resize: 32 };
  const source = prepareNetwork(makeRunConfig({ model: 'vgg11', ...narrow, seed: 1 }), 10).model;
  source.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
  const { path, sha256 } = await saveCheckpoint(source, join(mkdtempSync(join(tmpdir(), 'vgg-warm-')), 'epoch-0.ckpt'));

  const target = prepareNetwork(makeRunConfig({ model: 'vgg19', ...narrow, seed: 2 }), 10).model;
  const before = new Map(target.layers.map((l) => [l.name, l.getWeights().map((w) => w.dataSync().slice())]));
  const { copied, fresh } = await warmStartFrom(target, path, sha256);

  // VGG-11 has one convolution in blocks 1 and 2 and two in blocks 3 to 5, each with the same name
  // and shape in VGG-19; VGG-19's others (block1_conv2, the third and fourth of blocks 3 to 5) are new.
  assert.deepEqual(copied, [
    'block1_conv1', 'block2_conv1', 'block3_conv1', 'block3_conv2', 'block4_conv1', 'block4_conv2',
    'block5_conv1', 'block5_conv2', 'fc1', 'fc2', 'fc3',
  ]);
  assert.deepEqual(fresh, [
    'block1_conv2', 'block2_conv2', 'block3_conv3', 'block3_conv4', 'block4_conv3', 'block4_conv4', 'block5_conv3', 'block5_conv4',
  ]);
  for (const name of copied) {
    assert.deepEqual(weightsOf(target, name), weightsOf(source, name), `${name} equals the source checkpoint's`);
  }
  for (const name of fresh) {
    assert.deepEqual(weightsOf(target, name), before.get(name), `${name} keeps its own initialisation`);
    // Seeds 1 and 2 differ, so a fresh kernel is not the source's by accident either.
    const kernel = weightsOf(target, name)[0]!;
    assert.ok(kernel.some((v) => v !== 0), `${name} is initialised, not zero`);
  }
  source.dispose();
  target.dispose();
});

test('a layer of the same name but another shape stays fresh: a wider dense head is not half-copied', async () => {
  await selectEngine('wasm');
  const source = prepareNetwork(makeRunConfig({ model: 'vgg11', widthRatio: 16, denseUnits: 32, resize: 32, seed: 1 }), 10).model;
  source.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  const { path } = await saveCheckpoint(source, join(mkdtempSync(join(tmpdir(), 'vgg-warm-')), 'epoch-0.ckpt'));
  const target = prepareNetwork(makeRunConfig({ model: 'vgg11', widthRatio: 16, denseUnits: 64, resize: 32, seed: 2 }), 10).model;
  const { copied, fresh } = await warmStartFrom(target, path);
  assert.deepEqual(fresh, ['fc1', 'fc2', 'fc3']);
  assert.equal(copied.length, 8);
  assert.notDeepEqual(weightsOf(target, 'fc3'), weightsOf(source, 'fc3'));
  source.dispose();
  target.dispose();
});
