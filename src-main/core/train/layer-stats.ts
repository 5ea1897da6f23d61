import * as tf from '@tensorflow/tfjs';
import type { LayerSpec } from '../../shared/models/layer-spec';
import {
  HISTOGRAM_BINS,
  PROBE_IMAGES,
  reluBlocks,
  weightedLayerNames,
  type DeadUnits,
  type LayerEpochEvent,
  type LayerStepEvent,
  type LayerStepStat,
  type WeightHistogram,
} from '../../shared/train/layer-stats';
import { batches } from '../data/batches';
import type { ImageSplit } from '../data/image-split';

/** A step's gradients, by variable name: what `optimizer.computeGradients` returns and what data-parallel replicas sum. */
export type NamedGradients = Record<string, tf.Tensor>;

/**
 * Turns a step's gradients into one small tensor of sums of squares,
 * `[‖g‖² per layer…, ‖w‖² per layer…]`, so the step pays for one read of
 * 2 × layers floats rather than one per layer. Weights are read before the
 * optimizer updates them.
 */
export type GradientProbe = (grads: NamedGradients) => tf.Tensor1D;

interface WeightedLayer {
  name: string;
  /** Kernel first, then bias. */
  variables: tf.Variable[];
}

/**
 * Per-layer statistics of one model while it trains: which steps to sample,
 * the probe that measures a sampled step's gradients, and the epoch's weight
 * histograms and dead ReLU fractions. Knows nothing of events or storage.
 */
export class LayerStatsProbe {
  private readonly layers: WeightedLayer[];
  private readonly relus: { layer: tf.layers.Layer; block: string }[];
  private relusModel: tf.LayersModel | undefined;

  constructor(
    private readonly model: tf.LayersModel,
    specs: readonly LayerSpec[],
    /** Batches between two samples (global step % every === 0). */
    readonly every: number,
    private readonly lr: number,
  ) {
    this.layers = weightedLayerNames(specs).map((name) => {
      const layer = model.getLayer(name);
      return { name, variables: layer.trainableWeights.map((w) => w.read() as tf.Variable) };
    });
    this.relus = reluBlocks(specs).map(({ layer, block }) => ({ layer: model.getLayer(layer), block }));
  }

  /** Whether the step at this global index is one to measure. */
  samples(step: number): boolean {
    return step % this.every === 0;
  }

  readonly measure: GradientProbe = (grads) =>
    tf.tidy(() => {
      const sumOfSquares = (tensors: tf.Tensor[]): tf.Scalar =>
        tensors.reduce<tf.Scalar>((sum, t) => tf.add(sum, tf.sum(tf.square(t))), tf.scalar(0));
      const gradSums = this.layers.map(({ name, variables }) =>
        sumOfSquares(
          variables.map((v) => {
            const grad = grads[v.name];
            if (!grad) throw new Error(`no gradient for ${v.name} of layer ${name}`);
            return grad;
          }),
        ),
      );
      const weightSums = this.layers.map(({ variables }) => sumOfSquares(variables));
      return tf.stack([...gradSums, ...weightSums]) as tf.Tensor1D;
    });

  /** The probe's floats as one row per layer, input to output. */
  stepStats(sums: ArrayLike<number>): LayerStepStat[] {
    const n = this.layers.length;
    return this.layers.map(({ name }, i) => {
      const gradNorm = Math.sqrt(sums[i]!);
      const weightNorm = Math.sqrt(sums[n + i]!);
      return { layer: name, gradNorm, weightNorm, updateRatio: (this.lr * gradNorm) / weightNorm };
    });
  }

  /** Each layer's kernel as HISTOGRAM_BINS equal bins between its min and max, counted on the engine. */
  async histograms(): Promise<WeightHistogram[]> {
    const result: WeightHistogram[] = [];
    for (const { name, variables } of this.layers) {
      const kernel = variables[0]!;
      let packed: tf.Tensor;
      try {
        packed = onEngineHistogram(kernel);
      } catch {
        // An engine without a Bincount kernel: the same bins counted here, from the kernel's values.
        result.push(histogramOf(name, await kernel.data()));
        continue;
      }
      const values = await packed.data();
      packed.dispose();
      result.push({
        layer: name,
        min: values[0]!,
        max: values[1]!,
        counts: Array.from(values.subarray(2), (c) => Math.round(c)),
      });
    }
    return result;
  }

  /**
   * Per block, the fraction of its ReLU outputs that are exactly zero on the
   * first PROBE_IMAGES test images (dropout off): the same probe every epoch,
   * so a rising fraction is units dying, not a different sample.
   */
  async deadUnits(test: ImageSplit, side: number, seed: number): Promise<DeadUnits[]> {
    if (this.relus.length === 0) return [];
    const zeros = new Map<string, number>();
    const totals = new Map<string, number>();
    // Small chunks on large images: block 1 of a VGG on 224×224 is 12 MB of activations per image.
    const chunk = side <= 32 ? PROBE_IMAGES : side <= 96 ? 8 : 2;
    for (const { xs, ys, size } of batches(test, { batchSize: chunk, side, seed, epoch: 0, shuffle: false, limit: PROBE_IMAGES })) {
      const counts = tf.tidy(() => {
        const outputs = this.reluModel().predict(xs) as tf.Tensor | tf.Tensor[];
        const list = Array.isArray(outputs) ? outputs : [outputs];
        return tf.stack(list.map((out) => tf.sum(tf.cast(tf.lessEqual(out, 0), 'float32'))));
      });
      const values = await counts.data();
      tf.dispose([xs, ys, counts]);
      this.relus.forEach(({ layer, block }, i) => {
        const shape = layer.outputShape as (number | null)[];
        const perImage = shape.slice(1).reduce<number>((product, d) => product * (d ?? 1), 1);
        zeros.set(block, (zeros.get(block) ?? 0) + values[i]!);
        totals.set(block, (totals.get(block) ?? 0) + perImage * size);
      });
    }
    return [...totals.entries()].map(([block, total]) => ({ block, fraction: (zeros.get(block) ?? 0) / total }));
  }

  /** The model with every ReLU layer's output as an output; it shares the model's weights (never dispose it: that would dispose them). */
  private reluModel(): tf.LayersModel {
    this.relusModel ??= tf.model({ inputs: this.model.inputs, outputs: this.relus.map(({ layer }) => layer.output as tf.SymbolicTensor) });
    return this.relusModel;
  }

  /** The epoch's event: histograms, then dead units on the probe batch. */
  async epochEvent(epoch: number, test: ImageSplit, side: number, seed: number): Promise<LayerEpochEvent> {
    const histograms = await this.histograms();
    const dead = await this.deadUnits(test, side, seed);
    return { type: 'layerEpoch', time: Date.now(), epoch, histograms, dead };
  }

  /** The step's event from the probe's floats. */
  stepEvent(epoch: number, step: number, sums: ArrayLike<number>): LayerStepEvent {
    return { type: 'layerStep', time: Date.now(), epoch, step, layers: this.stepStats(sums) };
  }
}

/** [min, max, counts…] of a kernel in HISTOGRAM_BINS equal bins, counted on the engine (Bincount). */
function onEngineHistogram(kernel: tf.Variable): tf.Tensor {
  return tf.tidy(() => {
    const flat = kernel.flatten();
    const min = tf.min(flat);
    const max = tf.max(flat);
    // A constant kernel puts every weight in the first bin rather than dividing by 0.
    const scale = tf.div(HISTOGRAM_BINS, tf.maximum(tf.sub(max, min), 1e-12));
    const bins = tf.clipByValue(tf.floor(tf.mul(tf.sub(flat, min), scale)), 0, HISTOGRAM_BINS - 1).toInt() as tf.Tensor1D;
    const counts = tf.bincount(bins, tf.tensor1d([], 'int32'), HISTOGRAM_BINS).toFloat();
    return tf.concat([tf.stack([min, max]), counts]);
  });
}

/** The same histogram counted in JavaScript. */
export function histogramOf(layer: string, values: ArrayLike<number>): WeightHistogram {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const scale = HISTOGRAM_BINS / Math.max(max - min, 1e-12);
  for (let i = 0; i < values.length; i++) {
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor((values[i]! - min) * scale)));
    counts[bin]! += 1;
  }
  return { layer, min, max, counts };
}
