import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ImageSplit, sampleImages } from '../../../src-main/core/data/image-split';

/** Three 2×3 images; image i's pixels are 10i..10i+5, labels 7, 8, 9. */
const split: ImageSplit = {
  images: Uint8Array.from({ length: 18 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6)),
  labels: Uint8Array.of(7, 8, 9),
  count: 3,
  rows: 2,
  cols: 3,
};

test('sampleImages returns the raw pixels and label of each asked index', () => {
  const samples = sampleImages(split, [2, 0]);
  assert.deepEqual(
    samples.map((s) => ({ ...s, pixels: [...s.pixels] })),
    [
      { index: 2, label: 9, pixels: [20, 21, 22, 23, 24, 25] },
      { index: 0, label: 7, pixels: [0, 1, 2, 3, 4, 5] },
    ],
  );
});

test('samples are copies: changing one leaves the split alone', () => {
  const [sample] = sampleImages(split, [1]);
  sample.pixels[0] = 255;
  assert.equal(split.images[6], 10);
  assert.equal(sample.pixels.buffer.byteLength, 6, 'a copy of one image, not a view of the whole set');
});

test('an index outside the split is a RangeError', () => {
  assert.throws(() => sampleImages(split, [3]), { name: 'RangeError', message: 'image index 3 is outside 0..2' });
  assert.throws(() => sampleImages(split, [-1]), RangeError);
  assert.throws(() => sampleImages(split, [0.5]), RangeError);
});
