import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
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
}

/**
 * Opens (creating if absent or empty) a run database: identity checks, WAL so
 * readers never block the writer, a busy timeout so two writers queue instead
 * of failing, foreign keys on, then migrations up to the newest version.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  try {
    return openChecked(path, options);
  } catch (error) {
    if (error instanceof ForeignDatabaseError || error instanceof NewerSchemaError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    // Only the file's own troubles are reworded; anything else (a bug, a busy lock) goes as it is.
    if (code && /^(E[A-Z]+|SQLITE_(READONLY|CANTOPEN))$/.test(code)) throw fileError('open the run database', path, error);
    throw error;
  }
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
