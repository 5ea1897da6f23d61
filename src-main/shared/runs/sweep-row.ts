import type { RunStatus } from './run-entities';

/**
 * One run as the sweep view relates it: its settings, its costs and its
 * outcomes, flat, read for every run of the page in one query
 * (core/store/run-summaries.ts) rather than from each run's metrics.
 */
export interface SweepRow {
  id: string;
  name: string;
  status: RunStatus;
  model: string;
  /** Weight layers (convolutions and dense layers): VGG-11 has 11; null where the network was not recorded. */
  depth: number | null;
  resize: number;
  lr: number;
  batchSize: number;
  widthRatio: number;
  epochs: number;
  /** The engine that ran it, else the one asked for (`auto` while queued). */
  engine: string;
  seed: number;
  baseline: boolean;
  params: number | null;
  macs: number | null;
  /** As run-figures.ts's secondsPerEpoch: duration over epochs, else the last epoch's own time. */
  secondsPerEpoch: number | null;
  /** Last and best recorded test accuracy; null before the first epoch (or where it was not a number). */
  finalTestAcc: number | null;
  bestTestAcc: number | null;
  createdAt: number;
}

/** Which runs a sweep covers: these ids, runs with this tag, or (neither) every run. */
export interface SweepFilter {
  runIds?: readonly string[];
  tag?: string;
}
