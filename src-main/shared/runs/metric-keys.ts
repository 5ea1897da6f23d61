import type { BatchEvent, EpochEvent } from '../train/events';

/**
 * The metric keys a run records and the event field each comes from: the one
 * table the recorder writes points by and replay rebuilds events by. The
 * prefix says which axis the step counts: batches or epochs.
 */
export const BATCH_METRIC_KEYS = {
  loss: 'batch.loss',
  accuracy: 'batch.accuracy',
  imagesPerSec: 'batch.images_per_sec',
} as const satisfies Partial<Record<keyof BatchEvent, string>>;

export const EPOCH_METRIC_KEYS = {
  loss: 'epoch.loss',
  trainAcc: 'epoch.train_acc',
  testAcc: 'epoch.test_acc',
  seconds: 'epoch.seconds',
  imagesPerSec: 'epoch.images_per_sec',
} as const satisfies Partial<Record<keyof EpochEvent, string>>;

export type BatchMetricField = keyof typeof BATCH_METRIC_KEYS;
export type EpochMetricField = keyof typeof EPOCH_METRIC_KEYS;

const entries = <F extends string>(keys: Record<F, string>) => Object.entries(keys) as [F, string][];
/** [field, key] pairs, for writing an event's points. */
export const BATCH_METRICS = entries(BATCH_METRIC_KEYS);
export const EPOCH_METRICS = entries(EPOCH_METRIC_KEYS);

const batchFieldByKey = new Map(BATCH_METRICS.map(([field, key]) => [key, field]));
const epochFieldByKey = new Map(EPOCH_METRICS.map(([field, key]) => [key, field]));
/** The batch event field a recorded key fills, if any. */
export const batchFieldOf = (key: string): BatchMetricField | undefined => batchFieldByKey.get(key);
/** The epoch event field a recorded key fills, if any. */
export const epochFieldOf = (key: string): EpochMetricField | undefined => epochFieldByKey.get(key);

export const isBatchKey = (key: string): boolean => key.startsWith('batch.');
export const isEpochKey = (key: string): boolean => key.startsWith('epoch.');

/**
 * Which direction "best" points: down for losses and durations, up for
 * accuracies and throughput. Migration 2 writes the same rule in SQL
 * (`key LIKE '%loss' OR key LIKE '%seconds'`); keep the two in step.
 */
export const lowerIsBetter = (key: string): boolean =>
  key.toLowerCase().endsWith('loss') || key.toLowerCase().endsWith('seconds');
