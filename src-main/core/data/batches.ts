import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from './image-split';
import { deriveSeed, mulberry32, shuffleInPlace } from './random';

/**
 * Training batches built on demand from the raw uint8 split. Resizing the
 * whole set up front is out of the question (60,000 × 224 × 224 float32 is
 * 12 GB), so each batch is scaled and resized when it is asked for, and the
 * caller disposes it before asking for the next.
 */

export interface BatchOptions {
  batchSize: number;
  /** Side of the square images fed to the model; the split's own side means no resize. */
  side: number;
  seed: number;
  /** Each epoch shuffles differently, reproducibly from (seed, epoch). */
  epoch: number;
  /** Default true; evaluation passes false to keep file order. */
  shuffle?: boolean;
  /**
   * Use only the first `limit` examples in file order (Fashion-MNIST's files
   * are already mixed across classes). Taken before shuffling and regardless
   * of the seed, so runs with different seeds see the same subset.
   */
  limit?: number;
  /** Drop a last batch smaller than batchSize. Default false. */
  dropRemainder?: boolean;
}

export interface Batch {
  /** [b, side, side, 1], float32 in [0, 1]. */
  xs: tf.Tensor4D;
  /** [b], int32 class indices. */
  ys: tf.Tensor1D;
  /** b: batchSize, or fewer for the last batch. */
  size: number;
  /** Each example's index in the split, e.g. to show the misclassified ones. */
  indices: Int32Array;
}

/** How many examples a run uses from a split of `count`. */
export function exampleCount(count: number, limit?: number): number {
  if (limit === undefined) return count;
  checkPositiveInt('limit', limit);
  return Math.min(count, limit);
}

export function batchCount(size: number, batchSize: number, dropRemainder = false): number {
  checkPositiveInt('batchSize', batchSize);
  return dropRemainder ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
}

/** The order in which an epoch visits the examples 0..count-1. */
export function epochOrder(
  count: number,
  opts: { seed: number; epoch: number; shuffle?: boolean },
): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (opts.shuffle ?? true) shuffleInPlace(order, mulberry32(deriveSeed(opts.seed, opts.epoch)));
  return order;
}

/** One epoch of batches. Each yielded tensor belongs to the caller, who must dispose it. */
export function* batches(split: ImageSplit, opts: BatchOptions): Generator<Batch> {
  checkPositiveInt('side', opts.side);
  checkPositiveInt('batchSize', opts.batchSize);
  const pixels = split.rows * split.cols;
  if (split.images.length !== split.count * pixels || split.labels.length !== split.count) {
    throw new Error(
      `split holds ${split.images.length} pixel bytes and ${split.labels.length} labels, expected ${split.count * pixels} and ${split.count}`,
    );
  }
  const count = exampleCount(split.count, opts.limit);
  const order = epochOrder(count, opts);
  const steps = batchCount(count, opts.batchSize, opts.dropRemainder);
  for (let step = 0; step < steps; step++) {
    const indices = order.slice(step * opts.batchSize, (step + 1) * opts.batchSize);
    yield makeBatch(split, indices, opts.side);
  }
}

/** Byte → [0, 1], by table: one lookup per pixel instead of a division. */
const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

function makeBatch(split: ImageSplit, indices: Int32Array, side: number): Batch {
  const { rows, cols } = split;
  const pixels = rows * cols;
  const data = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const source = indices[i] * pixels;
    const target = i * pixels;
    for (let p = 0; p < pixels; p++) data[target + p] = SCALE[split.images[source + p]];
    labels[i] = split.labels[indices[i]];
  }
  const xs = tf.tidy(() => {
    const raw = tf.tensor4d(data, [indices.length, rows, cols, 1]);
    if (side === rows && side === cols) return raw;
    // halfPixelCenters: sample at pixel centres like TF2's tf.image.resize and
    // torchvision's Resize (the d2l book's), so the image does not shift by half a pixel.
    return tf.image.resizeBilinear(raw, [side, side], false, true);
  });
  const ys = tf.tensor1d(labels, 'int32');
  return { xs, ys, size: indices.length, indices };
}

function checkPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}
