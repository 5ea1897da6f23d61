import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smoothEma } from '../../src-renderer/src/lib/ema';

test('smoothing 0 leaves values as they are; NaN becomes a gap', () => {
  assert.deepEqual(smoothEma([3, 1, Number.NaN, 2], 0), [3, 1, null, 2]);
});

test('the debiased EMA starts at the first value, follows a constant exactly and keeps gaps without resetting', () => {
  assert.ok(smoothEma([5, 5, 5], 0.9).every((v) => Math.abs(v! - 5) < 1e-12));
  const smoothed = smoothEma([2, null, 0], 0.5);
  assert.equal(smoothed[0], 2);
  assert.equal(smoothed[1], null);
  // Second real value: (0.5·(0.5·2) + 0.5·0) / (1 − 0.25) = 0.5 / 0.75.
  assert.ok(Math.abs(smoothed[2]! - 0.5 / 0.75) < 1e-12);
});

test('heavier smoothing moves a step change more slowly', () => {
  const step = [0, 0, 0, 1, 1, 1];
  const light = smoothEma(step, 0.3);
  const heavy = smoothEma(step, 0.9);
  assert.ok(heavy[3]! < light[3]!);
  assert.ok(light[5]! < 1 && light[5]! > 0.9);
});
