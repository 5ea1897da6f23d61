import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, CommanderError } from 'commander';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerRunsCommands } from '../../src-main/cli/runs-command';
import { UsageError } from '../../src-main/cli/usage-error';
import { metricsCsv } from '../../src-main/core/store/export-import';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import { RunBusyError, RunNotFoundError, RunStore } from '../../src-main/core/store/run-store';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';

/** A program with only the runs commands, its output captured. */
function cli(defaultDb: string) {
  let out = '';
  let err = '';
  const program = new Command('vgg-workbench')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerRunsCommands(program, () => defaultDb, (s) => (out += s));
  return {
    run: async (...args: string[]): Promise<string> => {
      out = '';
      await program.parseAsync(args, { from: 'user' });
      return out;
    },
    stderr: () => err,
  };
}

function seed(path: string): { done: string; queued: string } {
  const store = RunStore.open(path);
  try {
    const done = store.createRun(smallConfig({ name: 'finished run' }), { tags: ['sweep'] });
    const recorder = new RunRecorder(store, done);
    for (const event of syntheticRun({ epochs: 2, stepsPerEpoch: 3 })) recorder.record(event);
    store.setConfusion(done, [
      [5, 1],
      [2, 7],
    ]);
    store.addCheckpoint(done, { epoch: 1, path: store.checkpointFolder.pathFor(done, 1), bytes: 10, sha256: 'f'.repeat(64) });
    const queued = store.createRun(smallConfig({ model: 'lenet', resize: 28, name: 'waiting' }), { baseline: true });
    return { done, queued };
  } finally {
    store.close();
  }
}

test('runs list prints a table for people and JSON on request', async (t) => {
  const { dir, cleanup } = tempDir('cli-runs-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const missing = join(dir, 'not', 'yet', 'default.sqlite');
  const { run } = cli(missing);
  assert.equal(await run('runs', 'list'), `No runs recorded yet (no database at ${missing}).\n`);
  assert.equal(await run('runs', 'list', '--json'), '[]\n');
  await assert.rejects(run('runs', 'show', 'abc'), /no run database at .*nothing was created/);
  await assert.rejects(run('runs', 'delete', 'abc'), UsageError);
  assert.equal(existsSync(join(dir, 'not')), false, 'a read-only look creates neither file nor folder');
  const { done, queued } = seed(db);

  const table = (await run('runs', 'list', '--db', db)).split('\n');
  assert.match(table[0], /^ID\s+NAME\s+STATUS\s+MODEL\s+EPOCHS\s+TEST ACC\s+CREATED\s+TAGS$/);
  assert.match(table[1], new RegExp(`^${queued}\\s+waiting\\s+queued \\*\\s+lenet\\s+0/2`));
  assert.match(table[2], new RegExp(`^${done}\\s+finished run\\s+completed\\s+vgg11\\s+2/2\\s+0\\.4500 \\(best 0\\.5000\\).*sweep$`));

  const json = JSON.parse(await run('runs', 'list', '--db', db, '--json')) as { id: string }[];
  assert.deepEqual(json.map((r) => r.id), [queued, done]);
  const filtered = JSON.parse(await run('runs', 'list', '--db', db, '--json', '--status', 'completed')) as { id: string }[];
  assert.deepEqual(filtered.map((r) => r.id), [done]);
});

test('runs show resolves an id prefix and prints fields, metrics, checkpoints and the confusion matrix', async (t) => {
  const { dir, cleanup } = tempDir('cli-runs-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const { done } = seed(db);
  const { run } = cli(db);
  const text = await run('runs', 'show', done.slice(0, 6));
  assert.match(text, new RegExp(`^Run ${done}  finished run`));
  assert.match(text, /status\s+completed/);
  assert.match(text, /params\s+123,456 \(MACs 7\.89 M\)/);
  assert.match(text, /epoch\.test_acc\s+0\.4500\s+1\s+0\.5000\s+0\s+2/);
  assert.match(text, /Checkpoints\nEPOCH\s+BYTES\s+SHA256\s+PATH\n1\s+10\s+ffffffffffff/);
  assert.match(text, /Confusion matrix[^\n]*\n\s+0\s+1\n0\s+5\s+1\n1\s+2\s+7\n/);
  const json = JSON.parse(await run('runs', 'show', done, '--json')) as {
    id: string;
    confusion: number[][];
    checkpoints: unknown[];
  };
  assert.equal(json.id, done);
  assert.deepEqual(json.confusion, [
    [5, 1],
    [2, 7],
  ]);
  assert.equal(json.checkpoints.length, 1);
});

test('runs export (json and csv) and runs import move runs between databases', async (t) => {
  const { dir, cleanup } = tempDir('cli-runs-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const other = join(dir, 'other.sqlite');
  const { done, queued } = seed(db);
  const { run } = cli(db);

  const csvFile = join(dir, 'metrics.csv');
  assert.match(await run('runs', 'export', done, queued, '--format', 'csv', '--out', csvFile), /Wrote 2 run\(s\) as CSV/);
  const store = RunStore.open(db);
  const expectedCsv = metricsCsv(store, [done, queued]);
  store.close();
  assert.equal(readFileSync(csvFile, 'utf8'), expectedCsv);

  const jsonFile = join(dir, 'runs.json');
  await run('runs', 'export', done, queued, '--out', jsonFile);
  const imported = await run('runs', 'import', jsonFile, '--db', other);
  assert.equal(
    imported,
    `Imported ${done}  finished run (imported without weights: evaluate and resume need a checkpoint)\nImported ${queued}  waiting\n`,
  );
  await assert.rejects(
    run('runs', 'import', jsonFile, '--db', other),
    new RegExp(`run ids ${done}, ${queued} are already in this database.*nothing was imported`),
  );
  const stdoutJson = JSON.parse(await run('runs', 'export', done)) as { runs: { id: string }[] };
  assert.deepEqual(stdoutJson.runs.map((r) => r.id), [done]);
});

test('runs tag and runs delete', async (t) => {
  const { dir, cleanup } = tempDir('cli-runs-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const { done } = seed(db);
  const { run } = cli(db);
  assert.equal(await run('runs', 'tag', done, 'best'), `${done}: best, sweep\n`);
  assert.equal(await run('runs', 'tag', done, 'sweep', '--remove'), `${done}: best\n`);
  assert.equal(await run('runs', 'delete', done), `Deleted run ${done}\n`);
  await assert.rejects(run('runs', 'show', done), RunNotFoundError);
});

test('failures throw (exit 1 in main); bad usage is a UsageError or a commander error (exit 2)', async (t) => {
  const { dir, cleanup } = tempDir('cli-runs-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const { done } = seed(db);
  const { run, stderr } = cli(db);
  await assert.rejects(run('runs', 'show', 'ffffffffff'), RunNotFoundError);
  await assert.rejects(
    run('runs', 'import', join(dir, 'missing.json')),
    new RegExp(`cannot read ${join(dir, 'missing.json')}: no such file, or the folder ${dir} does not exist`),
  );
  await assert.rejects(run('runs', 'export', done, '--out', dir), new RegExp(`cannot write ${dir}: it is a folder, not a file`));
  await assert.rejects(
    run('runs', 'export', done, '--out', join(dir, 'no', 'such', 'x.csv')),
    /cannot write .*x\.csv: no such file, or the folder .*no\/such does not exist/,
  );
  await assert.rejects(run('runs', 'list', '--db', dir), new RegExp(`cannot open the run database ${dir}: it is a folder, not a file`));
  await assert.rejects(run('runs', 'tag', done, '  '), UsageError);
  const usage = async (args: string[], code: string) =>
    assert.rejects(run(...args), (e: unknown) => e instanceof CommanderError && e.code === code && e.exitCode !== 0);
  await usage(['runs', 'show'], 'commander.missingArgument');
  await usage(['runs', 'export', done, '--format', 'xml'], 'commander.invalidArgument');
  await usage(['runs', 'list', '--limit', '0'], 'commander.invalidArgument');
  await usage(['runs', 'list', '--status', 'paused'], 'commander.invalidArgument');
  assert.match(stderr(), /Allowed choices are json, csv/);
});

test('runs delete refuses a run still queued by a live process, as the API refuses one its queue holds', async (t) => {
  const { dir, cleanup } = tempDir('cli-runs-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const { queued } = seed(db);
  // Another process of this host that queued the run and is still alive (the app, serve, another train).
  const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => holder.kill());
  const raw = new Database(db);
  raw.prepare(`UPDATE runs SET owner_pid = ? WHERE id = ?`).run(holder.pid, queued);
  raw.close();
  const { run } = cli(db);
  await assert.rejects(run('runs', 'delete', queued), (error: unknown) => {
    assert.ok(error instanceof RunBusyError);
    assert.match(error.message, new RegExp(`run ${queued} is queued by process ${holder.pid} on .*: cancel it there first`));
    return true;
  });
  assert.match(await run('runs', 'show', queued), /queued/, 'the run is still recorded');

  // Once that process is gone, nothing holds the run: the store cancels it on open, and it deletes.
  await new Promise<void>((resolve) => {
    holder.once('exit', () => resolve());
    holder.kill();
  });
  assert.equal(await run('runs', 'delete', queued), `Deleted run ${queued}\n`);
});
