import * as tf from '@tensorflow/tfjs';
import { checkpointHandler } from '../checkpoint/checkpoint-io';
import { loadCheckpointModel } from '../models/load-checkpoint-model';

/**
 * Loads a checkpoint's weights, and its optimizer state (momentum), into a
 * freshly built model and optimizer. Variables are matched by position: tfjs
 * makes variable names unique per process (`fc1/kernel_1`), so names written
 * by another process need not match ours, but the layer order always does.
 */
export async function restoreCheckpoint(
  model: tf.LayersModel,
  /** Absent when only the weights matter (evaluation). */
  optimizer: tf.Optimizer | undefined,
  path: string,
  expectedSha256?: string,
): Promise<void> {
  const saved = await loadCheckpointModel(checkpointHandler(path, { expectedSha256 }));
  try {
    const ours = model.trainableWeights;
    const theirs = saved.trainableWeights;
    if (ours.length !== theirs.length || ours.some((w, i) => !sameShape(w.shape, theirs[i]!.shape))) {
      throw new Error(`checkpoint ${path} holds a different network from this run's`);
    }
    model.setWeights(saved.getWeights());
    const savedOptimizer = saved.optimizer as tf.Optimizer | undefined;
    if (!optimizer || !savedOptimizer) return;
    const state = await savedOptimizer.getWeights();
    // Slot variables are named `<variable>/<slot>`; rename each to our variable at the same position.
    const position = new Map(theirs.map((w, i) => [w.name, i] as const));
    const renamed = state.map(({ name, tensor }) => {
      const slash = name.lastIndexOf('/');
      const index = slash < 0 ? undefined : position.get(name.slice(0, slash));
      return index === undefined ? { name, tensor } : { name: `${ours[index]!.name}${name.slice(slash)}`, tensor };
    });
    await optimizer.setWeights(renamed);
  } finally {
    saved.dispose();
  }
}

const sameShape = (a: readonly (number | null)[], b: readonly (number | null)[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);
