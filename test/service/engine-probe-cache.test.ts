import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineStatusInfo } from '../../src-main/api/entities';
import { EngineProbeCache } from '../../src-main/service/engine-probe-cache';

test('the engine probe runs once until a refresh, and a failed probe is tried again', async () => {
  const answers: (() => Promise<EngineStatusInfo[]>)[] = [
    () => Promise.reject(new Error('probe process died')),
    () => Promise.resolve([]),
    () => Promise.resolve([]),
  ];
  let probes = 0;
  const cache = new EngineProbeCache(() => answers[probes++]!());
  await assert.rejects(cache.list(), /probe process died/);
  assert.deepEqual(await cache.list(), []);
  assert.deepEqual(await cache.list(), []);
  assert.equal(probes, 2, 'a failure is not kept; a success is');
  await cache.list(true);
  assert.equal(probes, 3);
});
