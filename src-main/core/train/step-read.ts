import * as tf from '@tensorflow/tfjs';

/**
 * Starts reading a step's scalars back, and returns their values once they
 * arrive. Each `data()` call records its copy into a staging buffer and
 * submits it at once (tfjs's webgpu read does so before its first await), so
 * a caller who starts the read right after enqueuing the step, enqueues the
 * next step, and only then awaits this promise keeps the GPU fed: the read
 * waits on work that is already queued behind it. The tensors are disposed
 * once read.
 */
export function startRead<K extends string>(scalars: Record<K, tf.Scalar>): Promise<Record<K, number>> {
  const keys = Object.keys(scalars) as K[];
  const reads = keys.map((key) => scalars[key].data());
  return Promise.all(reads).then(
    (values) => {
      tf.dispose(keys.map((key) => scalars[key]));
      return Object.fromEntries(keys.map((key, i) => [key, values[i]![0]!])) as Record<K, number>;
    },
    (error: unknown) => {
      tf.dispose(keys.map((key) => scalars[key]));
      throw error;
    },
  );
}
