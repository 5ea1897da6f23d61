/**
 * The metric keys a run records, named after the event field they come from.
 * The prefix says which axis the step counts: batches or epochs.
 */
export const BATCH_METRIC_KEYS = {
  loss: 'batch.loss',
  accuracy: 'batch.accuracy',
  imagesPerSec: 'batch.images_per_sec',
} as const;

export const EPOCH_METRIC_KEYS = {
  loss: 'epoch.loss',
  trainAcc: 'epoch.train_acc',
  testAcc: 'epoch.test_acc',
  seconds: 'epoch.seconds',
  imagesPerSec: 'epoch.images_per_sec',
} as const;

export const isBatchKey = (key: string): boolean => key.startsWith('batch.');
export const isEpochKey = (key: string): boolean => key.startsWith('epoch.');

/**
 * Which direction "best" points: down for losses and durations, up for
 * accuracies and throughput. Migration 2 writes the same rule in SQL
 * (`key LIKE '%loss' OR key LIKE '%seconds'`); keep the two in step.
 */
export const lowerIsBetter = (key: string): boolean =>
  key.toLowerCase().endsWith('loss') || key.toLowerCase().endsWith('seconds');
