import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../../src-main/core/store/run-store';
import { secondsPerEpoch } from '../../../src-main/shared/runs/run-figures';
import { sweepRowSchema } from '../../../src-main/api/sweep-rows';
import { FINISHED_PLAN_RUNS, importFinishedPlan } from '../../helpers/finished-plan';

const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'sweep-rows-')), 'runs.sqlite'));
const imported = importFinishedPlan(store);
const queued = store.createRun({ model: 'vgg16', resize: 32, epochs: 1, batchSize: 32, lr: 0.02, widthRatio: 8 }, { tags: ['sweep-test'] });

test('one summary query gives every run its settings, costs and outcomes, the same as the full records say', () => {
  const rows = store.sweepRows();
  assert.deepEqual(rows.map((r) => r.id).sort(), [...imported, queued].sort());
  for (const row of rows) {
    sweepRowSchema.parse(row);
    const record = store.requireRun(row.id);
    assert.equal(row.model, record.config.model);
    assert.equal(row.resize, record.config.resize);
    assert.equal(row.lr, record.config.lr);
    assert.equal(row.widthRatio, record.config.widthRatio);
    assert.equal(row.params, record.params);
    assert.equal(row.secondsPerEpoch, secondsPerEpoch(record));
    assert.equal(row.finalTestAcc, record.summary['epoch.test_acc']?.last.value ?? null);
    assert.equal(row.bestTestAcc, record.summary['epoch.test_acc']?.best?.value ?? null);
  }
  const byModel = new Map(rows.map((r) => [r.model, r]));
  assert.equal(byModel.get('vgg11')!.depth, 11, 'eight convolutions and three dense layers');
  assert.equal(byModel.get('vgg11')!.engine, store.requireRun(FINISHED_PLAN_RUNS[0]).engine!.id, 'the engine that ran it');
  const pending = rows.find((r) => r.id === queued)!;
  assert.equal(pending.status, 'queued');
  assert.equal(pending.finalTestAcc, null);
  assert.equal(pending.engine, 'auto', 'not run yet: the engine asked for');
});

test('a sweep of given ids, or of a tag, holds those runs only', () => {
  assert.deepEqual(store.sweepRows({ runIds: [FINISHED_PLAN_RUNS[1], 'nope'] }).map((r) => r.id), [FINISHED_PLAN_RUNS[1]]);
  assert.deepEqual(store.sweepRows({ tag: 'plan:vgg-vs-baselines' }).map((r) => r.id).sort(), [...FINISHED_PLAN_RUNS].sort());
  assert.deepEqual(store.sweepRows({ tag: 'sweep-test' }).map((r) => r.id), [queued]);
  assert.deepEqual(store.sweepRows({ runIds: [] }), []);
});
