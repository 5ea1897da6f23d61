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
    dataDir: REAL_DATA_DIR,
  });

test('one long-lived worker takes runs one after another; cancel stops the running one', async () => {
  const host = new TrainingWorkerHost();
  try {
    const seen: Record<string, TrainingEvent[]> = { a: [], b: [], c: [] };
    const record = (id: string) => ({ onEvent: (e: TrainingEvent) => seen[id]!.push(e) });
    // a is cancelled during its second batch; b and c queue behind it.
    const a = host.run({ type: 'run', runId: 'a', config: quickLenet('a', 3) }, {
      onEvent: (e) => {
        seen.a!.push(e);
        if (e.type === 'batch' && e.step === 1) host.cancel('a');
      },
    });
    const b = host.run({ type: 'run', runId: 'b', config: quickLenet('b') }, record('b'));
    const c = host.run({ type: 'run', runId: 'c', config: quickLenet('c') }, record('c'));
    host.cancel('c');

    const [outA, outB, outC] = await Promise.all([a, b, c]);
    assert.equal(outA.status, 'cancelled');
    assert.equal(outB.status, 'completed');
    assert.equal(outC.status, 'cancelled');
    assert.equal(outC.epochsDone, 0);
    assert.deepEqual(seen.c, [], 'a run cancelled while queued never starts');

    const lastA = seen.a!.filter((e) => e.type === 'batch').at(-1);
    assert.ok(lastA && lastA.type === 'batch' && lastA.step <= 2, 'cancel takes effect within one batch');
    assert.deepEqual(
      seen.b!.map((e) => e.type).filter((t) => t !== 'batch'),
      ['start', 'epoch', 'done'],
    );
    // b started only after a finished: one worker, runs in order.
    const aDone = seen.a!.at(-1)!;
    assert.equal(aDone.type, 'done');
    assert.ok(seen.b![0]!.time >= aDone.time);
    assert.equal(outB.confusion?.flat().reduce((x, y) => x + y, 0), 100);
  } finally {
    await host.close();
  }
});

test('a run the worker cannot start reports an error event and a failed outcome', async () => {
  const host = new TrainingWorkerHost();
  try {
    const events: TrainingEvent[] = [];
    const config = { ...quickLenet('missing data'), dataDir: '/nonexistent/fashion' };
    const outcome = await host.run({ type: 'run', runId: 'x', config }, { onEvent: (e) => events.push(e) });
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
    const gpu = await host.run({ type: 'run', runId: 'g', config: { ...tiny, engine: 'webgpu' } }, { onEvent: (e) => events.push(e) });
    assert.equal(gpu.status, 'completed', JSON.stringify(events.filter((e) => e.type === 'error')));
    const start = events.find((e) => e.type === 'start');
    assert.equal(start?.engine.id, 'webgpu');
    assert.equal(start?.engine.adapter?.software, true);
    const cpu = await host.run({ type: 'run', runId: 'w', config: { ...tiny, engine: 'wasm' } }, { onEvent: () => undefined });
    assert.equal(cpu.status, 'completed');
  } finally {
    await host.close();
  }
});
