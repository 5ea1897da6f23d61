import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileError } from '../core/store/file-errors';

/** Where the bytes finally go: through a link to its target, so the link stays a link. */
function finalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Writes a file the way an editor saves: into a temp file beside it, synced,
 * then renamed over the old one. A write that fails half-way (a full disk,
 * a run deleted meanwhile) removes the temp file and leaves the old file
 * whole; a reader never sees half a file. `write` is called with a function
 * that appends text.
 */
export function writeFileAtomically(path: string, write: (append: (text: string) => void) => void): void {
  const target = finalPath(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, 'wx', 0o666);
  } catch (error) {
    // The temp file's folder is the output's: its errors are the output's.
    throw fileError('write', path, error);
  }
  try {
    write((text) => {
      writeSync(fd, text);
    });
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, target);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // Already closed before the rename failed.
    }
    rmSync(temp, { force: true });
    // An errno is the file's fault (a full disk); anything else (a run deleted meanwhile) speaks for itself.
    throw typeof (error as NodeJS.ErrnoException).code === 'string' ? fileError('write', path, error) : error;
  }
}
