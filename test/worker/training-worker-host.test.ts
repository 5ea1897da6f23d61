import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingWorkerHost } from '../../src-main/worker/training-worker-host';
import { makeRunConfig } from '../../src-main/shared/train/make-run-config';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { hasWebGpuAdapterOrSkip } from '../core/engine/webgpu-fixture';

const quickLenet = (name: string, epochs = 1) =>
  makeRunConfig({
    model: 'lenet',
    name,
    epochs,
    batchSize: 64,
    trainLimit: 640,
    testLimit: 100,
    engine: 'wasm',
  });
const runOf = (runId: string, config: ReturnType<typeof quickLenet>, datasetDir = REAL_DATA_DIR) =>
  ({ type: 'run', runId, config, datasetDir }) as const;

test('one long-lived worker trains one run at a time; cancel stops the running one; the next run follows', async () => {
  const host = new TrainingWorkerHost();
  try {
    const seen: Record<string, TrainingEvent[]> = { a: [], b: [] };
    // a is cancelled during its second batch.
    const a = host.run(runOf('a', quickLenet('a', 3)), {
      onEvent: (e) => {
        seen.a!.push(e);
        if (e.type === 'batch' && e.step === 1) host.cancel('a');
      },
    });
    // The worker keeps no queue of its own (the service's RunQueue is the one): a second run meanwhile is refused.
    await assert.rejects(host.run(runOf('b', quickLenet('b')), { onEvent: () => undefined }), /training run a.*RunQueue/);
    const outA = await a;
    assert.equal(outA.status, 'cancelled');
    const lastA = seen.a!.filter((e) => e.type === 'batch').at(-1);
    assert.ok(lastA && lastA.type === 'batch' && lastA.step <= 2, 'cancel takes effect within one batch');

    const outB = await host.run(runOf('b', quickLenet('b')), { onEvent: (e) => seen.b!.push(e) });
    assert.equal(outB.status, 'completed');
    assert.deepEqual(
      // Batch events and the layer statistics that ride with them (layer-stats.ts) aside.
      seen.b!.map((e) => e.type).filter((t) => t !== 'batch' && t !== 'layerStep' && t !== 'layerEpoch'),
      ['start', 'epoch', 'done'],
    );
    assert.equal('dataDir' in (seen.b![0] as Extract<TrainingEvent, { type: 'start' }>).config, false, 'no path in the recorded config');
    assert.equal(outB.confusion?.flat().reduce((x, y) => x + y, 0), 100);
  } finally {
    await host.close();
  }
});

test('a run the worker cannot start reports an error event and a failed outcome', async () => {
  const host = new TrainingWorkerHost();
  try {
    const events: TrainingEvent[] = [];
    const outcome = await host.run(runOf('x', quickLenet('missing data'), '/nonexistent/fashion'), { onEvent: (e) => events.push(e) });
    assert.equal(outcome.status, 'failed');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'error');
    assert.match((events[0] as Extract<TrainingEvent, { type: 'error' }>).message, /\/nonexistent\/fashion/);
  } finally {
    await host.close();
  }
});

test('the long-lived worker trains on webgpu too (SwiftShader here), then on wasm, in the same thread', async (t) => {
  if (!(await hasWebGpuAdapterOrSkip(t))) return;
  // The worker inherits this process's environment, VK_ICD_FILENAMES included.
  const host = new TrainingWorkerHost();
  try {
    const tiny = { ...quickLenet('gpu'), batchSize: 16, trainLimit: 32, testLimit: 16 };
    const events: TrainingEvent[] = [];
    const gpu = await host.run(runOf('g', { ...tiny, engine: 'webgpu' }), { onEvent: (e) => events.push(e) });
    assert.equal(gpu.status, 'completed', JSON.stringify(events.filter((e) => e.type === 'error')));
    const start = events.find((e) => e.type === 'start');
    assert.equal(start?.engine.id, 'webgpu');
    assert.equal(start?.engine.adapter?.software, true);
    const cpu = await host.run(runOf('w', { ...tiny, engine: 'wasm' }), { onEvent: () => undefined });
    assert.equal(cpu.status, 'completed');
  } finally {
    await host.close();
  }
});
