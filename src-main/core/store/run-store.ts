import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { StartEvent } from '../../shared/train/events';
import { runConfigSchema, type RunConfigInput } from '../../shared/train/run-config';
import { CheckpointFolder, checkpointsDirFor } from '../checkpoint/checkpoint-folder';
import { databaseAccess, openDatabase, type DatabaseAccess, type OpenDatabaseOptions } from './database';
import { adoptOrphanCheckpoints, forgetMissingCheckpoints, moveLegacyCheckpoints } from './checkpoint-reconcile';
import { lowerIsBetter } from '../../shared/runs/metric-keys';
import { CONFUSION_CLASSES, NOTES_MAX_LENGTH, RUN_NAME_MAX_LENGTH, TAG_MAX_LENGTH, TAGS_PER_RUN_MAX } from '../../shared/runs/run-limits';
import {
  currentLivenessContext,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  isOwnerAlive,
  type LivenessContext,
} from './owner-liveness';
import { reapInterrupted } from './run-reaper';
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
import {
  checkpointFromRow,
  configColumns,
  fromSql,
  ownerColumns,
  ownerFromRow,
  runFromRow,
  startColumns,
  summaryFromRow,
  toSql,
  type CheckpointRow,
  type MetricRow,
  type RunColumns,
  type RunRow,
  type SummaryRow,
} from './run-rows';

export const DEFAULT_DATASET = 'fashion-mnist';

/** The longest run name kept (the API's rename takes as many). */
export { RUN_NAME_MAX_LENGTH };

export class RunNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no run with id ${id}`);
    this.name = 'RunNotFoundError';
  }
}

/** The run is queued or training (here or in another process): what was asked must wait until it stops. */
export class RunBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunBusyError';
  }
}

/** A value past one of run-limits.ts's bounds; `field` names it as a request would (`tags`, `notes`). */
export class RunLimitError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'RunLimitError';
  }
}

/** Tags as stored: trimmed, each once, none empty or longer than TAG_MAX_LENGTH. */
export function normalizeTags(tags: readonly string[], field = 'tags'): string[] {
  const unique = new Set<string>();
  for (const tag of tags) {
    const trimmed = tag.trim();
    if (trimmed.length === 0) throw new RunLimitError('a tag cannot be empty', field);
    if (trimmed.length > TAG_MAX_LENGTH) {
      throw new RunLimitError(`a tag holds at most ${TAG_MAX_LENGTH} characters (one has ${trimmed.length})`, field);
    }
    unique.add(trimmed);
  }
  return [...unique];
}

/** A row that no longer reads as a run (a damaged or hand-edited file): listed as such, and deletable. */
export interface BrokenRun {
  id: string;
  name: string;
  status: string;
  createdAt: number;
  /** What failed to read, for the person deciding to delete it. */
  reason: string;
}

export class BrokenRunError extends Error {
  constructor(
    readonly id: string,
    readonly reason: string,
  ) {
    super(`run ${id} is recorded but cannot be read (${reason}); delete it with \`vgg-workbench runs delete ${id}\``);
    this.name = 'BrokenRunError';
  }
}

/** The first line of why a row failed to read, short enough for a table cell. */
function brokenReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((part) => part.trim() !== '') ?? 'unreadable';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

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

/** A checkpoint whose file was checked: `path` is its real path inside the store's folder. */
export interface IntactCheckpoint {
  checkpoint: CheckpointRecord | undefined;
  /** Newer checkpoints passed over, newest first, each with why. */
  skipped: { epoch: number; reason: string }[];
}

/** Column names come from run-rows.ts, never from callers; this keeps it that way. */
const assertColumns = (values: RunColumns): string[] => {
  const columns = Object.keys(values);
  for (const column of columns) if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column: ${column}`);
  return columns;
};

const newRunId = (): string => randomBytes(4).toString('hex');

/** The newest and the best point of one key within a chunk of points, for the summary upsert. */
function summarizeChunk(points: readonly MetricPoint[]) {
  const byKey = new Map<
    string,
    { count: number; last: MetricPoint; best: MetricPoint | null; lower: boolean }
  >();
  for (const point of points) {
    let entry = byKey.get(point.key);
    if (!entry) {
      entry = { count: 0, last: point, best: null, lower: lowerIsBetter(point.key) };
      byKey.set(point.key, entry);
    }
    entry.count += 1;
    entry.last = point;
    if (Number.isNaN(point.value)) continue;
    const best = entry.best;
    if (best === null || (entry.lower ? point.value < best.value : point.value > best.value)) {
      entry.best = point;
    }
  }
  return byKey;
}

function checkName(name: string): string {
  if (name.length === 0) throw new Error('a run name cannot be empty');
  if (name.length > RUN_NAME_MAX_LENGTH) {
    throw new Error(`a run name holds at most ${RUN_NAME_MAX_LENGTH} characters (this one has ${name.length})`);
  }
  return name;
}

function validateConfusion(matrix: number[][]): void {
  const n = matrix.length;
  if (n < 2) throw new Error('a confusion matrix needs at least 2 classes');
  if (n > CONFUSION_CLASSES) throw new Error(`a confusion matrix has at most ${CONFUSION_CLASSES} classes (one per Fashion-MNIST class), not ${n}`);
  for (const row of matrix) {
    if (row.length !== n) throw new Error(`a confusion matrix must be square (${n}×${n})`);
    for (const count of row) {
      if (!Number.isInteger(count) || count < 0) {
        throw new Error(`confusion counts must be non-negative integers, got ${count}`);
      }
    }
  }
}

/**
 * All runs, their metrics, checkpoints and confusion matrices in one SQLite
 * file. One RunStore per process; several processes may open the same file
 * (WAL: readers never wait for the writer).
 */
export class RunStore {
  private readonly insertMetric: Database.Statement<
    [string, string, number, number, number | null, number | null, number]
  >;
  private readonly upsertSummary: Database.Statement<[Record<string, unknown>]>;
  private readonly touchHeartbeat: Database.Statement<[number, string]>;
  /** Per-layer statistics, in their own table and file (layer-stats-store.ts). */
  readonly layerStats: LayerStatsStore;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly heartbeatTimeoutMs: number,
    /** The only folder whose files this store opens or deletes. */
    readonly checkpointFolder: CheckpointFolder,
  ) {
    this.insertMetric = db.prepare(
      `INSERT INTO metrics (run_id, key, step, epoch, batch, value, wall_time) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // SET expressions all read the old row, so the repeated condition sees the old best.
    const improves = `excluded.best_value IS NOT NULL AND (best_value IS NULL OR CASE WHEN lower_is_better
        THEN excluded.best_value < best_value ELSE excluded.best_value > best_value END)`;
    this.upsertSummary = db.prepare(`
      INSERT INTO metric_summary (run_id, key, count, lower_is_better, last_value, last_step,
        last_epoch, last_wall_time, best_value, best_step, best_epoch)
      VALUES (@run_id, @key, @count, @lower_is_better, @last_value, @last_step,
        @last_epoch, @last_wall_time, @best_value, @best_step, @best_epoch)
      ON CONFLICT (run_id, key) DO UPDATE SET
        count = count + excluded.count,
        last_value = excluded.last_value,
        last_step = excluded.last_step,
        last_epoch = excluded.last_epoch,
        last_wall_time = excluded.last_wall_time,
        best_value = CASE WHEN ${improves} THEN excluded.best_value ELSE best_value END,
        best_step = CASE WHEN ${improves} THEN excluded.best_step ELSE best_step END,
        best_epoch = CASE WHEN ${improves} THEN excluded.best_epoch ELSE best_epoch END`);
    this.layerStats = new LayerStatsStore(db);
    this.touchHeartbeat = db.prepare(
      `UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`,
    );
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

  // ---- runs ---------------------------------------------------------------

  createRun(configInput: RunConfigInput, options: CreateRunOptions = {}): string {
    const config = runConfigSchema.parse(configInput);
    return this.transaction(() => {
      const id = this.freeRunId();
      this.insertRun({
        id,
        name: checkName(options.name ?? config.name ?? `${config.model}-${id}`),
        status: 'queued',
        created_at: options.createdAt ?? Date.now(),
        ...configColumns(config),
        architecture_json: options.architecture ? JSON.stringify(options.architecture) : null,
        dataset: options.dataset ?? DEFAULT_DATASET,
        notes: options.notes ?? '',
        baseline: options.baseline ? 1 : 0,
        // The creating process owns the queue the run waits in: if it dies first,
        // reapInterrupted can tell the run will never start.
        ...ownerColumns({ pid: process.pid, hostname: this.livenessContext().hostname }),
      });
      this.updateTags(id, { add: options.tags ?? [] });
      return id;
    });
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.db.prepare<[string], RunRow>(`SELECT * FROM runs WHERE id = ?`).get(id);
    if (!row) return undefined;
    const { records, broken } = this.readRecords([row]);
    if (broken[0]) throw new BrokenRunError(broken[0].id, broken[0].reason);
    return records[0];
  }

  /** Whether a row with this id exists, readable or not. */
  hasRun(id: string): boolean {
    return this.db.prepare<[string], { id: string }>(`SELECT id FROM runs WHERE id = ?`).get(id) !== undefined;
  }

  requireRun(id: string): RunRecord {
    const run = this.getRun(id);
    if (!run) throw new RunNotFoundError(id);
    return run;
  }

  /** Newest first; rows that cannot be read are left out (listRunsAndBroken names them). */
  listRuns(filter: RunFilter = {}): RunRecord[] {
    return this.listRunsAndBroken(filter).runs;
  }

  /**
   * Newest first, with the rows that fail to read set apart: one damaged row
   * must not hide every other run, and it stays deletable by id.
   */
  listRunsAndBroken(filter: RunFilter = {}): { runs: RunRecord[]; broken: BrokenRun[] } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.status !== undefined) {
      where.push(`status IN (SELECT value FROM json_each(@statuses))`);
      params.statuses = JSON.stringify([filter.status].flat());
    }
    if (filter.model !== undefined) {
      where.push(`model = @model`);
      params.model = filter.model;
    }
    if (filter.tag !== undefined) {
      where.push(`id IN (SELECT run_id FROM run_tags WHERE tag = @tag)`);
      params.tag = filter.tag;
    }
    if (filter.baseline !== undefined) {
      where.push(`baseline = @baseline`);
      params.baseline = filter.baseline ? 1 : 0;
    }
    const sql =
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY created_at DESC, rowid DESC ${filter.limit !== undefined ? 'LIMIT @limit' : ''}`;
    if (filter.limit !== undefined) params.limit = filter.limit;
    const { records, broken } = this.readRecords(this.db.prepare<[Record<string, unknown>], RunRow>(sql).all(params));
    return { runs: records, broken };
  }

  /** An exact id, or a prefix that matches exactly one run (as git resolves short hashes). */
  resolveRunId(idOrPrefix: string): string {
    if (this.hasRun(idOrPrefix)) return idOrPrefix;
    const matches = this.db
      .prepare<[{ prefix: string }], { id: string }>(
        `SELECT id FROM runs WHERE substr(id, 1, length(@prefix)) = @prefix ORDER BY id LIMIT 6`,
      )
      .all({ prefix: idOrPrefix })
      .map((row) => row.id);
    if (idOrPrefix.length === 0 || matches.length === 0) throw new RunNotFoundError(idOrPrefix);
    if (matches.length > 1) {
      throw new Error(`run id ${idOrPrefix} is ambiguous: ${matches.join(', ')}…`);
    }
    return matches[0];
  }

  renameRun(id: string, name: string): void {
    this.updateRun(id, `name = ?`, checkName(name.trim()));
  }

  setNotes(id: string, notes: string): void {
    if (notes.length > NOTES_MAX_LENGTH) {
      throw new RunLimitError(`notes hold at most ${NOTES_MAX_LENGTH} characters (these have ${notes.length})`, 'notes');
    }
    this.updateRun(id, `notes = ?`, notes);
  }

  setBaseline(id: string, baseline: boolean): void {
    this.updateRun(id, `baseline = ?`, baseline ? 1 : 0);
  }

  tagRun(id: string, tag: string): void {
    this.updateTags(id, { add: [tag] });
  }

  untagRun(id: string, tag: string): void {
    this.updateTags(id, { remove: [tag] });
  }

  /**
   * Adds, then removes, tags in one transaction with one statement each (set
   * operations in SQL, not a query per tag), and refuses the lot if the run
   * would end with more than TAGS_PER_RUN_MAX.
   */
  updateTags(id: string, change: { add?: readonly string[]; remove?: readonly string[] }): void {
    const add = normalizeTags(change.add ?? [], 'add');
    const remove = normalizeTags(change.remove ?? [], 'remove');
    this.transaction(() => {
      if (!this.db.prepare<[string], { id: string }>(`SELECT id FROM runs WHERE id = ?`).get(id)) {
        throw new RunNotFoundError(id);
      }
      const count = this.db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM run_tags WHERE run_id = ?`);
      const before = count.get(id)!.n;
      if (add.length > 0) {
        this.db
          .prepare(`INSERT OR IGNORE INTO run_tags (run_id, tag) SELECT ?, value FROM json_each(?)`)
          .run(id, JSON.stringify(add));
      }
      if (remove.length > 0) {
        this.db
          .prepare(`DELETE FROM run_tags WHERE run_id = ? AND tag IN (SELECT value FROM json_each(?))`)
          .run(id, JSON.stringify(remove));
      }
      const n = count.get(id)!.n;
      // A run tagged past the cap by an earlier release may still shed tags, a few at a time.
      if (n > TAGS_PER_RUN_MAX && n > before) {
        throw new RunLimitError(`a run holds at most ${TAGS_PER_RUN_MAX} tags (this change would leave ${n})`, 'add');
      }
    });
  }

  /**
   * Deletes a run with its metrics, summary, tags, checkpoints rows and
   * confusion matrix, then its checkpoint files: only files inside this
   * store's checkpoint folder that no other row names. A row naming any
   * other file loses its row, never the file.
   * A run still being recorded by a live process is refused.
   */
  deleteRun(id: string): { deletedFiles: string[] } {
    try {
      return this.deleteRunAndFiles(id);
    } catch (error) {
      if (this.access === 'read-only' || String((error as { code?: unknown }).code).startsWith('SQLITE_READONLY')) {
        throw new Error(`${this.path} is read-only here: its runs can be listed, shown and exported, not deleted`);
      }
      throw error;
    }
  }

  private deleteRunAndFiles(id: string): { deletedFiles: string[] } {
    const orphaned = this.transaction(() => {
      // Read as a raw row: a run that no longer validates must still be deletable.
      const run = this.db
        .prepare<[string], Pick<RunRow, 'status' | 'owner_pid' | 'owner_host' | 'heartbeat_at'>>(
          `SELECT status, owner_pid, owner_host, heartbeat_at FROM runs WHERE id = ?`,
        )
        .get(id);
      if (!run) throw new RunNotFoundError(id);
      const owner = ownerFromRow(run);
      if (run.status === 'running' && isOwnerAlive(owner, this.livenessContext())) {
        throw new RunBusyError(`run ${id} is still running (pid ${owner?.pid} on ${owner?.hostname}); stop it first`);
      }
      const paths = this.checkpoints(id).map((checkpoint) => checkpoint.path);
      this.db.prepare(`DELETE FROM runs WHERE id = ?`).run(id);
      const stillUsed = this.db.prepare<[string], { n: number }>(
        `SELECT count(*) AS n FROM checkpoints WHERE path = ?`,
      );
      return [...new Set(paths)].filter((path) => stillUsed.get(path)?.n === 0);
    });
    return { deletedFiles: orphaned.filter((path) => this.checkpointFolder.remove(path)) };
  }

  // ---- metrics --------------------------------------------------------------

  /** Points in recorded order, optionally only some keys. */
  metrics(id: string, keys?: readonly string[]): MetricPoint[] {
    const sql =
      `SELECT key, step, epoch, batch, value, wall_time FROM metrics WHERE run_id = ? ` +
      (keys ? `AND key IN (SELECT value FROM json_each(?)) ` : '') +
      `ORDER BY id`;
    const params: unknown[] = keys ? [id, JSON.stringify(keys)] : [id];
    return this.db
      .prepare<unknown[], MetricRow>(sql)
      .all(...params)
      .map((row) => ({
        key: row.key,
        step: row.step,
        epoch: row.epoch,
        batch: row.batch,
        value: fromSql(row.value),
        wallTime: row.wall_time,
      }));
  }

  /**
   * Up to `limit` points recorded after the point with row id `afterId` (0:
   * from the first), in recorded order, each with its row id: a cursor that
   * pages through a run without holding all of it.
   */
  metricsPage(id: string, afterId: number, limit: number): { rowId: number; point: MetricPoint }[] {
    return this.db
      .prepare<[string, number, number], MetricRow & { id: number }>(
        `SELECT id, key, step, epoch, batch, value, wall_time FROM metrics WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?`,
      )
      .all(id, afterId, limit)
      .map((row) => ({
        rowId: row.id,
        point: { key: row.key, step: row.step, epoch: row.epoch, batch: row.batch, value: fromSql(row.value), wallTime: row.wall_time },
      }));
  }

  /** How many points the runs hold together (each id counted once), optionally only some keys. */
  countMetrics(ids: readonly string[], keys?: readonly string[]): number {
    const sql =
      `SELECT count(*) AS n FROM metrics WHERE run_id IN (SELECT DISTINCT value FROM json_each(?))` +
      (keys ? ` AND key IN (SELECT value FROM json_each(?))` : '');
    const params = keys ? [JSON.stringify(ids), JSON.stringify(keys)] : [JSON.stringify(ids)];
    return this.db.prepare<unknown[], { n: number }>(sql).get(...params)!.n;
  }

  metricSummary(id: string): Record<string, MetricSummary> {
    return this.summariesFor([id]).get(id) ?? {};
  }

  /**
   * Appends points and folds them into the summary in one transaction, so a
   * reader (or a crash) sees either all of them or none.
   */
  appendMetrics(runId: string, points: readonly MetricPoint[], heartbeatAt?: number): void {
    if (points.length === 0 && heartbeatAt === undefined) return;
    this.transaction(() => {
      for (const p of points) {
        this.insertMetric.run(runId, p.key, p.step, p.epoch, p.batch, toSql(p.value), p.wallTime);
      }
      for (const [key, chunk] of summarizeChunk(points)) {
        this.upsertSummary.run({
          run_id: runId,
          key,
          count: chunk.count,
          lower_is_better: chunk.lower ? 1 : 0,
          last_value: toSql(chunk.last.value),
          last_step: chunk.last.step,
          last_epoch: chunk.last.epoch,
          last_wall_time: chunk.last.wallTime,
          best_value: chunk.best?.value ?? null,
          best_step: chunk.best?.step ?? null,
          best_epoch: chunk.best?.epoch ?? null,
        });
      }
      if (heartbeatAt !== undefined) this.touchHeartbeat.run(heartbeatAt, runId);
    });
  }

  /** A stopped run goes back in the queue (to be resumed); a queued or running one is refused. */
  requeue(runId: string): void {
    const result = this.db
      .prepare(
        `UPDATE runs SET status = 'queued', finished_at = NULL, error = NULL
         WHERE id = ? AND status IN ('interrupted', 'cancelled', 'failed', 'completed')`,
      )
      .run(runId);
    if (result.changes === 0) {
      throw new RunBusyError(`run ${runId} is ${this.requireRun(runId).status}: only a stopped run can be resumed`);
    }
  }

  /**
   * Forgets every point recorded after `epoch`, and any checkpoint past it: a
   * run resumed from its epoch-`epoch` checkpoint trains those batches again.
   * The summary is rebuilt by replaying the kept points through appendMetrics,
   * so it follows exactly the rule live writes follow.
   */
  discardAfterEpoch(runId: string, epoch: number): void {
    this.requireRun(runId);
    const discarded = this.transaction(() => {
      const kept = this.metrics(runId).filter((point) => point.epoch <= epoch);
      const later = this.checkpoints(runId).filter((checkpoint) => checkpoint.epoch > epoch);
      this.db.prepare(`DELETE FROM metrics WHERE run_id = ?`).run(runId);
      this.db.prepare(`DELETE FROM metric_summary WHERE run_id = ?`).run(runId);
      this.db.prepare(`DELETE FROM checkpoints WHERE run_id = ? AND epoch > ?`).run(runId, epoch);
      this.layerStats.discardAfterEpoch(runId, epoch);
      this.appendMetrics(runId, kept);
      return later;
    });
    // Their files go too: left behind, they would look like crash orphans and be adopted back.
    const stillUsed = this.db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM checkpoints WHERE path = ?`);
    for (const { path } of discarded) if (stillUsed.get(path)?.n === 0) this.checkpointFolder.remove(path);
  }

  // ---- recording lifecycle ---------------------------------------------------

  /** The start event: the run is now running, owned by the calling process. */
  markStarted(
    runId: string,
    start: StartEvent,
    host: HostInfo,
    owner: { pid: number; hostname: string },
  ): void {
    const values = { ...startColumns(start, host), ...ownerColumns(owner) };
    const assignments = assertColumns(values).map((column) => `${column} = @${column}`);
    const result = this.db
      .prepare(
        `UPDATE runs SET status = 'running', started_at = COALESCE(started_at, @time),
          finished_at = NULL, error = NULL, heartbeat_at = @time, ${assignments.join(', ')}
        WHERE id = @id`,
      )
      .run({ ...values, id: runId, time: start.time });
    if (result.changes === 0) throw new RunNotFoundError(runId);
  }

  heartbeat(runId: string, time: number = Date.now()): void {
    this.touchHeartbeat.run(time, runId);
  }

  finishRun(runId: string, outcome: RunOutcome): void {
    const result =
      outcome.status === 'failed'
        ? this.db
            .prepare(
              `UPDATE runs SET status = 'failed', finished_at = ?, heartbeat_at = ?, error = ? WHERE id = ?`,
            )
            .run(outcome.time, outcome.time, outcome.error, runId)
        : this.db
            .prepare(
              `UPDATE runs SET status = ?, finished_at = ?, heartbeat_at = ?, error = NULL,
                epochs_completed = ?, duration_seconds = ? WHERE id = ?`,
            )
            .run(
              outcome.status,
              outcome.time,
              outcome.time,
              outcome.epochsCompleted,
              outcome.durationSeconds,
              runId,
            );
    if (result.changes === 0) throw new RunNotFoundError(runId);
  }

  /** Marks runs whose recording process is gone as interrupted (see run-reaper.ts); returns their ids. */
  reapInterrupted(context: LivenessContext = this.livenessContext()): string[] {
    return reapInterrupted(this.db, context);
  }

  // ---- checkpoints and per-class results -------------------------------------

  /**
   * Records a checkpoint file the trainer wrote. Only the store's own name for
   * the run and epoch is accepted, so every row names a file this store owns.
   */
  addCheckpoint(runId: string, checkpoint: NewCheckpoint): CheckpointRecord {
    this.requireRun(runId);
    const expected = this.checkpointFolder.pathFor(runId, checkpoint.epoch);
    if (resolve(checkpoint.path) !== expected) {
      throw new Error(`checkpoint ${checkpoint.path} is not where this store keeps run ${runId}'s epoch ${checkpoint.epoch} (${expected})`);
    }
    const createdAt = checkpoint.createdAt ?? Date.now();
    const result = this.db
      .prepare(
        `INSERT INTO checkpoints (run_id, epoch, path, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, checkpoint.epoch, checkpoint.path, checkpoint.bytes, checkpoint.sha256, createdAt);
    return {
      id: Number(result.lastInsertRowid),
      runId,
      epoch: checkpoint.epoch,
      path: checkpoint.path,
      bytes: checkpoint.bytes,
      sha256: checkpoint.sha256,
      createdAt,
    };
  }

  /** Oldest first. */
  checkpoints(runId: string): CheckpointRecord[] {
    return this.db
      .prepare<[string], CheckpointRow>(
        `SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch, id`,
      )
      .all(runId)
      .map(checkpointFromRow);
  }

  /** The checkpoint a resume starts from: the latest epoch, the newest write on ties. */
  latestCheckpoint(runId: string): CheckpointRecord | undefined {
    const row = this.db
      .prepare<[string], CheckpointRow>(
        `SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC, id DESC LIMIT 1`,
      )
      .get(runId);
    return row ? checkpointFromRow(row) : undefined;
  }

  /**
   * The checkpoint a resume or an evaluation can load: the newest whose file
   * is in this store's folder, of the recorded size and SHA-256. Newer ones
   * that fail are listed in `skipped` with why; the run's record is untouched.
   */
  async intactCheckpoint(runId: string): Promise<IntactCheckpoint> {
    const skipped: IntactCheckpoint['skipped'] = [];
    for (const checkpoint of this.checkpoints(runId).reverse()) {
      const check = await this.checkpointFolder.check(checkpoint);
      if (check.ok) return { checkpoint: { ...checkpoint, path: check.path }, skipped };
      skipped.push({ epoch: checkpoint.epoch, reason: check.reason });
    }
    return { checkpoint: undefined, skipped };
  }

  /** The test-set confusion matrix: rows are true classes, columns predictions. */
  setConfusion(runId: string, matrix: number[][], createdAt: number = Date.now()): void {
    validateConfusion(matrix);
    this.requireRun(runId);
    this.db
      .prepare(
        `INSERT INTO confusion_matrices (run_id, matrix_json, created_at) VALUES (?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET matrix_json = excluded.matrix_json, created_at = excluded.created_at`,
      )
      .run(runId, JSON.stringify(matrix), createdAt);
  }

  getConfusion(runId: string): number[][] | null {
    const row = this.db
      .prepare<[string], { matrix_json: string }>(
        `SELECT matrix_json FROM confusion_matrices WHERE run_id = ?`,
      )
      .get(runId);
    return row ? (JSON.parse(row.matrix_json) as number[][]) : null;
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

  /** Writes one whole run row (snapshot-import.ts restores runs with it). */
  insertRun(values: RunColumns & Pick<RunRow, 'id' | 'name' | 'status'>): void {
    const columns = assertColumns(values);
    this.db
      .prepare(`INSERT INTO runs (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`)
      .run(values);
  }

  // ---- internals -----------------------------------------------------------------

  private livenessContext(): LivenessContext {
    return currentLivenessContext(this.heartbeatTimeoutMs);
  }

  private freeRunId(): string {
    const taken = this.db.prepare<[string], { id: string }>(`SELECT id FROM runs WHERE id = ?`);
    for (;;) {
      const id = newRunId();
      if (!taken.get(id)) return id;
    }
  }

  private updateRun(id: string, assignment: string, value: unknown): void {
    const result = this.db.prepare(`UPDATE runs SET ${assignment} WHERE id = ?`).run(value, id);
    if (result.changes === 0) throw new RunNotFoundError(id);
  }

  private summariesFor(ids: readonly string[]): Map<string, Record<string, MetricSummary>> {
    const rows = this.db
      .prepare<[string], SummaryRow>(
        `SELECT * FROM metric_summary WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY key`,
      )
      .all(JSON.stringify(ids));
    const byRun = new Map<string, Record<string, MetricSummary>>();
    for (const row of rows) {
      const summaries = byRun.get(row.run_id) ?? {};
      summaries[row.key] = summaryFromRow(row);
      byRun.set(row.run_id, summaries);
    }
    return byRun;
  }

  private tagsFor(ids: readonly string[]): Map<string, string[]> {
    const rows = this.db
      .prepare<[string], { run_id: string; tag: string }>(
        `SELECT run_id, tag FROM run_tags WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY tag`,
      )
      .all(JSON.stringify(ids));
    const byRun = new Map<string, string[]>();
    for (const row of rows) {
      const tags = byRun.get(row.run_id);
      if (tags) tags.push(row.tag);
      else byRun.set(row.run_id, [row.tag]);
    }
    return byRun;
  }

  private readRecords(rows: readonly RunRow[]): { records: RunRecord[]; broken: BrokenRun[] } {
    const ids = rows.map((row) => row.id);
    const summaries = this.summariesFor(ids);
    const tags = this.tagsFor(ids);
    const records: RunRecord[] = [];
    const broken: BrokenRun[] = [];
    for (const row of rows) {
      try {
        records.push({ ...runFromRow(row), tags: tags.get(row.id) ?? [], summary: summaries.get(row.id) ?? {} });
      } catch (error) {
        broken.push({ id: row.id, name: String(row.name), status: String(row.status), createdAt: Number(row.created_at), reason: brokenReason(error) });
      }
    }
    return { records, broken };
  }
}
