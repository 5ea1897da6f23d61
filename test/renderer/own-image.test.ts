import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFileSize, ImageRefusal, sniffImage, toNetworkPixels } from '../../src-renderer/src/lib/own-image';
import { loadFashionMnistSplit } from '../../src-main/core/data/fashion-mnist';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';

/** A PNG's first 24 bytes: signature, IHDR length and type, width, height. */
function pngHead(width: number, height: number): Uint8Array {
  const head = new Uint8Array(32);
  head.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(head.buffer).setUint32(16, width);
  new DataView(head.buffer).setUint32(20, height);
  return head;
}

/** A JPEG's first bytes: SOI, an APP0 of 16 bytes, then SOF0 with the size. */
function jpegHead(width: number, height: number): Uint8Array {
  const head = new Uint8Array(40);
  head.set([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
  head.set([0xff, 0xc0, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 1], 20);
  return head;
}

const refusedWith = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (error: unknown) => error instanceof ImageRefusal && pattern.test(error.message));

test('PNG and JPEG sizes are read from the header; a text file, a huge image and a huge file are refused with the fix', () => {
  assert.deepEqual(sniffImage('a.png', pngHead(112, 90)), { format: 'png', width: 112, height: 90 });
  assert.deepEqual(sniffImage('a.jpg', jpegHead(640, 480)), { format: 'jpeg', width: 640, height: 480 });
  refusedWith(() => sniffImage('notes.txt', new TextEncoder().encode('hello, this is not an image at all')), /notes\.txt is not a PNG or JPEG image/);
  refusedWith(() => sniffImage('big.png', pngHead(20_000, 20_000)), /big\.png is 20,000×20,000 px.*shrink it first/);
  refusedWith(() => checkFileSize('huge.png', 100 * 1024 * 1024), /huge\.png is 100 MB; images up to 20 MB/);
  refusedWith(() => checkFileSize('empty.png', 0), /empty/);
  checkFileSize('ok.png', 5000);
});

test('a Fashion-MNIST test image saved large on a light background comes back as the image itself', async () => {
  const test = await loadFashionMnistSplit(REAL_DATA_DIR, 'test');
  // An image whose object spans the full 28 px and sits where centring puts it: the round trip is exact.
  let checked = 0;
  for (let index = 0; index < 50 && checked < 3; index++) {
    const original = Array.from(test.images.subarray(index * 784, (index + 1) * 784));
    // Ink on paper (inverted), 4× larger, as RGBA.
    const side = 112;
    const rgba = new Uint8ClampedArray(side * side * 4);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = 255 - original[Math.floor(y / 4) * 28 + Math.floor(x / 4)]!;
        rgba.set([v, v, v, 255], (y * side + x) * 4);
      }
    }
    const result = toNetworkPixels(rgba, side, side);
    const spansFrame = (() => {
      const threshold = Math.max(...original) / 10;
      const rows = [...Array(28).keys()].filter((y) => original.slice(y * 28, y * 28 + 28).some((v) => v > threshold));
      const cols = [...Array(28).keys()].filter((x) => [...Array(28).keys()].some((y) => original[y * 28 + x]! > threshold));
      const [h, w] = [rows.at(-1)! - rows[0]! + 1, cols.at(-1)! - cols[0]! + 1];
      return (h === 28 && cols[0] === Math.floor((28 - w) / 2)) || (w === 28 && rows[0] === Math.floor((28 - h) / 2));
    })();
    if (!spansFrame) continue;
    const diff = Math.max(...result.map((v, i) => Math.abs(v - original[i]!)));
    assert.ok(diff <= 1, `test image ${index}: off by ${diff} grey levels`);
    checked++;
  }
  assert.ok(checked > 0, 'found test images that fill the frame');
});

test('a dark object on transparent paper is inverted, cropped and centred', () => {
  // 10×4 px: a 2×2 black square at (6, 1) on transparent.
  const rgba = new Uint8ClampedArray(10 * 4 * 4);
  for (const [x, y] of [[6, 1], [7, 1], [6, 2], [7, 2]] as const) rgba.set([0, 0, 0, 255], (y * 10 + x) * 4);
  const result = toNetworkPixels(rgba, 10, 4);
  assert.equal(result.length, 784);
  assert.ok(result.every((v) => v === 255), 'the square fills the frame, white on black');
});
