import type { RunRecord } from '../../../src-main/shared/runs/run-entities';
import { EPOCH_METRIC_KEYS } from '../../../src-main/shared/runs/metric-keys';

/** Training an image costs about three forward passes (forward, input and weight gradients); testing one costs one. */
const TRAIN_COST = 3;
/** Recent runs that set the rate; older ones may have run on other code. */
const RECENT_RUNS = 10;

export interface EpochTimeTarget {
  /** The engine the run will train on ('auto' resolved). */
  engine: string;
  /** With the MACs, what tells the same network at the same size (runs record both). */
  params: number;
  macsPerImage: number;
  trainImages: number;
  testImages: number;
}

export interface EpochTimeEstimate {
  seconds: number;
  /** `network`: earlier runs of this very network and size; `engine`: any earlier runs on the engine, scaled by MACs. */
  basis: 'network' | 'engine';
  runs: number;
}

function epochWork(macsPerImage: number, trainImages: number, testImages: number): number {
  return macsPerImage * (TRAIN_COST * trainImages + testImages);
}

/** MACs per second an earlier run achieved over its last epoch, or null when it recorded too little to tell. */
function achievedRate(run: RunRecord): number | null {
  const seconds = run.summary[EPOCH_METRIC_KEYS.seconds]?.last.value;
  if (!run.macs || !run.shape || seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return null;
  return epochWork(run.macs, run.shape.trainSize, run.shape.testSize) / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Seconds per epoch of a run not started yet, judged from the runs this
 * machine recorded on the same engine: from runs of the same network and size
 * when there are any, else from all of them, scaled by MACs (a rougher guide:
 * small networks do less work per MAC). Null without such runs.
 */
export function estimateEpochSeconds(target: EpochTimeTarget, runs: readonly RunRecord[]): EpochTimeEstimate | null {
  const onEngine = runs
    .flatMap((run) => {
      const rate = run.engine?.id === target.engine ? achievedRate(run) : null;
      return rate === null ? [] : [{ run, rate }];
    })
    .sort((a, b) => b.run.createdAt - a.run.createdAt);
  const sameNetwork = onEngine.filter(({ run }) => run.params === target.params && run.macs === target.macsPerImage);
  const basis = sameNetwork.length > 0 ? 'network' : 'engine';
  const chosen = (basis === 'network' ? sameNetwork : onEngine).slice(0, RECENT_RUNS);
  if (chosen.length === 0) return null;
  const rate = median(chosen.map((measured) => measured.rate));
  return { seconds: epochWork(target.macsPerImage, target.trainImages, target.testImages) / rate, basis, runs: chosen.length };
}
