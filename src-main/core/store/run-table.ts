import { randomBytes } from 'node:crypto';
import { RESUMABLE_FIELDS, runConfigSchema, type RunConfig, type RunConfigInput } from '../../shared/train/run-config';
import { canonicalJson } from './config-hash';
import { NOTES_MAX_LENGTH, TAGS_PER_RUN_MAX } from '../../shared/runs/run-limits';
import type { CreateRunOptions, RunFilter, RunRecord } from '../../shared/runs/run-entities';
import type { CheckpointRecords } from './checkpoint-records';
import type { MetricLog } from './metric-log';
import { isOwnerAlive } from './owner-liveness';
import { configColumns, ownerColumns, ownerFromRow, runFromRow, type RunColumns, type RunRow } from './run-rows';
import { assertColumns, type StoreContext } from './store-context';
import {
  brokenReason,
  BrokenRunError,
  checkName,
  normalizeTags,
  RunBusyError,
  RunLimitError,
  RunNotFoundError,
  type BrokenRun,
} from './store-errors';

export const DEFAULT_DATASET = 'fashion-mnist';

const newRunId = (): string => randomBytes(4).toString('hex');

/**
 * The runs and their tags: a run's row (config, status, owner, notes), read
 * back as a RunRecord with its tags and metric summary, listed, renamed,
 * tagged and deleted (with its checkpoint files).
 */
export class RunTable {
  constructor(
    private readonly ctx: StoreContext,
    private readonly metricLog: Pick<MetricLog, 'summariesFor'>,
    private readonly checkpointRecords: Pick<CheckpointRecords, 'checkpoints' | 'unnamedPaths' | 'removeFiles'>,
    /** How the file was opened: a delete from a read-only one says so. */
    private readonly readOnly: () => boolean,
  ) {}

  createRun(configInput: RunConfigInput, options: CreateRunOptions = {}): string {
    const config = runConfigSchema.parse(configInput);
    return this.ctx.transaction(() => {
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
        ...ownerColumns({ pid: process.pid, hostname: this.ctx.livenessContext().hostname }),
      });
      this.updateTags(id, { add: options.tags ?? [] });
      return id;
    });
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.ctx.db.prepare<[string], RunRow>(`SELECT * FROM runs WHERE id = ?`).get(id);
    if (!row) return undefined;
    const { records, broken } = this.readRecords([row]);
    if (broken[0]) throw new BrokenRunError(broken[0].id, broken[0].reason);
    return records[0];
  }

  /** Whether a row with this id exists, readable or not. */
  hasRun(id: string): boolean {
    return this.ctx.db.prepare<[string], { id: string }>(`SELECT id FROM runs WHERE id = ?`).get(id) !== undefined;
  }

  requireRun(id: string): RunRecord {
    const run = this.getRun(id);
    if (!run) throw new RunNotFoundError(id);
    return run;
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
    const { records, broken } = this.readRecords(this.ctx.db.prepare<[Record<string, unknown>], RunRow>(sql).all(params));
    return { runs: records, broken };
  }

  /** An exact id, or a prefix that matches exactly one run (as git resolves short hashes). */
  resolveRunId(idOrPrefix: string): string {
    if (this.hasRun(idOrPrefix)) return idOrPrefix;
    const matches = this.ctx.db
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

  /**
   * The config a resumed run trains with (service/prepare-run.ts's
   * resumedConfig): how long (epochs) and where (engine, device, precision,
   * threads) may change, nothing else, for its checkpoint holds the weights
   * of the network and recipe it has. A config that differs in any other
   * field is refused and nothing is written.
   */
  setResumedConfig(id: string, configInput: RunConfigInput): void {
    const config = runConfigSchema.parse(configInput);
    const recorded = this.requireRun(id).config;
    const fields = new Set([...Object.keys(recorded), ...Object.keys(config)] as (keyof RunConfig)[]);
    const changed = [...fields].filter((field) => !RESUMABLE_FIELDS.includes(field) && canonicalJson(recorded[field]) !== canonicalJson(config[field]));
    if (changed.length > 0) {
      throw new Error(`run ${id} resumes with its own ${changed.join(', ')}: a resume changes only its ${RESUMABLE_FIELDS.join(', ')}`);
    }
    const values = configColumns(config);
    const assignments = assertColumns(values).map((column) => `${column} = @${column}`);
    this.ctx.db.prepare(`UPDATE runs SET ${assignments.join(', ')} WHERE id = @id`).run({ ...values, id });
  }

  /**
   * Adds, then removes, tags in one transaction with one statement each (set
   * operations in SQL, not a query per tag), and refuses the lot if the run
   * would end with more than TAGS_PER_RUN_MAX.
   */
  updateTags(id: string, change: { add?: readonly string[]; remove?: readonly string[] }): void {
    const add = normalizeTags(change.add ?? [], 'add');
    const remove = normalizeTags(change.remove ?? [], 'remove');
    const { db } = this.ctx;
    this.ctx.transaction(() => {
      if (!db.prepare<[string], { id: string }>(`SELECT id FROM runs WHERE id = ?`).get(id)) {
        throw new RunNotFoundError(id);
      }
      const count = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM run_tags WHERE run_id = ?`);
      const before = count.get(id)!.n;
      if (add.length > 0) {
        db.prepare(`INSERT OR IGNORE INTO run_tags (run_id, tag) SELECT ?, value FROM json_each(?)`).run(id, JSON.stringify(add));
      }
      if (remove.length > 0) {
        db.prepare(`DELETE FROM run_tags WHERE run_id = ? AND tag IN (SELECT value FROM json_each(?))`).run(id, JSON.stringify(remove));
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
      if (this.readOnly() || String((error as { code?: unknown }).code).startsWith('SQLITE_READONLY')) {
        throw new Error(`${this.ctx.path} is read-only here: its runs can be listed, shown and exported, not deleted`);
      }
      throw error;
    }
  }

  /** Writes one whole run row (snapshot-import.ts restores runs with it). */
  insertRun(values: RunColumns & Pick<RunRow, 'id' | 'name' | 'status'>): void {
    const columns = assertColumns(values);
    this.ctx.db
      .prepare(`INSERT INTO runs (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`)
      .run(values);
  }

  /** Sets one column of a run; `assignment` is this file's own SQL, never a caller's. */
  private updateRun(id: string, assignment: string, value: unknown): void {
    const result = this.ctx.db.prepare(`UPDATE runs SET ${assignment} WHERE id = ?`).run(value, id);
    if (result.changes === 0) throw new RunNotFoundError(id);
  }

  private deleteRunAndFiles(id: string): { deletedFiles: string[] } {
    const orphaned = this.ctx.transaction(() => {
      // Read as a raw row: a run that no longer validates must still be deletable.
      const run = this.ctx.db
        .prepare<[string], Pick<RunRow, 'status' | 'owner_pid' | 'owner_host' | 'heartbeat_at'>>(
          `SELECT status, owner_pid, owner_host, heartbeat_at FROM runs WHERE id = ?`,
        )
        .get(id);
      if (!run) throw new RunNotFoundError(id);
      const owner = ownerFromRow(run);
      if (run.status === 'running' && isOwnerAlive(owner, this.ctx.livenessContext())) {
        throw new RunBusyError(`run ${id} is still running (pid ${owner?.pid} on ${owner?.hostname}); stop it first`);
      }
      const paths = this.checkpointRecords.checkpoints(id).map((checkpoint) => checkpoint.path);
      this.ctx.db.prepare(`DELETE FROM runs WHERE id = ?`).run(id);
      return this.checkpointRecords.unnamedPaths(paths);
    });
    return { deletedFiles: this.checkpointRecords.removeFiles(orphaned) };
  }

  private freeRunId(): string {
    const taken = this.ctx.db.prepare<[string], { id: string }>(`SELECT id FROM runs WHERE id = ?`);
    for (;;) {
      const id = newRunId();
      if (!taken.get(id)) return id;
    }
  }

  private tagsFor(ids: readonly string[]): Map<string, string[]> {
    const rows = this.ctx.db
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
    const summaries = this.metricLog.summariesFor(ids);
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
