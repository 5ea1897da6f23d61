import type { RunConfig } from '../../shared/train/run-config';
import { prepareNetwork } from './prepare-network';
import { restoreCheckpoint } from './checkpoint-weights';
import { evaluate, type Evaluation } from './evaluate';
import type { ImageSplit } from '../data/image-split';
import { NUM_CLASSES } from '../../shared/data/fashion-mnist-facts';
import { EVALUATION_BATCH } from '../../shared/train/evaluation-batch';

export interface CheckpointToEvaluate {
  path: string;
  sha256?: string;
}

/**
 * Rebuilds a run's network from its config, loads a checkpoint's weights and
 * evaluates it on a split: what `evaluate RUN` and the GUI's results view use.
 * Runs on whichever engine is active.
 */
export async function evaluateCheckpoint(
  config: RunConfig,
  checkpoint: CheckpointToEvaluate,
  split: ImageSplit,
  { limit, batchSize = EVALUATION_BATCH }: { limit?: number; batchSize?: number } = {},
): Promise<Evaluation> {
  const { model } = prepareNetwork(config, NUM_CLASSES);
  try {
    await restoreCheckpoint(model, undefined, checkpoint.path, checkpoint.sha256);
    return await evaluate(model, split, { batchSize, side: config.resize, limit, seed: config.seed });
  } finally {
    model.dispose();
  }
}

/** Accuracy of each class: the diagonal over the row sums of a confusion matrix. */
export function perClassAccuracy(confusion: readonly (readonly number[])[]): number[] {
  return confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[i]! / total;
  });
}
