import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkpointHandler,
  CheckpointFormatError,
  saveCheckpoint,
} from '../../../src-main/core/checkpoint/checkpoint-io';
import { tempDir } from '../store/store-fixtures';

async function trainedModel(): Promise<tf.Sequential> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.momentum(0.1, 0.9), loss: 'categoricalCrossentropy' });
  const x = tf.randomNormal([4, 6, 6, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  // One step, so the optimizer has momentum slots to save.
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  tf.dispose([x, y]);
  return model;
}

test('a model saved to one checkpoint file loads back with exactly the same weights', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const model = await trainedModel();
  const path = join(dir, 'run', 'epoch-1.ckpt');

  const saved = await saveCheckpoint(model, path);
  const bytes = readFileSync(path);
  assert.equal(saved.path, path);
  assert.equal(saved.bytes, bytes.length);
  assert.equal(saved.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.deepEqual(readdirSync(join(dir, 'run')), ['epoch-1.ckpt'], 'no temp file left');

  const artifacts = await checkpointHandler(path).load();
  assert.ok(artifacts.weightSpecs?.some((spec) => spec.group === 'optimizer'), 'optimizer state saved');

  const loaded = await tf.loadLayersModel(checkpointHandler(path, { expectedSha256: saved.sha256 }));
  const before = model.getWeights();
  const after = loaded.getWeights();
  assert.equal(after.length, before.length);
  before.forEach((weight, i) => {
    assert.deepEqual(after[i].shape, weight.shape);
    assert.deepEqual(after[i].dataSync(), weight.dataSync(), `weight ${i} differs`);
  });
  const input = tf.ones([1, 6, 6, 1]);
  const expected = (model.predict(input) as tf.Tensor).dataSync();
  assert.deepEqual((loaded.predict(input) as tf.Tensor).dataSync(), expected);
});

test('saving over a checkpoint replaces it whole; a damaged file is refused', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const model = await trainedModel();
  const path = join(dir, 'latest.ckpt');
  const first = await saveCheckpoint(model, path, { includeOptimizer: false });
  const second = await saveCheckpoint(model, path);
  assert.ok(second.bytes > first.bytes, 'the second save (with optimizer) replaced the first');
  assert.deepEqual(readdirSync(dir), ['latest.ckpt']);

  const bytes = readFileSync(path);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 1] ^= 0xff;
  writeFileSync(path, flipped);
  await assert.rejects(
    checkpointHandler(path, { expectedSha256: second.sha256 }).load(),
    (error: unknown) => error instanceof CheckpointFormatError && /SHA-256/.test(error.message),
  );
  writeFileSync(path, bytes.subarray(0, bytes.length - 4));
  await assert.rejects(checkpointHandler(path).load(), /weight bytes/);
  writeFileSync(path, 'not a checkpoint at all');
  await assert.rejects(checkpointHandler(path).load(), /magic/);
});
