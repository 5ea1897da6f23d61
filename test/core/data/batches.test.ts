import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import {
  type Batch,
  type BatchOptions,
  batchCount,
  batches,
  epochOrder,
  exampleCount,
} from '../../../src-main/core/data/batches';
import type { ImageSplit } from '../../../src-main/core/data/image-split';
import {
  SYSTEM_FASHION_MNIST_DIR,
  loadFashionMnistSplit,
} from '../../../src-main/core/data/fashion-mnist';

before(async () => {
  await tf.setBackend('cpu');
});

/** count 28×28 images; pixel p of image i is (i * 7 + p) % 256, label i % 10. */
function syntheticSplit(count: number, pixel = (i: number, p: number) => (i * 7 + p) % 256): ImageSplit {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++) for (let p = 0; p < 784; p++) images[i * 784 + p] = pixel(i, p);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, rows: 28, cols: 28 };
}

const base: BatchOptions = { batchSize: 4, side: 28, seed: 1, epoch: 0 };

/** Runs one epoch, returning what each batch held, and disposes every tensor. */
function collect(split: ImageSplit, opts: BatchOptions, look?: (batch: Batch) => void) {
  const seen: Array<{ size: number; indices: number[]; labels: number[]; shape: number[] }> = [];
  for (const batch of batches(split, opts)) {
    look?.(batch);
    seen.push({
      size: batch.size,
      indices: [...batch.indices],
      labels: [...batch.ys.dataSync()],
      shape: batch.xs.shape,
    });
    assert.equal(batch.ys.dtype, 'int32');
    assert.equal(batch.xs.dtype, 'float32');
    tf.dispose([batch.xs, batch.ys]);
  }
  return seen;
}

test('batch counts, with and without the remainder', () => {
  assert.equal(batchCount(10, 4), 3);
  assert.equal(batchCount(10, 4, true), 2);
  assert.equal(batchCount(8, 4, true), 2);
  assert.equal(batchCount(3, 4, true), 0);
  assert.equal(exampleCount(60000), 60000);
  assert.equal(exampleCount(60000, 500), 500);
  assert.equal(exampleCount(100, 500), 100);
  assert.throws(() => batchCount(10, 0), RangeError);
  assert.throws(() => exampleCount(10, 0), RangeError);
});

test('shapes and sizes, last batch short unless dropped', () => {
  const split = syntheticSplit(10);
  const seen = collect(split, base);
  assert.deepEqual(seen.map((b) => b.size), [4, 4, 2]);
  assert.deepEqual(seen.map((b) => b.shape), [[4, 28, 28, 1], [4, 28, 28, 1], [2, 28, 28, 1]]);
  const dropped = collect(split, { ...base, dropRemainder: true });
  assert.deepEqual(dropped.map((b) => b.size), [4, 4]);
  for (const side of [32, 64]) {
    assert.deepEqual(collect(split, { ...base, side }).map((b) => b.shape)[0], [4, side, side, 1]);
  }
});

test('at the native side, pixels are the bytes / 255 and labels match their images', () => {
  const split = syntheticSplit(10);
  collect(split, { ...base, batchSize: 3 }, (batch) => {
    const xs = batch.xs.dataSync();
    const ys = batch.ys.dataSync();
    batch.indices.forEach((index, i) => {
      assert.equal(ys[i], split.labels[index]);
      for (const p of [0, 1, 400, 783]) {
        assert.equal(xs[i * 784 + p], Math.fround(split.images[index * 784 + p] / 255));
      }
    });
  });
});

test('resized batches stay in [0, 1], keep flat images flat, and do not shift', () => {
  // Image i is flat at value i * 25 (up to 250), so any resize must keep it flat.
  const flat = syntheticSplit(11, (i) => i * 25);
  collect(flat, { ...base, side: 96, batchSize: 11 }, (batch) => {
    const xs = batch.xs.dataSync();
    const size = 96 * 96;
    batch.indices.forEach((index, i) => {
      for (const p of [0, 95, 4000, size - 1]) {
        assert.ok(Math.abs(xs[i * size + p] - (index * 25) / 255) < 1e-6);
      }
    });
  });
  // Left half black, right half white: with pixel centres aligned the 2× image
  // is mirror-symmetric (x and 55 - x sum to 1); a half-pixel shift breaks that.
  const edge = syntheticSplit(1, (_, p) => (p % 28 < 14 ? 0 : 255));
  collect(edge, { ...base, side: 56 }, (batch) => {
    const xs = batch.xs.dataSync();
    const row = Array.from(xs.subarray(10 * 56, 11 * 56));
    assert.ok(Math.min(...row) >= 0 && Math.max(...row) <= 1);
    for (let x = 0; x < 28; x++) assert.ok(Math.abs(row[x] + row[55 - x] - 1) < 1e-6, `x=${x}`);
    assert.ok(row[27] > 0 && row[27] < 1, 'the edge is interpolated, not copied');
  });
});

test('the same seed and epoch give the same order; another epoch or seed another', () => {
  const split = syntheticSplit(50);
  const order = (opts: Partial<BatchOptions>) =>
    collect(split, { ...base, batchSize: 8, ...opts }).flatMap((b) => b.indices);
  const first = order({ seed: 7, epoch: 0 });
  assert.deepEqual(order({ seed: 7, epoch: 0 }), first);
  const nextEpoch = order({ seed: 7, epoch: 1 });
  const otherSeed = order({ seed: 8, epoch: 0 });
  assert.notDeepEqual(nextEpoch, first);
  assert.notDeepEqual(otherSeed, first);
  for (const run of [first, nextEpoch, otherSeed]) {
    assert.deepEqual([...run].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  }
  assert.deepEqual(order({ shuffle: false }), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual([...epochOrder(50, { seed: 7, epoch: 1 })], nextEpoch);
});

test('limit takes the first N examples in file order, whatever the seed', () => {
  const split = syntheticSplit(30);
  for (const seed of [1, 2]) {
    const seen = collect(split, { ...base, limit: 9, seed });
    assert.deepEqual(seen.map((b) => b.size), [4, 4, 1]);
    const indices = seen.flatMap((b) => b.indices);
    assert.deepEqual([...indices].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  }
  assert.equal(collect(split, { ...base, limit: 1000 }).length, batchCount(30, 4));
});

test('no tensor is left behind, even when the loop stops early', () => {
  const split = syntheticSplit(20);
  const before = tf.memory().numTensors;
  collect(split, { ...base, side: 64 });
  for (const batch of batches(split, { ...base, side: 32 })) {
    tf.dispose([batch.xs, batch.ys]);
    break;
  }
  assert.equal(tf.memory().numTensors, before);
});

test('rejects bad options and a split whose arrays disagree with its count', () => {
  const split = syntheticSplit(4);
  assert.throws(() => batches(split, { ...base, side: 0 }).next(), /side must be a positive integer, got 0/);
  assert.throws(() => batches(split, { ...base, batchSize: 1.5 }).next(), /batchSize must be a positive integer/);
  assert.throws(
    () => batches({ ...split, count: 5 }, base).next(),
    /split holds 3136 pixel bytes and 4 labels, expected 3920 and 5/,
  );
});

test(
  'batches of the real test set at 32×32',
  { skip: existsSync(SYSTEM_FASHION_MNIST_DIR) ? false : `${SYSTEM_FASHION_MNIST_DIR} is absent` },
  async () => {
    const split = await loadFashionMnistSplit(SYSTEM_FASHION_MNIST_DIR, 'test');
    const seen = collect(split, { batchSize: 32, side: 32, seed: 0, epoch: 0, limit: 64 }, (batch) => {
      const xs = batch.xs.dataSync();
      assert.ok(xs.every((v) => v >= 0 && v <= 1));
      assert.ok(xs.some((v) => v > 0.5), 'real images have bright pixels');
    });
    assert.deepEqual(seen.map((b) => b.shape), [[32, 32, 32, 1], [32, 32, 32, 1]]);
    for (const b of seen) assert.deepEqual(b.labels, b.indices.map((i) => split.labels[i]));
  },
);
