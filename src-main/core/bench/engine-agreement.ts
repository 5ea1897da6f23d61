import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../models/build';
import { batches } from '../data/batches';
import type { ImageSplit } from '../data/image-split';
import { resolveNetwork } from '../../shared/models/presets';
import { vggBlock } from '../../shared/models/vgg';
import type { LayerSpec } from '../../shared/models/layer-spec';
import { BENCH_LR } from './workloads';
import { NUM_CLASSES } from '../../shared/data/fashion-mnist-facts';

/**
 * Does a GPU compute what the CPU computes? A few SGD steps of small networks
 * on the same real images, once on the reference backend (tfjs's plain-JS
 * cpu) and once on the backend under test (webgpu), from the same seeded
 * weights: the largest difference between their per-step losses is the
 * figure, `lossDiff`. Run where a driver has never run our kernels (the
 * device kit on a new GPU) before any throughput is believed.
 */

/** The largest loss difference accepted: float32 sums in a different order drift by about 1e-5 in a few steps. */
export const AGREEMENT_TOLERANCE = 1e-3;

export interface AgreementNetwork {
  name: string;
  layers: LayerSpec[];
  side: number;
}

/** LeNet (the book's) at 28, and one VGG block (two 3×3 convs, ReLU, 2×2 max-pool) with its classifier at 32. */
export function agreementNetworks(): AgreementNetwork[] {
  return [
    { name: 'lenet', layers: resolveNetwork({ model: 'lenet' }, NUM_CLASSES).layers, side: 28 },
    {
      name: 'vgg-block',
      layers: [
        ...vggBlock({ convs: 2, channels: 16 }, 1),
        { kind: 'flatten', name: 'flatten' },
        { kind: 'dense', name: 'logits', units: NUM_CLASSES, activation: 'linear' },
      ],
      side: 32,
    },
  ];
}

export interface AgreementOptions {
  /** The backend under test, already registered (selectEngine did it). */
  backend: string;
  /** The reference backend; 'cpu' when absent. */
  reference?: string;
  steps: number;
  batchSize: number;
  seed?: number;
}

export interface AgreementResult {
  check: 'agreement';
  network: string;
  backend: string;
  reference: string;
  steps: number;
  batchSize: number;
  side: number;
  losses: number[];
  referenceLosses: number[];
  /** max over steps of |loss - reference loss|. */
  lossDiff: number;
  /** max over every weight after the last step of |w - reference w|. */
  weightDiff: number;
  tolerance: number;
  ok: boolean;
}

interface HostBatch {
  images: Float32Array;
  labels: Int32Array;
  size: number;
}

/** The steps' batches as plain arrays, made once, so both backends get the very same numbers. */
async function hostBatches(split: ImageSplit, side: number, options: AgreementOptions): Promise<HostBatch[]> {
  const out: HostBatch[] = [];
  const source = batches(split, {
    batchSize: options.batchSize,
    side,
    seed: options.seed ?? 0,
    epoch: 0,
    limit: options.batchSize * options.steps,
    dropRemainder: true,
  });
  for (const batch of source) {
    out.push({ images: (await batch.xs.data()) as Float32Array, labels: (await batch.ys.data()) as Int32Array, size: batch.size });
    tf.dispose([batch.xs, batch.ys]);
  }
  return out;
}

async function trainOn(backend: string, network: AgreementNetwork, data: HostBatch[], seed: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not start`);
  const model = buildModel(network.layers, [network.side, network.side, 1], { seed, name: network.name });
  const optimizer = tf.train.sgd(BENCH_LR);
  const losses: number[] = [];
  try {
    for (const batch of data) {
      const xs = tf.tensor4d(batch.images, [batch.size, network.side, network.side, 1]);
      const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.labels, 'int32'), NUM_CLASSES));
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor) as tf.Scalar, true);
      tf.dispose([xs, ys]);
      if (!loss) throw new Error('optimizer returned no loss');
      losses.push((await loss.data())[0]!);
      loss.dispose();
    }
    const weights = await Promise.all(model.getWeights().map((w) => w.data<'float32'>()));
    return { losses, weights };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/**
 * Trains each agreement network on both backends and compares. Leaves the
 * backend under test active. Images come from `split` (the test set will do:
 * nothing here is evaluated).
 */
export async function checkAgreement(split: ImageSplit, options: AgreementOptions): Promise<AgreementResult[]> {
  const reference = options.reference ?? 'cpu';
  const seed = options.seed ?? 0;
  const results: AgreementResult[] = [];
  for (const network of agreementNetworks()) {
    await tf.setBackend(reference);
    const data = await hostBatches(split, network.side, options);
    if (data.length < options.steps) throw new Error(`the split holds ${split.count} images: too few for ${options.steps} steps of ${options.batchSize}`);
    const expected = await trainOn(reference, network, data, seed);
    const actual = await trainOn(options.backend, network, data, seed);
    const lossDiff = largestDifference(actual.losses, expected.losses);
    const weightDiff = Math.max(...actual.weights.map((w, i) => largestDifference(w, expected.weights[i]!)));
    results.push({
      check: 'agreement',
      network: network.name,
      backend: options.backend,
      reference,
      steps: data.length,
      batchSize: options.batchSize,
      side: network.side,
      losses: actual.losses,
      referenceLosses: expected.losses,
      lossDiff,
      weightDiff,
      tolerance: AGREEMENT_TOLERANCE,
      ok: Number.isFinite(lossDiff) && lossDiff <= AGREEMENT_TOLERANCE,
    });
  }
  return results;
}
