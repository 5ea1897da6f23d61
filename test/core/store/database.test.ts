import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ForeignDatabaseError,
  NewerSchemaError,
  openDatabase,
} from '../../../src-main/core/store/database';
import { LATEST_SCHEMA_VERSION } from '../../../src-main/core/store/migrations';
import { RunStore } from '../../../src-main/core/store/run-store';
import { smallConfig, tempDir } from './store-fixtures';

const fileHash = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

test('a database from a newer schema version is refused and left byte-for-byte unchanged', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'newer.sqlite');
  const store = RunStore.open(path);
  store.createRun(smallConfig());
  store.close();
  const raw = new Database(path);
  raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
  raw.close(); // the last connection checkpoints the WAL into the file
  const before = fileHash(path);

  assert.throws(
    () => RunStore.open(path),
    (error: unknown) =>
      error instanceof NewerSchemaError &&
      error.version === LATEST_SCHEMA_VERSION + 1 &&
      /newer than this release/.test(error.message),
  );
  assert.equal(fileHash(path), before);
  assert.equal(existsSync(`${path}-wal`), false, 'no WAL left behind');
  assert.equal(existsSync(`${path}-shm`), false, 'no shared-memory file left behind');
});

test('a newer version still in the WAL of a live writer is refused too', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'newer-live.sqlite');
  RunStore.open(path).close();
  const writer = new Database(path);
  t.after(() => writer.close());
  writer.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`); // committed to the WAL only
  const before = fileHash(path);
  assert.throws(() => RunStore.open(path), NewerSchemaError);
  assert.equal(fileHash(path), before);
});

test("another application's SQLite database is refused and left unchanged", (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'other-app.sqlite');
  const raw = new Database(path);
  raw.pragma('application_id = 1234');
  raw.exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');`);
  raw.close();
  const before = fileHash(path);
  assert.throws(
    () => RunStore.open(path),
    (error: unknown) => error instanceof ForeignDatabaseError && /application_id is 0x000004d2/.test(error.message),
  );
  assert.equal(fileHash(path), before);
});

test('an SQLite database without any application id (a plain sqlite3 file) is refused unchanged', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'plain.sqlite');
  const raw = new Database(path);
  raw.exec(`CREATE TABLE runs (id INTEGER PRIMARY KEY)`);
  raw.close();
  const before = fileHash(path);
  assert.throws(() => openDatabase(path), ForeignDatabaseError);
  assert.equal(fileHash(path), before);
});

test('a file that is not SQLite at all is refused unchanged', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'notes.txt');
  writeFileSync(path, 'just some text, long enough to have a header-sized prefix '.repeat(4));
  const before = fileHash(path);
  assert.throws(
    () => RunStore.open(path),
    (error: unknown) => error instanceof ForeignDatabaseError && /not an SQLite file/.test(error.message),
  );
  assert.equal(fileHash(path), before);
  writeFileSync(path, 'tiny');
  assert.throws(() => RunStore.open(path), ForeignDatabaseError);
  assert.equal(readFileSync(path, 'utf8'), 'tiny');
});

test('an empty file becomes a new database (what a crash before the first write leaves)', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'empty.sqlite');
  writeFileSync(path, '');
  const store = RunStore.open(path);
  t.after(() => store.close());
  assert.deepEqual(store.listRuns(), []);
});

test('a second process-like connection reads while the first one writes', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'runs.sqlite');
  const writer = RunStore.open(path);
  t.after(() => writer.close());
  const id = writer.createRun(smallConfig());
  const reader = RunStore.open(path);
  t.after(() => reader.close());
  writer.transaction(() => {
    writer.appendMetrics(id, [{ key: 'batch.loss', step: 0, epoch: 0, batch: 0, value: 1, wallTime: 1 }]);
    // The reader is not blocked by the open write transaction and sees the last commit.
    assert.equal(reader.metrics(id).length, 0);
  });
  assert.equal(reader.metrics(id).length, 1);
});
