import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectRunEngine } from '../../../src-main/core/train/run-engine';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import { machineMemoryLimit } from '../../../src-main/core/train/replica-layout';

test("auto threads are planned to fit, and the engine's detail says which layout and how much", async () => {
  const config = makeRunConfig({ model: 'lenet5', epochs: 1, engine: 'wasm' });
  const engine = await selectRunEngine(config, { limit: machineMemoryLimit({ flag: '16GB' }) });
  assert.equal(engine.id, 'wasm');
  assert.match(engine.detail ?? '', /; (\d+ replicas|1 thread) \([\d.]+ MB planned of 16 GB\)$/);
});

test('the refusal of a thread count that cannot fit is only for the wasm engine', async () => {
  const config = makeRunConfig({ model: 'vgg11', resize: 96, threads: 4, epochs: 1, engine: 'cpu' });
  const engine = await selectRunEngine(config, { limit: machineMemoryLimit({ flag: '1GB' }) });
  assert.equal(engine.id, 'cpu');
});
