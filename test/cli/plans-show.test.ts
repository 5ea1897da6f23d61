import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { findPlan } from '../../src-main/shared/plans/experiment-plans';
import { planAnswer, type PlanAnswer } from '../../src-main/shared/plans/plan-answer';
import { FINISHED_PLAN_RUNS, importFinishedPlan } from '../helpers/finished-plan';

const home = mkdtempSync(join(tmpdir(), 'vgg-plans-show-'));
const db = join(home, 'runs.sqlite');
const store = RunStore.open(db);
importFinishedPlan(store);
const expected = planAnswer(findPlan('vgg-vs-baselines'), store.listRuns({ tag: 'plan:vgg-vs-baselines' }));
store.close();

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, VGG_WORKBENCH_HOME: home },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('`plans show ID --json` is the Plans view’s answer: the same rows, numbers and sentence', () => {
  const { code, stdout, stderr } = cli('plans', 'show', 'vgg-vs-baselines', '--json', '--db', db);
  assert.equal(code, 0, stderr);
  const shown = JSON.parse(stdout) as PlanAnswer;
  assert.deepEqual(shown, JSON.parse(JSON.stringify(expected)));
  assert.deepEqual(shown.rows.map((row) => row.runIds[0]), [...FINISHED_PLAN_RUNS]);
  assert.equal(shown.complete, true);
  assert.match(shown.sentence, /^LeNet beat VGG-11 by \d+\.\d points \(0\.\d{3} vs 0\.\d{3}\) at [\d.]+× the time per epoch/);
});

test('`plans show ID` prints the table and the sentence; an unknown plan is a usage error; no database is no runs', () => {
  const { code, stdout, stderr } = cli('plans', 'show', 'vgg-vs-baselines', '--db', db);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /Network\s+Final test acc\.\s+Best test acc\.\s+s \/ epoch\s+Parameters/);
  assert.match(stdout, /LeNet \(baseline\)\s+0\.\d{3}/);
  assert.ok(stdout.trimEnd().endsWith(expected.sentence), stdout);
  const unknown = cli('plans', 'show', 'nope', '--db', db);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown plan "nope": choose one of/);
  const empty = cli('plans', 'show', 'vgg-depths', '--db', join(home, 'none.sqlite'));
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /No runs of “VGG-11, 13, 16 and 19 side by side” yet/);
});
