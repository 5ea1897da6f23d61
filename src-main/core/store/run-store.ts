import type Database from 'better-sqlite3';
import type { StartEvent } from '../../shared/train/events';
import type { RunConfigInput } from '../../shared/train/run-config';
import { CheckpointFolder, checkpointsDirFor } from '../checkpoint/checkpoint-folder';
import { databaseAccess, openDatabase, type DatabaseAccess, type OpenDatabaseOptions } from './database';
import { adoptOrphanCheckpoints, forgetMissingCheckpoints, moveLegacyCheckpoints } from './checkpoint-reconcile';
import { RUN_NAME_MAX_LENGTH } from '../../shared/runs/run-limits';
import { currentLivenessContext, DEFAULT_HEARTBEAT_TIMEOUT_MS, type LivenessContext } from './owner-liveness';
import { sweepRows } from './run-summaries';
import type { SweepFilter, SweepRow } from '../../shared/runs/sweep-row';
import * as queueRuns from './queue-ownership';
import { LayerStatsStore } from './layer-stats-store';
import type {
  CheckpointRecord,
  CreateRunOptions,
  HostInfo,
  MetricPoint,
  MetricSummary,
  NewCheckpoint,
  RunFilter,
  RunOutcome,
  RunRecord,
  RunSnapshot,
} from '../../shared/runs/run-entities';
import type { RunColumns, RunRow } from './run-rows';
import type { StoreContext } from './store-context';
import { CheckpointRecords, type IntactCheckpoint } from './checkpoint-records';
import { MetricLog } from './metric-log';
import { RunLifecycle } from './run-lifecycle';
import { RunTable } from './run-table';
import type { BrokenRun } from './store-errors';

export { DEFAULT_DATASET } from './run-table';
export { BrokenRunError, normalizeTags, RunBusyError, RunLimitError, RunNotFoundError, type BrokenRun } from './store-errors';
export type { IntactCheckpoint } from './checkpoint-records';

/** The longest run name kept (the API's rename takes as many). */
export { RUN_NAME_MAX_LENGTH };

export interface RunStoreOptions extends OpenDatabaseOptions {
  /** Mark running runs whose recording process is gone as interrupted (default true). */
  reapInterrupted?: boolean;
  heartbeatTimeoutMs?: number;
  /** The folder this store's checkpoint files live in; defaults to checkpointsDirFor(path). */
  checkpointsDir?: string;
  /**
   * Check recorded checkpoint files and adopt orphans on open (default true);
   * a second connection of the same process (the import worker) leaves that
   * to the first.
   */
  reconcileCheckpoints?: boolean;
  /**
   * Told once about each repair made on open (checkpoints moved out of a
   * shared legacy folder, orphans adopted or removed); stderr by default.
   */
  onNotice?: (message: string) => void;
}

const noticeOnStderr = (message: string): void => {
  process.stderr.write(`note: ${message}\n`);
};

/**
 * All runs, their metrics, checkpoints and confusion matrices in one SQLite
 * file. One RunStore per process; several processes may open the same file
 * (WAL: readers never wait for the writer).
 *
 * A façade over the store's parts, each a file of its own that takes the
 * database handle (StoreContext): the runs and their tags (run-table.ts), the
 * metric log and its summary (metric-log.ts), the recording lifecycle
 * (run-lifecycle.ts), checkpoints and the confusion matrix
 * (checkpoint-records.ts); errors and validators in store-errors.ts. Each
 * method here is one line handing on to its part; a caller that needs only
 * one part may take that part (`store.metricLog`, ...) or a Pick of this class.
 */
export class RunStore {
  readonly runs: RunTable;
  readonly metricLog: MetricLog;
  readonly lifecycle: RunLifecycle;
  readonly checkpointRecords: CheckpointRecords;
  private readonly ctx: StoreContext;
  /** Per-layer statistics, in their own table and file (layer-stats-store.ts). */
  readonly layerStats: LayerStatsStore;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly heartbeatTimeoutMs: number,
    /** The only folder whose files this store opens or deletes. */
    readonly checkpointFolder: CheckpointFolder,
  ) {
    this.ctx = {
      path,
      db,
      checkpointFolder,
      transaction: (fn) => this.transaction(fn),
      livenessContext: () => this.livenessContext(),
    };
    this.metricLog = new MetricLog(this.ctx);
    this.checkpointRecords = new CheckpointRecords(this.ctx, (id) => this.requireRun(id));
    this.runs = new RunTable(this.ctx, this.metricLog, this.checkpointRecords, () => this.access === 'read-only');
    this.lifecycle = new RunLifecycle(this.ctx, this.metricLog, this.checkpointRecords, (id) => this.requireRun(id));
    this.layerStats = new LayerStatsStore(db);
  }

  /**
   * Opens or creates the database at `path`. Refuses (untouched) a file that is
   * not ours or is from a newer release. Then marks runs whose recording
   * process died as interrupted, unless `reapInterrupted: false`.
   */
  static open(path: string, options: RunStoreOptions = {}): RunStore {
    const db = openDatabase(path, options);
    const store = new RunStore(
      path,
      db,
      options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
      new CheckpointFolder(options.checkpointsDir ?? checkpointsDirFor(path)),
    );
    // A read-only file is only looked at: nothing is reaped or repaired in it.
    if (store.access === 'read-only') return store;
    if (options.reapInterrupted ?? true) store.reapInterrupted();
    if (options.reconcileCheckpoints ?? true) {
      store.reconcileCheckpoints(options.checkpointsDir === undefined, options.onNotice ?? noticeOnStderr);
    }
    return store;
  }

  /** See checkpoint-reconcile.ts; a legacy folder is only looked for where the store chose its own folder. */
  private reconcileCheckpoints(ownFolder: boolean, notice: (message: string) => void): void {
    const notices = [
      ...(ownFolder ? moveLegacyCheckpoints(this.db, this.path, this.checkpointFolder) : []),
      ...forgetMissingCheckpoints(this.db, this.checkpointFolder),
      ...adoptOrphanCheckpoints(this.db, this.checkpointFolder, this.livenessContext()),
    ];
    notices.forEach((message) => notice(message));
  }

  /** How the file was opened (database.ts): read-only and low-space stores list and show as usual. */
  get access(): DatabaseAccess {
    return databaseAccess(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---- runs and tags (run-table.ts) ----------------------------------------

  createRun(configInput: RunConfigInput, options: CreateRunOptions = {}): string {
    return this.runs.createRun(configInput, options);
  }

  getRun(id: string): RunRecord | undefined {
    return this.runs.getRun(id);
  }

  /** Whether a row with this id exists, readable or not. */
  hasRun(id: string): boolean {
    return this.runs.hasRun(id);
  }

  requireRun(id: string): RunRecord {
    return this.runs.requireRun(id);
  }

  /** Newest first; rows that cannot be read are left out (listRunsAndBroken names them). */
  listRuns(filter: RunFilter = {}): RunRecord[] {
    return this.runs.listRunsAndBroken(filter).runs;
  }

  /** Newest first, with the rows that fail to read set apart (still deletable by id). */
  listRunsAndBroken(filter: RunFilter = {}): { runs: RunRecord[]; broken: BrokenRun[] } {
    return this.runs.listRunsAndBroken(filter);
  }

  /** An exact id, or a prefix that matches exactly one run (as git resolves short hashes). */
  resolveRunId(idOrPrefix: string): string {
    return this.runs.resolveRunId(idOrPrefix);
  }

  renameRun(id: string, name: string): void {
    this.runs.renameRun(id, name);
  }

  setNotes(id: string, notes: string): void {
    this.runs.setNotes(id, notes);
  }

  setBaseline(id: string, baseline: boolean): void {
    this.runs.setBaseline(id, baseline);
  }

  /** A resumed run's config: only its epochs and where it trains (engine, device, precision, threads) may differ from the recorded one. */
  setResumedConfig(id: string, config: RunConfigInput): void {
    this.runs.setResumedConfig(id, config);
  }

  tagRun(id: string, tag: string): void {
    this.runs.updateTags(id, { add: [tag] });
  }

  untagRun(id: string, tag: string): void {
    this.runs.updateTags(id, { remove: [tag] });
  }

  /** Adds, then removes, tags in one transaction; refuses the lot past TAGS_PER_RUN_MAX. */
  updateTags(id: string, change: { add?: readonly string[]; remove?: readonly string[] }): void {
    this.runs.updateTags(id, change);
  }

  /** Deletes a run and everything of it, then its checkpoint files no other row names; a live run is refused. */
  deleteRun(id: string): { deletedFiles: string[] } {
    return this.runs.deleteRun(id);
  }

  /** Writes one whole run row (snapshot-import.ts restores runs with it). */
  insertRun(values: RunColumns & Pick<RunRow, 'id' | 'name' | 'status'>): void {
    this.runs.insertRun(values);
  }

  // ---- metrics and the metric summary (metric-log.ts) -----------------------

  /** Points in recorded order, optionally only some keys. */
  metrics(id: string, keys?: readonly string[]): MetricPoint[] {
    return this.metricLog.metrics(id, keys);
  }

  /** Up to `limit` points after row id `afterId`, each with its row id: a cursor over a run. */
  metricsPage(id: string, afterId: number, limit: number): { rowId: number; point: MetricPoint }[] {
    return this.metricLog.metricsPage(id, afterId, limit);
  }

  /** How many points the runs hold together (each id counted once), optionally only some keys. */
  countMetrics(ids: readonly string[], keys?: readonly string[]): number {
    return this.metricLog.countMetrics(ids, keys);
  }

  /** Settings, costs and outcomes of many runs in one query: the sweep view's page (run-summaries.ts). */
  sweepRows(filter: SweepFilter = {}): SweepRow[] {
    return sweepRows(this.db, filter);
  }

  metricSummary(id: string): Record<string, MetricSummary> {
    return this.metricLog.metricSummary(id);
  }

  /** Appends points and folds them into the summary in one transaction. */
  appendMetrics(runId: string, points: readonly MetricPoint[], heartbeatAt?: number): void {
    this.metricLog.appendMetrics(runId, points, heartbeatAt);
  }

  // ---- recording lifecycle (run-lifecycle.ts) --------------------------------

  /** A stopped run goes back in the queue (to be resumed); a queued or running one is refused. */
  requeue(runId: string): void {
    this.lifecycle.requeue(runId);
  }

  /** Forgets every point and checkpoint after `epoch`: a resume from that epoch trains them again. */
  discardAfterEpoch(runId: string, epoch: number): void {
    this.lifecycle.discardAfterEpoch(runId, epoch, () => this.layerStats.discardAfterEpoch(runId, epoch));
  }

  /** The start event: the run is now running, owned by the calling process. */
  markStarted(runId: string, start: StartEvent, host: HostInfo, owner: { pid: number; hostname: string }): void {
    this.lifecycle.markStarted(runId, start, host, owner);
  }

  heartbeat(runId: string, time: number = Date.now()): void {
    this.lifecycle.heartbeat(runId, time);
  }

  finishRun(runId: string, outcome: RunOutcome): void {
    this.lifecycle.finishRun(runId, outcome);
  }

  /** Runs on a Redis queue belong to it, not to the process that queued them (queue-ownership.ts). */
  markQueueOwned(ownership: queueRuns.QueueOwnership): void {
    queueRuns.markQueueOwned(this.db, ownership);
  }

  releaseQueueOwned(runId: string): void {
    queueRuns.releaseQueueOwned(this.db, runId);
  }

  queueOwnership(runId: string): queueRuns.QueueOwnership | undefined {
    return queueRuns.queueOwnership(this.db, runId);
  }

  queueOwnedRuns(): queueRuns.QueueOwnership[] {
    return queueRuns.queueOwnedRuns(this.db);
  }

  /** Marks runs whose recording process is gone as interrupted (see run-reaper.ts); returns their ids. */
  reapInterrupted(context: LivenessContext = this.livenessContext()): string[] {
    return this.lifecycle.reapInterrupted(context);
  }

  // ---- checkpoints and per-class results (checkpoint-records.ts) -------------

  /** Records a checkpoint file the trainer wrote, named as this store names it. */
  addCheckpoint(runId: string, checkpoint: NewCheckpoint): CheckpointRecord {
    return this.checkpointRecords.addCheckpoint(runId, checkpoint);
  }

  /** Oldest first. */
  checkpoints(runId: string): CheckpointRecord[] {
    return this.checkpointRecords.checkpoints(runId);
  }

  /** The checkpoint a resume starts from: the latest epoch, the newest write on ties. */
  latestCheckpoint(runId: string): CheckpointRecord | undefined {
    return this.checkpointRecords.latestCheckpoint(runId);
  }

  /** The newest checkpoint whose file is intact (size and SHA-256), with the newer ones passed over and why. */
  intactCheckpoint(runId: string): Promise<IntactCheckpoint> {
    return this.checkpointRecords.intactCheckpoint(runId);
  }

  /** The test-set confusion matrix: rows are true classes, columns predictions. */
  setConfusion(runId: string, matrix: number[][], createdAt: number = Date.now()): void {
    this.checkpointRecords.setConfusion(runId, matrix, createdAt);
  }

  getConfusion(runId: string): number[][] | null {
    return this.checkpointRecords.getConfusion(runId);
  }

  // ---- export / import ---------------------------------------------------------

  /** Everything recorded about one run, machine-local owner excepted. */
  snapshot(runId: string): RunSnapshot {
    return { ...this.snapshotHead(runId), metrics: this.metrics(runId) };
  }

  /** A snapshot without its points, which an export pages through (metricsPage). */
  snapshotHead(runId: string): Omit<RunSnapshot, 'metrics'> {
    const { owner: _owner, summary: _summary, ...run } = this.requireRun(runId);
    return {
      run,
      checkpoints: this.checkpoints(runId).map(({ id: _id, runId: _runId, ...rest }) => rest),
      confusion: this.getConfusion(runId),
    };
  }

  private livenessContext(): LivenessContext {
    return currentLivenessContext(this.heartbeatTimeoutMs);
  }
}
