import type { MetricPoint, RunRecord } from '../../../src-main/shared/runs/run-entities';
import { BATCH_METRIC_KEYS, EPOCH_METRIC_KEYS } from '../../../src-main/shared/runs/metric-keys';
import { secondsPerEpoch } from '../../../src-main/shared/runs/run-figures';

export type XAxisMode = 'epoch' | 'step' | 'time';
export type CompareMetric = 'loss' | 'trainAcc' | 'testAcc' | 'seconds';

export const COMPARE_METRICS: readonly { id: CompareMetric; title: string }[] = [
  { id: 'loss', title: 'Training loss' },
  { id: 'trainAcc', title: 'Training accuracy' },
  { id: 'testAcc', title: 'Test accuracy' },
  // Where the chapter's printed epoch (147.5 s) is drawn, for a run of its recipe.
  { id: 'seconds', title: 'Seconds per epoch' },
];

/** Keys the Compare view loads per run. */
export const COMPARE_KEYS = [
  BATCH_METRIC_KEYS.loss,
  BATCH_METRIC_KEYS.accuracy,
  EPOCH_METRIC_KEYS.loss,
  EPOCH_METRIC_KEYS.trainAcc,
  EPOCH_METRIC_KEYS.testAcc,
  EPOCH_METRIC_KEYS.seconds,
];

/**
 * Which recorded key draws a metric on an axis: by epoch, the epoch means;
 * by step or time, the per-batch values (test accuracy exists per epoch only).
 */
function keyFor(metric: CompareMetric, axis: XAxisMode): string {
  if (metric === 'testAcc') return EPOCH_METRIC_KEYS.testAcc;
  if (metric === 'seconds') return EPOCH_METRIC_KEYS.seconds;
  if (axis === 'epoch') return metric === 'loss' ? EPOCH_METRIC_KEYS.loss : EPOCH_METRIC_KEYS.trainAcc;
  return metric === 'loss' ? BATCH_METRIC_KEYS.loss : BATCH_METRIC_KEYS.accuracy;
}

/** [x, y] points of one run's metric on the chosen axis; epochs counted from 1 as people count them; time is seconds since the run started. */
export function metricSeries(run: RunRecord, points: readonly MetricPoint[], metric: CompareMetric, axis: XAxisMode): [number, number][] {
  const key = keyFor(metric, axis);
  const chosen = points.filter((p) => p.key === key);
  const origin = run.startedAt ?? Math.min(...points.map((p) => p.wallTime));
  const perEpoch = key.startsWith('epoch.');
  const stepsPerEpoch = run.shape?.stepsPerEpoch ?? 1;
  return chosen.map((p) => {
    let x: number;
    if (axis === 'time') x = (p.wallTime - origin) / 1000;
    else if (axis === 'step') x = perEpoch ? (p.epoch + 1) * stepsPerEpoch - 1 : p.step;
    else x = p.epoch + 1;
    return [x, p.value];
  });
}

/** Per-run figures for the summary table. */
export interface RunComparison {
  bestEpoch: number | null;
  bestTestAcc: number | null;
  finalTestAcc: number | null;
  secondsPerEpoch: number | null;
}

/** The run's figures; seconds per epoch as the Runs table computes them (one function, run-figures.ts). */
export function compareRun(run: RunRecord, points: readonly MetricPoint[]): RunComparison {
  const test = points.filter((p) => p.key === EPOCH_METRIC_KEYS.testAcc && Number.isFinite(p.value));
  const best = test.reduce<MetricPoint | null>((top, p) => (top === null || p.value > top.value ? p : top), null);
  return {
    bestEpoch: best?.epoch ?? null,
    bestTestAcc: best?.value ?? null,
    finalTestAcc: test[test.length - 1]?.value ?? null,
    secondsPerEpoch: secondsPerEpoch(run),
  };
}
