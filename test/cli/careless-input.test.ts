import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { buildProgram } from '../../src-main/cli/main';
import { decimalNumber, positiveInt } from '../../src-main/cli/option-parsers';
import { exportRunsJson, importRuns } from '../../src-main/core/store/export-import';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import { RunStore } from '../../src-main/core/store/run-store';
import { runConfigSchema } from '../../src-main/shared/train/run-config';
import { ERROR_MAX_LENGTH } from '../../src-main/shared/runs/run-limits';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('numeric flags read decimal only: --epochs 0x2 and " 1 " are refused, not guessed at', () => {
  const train = buildProgram().commands.find((c) => c.name() === 'train')!;
  const option = (long: string) => train.options.find((o) => o.long === long)!;
  for (const [long, value] of [['--epochs', '0x2'], ['--epochs', ' 1 '], ['--epochs', ''], ['--lr', '0b1'], ['--lr', '1_0'], ['--batch', '0o7']] as const) {
    assert.throws(() => option(long).parseArg!(value, undefined), InvalidArgumentError, `${long} ${JSON.stringify(value)}`);
  }
  assert.equal(option('--epochs').parseArg!('2', undefined), 2);
  assert.equal(option('--lr').parseArg!('5e-2', undefined), 0.05);
  assert.equal(decimalNumber('-.5'), -0.5);
  assert.equal(decimalNumber('Infinity'), undefined);
  assert.throws(() => positiveInt(' 3'), InvalidArgumentError);
});

test('config.model is capped at the import\'s 100 characters', () => {
  assert.equal(runConfigSchema.safeParse(smallConfig()).success, true);
  assert.equal(runConfigSchema.safeParse({ ...smallConfig(), model: 'm'.repeat(101) }).success, false);
});

test('--db /dev/null names the file and says what is wrong with it', () => {
  const run = cli('runs', 'list', '--db', '/dev/null');
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /cannot open the run database \/dev\/null: it is not a regular file/);
});

test('worker --help gives --checkpoint-transfer-max\'s default in MB, as the flag takes it', () => {
  const run = cli('worker', '--help');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout.replace(/\s+/g, ' '), /--checkpoint-transfer-max <MB> .*\(default: 256\)/);
  assert.ok(!run.stdout.includes('268435456'));
});

test('runs show keeps a tag with a newline on its line', (t) => {
  const { dir, cleanup } = tempDir('careless-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const store = RunStore.open(db);
  const id = store.createRun(smallConfig({ name: 'tagged' }), { tags: ['one\nstatus      completed'] });
  store.close();
  const run = cli('runs', 'show', id, '--db', db);
  assert.equal(run.code, 0, run.stderr);
  const tagLine = run.stdout.split('\n').find((line) => line.trimStart().startsWith('tags'));
  assert.equal(tagLine?.trim(), 'tags         one\\x0astatus      completed');
  assert.ok(!/^\s*status\s+completed/m.test(run.stdout.split('tags')[1] ?? ''), 'no forged field line after the tags');
});

test('import refuses a 10 MB error, a 10 MB engine detail and a createdAt no date can show; a long local error is cut so its export imports', (t) => {
  const { dir, cleanup } = tempDir('careless-import-');
  t.after(cleanup);
  const source = RunStore.open(join(dir, 'a.sqlite'));
  const target = RunStore.open(join(dir, 'b.sqlite'));
  t.after(() => {
    source.close();
    target.close();
  });
  const id = source.createRun(smallConfig({ epochs: 1 }));
  const recorder = new RunRecorder(source, id);
  for (const event of syntheticRun({ epochs: 1, stepsPerEpoch: 2, end: 'none' })) recorder.record(event);
  recorder.record({ type: 'error', time: Date.now(), message: 'x'.repeat(ERROR_MAX_LENGTH * 3) });
  assert.equal(source.requireRun(id).error!.length, ERROR_MAX_LENGTH, 'the recorded error is cut to the limit');
  const text = exportRunsJson(source, [id]);
  const edit = (change: (run: Record<string, unknown>) => void): string => {
    const file = JSON.parse(text) as { runs: Record<string, unknown>[] };
    change(file.runs[0]!);
    return JSON.stringify(file);
  };
  const huge = 'y'.repeat(10 * 1024 * 1024);
  assert.throws(() => importRuns(target, edit((run) => (run.error = huge))), /error/);
  assert.throws(() => importRuns(target, edit((run) => ((run.engine as Record<string, unknown>).detail = huge))), /detail/);
  assert.throws(() => importRuns(target, edit((run) => (run.createdAt = 1e300))), /createdAt/);
  assert.deepEqual(target.listRuns(), [], 'a refused import records nothing');
  assert.equal(importRuns(target, text).length, 1, 'the export of the run with the cut error imports');
});
