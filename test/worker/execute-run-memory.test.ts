import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeRun } from '../../src-main/worker/execute-run';
import { makeRunConfig } from '../../src-main/shared/train/make-run-config';
import { MEMORY_LIMIT_ENV } from '../../src-main/core/engine/memory-limit';
import type { FromWorker } from '../../src-main/worker/protocol';

test('a thread count whose replicas cannot fit the memory limit is refused before training, naming what fits', async () => {
  const saved = process.env[MEMORY_LIMIT_ENV];
  process.env[MEMORY_LIMIT_ENV] = '6GB';
  try {
    // The chapter's VGG-11 at 96×96, batch 64, on 4 replicas plans about 8 GB.
    const config = makeRunConfig({ model: 'vgg11', resize: 96, threads: 4, epochs: 1, trainLimit: 64, testLimit: 64, engine: 'wasm' });
    const messages: FromWorker[] = [];
    // The refusal comes before the data set is loaded or a tensor allocated.
    const outcome = await executeRun({ type: 'run', runId: 'r1', config, datasetDir: '/nonexistent-the-refusal-comes-first' }, new AbortController().signal, (m) => messages.push(m));
    assert.deepEqual(outcome, { status: 'failed', epochsDone: 0 });
    const events = messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
    assert.deepEqual(events.map((e) => e.type), ['error']);
    const [refusal] = events;
    assert.ok(refusal?.type === 'error');
    assert.match(refusal.message, /on 4 threads \(4 replicas.*over the 6 GB \(VGG_WORKBENCH_MEMORY_LIMIT\).*It fits with 3 threads/);
    assert.deepEqual(refusal.suggestions, [{ field: 'threads', max: 3 }]);
  } finally {
    if (saved === undefined) delete process.env[MEMORY_LIMIT_ENV];
    else process.env[MEMORY_LIMIT_ENV] = saved;
  }
});

test("the run message's memoryLimit (the request's --memory-limit) is the limit planned for, over the environment's", async () => {
  const saved = process.env[MEMORY_LIMIT_ENV];
  process.env[MEMORY_LIMIT_ENV] = '100%';
  try {
    const config = makeRunConfig({ model: 'vgg11', resize: 96, threads: 4, epochs: 1, trainLimit: 64, testLimit: 64, engine: 'wasm' });
    const messages: FromWorker[] = [];
    const outcome = await executeRun(
      { type: 'run', runId: 'r2', config, datasetDir: '/nonexistent-the-refusal-comes-first', memoryLimit: '6GB' },
      new AbortController().signal,
      (m) => messages.push(m),
    );
    assert.deepEqual(outcome, { status: 'failed', epochsDone: 0 });
    const [refusal] = messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
    assert.ok(refusal?.type === 'error');
    assert.match(refusal.message, /on 4 threads \(4 replicas.*over the 6 GB \(--memory-limit\)/);
  } finally {
    if (saved === undefined) delete process.env[MEMORY_LIMIT_ENV];
    else process.env[MEMORY_LIMIT_ENV] = saved;
  }
});
