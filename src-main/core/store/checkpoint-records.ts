import { resolve } from 'node:path';
import type { CheckpointRecord, NewCheckpoint } from '../../shared/runs/run-entities';
import { checkpointFromRow, type CheckpointRow } from './run-rows';
import type { StoreContext } from './store-context';
import { validateConfusion } from './store-errors';

/** A checkpoint whose file was checked: `path` is its real path inside the store's folder. */
export interface IntactCheckpoint {
  checkpoint: CheckpointRecord | undefined;
  /** Newer checkpoints passed over, newest first, each with why. */
  skipped: { epoch: number; reason: string }[];
}

/**
 * What a run leaves besides its points: the rows of its checkpoint files
 * (each naming a file in the store's own folder) and its test-set confusion
 * matrix.
 */
export class CheckpointRecords {
  constructor(
    private readonly ctx: StoreContext,
    /** Throws RunNotFoundError (or BrokenRunError) unless the run can be read: rows of no run are refused. */
    private readonly requireRun: (runId: string) => unknown,
  ) {}

  /**
   * Records a checkpoint file the trainer wrote. Only the store's own name for
   * the run and epoch is accepted, so every row names a file this store owns.
   */
  addCheckpoint(runId: string, checkpoint: NewCheckpoint): CheckpointRecord {
    this.requireRun(runId);
    const expected = this.ctx.checkpointFolder.pathFor(runId, checkpoint.epoch);
    if (resolve(checkpoint.path) !== expected) {
      throw new Error(`checkpoint ${checkpoint.path} is not where this store keeps run ${runId}'s epoch ${checkpoint.epoch} (${expected})`);
    }
    const createdAt = checkpoint.createdAt ?? Date.now();
    const result = this.ctx.db
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
    return this.ctx.db
      .prepare<[string], CheckpointRow>(
        `SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch, id`,
      )
      .all(runId)
      .map(checkpointFromRow);
  }

  /** The checkpoint a resume starts from: the latest epoch, the newest write on ties. */
  latestCheckpoint(runId: string): CheckpointRecord | undefined {
    const row = this.ctx.db
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
      const check = await this.ctx.checkpointFolder.check(checkpoint);
      if (check.ok) return { checkpoint: { ...checkpoint, path: check.path }, skipped };
      skipped.push({ epoch: checkpoint.epoch, reason: check.reason });
    }
    return { checkpoint: undefined, skipped };
  }

  /** Forgets the rows of checkpoints after `epoch` and removes their files no other row names. */
  discardAfterEpoch(runId: string, epoch: number): CheckpointRecord[] {
    const later = this.checkpoints(runId).filter((checkpoint) => checkpoint.epoch > epoch);
    this.ctx.db.prepare(`DELETE FROM checkpoints WHERE run_id = ? AND epoch > ?`).run(runId, epoch);
    return later;
  }

  /** Of these files, those no checkpoint row names any more (a file two rows share stays named). */
  unnamedPaths(paths: readonly string[]): string[] {
    const stillUsed = this.ctx.db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM checkpoints WHERE path = ?`);
    return [...new Set(paths)].filter((path) => stillUsed.get(path)?.n === 0);
  }

  /** Removes the files (only inside the store's folder); returns those removed. */
  removeFiles(paths: readonly string[]): string[] {
    return paths.filter((path) => this.ctx.checkpointFolder.remove(path));
  }

  /** The test-set confusion matrix: rows are true classes, columns predictions. */
  setConfusion(runId: string, matrix: number[][], createdAt: number = Date.now()): void {
    validateConfusion(matrix);
    this.requireRun(runId);
    this.ctx.db
      .prepare(
        `INSERT INTO confusion_matrices (run_id, matrix_json, created_at) VALUES (?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET matrix_json = excluded.matrix_json, created_at = excluded.created_at`,
      )
      .run(runId, JSON.stringify(matrix), createdAt);
  }

  getConfusion(runId: string): number[][] | null {
    const row = this.ctx.db
      .prepare<[string], { matrix_json: string }>(
        `SELECT matrix_json FROM confusion_matrices WHERE run_id = ?`,
      )
      .get(runId);
    return row ? (JSON.parse(row.matrix_json) as number[][]) : null;
  }
}
