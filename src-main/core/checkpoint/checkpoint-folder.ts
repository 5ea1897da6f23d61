import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, realpathSync, rmdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * The one folder whose checkpoint files a run store owns, laid out by run and
 * epoch (`<root>/<run id>/epoch-<n>.ckpt`). A path read from a row, an import
 * or an API call is only ever opened or deleted when it resolves, after
 * following links, to a regular file inside this folder: a row cannot point
 * the store at /etc/passwd, /dev/zero or another database's files.
 */

/** Run ids are path segments here; the store's and an import's ids both match. */
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The folder that goes with a database file: `checkpoints` beside the app's
 * own `runs.sqlite` (the layout earlier releases wrote), `<file name>-checkpoints`
 * beside any other. The whole file name, so `exp.sqlite`, `exp.sqlite3` and
 * `exp` (a copy made with cp, say) never share files.
 */
export function checkpointsDirFor(databasePath: string): string {
  const dir = dirname(resolve(databasePath));
  const name = basename(databasePath);
  if (name === 'runs.sqlite') return join(dir, 'checkpoints');
  return join(dir, `${name}-checkpoints`);
}

/**
 * The folder earlier releases gave a database: `<name without extension>-checkpoints`,
 * which every database of one stem shared. Undefined where it is today's folder.
 */
export function legacyCheckpointsDirFor(databasePath: string): string | undefined {
  const name = basename(databasePath);
  if (name === 'runs.sqlite') return undefined;
  const legacy = join(dirname(resolve(databasePath)), `${basename(name, extname(name)) || name}-checkpoints`);
  return legacy === checkpointsDirFor(databasePath) ? undefined : legacy;
}

/** The names of a checkpoint file and of the temp file it is written through (checkpoint-io.ts). */
export const CHECKPOINT_FILE = /^epoch-(\d+)\.ckpt$/;
export const CHECKPOINT_TEMP_FILE = /^epoch-\d+\.ckpt\.(\d+)\.[0-9a-f]+\.tmp$/;
export const isRunId = (name: string): boolean => RUN_ID.test(name);

const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** Why a recorded checkpoint cannot be used; never the file's contents or hash. */
export type CheckpointCheck =
  | { ok: true; path: string }
  | { ok: false; reason: string };

export interface RecordedCheckpointFile {
  path: string;
  bytes: number;
  sha256: string;
}

export class CheckpointFolder {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Where a run's checkpoints are written. */
  runDir(runId: string): string {
    if (!RUN_ID.test(runId)) throw new Error(`run id ${JSON.stringify(runId)} cannot name a checkpoint folder`);
    return join(this.root, runId);
  }

  /** The one name a run's checkpoint of `epoch` may have. */
  pathFor(runId: string, epoch: number): string {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`epoch ${epoch} cannot name a checkpoint`);
    return join(this.runDir(runId), `epoch-${epoch}.ckpt`);
  }

  /**
   * The real path of `path` when it is a regular file inside this folder
   * (links followed, both sides), else undefined. Nothing is opened.
   */
  owned(path: string): string | undefined {
    let root: string;
    let real: string;
    try {
      root = realpathSync(this.root);
      real = realpathSync(path);
    } catch {
      return undefined;
    }
    if (!isInside(root, real)) return undefined;
    try {
      return lstatSync(real).isFile() ? real : undefined;
    } catch {
      return undefined;
    }
  }

  /** Deletes `path` if this folder owns it (and then its run folder, once empty). Returns whether it did. */
  remove(path: string): boolean {
    const real = this.owned(path);
    if (real === undefined) return false;
    try {
      unlinkSync(real);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      // Only an empty run folder goes; ENOTEMPTY means other epochs are still there.
      if (dirname(real) !== realpathSync(this.root)) rmdirSync(dirname(real));
    } catch {
      // Not empty, or already gone: either way nothing to do.
    }
    return true;
  }

  /**
   * Whether a recorded checkpoint can be loaded: inside this folder, a regular
   * file of the recorded size, with the recorded SHA-256. The size is checked
   * before any byte is read, so at most `bytes` are hashed, streamed.
   */
  async check(record: RecordedCheckpointFile): Promise<CheckpointCheck> {
    const real = this.owned(record.path);
    if (real === undefined) {
      return { ok: false, reason: `${record.path} is not a file in this store's checkpoint folder (${this.root})` };
    }
    const size = lstatSync(real).size;
    if (size !== record.bytes) {
      return { ok: false, reason: `${record.path} has ${size} bytes, the run recorded ${record.bytes}` };
    }
    const hash = createHash('sha256');
    await new Promise<void>((done, fail) => {
      createReadStream(real, { end: Math.max(0, record.bytes - 1) })
        .on('data', (chunk) => hash.update(chunk))
        .on('end', done)
        .on('error', fail);
    });
    if (hash.digest('hex') !== record.sha256) {
      return { ok: false, reason: `${record.path} changed since it was written (its SHA-256 differs from the recorded one)` };
    }
    return { ok: true, path: real };
  }
}
