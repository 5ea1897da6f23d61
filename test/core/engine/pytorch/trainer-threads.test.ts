import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTorchThreads } from '../../../../src-main/core/engine/pytorch/trainer-job';

test('a pytorch run that names no threads trains on every core, unless the user set OMP_NUM_THREADS', () => {
  assert.equal(defaultTorchThreads({}, 2), 2);
  assert.equal(defaultTorchThreads({ OMP_NUM_THREADS: '' }, 8), 8);
  assert.equal(defaultTorchThreads({ OMP_NUM_THREADS: '3' }, 8), undefined);
});
