import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectRunEngine } from '../../../src-main/core/train/run-engine';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import { machineMemoryLimit } from '../../../src-main/core/engine/memory-limit';
import { ThreadsTooManyError } from '../../../src-main/core/engine/wasm/wasm-layout-plan';

test("auto threads are planned to fit, and the engine's detail says which layout and how much", async () => {
  const config = makeRunConfig({ model: 'lenet5', epochs: 1, engine: 'wasm' });
  const engine = await selectRunEngine(config, { limit: machineMemoryLimit({ flag: '16GB' }) });
  assert.equal(engine.id, 'wasm');
  assert.match(engine.detail ?? '', /; (\d+ replicas|1 thread) \([\d.]+ MB planned of 16 GB\)$/);
});

test('a wasm thread count that cannot fit the limit is refused before the run, naming what fits', async () => {
  const config = makeRunConfig({ model: 'vgg11', resize: 96, threads: 4, epochs: 1, engine: 'wasm' });
  await assert.rejects(selectRunEngine(config, { limit: machineMemoryLimit({ flag: '1GB' }) }), (error) => {
    assert.ok(error instanceof ThreadsTooManyError, String(error));
    assert.match(error.message, /on 4 threads .* over the 1 GB \(--memory-limit\)/);
    return true;
  });
});

test('that refusal is the wasm engine\'s own: the same run on cpu is not refused by it', async () => {
  const config = makeRunConfig({ model: 'vgg11', resize: 96, threads: 4, epochs: 1, engine: 'cpu' });
  const engine = await selectRunEngine(config, { limit: machineMemoryLimit({ flag: '1GB' }) });
  assert.equal(engine.id, 'cpu');
});

test('auto trains on pytorch where it was measured faster here than the engine the walk picks, and not otherwise', async () => {
  const config = makeRunConfig({ model: 'lenet5', epochs: 1 });
  const tfjs = { imagesPerSec: 100, measuredAt: 0 };
  const walkedSpeeds = { 'tensorflow-gpu': tfjs, webgpu: tfjs, tensorflow: tfjs, wasm: tfjs, cpu: tfjs };
  const faster = await selectRunEngine(config, { speeds: { ...walkedSpeeds, pytorch: { imagesPerSec: 400, measuredAt: 0 } } });
  assert.equal(faster.id, 'pytorch', 'Debian\'s python3-torch at /usr/bin/python3 is found');
  assert.match(faster.detail ?? '', /auto: measured faster here than \w+/);
  const slower = await selectRunEngine(config, { speeds: { ...walkedSpeeds, pytorch: { imagesPerSec: 50, measuredAt: 0 } } });
  assert.notEqual(slower.id, 'pytorch');
  const unmeasured = await selectRunEngine(config, { speeds: {} });
  assert.notEqual(unmeasured.id, 'pytorch');
});
