import { dirname } from 'node:path';
import { errorMessage } from '../../shared/error-message';

/** A file could not be used; the message names the path and the cause in words, not a bare errno. */
export class FileAccessError extends Error {
  constructor(
    readonly path: string,
    readonly cause: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'FileAccessError';
  }
}

/** What an errno means for the file a person named. */
function causeOf(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOENT':
      return `no such file, or the folder ${dirname(path)} does not exist`;
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'it is on a read-only file system';
    case 'SQLITE_READONLY':
      return 'it is read-only (no write permission on the file or its folder)';
    case 'SQLITE_CANTOPEN':
      return 'SQLite cannot open it (a missing or unwritable folder?)';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return errorMessage(error);
  }
}

/** `cannot <action> <path>: <cause>`, keeping the original error as `cause`. */
export function fileError(action: string, path: string, error: unknown): FileAccessError {
  if (error instanceof FileAccessError) return error;
  return new FileAccessError(path, error, `cannot ${action} ${path}: ${causeOf(error, path)}`);
}
