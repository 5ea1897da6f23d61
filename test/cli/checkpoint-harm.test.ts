import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { smallConfig, tempDir } from '../core/store/store-fixtures';

/** Issue 13's holes 1 and 2, and relative paths under npm, through the real CLI. */

const PROJECT = resolve(import.meta.dirname, '..', '..');
const MAIN = join(PROJECT, 'src-main', 'cli', 'main.ts');

function cli(cwd: string, home: string, ...args: string[]) {
  // tsx by its full address: the child runs in a temp folder with no node_modules.
  const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, VGG_WORKBENCH_HOME: home },
  });
  assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A completed run in the database at `dbPath` with one real checkpoint file. */
function runWithCheckpoint(dbPath: string): { id: string; file: string } {
  const store = RunStore.open(dbPath);
  try {
    const id = store.createRun(smallConfig({ epochs: 1 }));
    const file = store.checkpointFolder.pathFor(id, 0);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'the weights');
    store.addCheckpoint(id, {
      epoch: 0,
      path: file,
      bytes: 11,
      sha256: createHash('sha256').update('the weights').digest('hex'),
    });
    store.finishRun(id, { status: 'completed', time: 1, epochsCompleted: 1, durationSeconds: 1 });
    return { id, file };
  } finally {
    store.close();
  }
}

test('hole 1: an export naming any file as a checkpoint, imported then deleted, leaves the file alone', (t) => {
  const { dir, cleanup } = tempDir('harm-');
  t.after(cleanup);
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  const source = join(dir, 'source.sqlite');
  const { id } = runWithCheckpoint(source);
  const exported = JSON.parse(cli(dir, dir, 'runs', 'export', id, '--db', source)) as {
    runs: { checkpoints: { path?: string }[] }[];
  };
  exported.runs[0]!.checkpoints[0]!.path = victim;
  writeFileSync(join(dir, 'forged.json'), JSON.stringify(exported));

  const imported = cli(dir, dir, 'runs', 'import', 'forged.json', '--db', 'target.sqlite');
  assert.match(imported, /imported without weights: evaluate and resume need a checkpoint/);
  assert.equal(cli(dir, dir, 'runs', 'delete', id, '--db', 'target.sqlite'), `Deleted run ${id}\n`);
  assert.equal(readFileSync(victim, 'utf8'), 'precious');
});

test("hole 2: export from x, import into y, delete in y: x's checkpoints survive and still load", async (t) => {
  const { dir, cleanup } = tempDir('harm-');
  t.after(cleanup);
  const { id, file } = runWithCheckpoint(join(dir, 'x.sqlite'));
  assert.equal(dirname(dirname(file)), join(dir, 'x.sqlite-checkpoints'), 'each database has its own folder');
  cli(dir, dir, 'runs', 'export', id, '--db', 'x.sqlite', '--out', 'run.json');
  cli(dir, dir, 'runs', 'import', 'run.json', '--db', 'y.sqlite');
  cli(dir, dir, 'runs', 'delete', id, '--db', 'y.sqlite');
  assert.equal(existsSync(file), true);
  const x = RunStore.open(join(dir, 'x.sqlite'));
  try {
    assert.equal((await x.intactCheckpoint(id)).checkpoint?.epoch, 0);
    assert.equal(x.requireRun(id).status, 'completed');
  } finally {
    x.close();
  }
});

test('npm --prefix <project> run cli -- runs list --db rel.sqlite looks in the folder it was run from and creates nothing', (t) => {
  const { dir, cleanup } = tempDir('harm-cwd-');
  t.after(cleanup);
  const npm = (...args: string[]) => {
    // The caller's own npm variables would mislead the child npm about where it runs.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^INIT_CWD$/i.test(key)));
    const result = spawnSync('npm', ['--prefix', PROJECT, 'run', '--silent', 'cli', '--', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...env, VGG_WORKBENCH_HOME: join(dir, 'home') },
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  assert.equal(npm('runs', 'list', '--db', 'rel.sqlite'), `No runs recorded yet (no database at ${join(dir, 'rel.sqlite')}).\n`);
  assert.deepEqual(readdirSync(dir), [], 'nothing created');
  assert.equal(existsSync(join(PROJECT, 'rel.sqlite')), false, 'nor in the project');

  const { id } = runWithCheckpoint(join(dir, 'rel.sqlite'));
  assert.match(npm('runs', 'list', '--db', 'rel.sqlite'), new RegExp(`^${id}\\s`, 'm'));
});
