import type { LayerSpec } from '../../shared/models/layer-spec';
import { engineInfoSchema, type EngineInfo, type StartEvent } from '../../shared/train/events';
import { runConfigSchema, type RunConfig } from '../../shared/train/run-config';
import { configHash } from './config-hash';
import {
  RUN_STATUSES,
  type CheckpointRecord,
  type HostInfo,
  type MetricSummary,
  type RunOwner,
  type RunRecord,
  type RunShape,
  type RunSnapshot,
  type RunStatus,
} from '../../shared/runs/run-entities';

/**
 * The tables' rows as better-sqlite3 returns them, and their conversion to the
 * entities of run-entities.ts. Only run-store.ts uses these: column names stop here.
 */

/** Every column of `runs`, as better-sqlite3 returns it. */
export interface RunRow {
  id: string;
  name: string;
  status: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  config_json: string;
  config_hash: string;
  model: string;
  architecture_json: string | null;
  input_size: number;
  width_ratio: number;
  epochs: number;
  batch_size: number;
  learning_rate: number;
  momentum: number;
  seed: number;
  dataset: string;
  train_limit: number | null;
  test_limit: number | null;
  engine_choice: string;
  engine_id: string | null;
  engine_backend: string | null;
  engine_version: string | null;
  engine_detail: string | null;
  /** JSON of the engine's other fields (adapter, threads, replicas); null when it has none. */
  engine_extra: string | null;
  host_os: string | null;
  host_cpu: string | null;
  host_gpu: string | null;
  host_name: string | null;
  params: number | null;
  macs: number | null;
  train_size: number | null;
  test_size: number | null;
  steps_per_epoch: number | null;
  first_epoch: number | null;
  epochs_completed: number | null;
  duration_seconds: number | null;
  error: string | null;
  notes: string;
  baseline: number;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: number | null;
}

export interface MetricRow {
  key: string;
  step: number;
  epoch: number;
  batch: number | null;
  value: number | null;
  wall_time: number;
}

export interface SummaryRow {
  run_id: string;
  key: string;
  count: number;
  lower_is_better: number;
  last_value: number | null;
  last_step: number;
  last_epoch: number;
  last_wall_time: number;
  best_value: number | null;
  best_step: number | null;
  best_epoch: number | null;
}

export interface CheckpointRow {
  id: number;
  run_id: string;
  epoch: number;
  path: string;
  bytes: number;
  sha256: string;
  created_at: number;
}

/**
 * The one mapping from a run's entity fields to its columns. Every write of a
 * run row (create, start, import) builds its values from these, and
 * runFromRow below is the way back; no other file names a column of `runs`.
 */
export type RunColumns = Partial<RunRow>;

/** The columns a config fills, so SQL can filter and compare runs by hyper-parameter. */
export function configColumns(config: RunConfig) {
  return {
    config_json: JSON.stringify(config),
    config_hash: configHash(config),
    model: config.model,
    input_size: config.resize,
    width_ratio: config.widthRatio,
    epochs: config.epochs,
    batch_size: config.batchSize,
    learning_rate: config.lr,
    momentum: config.momentum,
    seed: config.seed,
    train_limit: config.trainLimit ?? null,
    test_limit: config.testLimit ?? null,
    engine_choice: config.engine,
  } satisfies RunColumns;
}

export const engineColumns = (engine: EngineInfo | null) => {
  const { id, backend, version, detail, ...extra } = engine ?? {};
  return {
    engine_id: id ?? null,
    engine_backend: backend ?? null,
    engine_version: version ?? null,
    engine_detail: detail ?? null,
    engine_extra: Object.keys(extra).length > 0 ? JSON.stringify(extra) : null,
  } satisfies RunColumns;
};

export const hostColumns = (host: HostInfo | null) =>
  ({ host_os: host?.os ?? null, host_cpu: host?.cpu ?? null, host_gpu: host?.gpu ?? null, host_name: host?.name ?? null }) satisfies RunColumns;

export const shapeColumns = (shape: RunShape | null) =>
  ({
    train_size: shape?.trainSize ?? null,
    test_size: shape?.testSize ?? null,
    steps_per_epoch: shape?.stepsPerEpoch ?? null,
    first_epoch: shape?.firstEpoch ?? null,
  }) satisfies RunColumns;

export const ownerColumns = (owner: { pid: number; hostname: string }) =>
  ({ owner_pid: owner.pid, owner_host: owner.hostname }) satisfies RunColumns;

/** What a start event sets: the config that ran, its engine, host and data shape. */
export function startColumns(start: StartEvent, host: HostInfo) {
  return {
    ...configColumns(start.config),
    ...engineColumns(start.engine),
    ...hostColumns(host),
    ...shapeColumns({
      trainSize: start.trainSize,
      testSize: start.testSize,
      stepsPerEpoch: start.stepsPerEpoch,
      firstEpoch: start.firstEpoch,
    }),
    params: start.params,
    macs: start.macs,
  } satisfies RunColumns;
}

/** A recorded run as a row, owner aside (an imported run has none here). */
export function snapshotColumns(run: RunSnapshot['run'], config: RunConfig) {
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    created_at: run.createdAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    ...configColumns(config),
    architecture_json: run.architecture ? JSON.stringify(run.architecture) : null,
    dataset: run.dataset,
    ...engineColumns(run.engine),
    ...hostColumns(run.host),
    ...shapeColumns(run.shape),
    params: run.params,
    macs: run.macs,
    epochs_completed: run.epochsCompleted,
    duration_seconds: run.durationSeconds,
    error: run.error,
    notes: run.notes,
    baseline: run.baseline ? 1 : 0,
  } satisfies RunColumns;
}

/** SQLite stores NaN as NULL; NULL reads back as NaN. */
export const toSql = (value: number): number | null => (Number.isNaN(value) ? null : value);
export const fromSql = (value: number | null): number => (value === null ? Number.NaN : value);

export function summaryFromRow(row: SummaryRow): MetricSummary {
  return {
    key: row.key,
    count: row.count,
    lowerIsBetter: row.lower_is_better === 1,
    last: {
      value: fromSql(row.last_value),
      step: row.last_step,
      epoch: row.last_epoch,
      wallTime: row.last_wall_time,
    },
    best:
      row.best_value === null || row.best_step === null || row.best_epoch === null
        ? null
        : { value: row.best_value, step: row.best_step, epoch: row.best_epoch },
  };
}

export function ownerFromRow(
  row: Pick<RunRow, 'owner_pid' | 'owner_host' | 'heartbeat_at'>,
): RunOwner | null {
  if (row.owner_pid === null || row.owner_host === null) return null;
  return { pid: row.owner_pid, hostname: row.owner_host, heartbeatAt: row.heartbeat_at };
}

function isRunStatus(status: string): status is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(status);
}

export function runFromRow(row: RunRow): Omit<RunRecord, 'tags' | 'summary'> {
  if (!isRunStatus(row.status)) throw new Error(`run ${row.id} has unknown status ${row.status}`);
  const engine =
    row.engine_id === null
      ? null
      : engineInfoSchema.parse({
          id: row.engine_id,
          backend: row.engine_backend,
          version: row.engine_version,
          ...(row.engine_detail !== null ? { detail: row.engine_detail } : {}),
          ...(row.engine_extra !== null ? (JSON.parse(row.engine_extra) as object) : {}),
        });
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    config: runConfigSchema.parse(JSON.parse(row.config_json)),
    configHash: row.config_hash,
    model: row.model,
    // Written by this store from the caller's typed specs (or a validated import).
    architecture:
      row.architecture_json === null ? null : (JSON.parse(row.architecture_json) as LayerSpec[]),
    dataset: row.dataset,
    engine,
    host:
      row.host_os === null
        ? null
        : { os: row.host_os, cpu: row.host_cpu, gpu: row.host_gpu, ...(row.host_name === null ? {} : { name: row.host_name }) },
    params: row.params,
    macs: row.macs,
    shape:
      row.train_size === null ||
      row.test_size === null ||
      row.steps_per_epoch === null ||
      row.first_epoch === null
        ? null
        : {
            trainSize: row.train_size,
            testSize: row.test_size,
            stepsPerEpoch: row.steps_per_epoch,
            firstEpoch: row.first_epoch,
          },
    epochsCompleted: row.epochs_completed,
    durationSeconds: row.duration_seconds,
    error: row.error,
    notes: row.notes,
    baseline: row.baseline === 1,
    owner: ownerFromRow(row),
  };
}

export function checkpointFromRow(row: CheckpointRow): CheckpointRecord {
  return {
    id: row.id,
    runId: row.run_id,
    epoch: row.epoch,
    path: row.path,
    bytes: row.bytes,
    sha256: row.sha256,
    createdAt: row.created_at,
  };
}
