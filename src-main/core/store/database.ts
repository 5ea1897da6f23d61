import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileError } from './file-errors';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrations';

/**
 * `PRAGMA application_id` stamped into every database we create ('VGGW' in
 * ASCII), so a file from another app is told apart before anything is written
 * (https://www.sqlite.org/fileformat.html#application_id).
 */
export const APPLICATION_ID = 0x56474757;

/** How long a writer waits for another connection's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/** The file exists but is not a workbench database; it was not touched. */
export class ForeignDatabaseError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} is not a VGG Workbench run database (${reason}); it was left unchanged`);
    this.name = 'ForeignDatabaseError';
  }
}

/** The file was written by a newer release; it was not touched. */
export class NewerSchemaError extends Error {
  constructor(
    readonly path: string,
    readonly version: number,
  ) {
    super(
      `${path} has schema version ${version}, newer than this release understands ` +
        `(${LATEST_SCHEMA_VERSION}); update VGG Workbench. The file was left unchanged`,
    );
    this.name = 'NewerSchemaError';
  }
}

const SQLITE_MAGIC = 'SQLite format 3\0';
/** Offsets into the 100-byte database header (https://www.sqlite.org/fileformat.html). */
const HEADER_BYTES = 100;
const USER_VERSION_OFFSET = 60;
const APPLICATION_ID_OFFSET = 68;

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const read = readSync(fd, header, 0, HEADER_BYTES, 0);
    return header.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Identity checks on an existing file before any read-write connection, so a
 * refused file keeps every byte. The application id sits in the main file's
 * header: it is written once, in the creating transaction, before the file
 * switches to WAL.
 */
function assertOurs(path: string, nativeBinding: string | undefined): void {
  const header = readHeader(path);
  if (header.length < HEADER_BYTES || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    throw new ForeignDatabaseError(path, 'not an SQLite file');
  }
  const applicationId = header.readUInt32BE(APPLICATION_ID_OFFSET);
  if (applicationId !== APPLICATION_ID) {
    throw new ForeignDatabaseError(
      path,
      `SQLite application_id is 0x${applicationId.toString(16).padStart(8, '0')}, ours is 0x${APPLICATION_ID.toString(16)}`,
    );
  }
  const version = schemaVersionOf(path, header, nativeBinding);
  if (version > LATEST_SCHEMA_VERSION) throw new NewerSchemaError(path, version);
}

/**
 * The header's user_version is current unless a WAL holds newer pages (a
 * writer is active, or one crashed); only then ask SQLite, read-only. Opening
 * SQLite on a cleanly closed WAL database would leave -wal/-shm files behind.
 */
function schemaVersionOf(path: string, header: Buffer, nativeBinding: string | undefined): number {
  let walBytes = 0;
  try {
    walBytes = statSync(`${path}-wal`).size;
  } catch {
    walBytes = 0;
  }
  if (walBytes === 0) return header.readUInt32BE(USER_VERSION_OFFSET);
  const reader = new Database(path, { readonly: true, fileMustExist: true, nativeBinding });
  try {
    return schemaVersion(reader);
  } finally {
    reader.close();
  }
}

export interface OpenDatabaseOptions {
  /** Stop migrating at this version (tests build old databases with it). */
  migrateTo?: number;
  /**
   * The better-sqlite3 addon to load instead of node_modules' own: the
   * Electron main process names its Electron-ABI build (electron/sqlite-binding.ts).
   */
  nativeBinding?: string;
  /** Open for writing on a full disk straight away (see openLowSpace); a write that failed with a full disk retries so. */
  lowSpace?: boolean;
}

/**
 * How a database was opened: as usual; read-only, because the file, its folder
 * or its file system is not writable (listing and showing still work); or, on a
 * full disk, in the low-space mode that can still delete runs and so free space.
 */
export type DatabaseAccess = 'read-write' | 'read-only' | 'low-space';
const accessOf = new WeakMap<Database.Database, DatabaseAccess>();
export const databaseAccess = (db: Database.Database): DatabaseAccess => accessOf.get(db) ?? 'read-write';

const errorCode = (error: unknown): string => String((error as { code?: unknown } | null)?.code ?? '');

/** SQLite's and the OS's ways of saying the disk is full (a -shm that cannot grow is an I/O error). */
export function isDiskFullError(error: unknown): boolean {
  return /^(SQLITE_FULL|SQLITE_IOERR_(SHMSIZE|SHMMAP|WRITE|TRUNCATE|FSYNC)|ENOSPC|EDQUOT)$/.test(errorCode(error));
}

function isReadOnlyError(error: unknown): boolean {
  return /^(SQLITE_READONLY\w*|SQLITE_CANTOPEN|EACCES|EPERM|EROFS)$/.test(errorCode(error));
}

/**
 * Opens (creating if absent or empty) a run database: identity checks, WAL so
 * readers never block the writer, a busy timeout so two writers queue instead
 * of failing, foreign keys on, then migrations up to the newest version.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  try {
    if (options.lowSpace) {
      assertOurs(path, options.nativeBinding);
      return openLowSpace(path, options.nativeBinding);
    }
    return openChecked(path, options);
  } catch (error) {
    if (error instanceof ForeignDatabaseError || error instanceof NewerSchemaError) throw error;
    const fallback = isNonEmptyFile(path) && !options.lowSpace
      ? isDiskFullError(error) ? openLowSpace : isReadOnlyError(error) ? openReadOnly : undefined
      : undefined;
    if (fallback) {
      try {
        return fallback(path, options.nativeBinding);
      } catch {
        // The fallback could not help either: report the first failure, which says what is wrong.
      }
    }
    const code = (error as NodeJS.ErrnoException).code;
    // Only the file's own troubles are reworded; anything else (a bug, a busy lock) goes as it is.
    if (code && /^(E[A-Z]+|SQLITE_(READONLY|CANTOPEN))$/.test(code)) throw fileError('open the run database', path, error);
    throw error;
  }
}

function isNonEmptyFile(path: string): boolean {
  try {
    const stat = statSync(path);
    return stat.isFile() && stat.size > 0;
  } catch {
    return false;
  }
}

/** A fallback cannot migrate: the file must already be at this release's schema. */
function assertCurrent(db: Database.Database, path: string, why: string): void {
  const version = schemaVersion(db);
  if (version !== LATEST_SCHEMA_VERSION) {
    throw new Error(`${path} needs its schema upgraded (version ${version} to ${LATEST_SCHEMA_VERSION}), which needs ${why}`);
  }
}

/**
 * On a full disk a WAL database cannot even be read: its -shm index cannot
 * grow. With EXCLUSIVE locking set before the first read, SQLite keeps that
 * index in memory instead (https://www.sqlite.org/wal.html#noshm), and a
 * journal in memory lets a delete rewrite pages in place without a new disk
 * block: enough to list runs and delete them, which frees their checkpoint
 * files. The price: other processes wait while this one has the file open,
 * and a crash in the middle of a write could damage it, which is why only a
 * full disk gets this mode; the next ordinary open returns the file to WAL.
 */
function openLowSpace(path: string, nativeBinding: string | undefined): Database.Database {
  const db = new Database(path, { fileMustExist: true, nativeBinding });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    assertCurrent(db, path, 'free disk space');
    db.pragma('journal_mode = MEMORY');
    accessOf.set(db, 'low-space');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A file we may not write (its mode, chattr +i, a read-only mount) is opened
 * read-only. A WAL database on a read-only file system without its -shm file
 * cannot be opened even so (better-sqlite3 takes no `immutable=1` URI): then a
 * copy is read into memory, marked as a rollback-journal file (header bytes
 * 18 and 19, https://www.sqlite.org/fileformat.html#file_format_version_numbers)
 * so SQLite looks for no WAL.
 */
function openReadOnly(path: string, nativeBinding: string | undefined): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, nativeBinding });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    assertCurrent(db, path, 'a writable file');
  } catch {
    db?.close();
    const image = readFileSync(path);
    image[18] = 1;
    image[19] = 1;
    db = new Database(image, { readonly: true, nativeBinding });
    assertCurrent(db, path, 'a writable file');
  }
  accessOf.set(db, 'read-only');
  return db;
}

function openChecked(path: string, options: OpenDatabaseOptions): Database.Database {
  const stat = (() => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  })();
  if (stat?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  // /dev/null, a pipe or a socket: SQLite would say only "disk I/O error".
  if (stat && !stat.isFile()) throw Object.assign(new Error('it is not a regular file (a device, a pipe or a socket): name a .sqlite file'), { code: 'ENOTREG' });
  const exists = stat !== undefined && stat.size > 0;
  if (exists) assertOurs(path, options.nativeBinding);
  else mkdirSync(dirname(path), { recursive: true });

  const db = new Database(path, { nativeBinding: options.nativeBinding });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrateTo ?? LATEST_SCHEMA_VERSION, () => {
      // Inside step 1's lock: another process may have created the file meanwhile.
      const applicationId = db.pragma('application_id', { simple: true }) as number;
      const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master`).get() as { n: number };
      if ((applicationId !== 0 && applicationId !== APPLICATION_ID) || tables.n > 0) {
        throw new ForeignDatabaseError(path, 'it already holds tables of another schema');
      }
      db.pragma(`application_id = ${APPLICATION_ID}`);
    });
    // After the first transaction, so the header's application id is in the main file.
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL loses no committed transaction when a process dies;
    // only a power cut may drop the last few. It keeps each commit cheap.
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
