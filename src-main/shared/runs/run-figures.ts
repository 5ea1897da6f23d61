import { FASHION_MNIST_CLASSES } from '../data/fashion-mnist-facts';
import { EPOCH_METRIC_KEYS } from './metric-keys';
import type { RunRecord } from './run-entities';

/** What guessing scores on ten balanced classes. */
export const CHANCE_ACCURACY = 1 / FASHION_MNIST_CLASSES.length;
/**
 * A run whose final test accuracy is within this of chance learned nothing
 * worth comparing against (the 0.097 AlexNet of issue 20 predicted "Bag" for
 * every image); 0.15 is still one right answer in 6.7.
 */
export const NEAR_CHANCE_MARGIN = 0.05;

/** Below this a test accuracy is near chance: 0.15, rounded so that 0.1 + 0.05 is not 0.15000000000000002. */
export const NEAR_CHANCE_BELOW = Math.round((CHANCE_ACCURACY + NEAR_CHANCE_MARGIN) * 1e6) / 1e6;

/** Whether a test accuracy is no better than guessing, give or take the margin (NaN, a diverged run, is). */
export function isNearChance(testAcc: number): boolean {
  return !(testAcc >= NEAR_CHANCE_BELOW);
}

/** A run that has stopped with a last test accuracy near chance: drawn and listed with that mark. */
export function endedNearChance(run: Pick<RunRecord, 'status' | 'summary'>): boolean {
  if (run.status === 'queued' || run.status === 'running') return false;
  const last = run.summary[EPOCH_METRIC_KEYS.testAcc]?.last.value;
  return last !== undefined && isNearChance(last);
}

/**
 * Epochs a run recorded: its test-accuracy summary counts them (a run still
 * training, or stopped, has no done event's count yet), else the done event's.
 */
export function epochsRecorded(run: Pick<RunRecord, 'summary' | 'epochsCompleted'>): number {
  return run.summary[EPOCH_METRIC_KEYS.testAcc]?.count ?? run.epochsCompleted ?? 0;
}

/**
 * Seconds per epoch, the one figure Runs and Compare both show: a finished
 * run's duration over its epochs, else (still training, or stopped before
 * recording a duration) its last epoch's own time.
 */
export function secondsPerEpoch(run: Pick<RunRecord, 'durationSeconds' | 'epochsCompleted' | 'summary'>): number | null {
  const epochs = run.epochsCompleted ?? 0;
  if (run.durationSeconds !== null && epochs > 0) return run.durationSeconds / epochs;
  return run.summary[EPOCH_METRIC_KEYS.seconds]?.last.value ?? null;
}
