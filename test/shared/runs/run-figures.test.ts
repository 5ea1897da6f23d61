import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endedNearChance, isNearChance, secondsPerEpoch } from '../../../src-main/shared/runs/run-figures';
import type { MetricSummary, RunRecord } from '../../../src-main/shared/runs/run-entities';

const summaryOf = (key: string, value: number): Record<string, MetricSummary> => ({
  [key]: { key, count: 1, lowerIsBetter: false, last: { value, step: 0, epoch: 0, wallTime: 0 }, best: { value, step: 0, epoch: 0 } },
});
type Figures = Pick<RunRecord, 'status' | 'summary' | 'durationSeconds' | 'epochsCompleted'>;
const run = (over: Partial<Figures>): Figures => ({ status: 'completed', summary: {}, durationSeconds: null, epochsCompleted: null, ...over });

test('near chance: the 0.097 AlexNet of issue 20 and anything under 0.15 are; 0.15 and a trained run are not', () => {
  assert.equal(isNearChance(0.097), true);
  assert.equal(isNearChance(0.1499), true);
  assert.equal(isNearChance(0.15), false);
  assert.equal(isNearChance(0.82), false);
  assert.equal(isNearChance(Number.NaN), true, 'a diverged run learned nothing either');
  assert.equal(endedNearChance(run({ summary: summaryOf('epoch.test_acc', 0.097) })), true);
  assert.equal(endedNearChance(run({ status: 'running', summary: summaryOf('epoch.test_acc', 0.1) })), false, 'still training: not judged yet');
  assert.equal(endedNearChance(run({})), false, 'no epoch: nothing to judge');
});

test('seconds per epoch: a finished run its duration over its epochs, else its last epoch (Runs and Compare both use this)', () => {
  assert.equal(secondsPerEpoch(run({ durationSeconds: 12.2, epochsCompleted: 2, summary: summaryOf('epoch.seconds', 5.9) })), 6.1);
  assert.equal(secondsPerEpoch(run({ status: 'running', summary: summaryOf('epoch.seconds', 5.9) })), 5.9);
  assert.equal(secondsPerEpoch(run({})), null);
});
