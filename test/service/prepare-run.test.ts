import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ApiError } from '../../src-main/api/api-error';
import { prepareRun } from '../../src-main/service/prepare-run';
import { ExperimentService } from '../../src-main/service/experiment-service';
import type { RunMessage } from '../../src-main/worker/protocol';
import { tempDir } from '../core/store/store-fixtures';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';

/** The refusal prepareRun throws, as { field, message }. */
function refusal(fn: () => unknown): { field: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return { field: error.field, message: error.message };
  }
  assert.fail('expected a refusal');
}

test('prepareRun fills the recipe, lists the layers, and refuses a network the image cannot feed, naming the field', () => {
  const run = prepareRun({ config: { model: 'lenet' } });
  assert.equal(run.config.model, 'lenet');
  assert.ok(run.config.batchSize > 0 && run.config.lr > 0, 'the recipe filled what the request left out');
  assert.ok(run.architecture.length > 0);
  assert.equal(run.memoryLimit, undefined);
  assert.equal(refusal(() => prepareRun({ config: { model: 'vgg11', resize: 28 } }, 'runs.2.')).field, 'runs.2.config.resize');
});

test('the memory limit is a field of the request: kept when it reads, refused naming the field when not', () => {
  assert.equal(prepareRun({ config: { model: 'lenet' }, memoryLimit: '6GB' }).memoryLimit, '6GB');
  assert.equal(prepareRun({ config: { model: 'lenet' }, memoryLimit: '60%' }).memoryLimit, '60%');
  const bad = refusal(() => prepareRun({ config: { model: 'lenet' }, memoryLimit: 'lots' }, 'runs.1.'));
  assert.equal(bad.field, 'runs.1.memoryLimit');
  assert.match(bad.message, /a size like 6GB, 6144MB or 60%/);
  assert.equal(refusal(() => prepareRun({ config: { model: 'lenet' }, memoryLimit: '150%' })).field, 'memoryLimit');
});

test('a start naming an engine refuses a device or precision it does not read before queueing; auto leaves it to the trainer', () => {
  const foreign = refusal(() => prepareRun({ config: { model: 'lenet', engine: 'wasm', precision: 'bf16' } }, 'runs.1.'));
  assert.equal(foreign.field, 'runs.1.config.precision');
  assert.match(foreign.message, /^precision: the wasm engine does not read precision bf16; use --engine pytorch, or drop --precision$/);
  assert.equal(prepareRun({ config: { model: 'lenet', engine: 'pytorch', precision: 'bf16', device: 'cpu' } }).config.precision, 'bf16');
  assert.equal(prepareRun({ config: { model: 'lenet', engine: 'auto', precision: 'bf16' } }).config.precision, 'bf16');
  assert.equal(prepareRun({ config: { model: 'lenet', engine: 'wasm', precision: 'fp32', device: 'auto' } }).config.engine, 'wasm', 'the defaults are read by every engine');
});

test('runs.start hands the worker the prepared config and the request memory limit; resume takes one too', async (t) => {
  const { dir, cleanup } = tempDir('prepare-');
  const messages: RunMessage[] = [];
  const service = ExperimentService.open({
    databasePath: join(dir, 'runs.sqlite'),
    dataDir: dir,
    systemDatasetDir: REAL_DATA_DIR,
    probeEngines: async () => [],
    // A worker that records what it was asked and trains nothing.
    createWorkerHost: () => ({
      run: async (message) => {
        messages.push(message);
        return { status: 'cancelled', epochsDone: 0 };
      },
      cancel: () => undefined,
      close: async () => undefined,
    }),
  });
  t.after(async () => {
    await service.close();
    cleanup();
  });
  const { run } = await service.call('runs.start', { config: { model: 'lenet', epochs: 1 }, memoryLimit: '4GB' });
  await service.idle();
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.memoryLimit, '4GB');
  assert.deepEqual(messages[0]!.config, prepareRun({ config: { model: 'lenet', epochs: 1 } }).config);
  assert.equal(messages[0]!.runId, run.id);

  await service.call('runs.start', { config: { model: 'lenet', epochs: 1 } });
  await service.idle();
  assert.equal(messages[1]!.memoryLimit, undefined, 'no limit asked: the worker falls back to the environment, then 70%');

  await assert.rejects(service.call('runs.resume', { runId: run.id, memoryLimit: 'plenty' }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.field, 'memoryLimit');
    return true;
  });
});
