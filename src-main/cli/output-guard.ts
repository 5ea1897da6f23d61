import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { UsageError } from './usage-error';
import { terminalSafe } from './terminal-safe';

/** A file a command reads or keeps open, that none of its outputs may overwrite. */
export interface ProtectedFile {
  path: string;
  /** What it is, for the refusal: "the run database", "a checkpoint of run abc". */
  what: string;
}

/** A folder whose files no output may overwrite (the store's checkpoint folder). */
export interface ProtectedFolder {
  path: string;
  what: string;
}

/** SQLite's companions of a database file: writing over any of them corrupts the database. */
export function databaseFiles(dbPath: string): ProtectedFile[] {
  return [
    { path: dbPath, what: 'the run database' },
    { path: `${dbPath}-wal`, what: 'the run database\'s write-ahead log' },
    { path: `${dbPath}-shm`, what: 'the run database\'s shared-memory file' },
    { path: `${dbPath}-journal`, what: 'the run database\'s rollback journal' },
  ];
}

/**
 * The path with every link in its folders followed, and the file itself too
 * when it exists: two names of one file compare equal. A file that does not
 * exist yet keeps its own name under its folder's real path.
 */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

/** Device and inode: a hard link has another name and the same pair. */
function identity(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

const inside = (folder: string, path: string): boolean => {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/**
 * Refuses an output path that is, by name, link or hard link, one of the
 * files the command reads (`runs export --out x.sqlite --db x.sqlite` once
 * replaced the database by its own export). The refusal names both.
 */
export function refuseOverwrite(flag: string, out: string, files: readonly ProtectedFile[], folders: readonly ProtectedFolder[] = []): void {
  const outName = canonical(out);
  const outId = identity(out);
  const refuse = (what: string, path: string): never => {
    throw new UsageError(
      `${flag} ${terminalSafe(out, { oneLine: true })} would overwrite ${what} (${terminalSafe(path, { oneLine: true })}): write the output to another file`,
    );
  };
  for (const file of files) {
    if (canonical(file.path) === outName) refuse(file.what, file.path);
    if (outId !== undefined && identity(file.path) === outId) refuse(file.what, file.path);
  }
  for (const folder of folders) {
    if (inside(canonical(folder.path), outName)) refuse(folder.what, folder.path);
  }
}
