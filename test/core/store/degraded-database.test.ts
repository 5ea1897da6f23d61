import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerRunsCommands } from '../../../src-main/cli/runs-command';
import { databaseAccess, openDatabase } from '../../../src-main/core/store/database';
import { RunStore } from '../../../src-main/core/store/run-store';
import { smallConfig, tempDir } from './store-fixtures';

/** The runs commands in this process, output captured. */
function cli() {
  let out = '';
  const program = new Command('vgg-workbench').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  registerRunsCommands(program, () => 'unused.sqlite', (s) => (out += s));
  return async (...args: string[]): Promise<string> => {
    out = '';
    await program.parseAsync(args, { from: 'user' });
    return out;
  };
}

/** A database with two stopped runs, the first with a 300 KB checkpoint file. */
function seed(path: string): { big: string; small: string; file: string } {
  const store = RunStore.open(path);
  try {
    const big = store.createRun(smallConfig({ name: 'big' }));
    const small = store.createRun(smallConfig({ name: 'small' }));
    const file = store.checkpointFolder.pathFor(big, 0);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, Buffer.alloc(300_000));
    store.addCheckpoint(big, { epoch: 0, path: file, bytes: 300_000, sha256: 'a'.repeat(64) });
    for (const id of [big, small]) store.finishRun(id, { status: 'failed', time: 1, error: 'stopped' });
    return { big, small, file };
  } finally {
    store.close();
  }
}

/** Mounts need root (the tests run as root in CI); elsewhere the test says why it skipped. */
function mount(t: TestContext, ...args: string[]): boolean {
  const result = spawnSync('mount', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    t.skip(`cannot mount here (${(result.stderr || result.error?.message || '').trim()}); needs root`);
    return false;
  }
  return true;
}
const umount = (dir: string): void => void spawnSync('umount', [dir]);

/** A temp folder whose teardown steps run newest first, the folder's removal last (after unmounts). */
function scratch(t: TestContext, prefix: string): { dir: string; onTeardown: (step: () => void) => void } {
  const { dir, cleanup } = tempDir(prefix);
  const steps: (() => void)[] = [cleanup];
  t.after(() => {
    for (const step of steps) step();
  });
  return { dir, onTeardown: (step) => steps.unshift(step) };
}

test('on a full disk, runs list and runs delete still work, and the delete frees the space', async (t) => {
  const { dir, onTeardown } = scratch(t, 'full-disk-');
  const disk = join(dir, 'disk');
  mkdirSync(disk);
  if (!mount(t, '-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk)) return;
  onTeardown(() => umount(disk));
  const db = join(disk, 'x.sqlite');
  const { big, small, file } = seed(db);
  assert.throws(() => writeFileSync(join(disk, 'filler'), Buffer.alloc(4_000_000)), /ENOSPC/);

  const run = cli();
  const list = await run('runs', 'list', '--db', db);
  assert.match(list, new RegExp(`${big} +big`));
  assert.match(list, new RegExp(`${small} +small`));
  assert.equal(await run('runs', 'delete', big, '--db', db), `Deleted run ${big} and 1 checkpoint file(s)\n`);
  assert.equal(existsSync(file), false, 'the checkpoint file is gone, its space free');
  assert.doesNotMatch(await run('runs', 'list', '--db', db), new RegExp(big));

  // With space again, the next ordinary open is the usual read-write WAL one.
  const db2 = openDatabase(db);
  try {
    assert.equal(databaseAccess(db2), 'read-write');
    assert.equal(db2.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    db2.close();
  }
});

test('the low-space mode itself: exclusive, journal in memory, and a delete works', (t) => {
  const { dir, cleanup } = tempDir('low-space-');
  t.after(cleanup);
  const db = join(dir, 'x.sqlite');
  const { big } = seed(db);
  const store = RunStore.open(db, { lowSpace: true });
  t.after(() => store.close());
  assert.equal(store.access, 'low-space');
  store.deleteRun(big);
  assert.equal(store.listRuns().length, 1);
});

test('a database on a read-only mount can be listed, shown and exported; a delete says why not', async (t) => {
  const { dir, onTeardown } = scratch(t, 'read-only-');
  const source = join(dir, 'source');
  const view = join(dir, 'view');
  mkdirSync(source);
  mkdirSync(view);
  const { big, small } = seed(join(source, 'x.sqlite'));
  if (!mount(t, '--bind', source, view)) return;
  onTeardown(() => umount(view));
  if (!mount(t, '-o', 'remount,bind,ro', view)) return;
  const db = join(view, 'x.sqlite');

  const store = RunStore.open(db);
  assert.equal(store.access, 'read-only');
  store.close();
  const run = cli();
  assert.match(await run('runs', 'list', '--db', db), new RegExp(`${small} +small[\\s\\S]*${big} +big`));
  assert.match(await run('runs', 'show', big, '--db', db), new RegExp(`Run ${big} {2}big`));
  assert.match(await run('runs', 'export', big, '--db', db, '--format', 'csv'), /^run_id,run_name/);
  await assert.rejects(run('runs', 'delete', big, '--db', db), /x\.sqlite is read-only here: its runs can be listed, shown and exported, not deleted/);
});

test('an immutable file (chattr +i) can be listed, and a delete says why not', async (t) => {
  const { dir, onTeardown } = scratch(t, 'immutable-');
  const db = join(dir, 'x.sqlite');
  const { big } = seed(db);
  const chattr = spawnSync('chattr', ['+i', db], { encoding: 'utf8' });
  if (chattr.status !== 0) return t.skip(`chattr +i is not possible here (${(chattr.stderr || chattr.error?.message || '').trim()})`);
  onTeardown(() => void spawnSync('chattr', ['-i', db]));
  const run = cli();
  assert.match(await run('runs', 'list', '--db', db), new RegExp(`${big} +big`));
  await assert.rejects(run('runs', 'delete', big, '--db', db), /is read-only here/);
});
