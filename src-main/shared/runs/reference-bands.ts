import type { RunConfig } from '../train/run-config';
import { FASHION_MNIST_SPLIT_SIZES } from '../data/fashion-mnist-facts';
import { BOOK_DENSE_UNITS } from '../models/vgg';

/** The metrics a reference can be drawn on (the Compare charts' ids, and the epoch's seconds). */
export type ReferenceMetric = 'loss' | 'trainAcc' | 'testAcc' | 'seconds';

/**
 * A published result for one recipe: a band (low < high) or a single value
 * (low = high), reached after `epoch` (numbered from 0, as the book's log).
 */
export interface ReferenceBand {
  id: string;
  metric: ReferenceMetric;
  low: number;
  high: number;
  epoch: number;
  /** Where the number was printed. */
  source: string;
  /** The recipe in words, as the chart labels it. */
  recipe: string;
  /** The run settings that make a run this recipe. */
  match: RecipeMatch;
}

/** Fields a run must have to count as the recipe; a field absent here may be anything. */
interface RecipeMatch {
  model: string;
  resize: number;
  lr: number;
  batchSize: number;
  widthRatio: number;
  /** The dense width, where the recipe fixes one (VGG: 4096). */
  denseUnits?: number;
  /** At least this many epochs, so the run reaches the epoch the number was read at. */
  minEpochs: number;
}

const D2L_LENET = 'd2l 2nd edition §7.6 (LeNet), published runs';
const D2L_ALEXNET = 'd2l 2nd edition §8.1 (AlexNet), published runs';
const D2L_VGG = 'd2l 2nd edition §8.2 (VGG), published runs';
const CHAPTER = 'd2l-zh (2017) VGG chapter, its printed epoch (seed/vgg-chapter.txt)';

const LENET5: RecipeMatch = { model: 'lenet5', resize: 28, lr: 0.9, batchSize: 256, widthRatio: 1, minEpochs: 10 };
const ALEXNET: RecipeMatch = { model: 'alexnet', resize: 224, lr: 0.01, batchSize: 128, widthRatio: 1, minEpochs: 10 };
const VGG_RATIO4: RecipeMatch = { model: 'vgg11', resize: 224, lr: 0.05, batchSize: 128, widthRatio: 4, denseUnits: BOOK_DENSE_UNITS, minEpochs: 10 };
const VGG_CHAPTER: RecipeMatch = { model: 'vgg11', resize: 96, lr: 0.05, batchSize: 64, widthRatio: 1, denseUnits: BOOK_DENSE_UNITS, minEpochs: 1 };

/** The literature's numbers the Compare view can draw beside runs of the same recipe. */
export const REFERENCE_BANDS: readonly ReferenceBand[] = [
  {
    id: 'd2l-lenet5',
    metric: 'testAcc',
    low: 0.779,
    high: 0.811,
    epoch: 9,
    source: D2L_LENET,
    recipe: 'LeNet-5 (sigmoid), 28 px, lr 0.9, batch 256, 10 epochs',
    match: LENET5,
  },
  {
    id: 'd2l-alexnet',
    metric: 'testAcc',
    low: 0.877,
    high: 0.883,
    epoch: 9,
    source: D2L_ALEXNET,
    recipe: 'AlexNet, 224 px, lr 0.01, batch 128, 10 epochs',
    match: ALEXNET,
  },
  {
    id: 'd2l-vgg-ratio4',
    metric: 'testAcc',
    low: 0.917,
    high: 0.93,
    epoch: 9,
    source: D2L_VGG,
    recipe: 'VGG-11 width 1/4, 224 px, lr 0.05, batch 128, 10 epochs',
    match: VGG_RATIO4,
  },
  ...(
    [
      ['loss', 0.869],
      ['trainAcc', 0.68],
      ['testAcc', 0.83],
      ['seconds', 147.5],
    ] as const
  ).map(([metric, value]) => ({
    id: `chapter-vgg11-${metric}`,
    metric,
    low: value,
    high: value,
    epoch: 0,
    source: CHAPTER,
    recipe: 'VGG-11, 96 px, 4096 dense, lr 0.05, batch 64, plain SGD, epoch 0',
    match: VGG_CHAPTER,
  })),
];

/** Whether a run trained the recipe: same network, images, optimiser settings, all the data, long enough. */
export function matchesRecipe(config: RunConfig, match: RecipeMatch): boolean {
  const fullData =
    (config.trainLimit ?? FASHION_MNIST_SPLIT_SIZES.train) >= FASHION_MNIST_SPLIT_SIZES.train &&
    (config.testLimit ?? FASHION_MNIST_SPLIT_SIZES.test) >= FASHION_MNIST_SPLIT_SIZES.test;
  return (
    config.model === match.model &&
    config.blocks === undefined &&
    config.resize === match.resize &&
    config.lr === match.lr &&
    config.batchSize === match.batchSize &&
    // The books trained with plain SGD.
    config.momentum === 0 &&
    config.widthRatio === match.widthRatio &&
    (match.denseUnits === undefined || (config.denseUnits ?? BOOK_DENSE_UNITS) === match.denseUnits) &&
    config.initFrom === undefined &&
    config.epochs >= match.minEpochs &&
    fullData
  );
}

/** The references for one metric that at least one of the compared runs trained the recipe of. */
export function referenceBandsFor(configs: readonly RunConfig[], metric: ReferenceMetric): ReferenceBand[] {
  return REFERENCE_BANDS.filter((band) => band.metric === metric && configs.some((config) => matchesRecipe(config, band.match)));
}
