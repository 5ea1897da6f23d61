import * as tf from '@tensorflow/tfjs';
import { batches } from '../data/batches';
import type { ImageSplit as Split } from '../data/image-split';
import { NUM_CLASSES } from '../../shared/data/fashion-mnist-facts';
import { PREDICT_BATCH } from '../../shared/train/evaluation-batch';


export interface Evaluation {
  accuracy: number;
  count: number;
  /** confusion[trueClass][predictedClass] = count of test images. */
  confusion: number[][];
}

export interface EvaluateOptions {
  batchSize: number;
  side: number;
  limit?: number;
  seed: number;
}

/**
 * Accuracy and confusion matrix over a split, in inference mode (dropout off).
 * The test split is read in file order; `limit` takes its first N images, the
 * same N every epoch, so epochs compare like with like.
 */
export async function evaluate(
  model: tf.LayersModel,
  split: Split,
  { batchSize, side, limit, seed }: EvaluateOptions,
): Promise<Evaluation> {
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  let count = 0;
  let correct = 0;
  for (const { xs, ys, size } of batches(split, { batchSize, side, seed, epoch: 0, shuffle: false, limit })) {
    const predicted = tf.tidy(() => tf.argMax(model.predict(xs, { batchSize: PREDICT_BATCH }) as tf.Tensor2D, 1));
    const [truth, guess] = [await ys.data(), await predicted.data()];
    tf.dispose([xs, ys, predicted]);
    for (let i = 0; i < size; i++) {
      const row = confusion[truth[i]!]!;
      row[guess[i]!]! += 1;
      if (truth[i] === guess[i]) correct++;
    }
    count += size;
  }
  return { accuracy: count === 0 ? 0 : correct / count, count, confusion };
}
