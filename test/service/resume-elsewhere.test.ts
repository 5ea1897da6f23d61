import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiError } from '../../src-main/api/api-error';
import type { ApiRequest } from '../../src-main/api/methods';
import { PYTHON_ENV } from '../../src-main/core/engine/pytorch/find-python';
import { ExperimentService } from '../../src-main/service/experiment-service';
import type { RunConfig } from '../../src-main/shared/train/run-config';
import type { RunMessage } from '../../src-main/worker/protocol';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { torchMissing } from '../helpers/pytorch-trainer';
import { EventLog } from './event-log';

/**
 * Checkpoints are one format for every engine, so a run resumes where it is
 * told to train: a wasm run goes on on pytorch, its history continuing. A
 * placement the engine cannot take is refused before anything changes.
 */

const sha = (data: string): string => createHash('sha256').update(data).digest('hex');

/** A service whose worker records what it was asked and trains nothing. */
function fakeTrainerService(t: { after: (fn: () => Promise<void>) => void }) {
  const { dir, cleanup } = tempDir('resume-elsewhere-');
  const requests: RunMessage[] = [];
  const service = ExperimentService.open({
    databasePath: join(dir, 'runs.sqlite'),
    dataDir: dir,
    systemDatasetDir: REAL_DATA_DIR,
    probeEngines: async () => [],
    createWorkerHost: () => ({
      run: async (request) => {
        requests.push(request);
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
  return { service, requests };
}

/** A completed run of `epochs` epochs with a checkpoint (fake weights) after each, as the store keeps them. */
function completedRun(service: ExperimentService, config: RunConfig): string {
  const { store } = service;
  const id = store.createRun(config);
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    const path = store.checkpointFolder.pathFor(id, epoch);
    const content = `weights of epoch ${epoch}`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    store.addCheckpoint(id, { epoch, path, bytes: content.length, sha256: sha(content) });
    store.appendMetrics(id, [{ key: 'epoch.test_acc', step: epoch, epoch, batch: null, value: 0.5 + epoch / 10, wallTime: epoch }]);
  }
  store.finishRun(id, { status: 'completed', time: 1, epochsCompleted: config.epochs, durationSeconds: 1 });
  return id;
}

/** The run's whole record: what a refused resume must leave as it was. */
function recordOf(service: ExperimentService, id: string) {
  const { store } = service;
  return { run: store.requireRun(id), metrics: store.metrics(id), checkpoints: store.checkpoints(id) };
}

test('a placement the engine cannot take is refused naming the field, and the run is left as it was', async (t) => {
  const { service, requests } = fakeTrainerService(t);
  const id = completedRun(service, smallConfig({ engine: 'wasm', epochs: 1 }));
  const before = recordOf(service, id);
  const refusals: [Omit<ApiRequest<'runs.resume'>, 'runId'>, string, RegExp][] = [
    [{ epochs: 2, precision: 'bf16' }, 'precision', /precision: the wasm engine does not read precision bf16; use --engine pytorch/],
    [{ epochs: 2, engine: 'cpu', device: 'cuda' }, 'device', /the cpu engine does not read device cuda/],
    [{ epochs: 2, engine: 'tpu' as 'cpu' }, 'engine', /engine/],
    [{ epochs: 2, precision: 'fp16' as 'bf16' }, 'precision', /precision/],
    [{ epochs: 2, threads: 0 }, 'threads', /threads/],
    // Nothing left to train, wherever it would train.
    [{ engine: 'pytorch' }, 'epochs', /already trained 1 of its 1 epochs/],
  ];
  for (const [changes, field, message] of refusals) {
    await assert.rejects(service.call('runs.resume', { runId: id, ...changes }), (error: unknown) => {
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.code, 'invalid-request');
      assert.equal(error.field, field, error.message);
      assert.match(error.message, message);
      return true;
    });
    assert.deepEqual(recordOf(service, id), before, `after ${JSON.stringify(changes)}: nothing lost or changed`);
  }
  await service.idle();
  assert.equal(requests.length, 0, 'nothing was queued');
});

test('resumed on another engine, the record says where it now trains before it starts; a foreign precision is not carried over', async (t) => {
  const { service, requests } = fakeTrainerService(t);
  const torchRun = completedRun(service, smallConfig({ engine: 'pytorch', device: 'cpu', precision: 'bf16', epochs: 1 }));
  const { run } = await service.call('runs.resume', { runId: torchRun, epochs: 2, engine: 'wasm', threads: 1 });
  // pytorch's bf16 and cpu device mean nothing to wasm: dropped rather than refused, since nobody typed them.
  const expected = smallConfig({ engine: 'wasm', epochs: 2, threads: 1 });
  assert.equal(run.status, 'queued');
  assert.deepEqual(run.config, expected);
  await service.idle();
  // The fake trainer never starts it: the record still says how long and where it was to train.
  assert.deepEqual(service.store.requireRun(torchRun).config, expected);
  assert.deepEqual(requests.at(-1)?.config, expected, 'the worker is asked to train the stored config');
  assert.equal(requests.at(-1)?.resume?.epoch, 0);

  // Given, they stay: a wasm run moved to pytorch in bf16.
  const wasmRun = completedRun(service, smallConfig({ engine: 'wasm', threads: 2, epochs: 1 }));
  const moved = await service.call('runs.resume', { runId: wasmRun, epochs: 3, engine: 'pytorch', precision: 'bf16' });
  assert.deepEqual(moved.run.config, smallConfig({ engine: 'pytorch', precision: 'bf16', threads: 2, epochs: 3 }));
  await service.idle();
});

test('a resumed run watched from the start of its resume: runs.events with whole gives its history up to the checkpoint, then its own events', async (t) => {
  const { dir, cleanup } = tempDir('resume-events-');
  let release = (): void => undefined;
  const service = ExperimentService.open({
    databasePath: join(dir, 'runs.sqlite'),
    dataDir: dir,
    systemDatasetDir: REAL_DATA_DIR,
    probeEngines: async () => [],
    // A worker that holds the run, training nothing, until the test lets it go.
    createWorkerHost: () => ({
      run: () => new Promise((resolve) => (release = () => resolve({ status: 'cancelled', epochsDone: 2 }))),
      cancel: () => undefined,
      close: async () => undefined,
    }),
  });
  t.after(async () => {
    await service.close();
    cleanup();
  });
  const config = smallConfig({ engine: 'wasm', epochs: 3 });
  const id = service.store.createRun(config);
  const recorder = new RunRecorder(service.store, id);
  // Three epochs recorded, the checkpoint of epoch 1 the newest: the resume keeps epochs 0 and 1.
  for (const event of syntheticRun({ epochs: 3, stepsPerEpoch: 2, config })) recorder.record(event);
  for (const epoch of [0, 1]) {
    const path = service.store.checkpointFolder.pathFor(id, epoch);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `weights ${epoch}`);
    service.store.addCheckpoint(id, { epoch, path, bytes: 9, sha256: sha(`weights ${epoch}`) });
  }
  await service.call('runs.resume', { runId: id, epochs: 4, engine: 'pytorch' });
  // Without `whole`, the events since it resumed (none yet), as `train --resume` prints them.
  assert.deepEqual((await service.call('runs.events', { runId: id })).events, []);
  const { events } = await service.call('runs.events', { runId: id, whole: true });
  assert.equal(events[0]?.type, 'start');
  const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
  assert.deepEqual(epochs, [0, 1], 'the kept history, none of the discarded epoch 2');
  assert.deepEqual(events.flatMap((e) => (e.type === 'batch' ? [e.step] : [])), [0, 1, 2, 3]);
  assert.ok(!events.some((e) => e.type === 'done'), 'the old ending is not its end');
  release();
  await service.idle();
});

test('a wasm run resumed on pytorch for one more epoch completes there, its history continuing', { skip: torchMissing(), timeout: 300_000 }, async (t) => {
  assert.equal(process.env[PYTHON_ENV], undefined, 'discovery, not a named Python');
  const { dir, cleanup } = tempDir('resume-on-torch-');
  const service = ExperimentService.open({
    databasePath: join(dir, 'runs.sqlite'),
    dataDir: dir,
    systemDatasetDir: REAL_DATA_DIR,
    checkpointPolicy: 'every',
    probeEngines: async () => [],
  });
  const log = new EventLog();
  service.subscribe(log.listener);
  t.after(async () => {
    await service.close();
    cleanup();
  });
  // A few hundred images: 4 batches of 64, a second or two on each engine.
  const config = { model: 'lenet', epochs: 1, batchSize: 64, lr: 0.1, momentum: 0.9, trainLimit: 256, testLimit: 100, engine: 'wasm', threads: 1 } as const;
  const { run } = await service.call('runs.start', { config });
  await service.idle();
  const trained = service.store.requireRun(run.id);
  assert.equal(trained.status, 'completed', trained.error ?? '');
  const epoch0 = service.store.metrics(run.id, ['epoch.test_acc']);

  const resumed = await service.call('runs.resume', { runId: run.id, epochs: 2, engine: 'pytorch' });
  assert.equal(resumed.run.config.engine, 'pytorch');
  await service.idle();

  const after = service.store.requireRun(run.id);
  assert.equal(after.status, 'completed', after.error ?? '');
  assert.equal(after.config.engine, 'pytorch');
  assert.equal(after.config.epochs, 2);
  assert.equal(after.engine?.id, 'pytorch', 'the record names the engine of its latest start');
  const starts = log.runEvents(run.id).flatMap((e) => (e.type === 'start' ? [e] : []));
  assert.deepEqual(
    starts.map((s) => [s.engine.id, s.firstEpoch, s.config.engine]),
    [
      ['wasm', 0, 'wasm'],
      ['pytorch', 1, 'pytorch'],
    ],
  );
  const epochs = service.store.metrics(run.id, ['epoch.test_acc']);
  assert.deepEqual(epochs.map((p) => p.epoch), [0, 1], 'epoch 0 kept, epoch 1 trained on pytorch');
  assert.deepEqual(epochs[0], epoch0[0], 'the wasm epoch is as it was recorded');
  const steps = service.store.metrics(run.id, ['batch.loss']).map((p) => p.step);
  assert.deepEqual(steps, [0, 1, 2, 3, 4, 5, 6, 7], 'the steps go on from where wasm stopped, each once');
  assert.deepEqual(service.store.checkpoints(run.id).map((c) => c.epoch), [0, 1]);
});
