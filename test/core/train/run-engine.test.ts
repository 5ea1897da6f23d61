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
