import { z } from 'zod';
import type { LayerSpec } from '../models/layer-spec';
import { nameLayers } from '../models/layer-names';

/**
 * Per-layer statistics recorded while a run trains: what TensorBoard's
 * histograms and `wandb.watch` show, so a run that stalls (VGG-19 cold) can
 * say whether its gradients vanish, explode or its ReLUs die.
 */

/** Points per layer per epoch when the run does not say: enough for a heatmap row, cheap at 1 step in ~10 on the full set. */
export const DEFAULT_LAYER_POINTS_PER_EPOCH = 50;
/** Fixed bins of the weight histograms, as TensorBoard's default of 30 give or take. */
export const HISTOGRAM_BINS = 32;
/** Test images (the first, in file order) that every epoch's dead-unit count runs on: the same probe every epoch. */
export const PROBE_IMAGES = 64;
/** Caps for what crosses a boundary (the worker, Redis, an imported file): far above any preset. */
export const MAX_STAT_LAYERS = 256;

/** `--layer-stats`: every N batches, or off. Absent: about DEFAULT_LAYER_POINTS_PER_EPOCH points an epoch. */
export const layerStatsSettingSchema = z.union([z.literal('off'), z.number().int().min(1).max(1_000_000)]);
export type LayerStatsSetting = z.infer<typeof layerStatsSettingSchema>;

/** Batches between two recorded points, or undefined when the run records none. */
export function layerStatsInterval(setting: LayerStatsSetting | undefined, stepsPerEpoch: number): number | undefined {
  if (setting === 'off') return undefined;
  if (setting !== undefined) return setting;
  return Math.max(1, Math.ceil(stepsPerEpoch / DEFAULT_LAYER_POINTS_PER_EPOCH));
}

/** A measured value: NaN and ±Infinity are results (an exploding gradient), not malformed input. */
const measured = z.custom<number>((value) => typeof value === 'number', { message: 'expected a number' });
const layerName = z.string().min(1).max(200);

export const layerStepStatSchema = z.object({
  layer: layerName,
  /** L2 norm of the gradient applied to the layer's kernel and bias together. */
  gradNorm: measured,
  /** L2 norm of the layer's kernel and bias before the update. */
  weightNorm: measured,
  /** lr·‖g‖/‖w‖: the relative size of the step (≈1e-3 is healthy, Karpathy's rule of thumb). */
  updateRatio: measured,
});
export type LayerStepStat = z.infer<typeof layerStepStatSchema>;

/** Every N batches: one row per conv and dense layer, input to output. */
export const layerStepEventSchema = z.object({
  type: z.literal('layerStep'),
  time: z.number(),
  epoch: z.number().int(),
  /** The global step of the batch event it belongs to. */
  step: z.number().int(),
  layers: z.array(layerStepStatSchema).min(1).max(MAX_STAT_LAYERS),
});

export const weightHistogramSchema = z
  .object({
    layer: layerName,
    /** The range the HISTOGRAM_BINS equal bins span: the kernel's own min and max this epoch. */
    min: measured,
    max: measured,
    counts: z.array(z.number().int().min(0)).length(HISTOGRAM_BINS),
  });
export type WeightHistogram = z.infer<typeof weightHistogramSchema>;

export const deadUnitsSchema = z.object({
  /** `block1`..`blockN` (a block ends at a pooling layer), or `dense` for the classifier's hidden layers. */
  block: layerName,
  /** Fraction of the block's ReLU outputs that are exactly 0 on the probe batch. */
  fraction: measured,
});
export type DeadUnits = z.infer<typeof deadUnitsSchema>;

/** Once per epoch, after its evaluation: each layer's kernel histogram and each block's dead ReLU fraction. */
export const layerEpochEventSchema = z.object({
  type: z.literal('layerEpoch'),
  time: z.number(),
  epoch: z.number().int(),
  histograms: z.array(weightHistogramSchema).max(MAX_STAT_LAYERS),
  dead: z.array(deadUnitsSchema).max(MAX_STAT_LAYERS),
});

export type LayerStepEvent = z.infer<typeof layerStepEventSchema>;
export type LayerEpochEvent = z.infer<typeof layerEpochEventSchema>;

/** The conv and dense layers of a network, input to output: the rows of the heatmap. */
export function weightedLayerNames(layers: readonly LayerSpec[]): string[] {
  const names = nameLayers(layers);
  return layers.flatMap((spec, i) => (spec.kind === 'conv' || spec.kind === 'dense' ? [names[i]!] : []));
}

/**
 * The block each ReLU layer belongs to: a block is the layers up to and
 * including a pooling layer (the book's `vgg_block`); ReLU layers after the
 * flatten are the classifier's, `dense`.
 */
export function reluBlocks(layers: readonly LayerSpec[]): { layer: string; block: string }[] {
  const names = nameLayers(layers);
  const result: { layer: string; block: string }[] = [];
  let block = 1;
  let flattened = false;
  layers.forEach((spec, i) => {
    if (spec.kind === 'flatten') flattened = true;
    if ((spec.kind === 'conv' || spec.kind === 'dense') && spec.activation === 'relu') {
      result.push({ layer: names[i]!, block: flattened ? 'dense' : `block${block}` });
    }
    if (spec.kind === 'maxpool' || spec.kind === 'avgpool') block += 1;
  });
  return result;
}
