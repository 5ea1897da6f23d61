import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SweepRow } from '../../src-main/shared/runs/sweep-row';
import { brushedIds, byOutcome, parallelModel } from '../../src-renderer/src/lib/sweep-axes';

let n = 0;
function row(over: Partial<SweepRow>): SweepRow {
  n += 1;
  return {
    id: `r${n}`, name: `run ${n}`, status: 'completed', model: 'vgg11', depth: 11, resize: 32, lr: 0.01, batchSize: 64, widthRatio: 8,
    epochs: 2, engine: 'wasm', seed: 1, baseline: false, params: 1000, macs: 2000, secondsPerEpoch: 60, finalTestAcc: 0.8, bestTestAcc: 0.8,
    createdAt: n, ...over,
  };
}
const rows = [
  row({ model: 'vgg16', depth: 16, finalTestAcc: 0.87, secondsPerEpoch: 150 }),
  row({ model: 'lenet', depth: 5, finalTestAcc: 0.85, lr: 0.1 }),
  row({ model: 'vgg11', finalTestAcc: null, status: 'queued', secondsPerEpoch: null, engine: 'auto' }),
  row({ model: 'alexnet', depth: 8, finalTestAcc: 0.82 }),
];

test('parallel lines: names become sorted category indices, numbers stay numbers, unknowns stay null', () => {
  const model = parallelModel(rows, ['model', 'engine', 'lr', 'finalTestAcc']);
  assert.deepEqual(model.axes[0]!.categories, ['alexnet', 'lenet', 'vgg11', 'vgg16']);
  assert.deepEqual(model.axes[1]!.categories, ['auto', 'wasm']);
  assert.deepEqual(model.lines, [
    [3, 1, 0.01, 0.87],
    [1, 1, 0.1, 0.85],
    [2, 0, 0.01, null],
    [0, 1, 0.01, 0.82],
  ]);
});

test('brushing: every brushed axis must hold the line, any of its intervals will do, an unknown value never does', () => {
  const model = parallelModel(rows, ['model', 'lr', 'finalTestAcc']);
  assert.deepEqual(brushedIds(rows, model, {}), rows.map((r) => r.id), 'no brush: every run');
  assert.deepEqual(brushedIds(rows, model, { finalTestAcc: [[0.84, 0.9]] }), [rows[0]!.id, rows[1]!.id]);
  assert.deepEqual(brushedIds(rows, model, { finalTestAcc: [[0.84, 0.9]], lr: [[0.05, 0.2]] }), [rows[1]!.id]);
  assert.deepEqual(brushedIds(rows, model, { finalTestAcc: [[0.9, 0.84]] }).length, 2, 'an interval drawn upwards counts the same');
  assert.deepEqual(brushedIds(rows, model, { model: [[2.6, 3.4], [-0.2, 0.3]] }), [rows[0]!.id, rows[3]!.id], 'vgg16 and alexnet by their indices');
  assert.deepEqual(brushedIds(rows, model, { finalTestAcc: [[0, 1]] }).includes(rows[2]!.id), false, 'the queued run has no accuracy');
});

test('the table: best outcome first, runs without one last', () => {
  assert.deepEqual(byOutcome(rows, 'finalTestAcc').map((r) => r.finalTestAcc), [0.87, 0.85, 0.82, null]);
});
