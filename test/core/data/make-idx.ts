import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from '../../../src-main/core/data/idx';

/** Test helper: small IDX files built in memory, with headers that may lie on purpose. */

export function idxImagesBytes(
  count: number,
  rows: number,
  cols: number,
  opts: { payloadBytes?: number; magic?: number; pixel?: (image: number, offset: number) => number } = {},
): Buffer {
  const payload = opts.payloadBytes ?? count * rows * cols;
  const bytes = Buffer.alloc(16 + payload);
  bytes.writeUInt32BE(opts.magic ?? IDX_IMAGES_MAGIC, 0);
  bytes.writeUInt32BE(count, 4);
  bytes.writeUInt32BE(rows, 8);
  bytes.writeUInt32BE(cols, 12);
  const pixel = opts.pixel ?? ((image, offset) => (image * 31 + offset) % 256);
  for (let i = 0; i < payload; i++) {
    bytes[16 + i] = pixel(Math.floor(i / (rows * cols)), i % (rows * cols));
  }
  return bytes;
}

export function idxLabelsBytes(labels: readonly number[], opts: { magic?: number; count?: number } = {}): Buffer {
  const bytes = Buffer.alloc(8 + labels.length);
  bytes.writeUInt32BE(opts.magic ?? IDX_LABELS_MAGIC, 0);
  bytes.writeUInt32BE(opts.count ?? labels.length, 4);
  labels.forEach((label, i) => (bytes[8 + i] = label));
  return bytes;
}

/** Labels 0..9 repeating. */
export function cyclicLabels(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i % 10);
}

/**
 * A tiny but valid Fashion-MNIST folder: `train` and `test` 28×28 images.
 * `gzip` picks which files are written gzipped; `omit` leaves files out.
 */
export function writeTinyFashionMnist(
  dir: string,
  opts: { train?: number; test?: number; gzip?: (name: string) => boolean; omit?: string[]; side?: number } = {},
): void {
  const side = opts.side ?? 28;
  const files: Record<string, Buffer> = {
    'train-images-idx3-ubyte': idxImagesBytes(opts.train ?? 12, side, side),
    'train-labels-idx1-ubyte': idxLabelsBytes(cyclicLabels(opts.train ?? 12)),
    't10k-images-idx3-ubyte': idxImagesBytes(opts.test ?? 5, side, side),
    't10k-labels-idx1-ubyte': idxLabelsBytes(cyclicLabels(opts.test ?? 5)),
  };
  for (const [name, bytes] of Object.entries(files)) {
    if (opts.omit?.includes(name)) continue;
    const gz = opts.gzip?.(name) ?? false;
    writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
  }
}
