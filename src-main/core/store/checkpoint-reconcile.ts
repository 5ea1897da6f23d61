import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmdirSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import {
  CHECKPOINT_FILE,
  CHECKPOINT_TEMP_FILE,
  checkpointsDirFor,
  isRunId,
  legacyCheckpointsDirFor,
  type CheckpointFolder,
} from '../checkpoint/checkpoint-folder';
import { isWholeCheckpointFile } from '../checkpoint/checkpoint-io';
import { isOwnerAlive, isProcessAlive, type LivenessContext } from './owner-liveness';
import { ownerFromRow, type RunRow } from './run-rows';

/**
 * Keeps a store's checkpoint folder and its rows in step when the store opens:
 * files an earlier release kept in a folder shared by name stem move to the
 * database's own folder, and files no row names (a crash between a
 * checkpoint's rename and its row, or in the middle of its write) are adopted
 * when whole or removed, and rows whose file is gone are dropped. Each change
 * is described once, in the returned
 * notices: after it the folder and the rows agree, so the next open finds
 * nothing to say.
 */

const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

const SQLITE_MAGIC = 'SQLite format 3\0';

function isSqliteFile(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!lstatSync(path).isFile()) return false;
    fd = openSync(path, 'r');
    const magic = Buffer.alloc(16);
    return readSync(fd, magic, 0, 16, 0) === 16 && magic.toString('latin1') === SQLITE_MAGIC;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The other database files beside `databasePath` that earlier releases (or this one) pointed at `legacy` too. */
function otherClaimants(databasePath: string, legacy: string): string[] {
  const dir = dirname(resolve(databasePath));
  const own = basename(databasePath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    if (name === own) return false;
    const path = join(dir, name);
    const claims = legacyCheckpointsDirFor(path) === legacy || checkpointsDirFor(path) === legacy;
    return claims && isSqliteFile(path);
  });
}

/** Removes `dir` and then its parent while they are empty, never above `stop`. */
function removeEmptyDirs(dir: string, stop: string): void {
  for (let current = dir; current === stop || isInside(stop, current); current = dirname(current)) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    if (current === stop) return;
  }
}

/**
 * Moves the checkpoint files this database's rows name in the folder earlier
 * releases shared by name stem (`exp-checkpoints` for `exp.sqlite`) to its
 * own folder, and points the rows there. Moved only when no other database
 * beside it could claim that folder; otherwise linked (or copied), and the
 * originals stay for the others.
 */
export function moveLegacyCheckpoints(db: Database.Database, databasePath: string, folder: CheckpointFolder): string[] {
  const legacy = legacyCheckpointsDirFor(databasePath);
  if (legacy === undefined || !existsSync(legacy)) return [];
  const rows = db
    .prepare<[], { id: number; run_id: string; epoch: number; path: string }>(`SELECT id, run_id, epoch, path FROM checkpoints`)
    .all()
    .filter((row) => isInside(legacy, resolve(row.path)));
  if (rows.length === 0) return [];
  const others = otherClaimants(databasePath, legacy);
  const moved: { id: number; target: string }[] = [];
  for (const row of rows) {
    if (!isRunId(row.run_id)) continue;
    const source = resolve(row.path);
    const target = folder.pathFor(row.run_id, row.epoch);
    try {
      if (!lstatSync(source).isFile()) continue;
      mkdirSync(dirname(target), { recursive: true });
      if (!existsSync(target)) {
        try {
          linkSync(source, target);
        } catch {
          copyFileSync(source, target);
        }
      }
      moved.push({ id: row.id, target });
    } catch {
      // Missing or unreadable: the row stays as it was, and resume or evaluate says why.
    }
  }
  const repoint = db.prepare(`UPDATE checkpoints SET path = ? WHERE id = ?`);
  db.transaction(() => moved.forEach(({ id, target }) => repoint.run(target, id)))();
  if (others.length === 0) {
    for (const row of rows) {
      const source = resolve(row.path);
      if (!moved.some(({ id }) => id === row.id)) continue;
      try {
        unlinkSync(source);
      } catch {
        // Already gone.
      }
      removeEmptyDirs(dirname(source), legacy);
    }
  }
  if (moved.length === 0) return [];
  const kept = others.length > 0 ? `; the originals stay in ${legacy}, which ${others.join(', ')} may use too` : '';
  return [`moved ${moved.length} checkpoint file(s) of ${basename(databasePath)} from ${legacy} to its own folder ${folder.root}${kept}`];
}

function sha256OfFile(path: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      hash.update(chunk.subarray(0, read));
      bytes += read;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

type RunOwnerRow = Pick<RunRow, 'status' | 'owner_pid' | 'owner_host' | 'heartbeat_at'>;

/**
 * Rows naming a file in the store's folder that is gone (deleted by hand, a
 * disk cleaner): the row can never load again, so it is dropped, said once.
 * Only while the folder itself is there: a folder that is missing as a whole
 * (an unmounted disk, a moved tree) may come back, and its rows wait for it.
 * A file of the wrong size or hash stays recorded: resume and evaluate skip
 * it and say why when they need it.
 */
export function forgetMissingCheckpoints(db: Database.Database, folder: CheckpointFolder): string[] {
  if (!existsSync(folder.root)) return [];
  const rows = db
    .prepare<[], { id: number; run_id: string; epoch: number; path: string }>(`SELECT id, run_id, epoch, path FROM checkpoints`)
    .all()
    .filter((row) => isInside(folder.root, resolve(row.path)));
  const forget = db.prepare(`DELETE FROM checkpoints WHERE id = ?`);
  const notices: string[] = [];
  for (const row of rows) {
    try {
      lstatSync(row.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') continue;
      forget.run(row.id);
      notices.push(`forgot run ${row.run_id}'s checkpoint of epoch ${row.epoch}: its file ${row.path} is gone`);
    }
  }
  return notices;
}

/**
 * Files in the store's folder that no row names: a whole checkpoint of a run
 * that exists is recorded (adopted); anything else of ours (a torn file, a
 * temp file whose writer is gone, a file of a deleted run) is removed. A run
 * whose recording process may be alive is left alone: it may be between its
 * rename and its row right now.
 */
export function adoptOrphanCheckpoints(db: Database.Database, folder: CheckpointFolder, context: LivenessContext): string[] {
  let runDirs: string[];
  try {
    runDirs = readdirSync(folder.root).filter((name) => isRunId(name) && lstatSync(join(folder.root, name)).isDirectory());
  } catch {
    return [];
  }
  const recorded = new Set(
    db
      .prepare<[], { path: string }>(`SELECT path FROM checkpoints`)
      .all()
      .map((row) => resolve(row.path)),
  );
  const runOf = db.prepare<[string], RunOwnerRow>(`SELECT status, owner_pid, owner_host, heartbeat_at FROM runs WHERE id = ?`);
  const insert = db.prepare(
    `INSERT INTO checkpoints (run_id, epoch, path, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const notices: string[] = [];
  const remove = (path: string, why: string): void => {
    try {
      unlinkSync(path);
      notices.push(`removed ${path}: ${why}`);
    } catch {
      // Gone meanwhile, or not ours to remove: nothing to report.
    }
  };
  for (const runId of runDirs) {
    const run = runOf.get(runId);
    const busy = run !== undefined && (run.status === 'running' || run.status === 'queued') && isOwnerAlive(ownerFromRow(run), context);
    if (busy) continue;
    const dir = join(folder.root, runId);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const temp = CHECKPOINT_TEMP_FILE.exec(name);
      if (temp) {
        if (!isProcessAlive(Number(temp[1]))) remove(path, 'an unfinished checkpoint write whose process is gone');
        continue;
      }
      const file = CHECKPOINT_FILE.exec(name);
      if (!file || recorded.has(path) || !lstatSync(path).isFile()) continue;
      const epoch = Number(file[1]);
      if (run === undefined) {
        remove(path, `its run ${runId} is not in this database`);
      } else if (isWholeCheckpointFile(path)) {
        const { bytes, sha256 } = sha256OfFile(path);
        insert.run(runId, epoch, path, bytes, sha256, statSync(path).mtimeMs);
        notices.push(`adopted ${path}: run ${runId}'s checkpoint of epoch ${epoch} was written but never recorded`);
      } else {
        remove(path, `an incomplete checkpoint of run ${runId} that was never recorded`);
      }
    }
    if (run === undefined) removeEmptyDirs(dir, dir);
  }
  return notices;
}
