import type { LayerSpec } from '../models/layer-spec';
import type { RunConfig } from '../train/run-config';
import type { EngineInfo } from '../train/events';

/**
 * The typed shapes the store hands out. Rows never leave the store: run-store.ts
 * converts them to these entities, so callers never see column names.
 */

export const RUN_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Where a run trained. `gpu` is known only when the engine reported one. */
export interface HostInfo {
  os: string;
  cpu: string | null;
  gpu: string | null;
  /** The machine's host name: a queued run's worker machine; null or absent on runs recorded before it was kept. */
  name?: string | null;
}

/** The process that records a running run; how a dead one is told from a live one. */
export interface RunOwner {
  pid: number;
  hostname: string;
  /** Last sign of life, ms since the epoch. */
  heartbeatAt: number | null;
}

/** One recorded metric point. `value` is NaN where the run produced a non-number (a diverged loss). */
export interface MetricPoint {
  key: string;
  /** Global batch step for `batch.*` keys, the epoch index for `epoch.*` keys. */
  step: number;
  epoch: number;
  /** Batch index within the epoch for `batch.*` keys, null otherwise. */
  batch: number | null;
  value: number;
  /** ms since the epoch, the event's `time`. */
  wallTime: number;
}

export interface MetricSummary {
  key: string;
  count: number;
  lowerIsBetter: boolean;
  last: { value: number; step: number; epoch: number; wallTime: number };
  /** Null while every value so far was NaN. */
  best: { value: number; step: number; epoch: number } | null;
}

export interface CheckpointRecord {
  id: number;
  runId: string;
  epoch: number;
  path: string;
  bytes: number;
  sha256: string;
  createdAt: number;
}

export type NewCheckpoint = Omit<CheckpointRecord, 'id' | 'runId' | 'createdAt'> & {
  createdAt?: number;
};

/** What the start event told us about the run's data and schedule. */
export interface RunShape {
  trainSize: number;
  testSize: number;
  stepsPerEpoch: number;
  firstEpoch: number;
}

export interface RunRecord {
  id: string;
  name: string;
  status: RunStatus;
  /** ms since the epoch. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The config that ran (hyper-parameters, input size, width ratio, seed, limits all live here). */
  config: RunConfig;
  /** SHA-256 of the config's canonical JSON: equal hashes mean equal configs. */
  configHash: string;
  model: string;
  /** The network as layer specs, when the caller knew them. */
  architecture: LayerSpec[] | null;
  dataset: string;
  engine: EngineInfo | null;
  host: HostInfo | null;
  params: number | null;
  macs: number | null;
  shape: RunShape | null;
  /** From the done event. */
  epochsCompleted: number | null;
  durationSeconds: number | null;
  error: string | null;
  notes: string;
  tags: string[];
  /** A LeNet / AlexNet reference run that comparisons are drawn against. */
  baseline: boolean;
  owner: RunOwner | null;
  /** Last and best value of each metric key. */
  summary: Record<string, MetricSummary>;
}

/** A run with everything recorded about it: what export writes and import reads. */
export interface RunSnapshot {
  run: Omit<RunRecord, 'owner' | 'summary'>;
  metrics: MetricPoint[];
  checkpoints: Omit<CheckpointRecord, 'id' | 'runId'>[];
  confusion: number[][] | null;
}

export interface RunFilter {
  status?: RunStatus | RunStatus[];
  model?: string;
  tag?: string;
  baseline?: boolean;
  /** Newest first; at most this many. */
  limit?: number;
}

export interface CreateRunOptions {
  name?: string;
  architecture?: LayerSpec[];
  /** Defaults to Fashion-MNIST, the only dataset so far. */
  dataset?: string;
  tags?: string[];
  notes?: string;
  baseline?: boolean;
  /** Defaults to Date.now(). */
  createdAt?: number;
}

/** How a run ended, as the recorder reports it. */
export type RunOutcome =
  | {
      status: 'completed' | 'cancelled';
      time: number;
      epochsCompleted: number;
      durationSeconds: number;
    }
  | { status: 'failed'; time: number; error: string };
