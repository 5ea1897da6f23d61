import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportRunsJson } from '../../src-main/core/store/export-import';
import { RunStore } from '../../src-main/core/store/run-store';
import { smallConfig, tempDir } from '../core/store/store-fixtures';

/** The CLI from source, as `npm run cli` runs it (from the checkout: tsx resolves from there), its home in `dir`. */
function cli(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, VGG_WORKBENCH_HOME: join(dir, 'home') },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('train --resume "" and --init-from "" are refused, and start nothing', (t) => {
  const { dir, cleanup } = tempDir('holes-');
  t.after(cleanup);
  for (const flag of ['--resume', '--init-from']) {
    const run = cli(dir, 'train', flag, '', '--db', join(dir, 'x.sqlite'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`${flag} <run>.*expected a run id \\(or a unique prefix of one\\), got an empty value`));
    assert.equal(existsSync(join(dir, 'x.sqlite')), false);
  }
});

test('a mistyped --db for evaluate or train --resume is said to be missing and is never created', (t) => {
  const { dir, cleanup } = tempDir('holes-');
  t.after(cleanup);
  const typo = join(dir, 'exp.sqlte');
  for (const args of [['evaluate', 'abc', '--db', typo], ['train', '--resume', 'abc', '--db', typo]]) {
    const run = cli(dir, ...args);
    assert.equal(run.code, 2, `${args[0]}: ${run.stderr}`);
    assert.match(run.stderr, /no run database at .*exp\.sqlte \(nothing was created\); check --db/);
    assert.equal(existsSync(typo), false, `${args[0]} created ${typo}`);
  }
  assert.deepEqual(readdirSync(dir), []);
});

test('evaluate --test-limit above the test set is refused, naming the size', (t) => {
  const { dir, cleanup } = tempDir('holes-');
  t.after(cleanup);
  const run = cli(dir, 'evaluate', 'abc', '--test-limit', '20000', '--db', join(dir, 'x.sqlite'));
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--test-limit <n>.*the test set has 10,000 images: pass 10000 or fewer/);
});

test('a row that fails validation is listed as broken, does not hide the others, and can be deleted', (t) => {
  const { dir, cleanup } = tempDir('holes-');
  t.after(cleanup);
  const db = join(dir, 'x.sqlite');
  const store = RunStore.open(db);
  const good = store.createRun(smallConfig({ name: 'good run' }));
  const bad = store.createRun(smallConfig({ name: 'damaged run' }));
  store.close();
  const raw = new Database(db);
  raw.prepare(`UPDATE runs SET config_json = '{"model": 5}' WHERE id = ?`).run(bad);
  raw.close();

  const list = cli(dir, 'runs', 'list', '--db', db);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${good} +good run +queued`));
  assert.match(list.stdout, new RegExp(`${bad} +damaged run +broken`));
  assert.match(list.stdout, new RegExp(`broken: run ${bad} cannot be read \\(.+\\); \`runs delete ${bad}\` removes it`));
  const json = cli(dir, 'runs', 'list', '--db', db, '--json');
  assert.deepEqual((JSON.parse(json.stdout) as { id: string }[]).map((r) => r.id), [good]);
  assert.match(json.stderr, new RegExp(`warning: run ${bad} is recorded but cannot be read`));
  const show = cli(dir, 'runs', 'show', bad, '--db', db);
  assert.equal(show.code, 1);
  assert.match(show.stderr, new RegExp(`run ${bad} is recorded but cannot be read .*delete it with`));

  const deleted = cli(dir, 'runs', 'delete', bad.slice(0, 6), '--db', db);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, `Deleted run ${bad}\n`);
  assert.doesNotMatch(cli(dir, 'runs', 'list', '--db', db).stdout, /broken/);
});

test('an imported queued or training run arrives interrupted, saying why, and can be resumed later', (t) => {
  const { dir, cleanup } = tempDir('holes-');
  t.after(cleanup);
  const source = RunStore.open(join(dir, 'source.sqlite'));
  const queued = source.createRun(smallConfig({ name: 'waiting' }));
  const file = join(dir, 'queued.json');
  writeFileSync(file, exportRunsJson(source, [queued]));
  source.close();
  const running = JSON.parse(readFileSync(file, 'utf8')) as { runs: { id: string; status: string }[] };
  running.runs[0]!.id = 'training1';
  running.runs[0]!.status = 'running';
  writeFileSync(join(dir, 'running.json'), JSON.stringify(running));

  const target = join(dir, 'target.sqlite');
  assert.equal(cli(dir, 'runs', 'import', file, '--db', target).code, 0);
  assert.equal(cli(dir, 'runs', 'import', join(dir, 'running.json'), '--db', target).code, 0);
  const store = RunStore.open(target);
  t.after(() => store.close());
  const waiting = store.requireRun(queued);
  assert.equal(waiting.status, 'interrupted');
  assert.match(waiting.error ?? '', /imported while queued: nothing here was training it; resume it to continue/);
  assert.notEqual(waiting.finishedAt, null);
  assert.equal(store.requireRun('training1').status, 'interrupted');
  assert.doesNotThrow(() => store.requeue(queued), 'a stopped run can be resumed');
});

test('runs list --json --db naming a missing file says the file does not exist, keeps its JSON shape and creates nothing', (t) => {
  const { dir, cleanup } = tempDir('holes-');
  t.after(cleanup);
  const missing = join(dir, 'missing.db');
  const run = cli(dir, 'runs', 'list', '--db', missing, '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '[]\n');
  assert.match(run.stderr, /no run database at .*missing\.db \(the file does not exist; nothing was created\); check --db/);
  assert.equal(existsSync(missing), false);
});
