import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  checkSameCount,
  isGzip,
  readIdxImages,
  readIdxLabels,
} from '../../../src-main/core/data/idx';
import {
  FASHION_MNIST_CLASSES,
  SYSTEM_FASHION_MNIST_DIR,
} from '../../../src-main/core/data/fashion-mnist';
import { idxImagesBytes, idxLabelsBytes } from './make-idx';

const real = (name: string) => join(SYSTEM_FASHION_MNIST_DIR, name);
const noRealData = existsSync(SYSTEM_FASHION_MNIST_DIR)
  ? false
  : `${SYSTEM_FASHION_MNIST_DIR} is absent (Debian package dataset-fashion-mnist): real-file tests skipped`;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'idx-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('reads the real training files: counts, dimensions, first label', { skip: noRealData }, async () => {
  const images = await readIdxImages(real('train-images-idx3-ubyte.gz'));
  assert.equal(images.count, 60000);
  assert.equal(images.rows, 28);
  assert.equal(images.cols, 28);
  assert.equal(images.pixels.length, 60000 * 28 * 28);
  const labels = await readIdxLabels(real('train-labels-idx1-ubyte.gz'));
  assert.equal(labels.count, 60000);
  assert.equal(labels.labels[0], 9);
  assert.equal(FASHION_MNIST_CLASSES[labels.labels[0]], 'Ankle boot');
  checkSameCount(images, labels, 'train-images', 'train-labels');
});

test('the real test set has 10,000 images and 1,000 of each class', { skip: noRealData }, async () => {
  const images = await readIdxImages(real('t10k-images-idx3-ubyte.gz'));
  assert.equal(images.count, 10000);
  const { labels, count } = await readIdxLabels(real('t10k-labels-idx1-ubyte.gz'));
  assert.equal(count, 10000);
  const histogram = new Array<number>(10).fill(0);
  for (const label of labels) histogram[label]++;
  assert.deepEqual(histogram, new Array<number>(10).fill(1000));
});

test('reads an uncompressed file the same as its gzipped form', { skip: noRealData }, async (t) => {
  const dir = tempDir(t);
  const plain = join(dir, 't10k-labels-idx1-ubyte');
  writeFileSync(plain, gunzipSync(readFileSync(real('t10k-labels-idx1-ubyte.gz'))));
  const fromPlain = await readIdxLabels(plain);
  const fromGzip = await readIdxLabels(real('t10k-labels-idx1-ubyte.gz'));
  assert.deepEqual(fromPlain.labels, fromGzip.labels);
});

test('detects gzip by its magic bytes, not by the name', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'labels-without-gz-suffix');
  writeFileSync(path, gzipSync(idxLabelsBytes([3, 1, 4])));
  assert.deepEqual([...(await readIdxLabels(path)).labels], [3, 1, 4]);
  assert.equal(isGzip(Uint8Array.of(0x1f, 0x8b, 8)), true);
  assert.equal(isGzip(Uint8Array.of(0x00, 0x00, 8, 3)), false);
});

test('decodes synthetic images pixel for pixel', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'images');
  writeFileSync(path, idxImagesBytes(3, 2, 4, { pixel: (image, offset) => image * 10 + offset }));
  const images = await readIdxImages(path);
  assert.deepEqual([images.count, images.rows, images.cols], [3, 2, 4]);
  assert.deepEqual([...images.pixels.subarray(8, 16)], [10, 11, 12, 13, 14, 15, 16, 17]);
});

test('a truncated images file names the file and the byte counts', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'train-images-idx3-ubyte.gz');
  writeFileSync(path, gzipSync(idxImagesBytes(60000, 28, 28, { payloadBytes: 1200 })));
  await assert.rejects(readIdxImages(path), {
    message:
      'train-images-idx3-ubyte.gz: header says 60000 images of 28×28 = 47040000 bytes, ' +
      'file has 1200 bytes after the 16-byte header (truncated?)',
  });
});

test('extra bytes after the payload are an error too', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'labels');
  const bytes = Buffer.concat([idxLabelsBytes([1, 2, 3]), Buffer.from([0, 0])]);
  writeFileSync(path, bytes);
  await assert.rejects(readIdxLabels(path), /^Error: labels: header says 3 labels = 3 bytes, file has 5 bytes .*\(2 too many\)$/);
});

test('a truncated labels file names the file and the byte counts', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 't10k-labels-idx1-ubyte');
  writeFileSync(path, idxLabelsBytes([1, 2, 3], { count: 10000 }));
  await assert.rejects(readIdxLabels(path), {
    message: 't10k-labels-idx1-ubyte: header says 10000 labels = 10000 bytes, file has 3 bytes after the 8-byte header (truncated?)',
  });
});

test('a file too short for its header is reported as such', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'short');
  writeFileSync(path, idxImagesBytes(1, 28, 28).subarray(0, 10));
  await assert.rejects(readIdxImages(path), {
    message: 'short: header is truncated: file has 10 bytes, an IDX image header needs 16',
  });
  writeFileSync(path, Buffer.from([0, 0]));
  await assert.rejects(readIdxLabels(path), { message: 'short: file has 2 bytes, too short for an IDX header' });
});

test('a labels file read as images (and vice versa) is named as the swap it is', async (t) => {
  const dir = tempDir(t);
  const labelsPath = join(dir, 'train-labels-idx1-ubyte');
  const imagesPath = join(dir, 'train-images-idx3-ubyte');
  writeFileSync(labelsPath, idxLabelsBytes([1, 2]));
  writeFileSync(imagesPath, idxImagesBytes(2, 28, 28));
  await assert.rejects(readIdxImages(labelsPath), {
    message: 'train-labels-idx1-ubyte: magic number is 0x00000801 (that of IDX labels), expected 0x00000803 (IDX images)',
  });
  await assert.rejects(readIdxLabels(imagesPath), {
    message: 'train-images-idx3-ubyte: magic number is 0x00000803 (that of IDX images), expected 0x00000801 (IDX labels)',
  });
});

test('a wrong magic number is reported in hex', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'images.gz');
  writeFileSync(path, gzipSync(idxImagesBytes(2, 28, 28, { magic: 0x12345678 })));
  await assert.rejects(readIdxImages(path), {
    message: 'images.gz: magic number is 0x12345678, expected 0x00000803 (IDX images)',
  });
});

test('bad and truncated gzip data name the file', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad.gz');
  writeFileSync(bad, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  await assert.rejects(readIdxImages(bad), /^Error: bad\.gz: gzip data is corrupt or truncated \(.+\)$/);
  const cut = join(dir, 'cut.gz');
  const whole = gzipSync(idxImagesBytes(50, 28, 28));
  writeFileSync(cut, whole.subarray(0, whole.length >> 1));
  await assert.rejects(readIdxImages(cut), /^Error: cut\.gz: gzip data is corrupt or truncated \(unexpected end of file\)$/);
});

test('a label outside 0..9 is reported with its index', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'labels');
  writeFileSync(path, idxLabelsBytes([0, 9, 10, 3]));
  await assert.rejects(readIdxLabels(path), { message: 'labels: label 10 at index 2 is outside 0..9' });
  assert.equal((await readIdxLabels(path, 11)).count, 4);
});

test('images and labels counts must agree', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'i'), idxImagesBytes(3, 28, 28));
  writeFileSync(join(dir, 'l'), idxLabelsBytes([1, 2]));
  const images = await readIdxImages(join(dir, 'i'));
  const labels = await readIdxLabels(join(dir, 'l'));
  assert.throws(() => checkSameCount(images, labels, 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'), {
    message: 'train-images-idx3-ubyte has 3 images but train-labels-idx1-ubyte has 2 labels',
  });
});
