/**
 * How the test set is read at the end of each epoch, written once for the
 * trainer that reads it and the estimators that size its memory
 * (core/train/memory-estimate.ts, the webgpu buffer check).
 */

/** The evaluation batch: the test set is loaded this many images at a time, or a run's own batch where that is larger. */
export const EVALUATION_BATCH = 256;

/** The slice model.predict runs at once (tfjs-layers' own default, passed explicitly): inference tensors hold this many images. */
export const PREDICT_BATCH = 32;

/** The evaluation batch of a run that trains in batches of `batchSize`. */
export function evaluationBatchSize(batchSize: number): number {
  return Math.max(batchSize, EVALUATION_BATCH);
}
