import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import { RunStore } from '../../src-main/core/store/run-store';
import { writeFileAtomically } from '../../src-main/cli/atomic-file';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';

const CLI = ['--import', 'tsx', 'src-main/cli/main.ts'];
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The CLI as a child process; stdout to a pipe read `slowly` (paused first), or to a file. */
function cli(args: string[], options: { stdoutFile?: string; slowMs?: number } = {}): Promise<{ code: number | null; stdoutBytes: number; stderr: string }> {
  const fd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : undefined;
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
  if (fd !== undefined) closeSync(fd);
  let stdoutBytes = 0;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<void>((resolve) => {
    if (!child.stdout) return resolve();
    // A slow reader: nothing is read for a while, so the pipe fills and the writer must wait.
    child.stdout.pause();
    child.stdout.once('end', resolve);
    setTimeout(() => child.stdout!.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length)).resume(), options.slowMs ?? 0);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return Promise.all([exited, ended]).then(([code]) => ({ code, stdoutBytes, stderr }));
}

function seed(db: string, runs = 1): string[] {
  const store = RunStore.open(db);
  try {
    const ids: string[] = [];
    for (let i = 0; i < runs; i++) {
      const id = store.createRun(smallConfig({ name: `run ${i}` }), { tags: ['sweep'] });
      ids.push(id);
    }
    const recorder = new RunRecorder(store, ids[0]!);
    for (const event of syntheticRun({ epochs: 2, stepsPerEpoch: 3 })) recorder.record(event);
    store.addCheckpoint(ids[0]!, { epoch: 1, path: store.checkpointFolder.pathFor(ids[0]!, 1), bytes: 10, sha256: 'f'.repeat(64) });
    return ids;
  } finally {
    store.close();
  }
}

test('runs export --out the open database, its WAL, a link to it or a checkpoint is refused, and the database is unchanged', async (t) => {
  const { dir, cleanup } = tempDir('cli-out-');
  t.after(cleanup);
  const db = join(dir, 'x.sqlite');
  const [id] = seed(db);
  const before = sha(db);
  const hardLink = join(dir, 'hard.sqlite');
  linkSync(db, hardLink);
  const softLink = join(dir, 'soft.json');
  symlinkSync(db, softLink);
  const store = RunStore.open(db);
  const checkpoint = store.checkpoints(id!)[0]!.path;
  const otherInFolder = join(store.checkpointFolder.root, 'note.txt');
  store.close();
  for (const [out, what] of [
    [db, 'the run database'],
    [hardLink, 'the run database'],
    [softLink, 'the run database'],
    [`${db}-wal`, "the run database's write-ahead log"],
    [`${dir}/./sub/../x.sqlite-shm`, "the run database's shared-memory file"],
  ] as const) {
    if (out.includes('/sub/')) mkdirSync(join(dir, 'sub'), { recursive: true });
    const result = await cli(['runs', 'export', id!, '--db', db, '--out', out]);
    assert.equal(result.code, 2, `${out}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`--out .* would overwrite ${what.replace(/'/g, '.')} \\(${db.replace(/[.]/g, '\\.')}`), result.stderr);
    assert.equal(sha(db), before, `${out}: the database is unchanged`);
  }
  const inFolder = await cli(['runs', 'export', id!, '--db', db, '--out', checkpoint]);
  assert.equal(inFolder.code, 2, inFolder.stderr);
  assert.match(inFolder.stderr, /would overwrite the checkpoint of epoch 1 of run/);
  const folder = await cli(['runs', 'export', id!, '--db', db, '--out', otherInFolder]);
  assert.equal(folder.code, 2, folder.stderr);
  assert.match(folder.stderr, /would overwrite the checkpoint folder/);
  const ok = await cli(['runs', 'export', id!, '--db', db, '--out', join(dir, 'runs.json')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(sha(db), before);
  assert.equal(JSON.parse(readFileSync(join(dir, 'runs.json'), 'utf8')).runs[0].id, id);
});

test('a file output that fails half-way leaves the old file whole and no temp file behind', (t) => {
  const { dir, cleanup } = tempDir('cli-atomic-');
  t.after(cleanup);
  const out = join(dir, 'export.json');
  writeFileSync(out, 'the old export');
  assert.throws(
    () =>
      writeFileAtomically(out, (append) => {
        append('{"half": ');
        throw new Error('run abc was deleted meanwhile');
      }),
    /deleted meanwhile/,
  );
  assert.equal(readFileSync(out, 'utf8'), 'the old export');
  assert.deepEqual(readdirSync(dir), ['export.json']);
  writeFileAtomically(out, (append) => append('the new export'));
  assert.equal(readFileSync(out, 'utf8'), 'the new export');
  assert.deepEqual(readdirSync(dir), ['export.json']);
});

test('runs list --json into a slow pipe delivers every byte, as into a file, for 3,000 runs', async (t) => {
  const { dir, cleanup } = tempDir('cli-drain-');
  t.after(cleanup);
  const db = join(dir, 'many.sqlite');
  seed(db, 3000);
  const file = join(dir, 'list.json');
  const toFile = await cli(['runs', 'list', '--json', '--db', db], { stdoutFile: file });
  assert.equal(toFile.code, 0, toFile.stderr);
  const fileBytes = statSync(file).size;
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as unknown[]).length, 3000);
  assert.ok(fileBytes > 1024 * 1024, `a list far larger than a pipe's 64 KiB buffer (${fileBytes} bytes)`);
  const piped = await cli(['runs', 'list', '--json', '--db', db], { slowMs: 1500 });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdoutBytes, fileBytes);
  const table = await cli(['runs', 'list', '--db', db], { slowMs: 500 });
  assert.equal(table.code, 0, table.stderr);
  assert.ok(table.stdoutBytes > 3000 * 40, `the table's 3,001 lines all arrive (${table.stdoutBytes} bytes)`);
});

test('a reader that stops early (| head) ends the command quietly with 141, not an EPIPE stack', async (t) => {
  const { dir, cleanup } = tempDir('cli-epipe-');
  t.after(cleanup);
  const db = join(dir, 'many.sqlite');
  seed(db, 3000);
  const child = spawn(process.execPath, [...CLI, 'runs', 'list', '--json', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Like head -c: read one chunk, then close the pipe.
  child.stdout!.once('data', () => child.stdout!.destroy());
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 141, stderr);
  assert.equal(stderr, '');
});
