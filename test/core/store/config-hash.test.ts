import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, configHash } from '../../../src-main/core/store/config-hash';
import { describeHost } from '../../../src-main/core/store/host-info';
import { lowerIsBetter } from '../../../src-main/shared/runs/metric-keys';

test('canonical JSON sorts keys at every level, keeps array order and drops undefined', () => {
  const value = { b: 1, a: { d: [{ f: 1, e: 2 }, 3], c: undefined }, z: null };
  assert.equal(canonicalJson(value), '{"a":{"d":[{"e":2,"f":1},3]},"b":1,"z":null}');
  assert.equal(
    configHash(value),
    createHash('sha256').update('{"a":{"d":[{"e":2,"f":1},3]},"b":1,"z":null}').digest('hex'),
  );
  assert.equal(configHash({ x: 1, y: 2 }), configHash({ y: 2, x: 1 }));
  assert.notEqual(configHash({ x: [1, 2] }), configHash({ x: [2, 1] }));
});

test('the GPU is taken from the engine detail only when it names one', () => {
  const engine = { id: 'tensorflow-gpu' as const, backend: 'tensorflow', version: '4.22.0' };
  assert.equal(describeHost({ ...engine, detail: 'GPU: NVIDIA H100 80GB HBM3' }).gpu, 'NVIDIA H100 80GB HBM3');
  assert.equal(describeHost({ ...engine, detail: 'no CUDA driver found' }).gpu, null);
  assert.equal(describeHost().gpu, null);
  assert.ok(describeHost().os.length > 0);
});

test('best points down for losses and durations, up for everything else', () => {
  assert.equal(lowerIsBetter('batch.loss'), true);
  assert.equal(lowerIsBetter('epoch.seconds'), true);
  assert.equal(lowerIsBetter('epoch.test_acc'), false);
  assert.equal(lowerIsBetter('batch.images_per_sec'), false);
});
