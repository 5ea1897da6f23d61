import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExperimentService } from '../../src-main/service/experiment-service';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

/**
 * Issue #29, "the app drives the queue", through the service's typed API (the
 * app and `serve` call the same): launch on the workers, cancel a run on a
 * worker, and see a run that a CLI on the same database queued, live.
 */
let redis: TestRedis;
let service: ExperimentService;
const children: Spawned[] = [];
const events: { runId: string; event: TrainingEvent; at: number }[] = [];
const runsChanged: { runIds: string[]; at: number }[] = [];
const db = join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');
const config = { model: 'lenet', batchSize: 32, lr: 0.05, epochs: 2, trainLimit: 512, testLimit: 128 } as const;

before(async () => {
  redis = await TestRedis.start();
  const worker = spawnWorker(redis.url, 'w1');
  children.push(worker);
  await worker.waitFor(/waiting for runs/);
  service = ExperimentService.open({ databasePath: db, dataDir: mkdtempSync(join(tmpdir(), 'vgg-data-')), queueUrl: redis.url });
  service.subscribe((message) => {
    if (message.topic === 'run') events.push({ runId: message.runId, event: message.event, at: Date.now() });
    if (message.topic === 'runs') runsChanged.push({ runIds: message.runIds, at: Date.now() });
  });
});

after(async () => {
  await service.close();
  await stopAll(children);
  await redis.stop();
});

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ended = (runId: string) => () => events.find((e) => e.runId === runId && (e.event.type === 'done' || e.event.type === 'error'))?.event;

test('runs.start with on: workers trains the run on a worker, recorded here with its host', { timeout: 90_000 }, async () => {
  const { run } = await service.call('runs.start', { config, on: 'workers' });
  assert.equal(run.status, 'queued');
  const done = await until('the run to end', ended(run.id));
  assert.deepEqual(done, { ...done, type: 'done', status: 'completed' });
  const record = service.store.requireRun(run.id);
  assert.equal(record.status, 'completed');
  assert.ok(record.host?.name, 'the record names the machine it trained on');
  assert.match(record.notes, /trained by worker w1/);
  assert.equal(service.store.metrics(run.id, ['batch.loss']).length, 32);
});

test('runs.cancel reaches a run training on a worker: it stops within two batches and is recorded cancelled', { timeout: 90_000 }, async () => {
  const { run } = await service.call('runs.start', { config: { ...config, epochs: 5 }, on: 'workers' });
  await until('a batch', () => events.find((e) => e.runId === run.id && e.event.type === 'batch'));
  const cancelled = await service.call('runs.cancel', { runId: run.id });
  const stepsAtCancel = events.filter((e) => e.runId === run.id && e.event.type === 'batch').length;
  assert.deepEqual(cancelled, { runId: run.id, was: 'running' });
  const done = await until('the run to end', ended(run.id));
  assert.equal(done.type === 'done' && done.status, 'cancelled');
  const stepsAfter = events.filter((e) => e.runId === run.id && e.event.type === 'batch').length - stepsAtCancel;
  assert.ok(stepsAfter <= 3, `the worker trained ${stepsAfter} more batches after the cancel`);
  assert.equal(service.store.requireRun(run.id).status, 'cancelled');
});

test('runs.start on workers is refused naming the field when the run warm-starts from a checkpoint here', async () => {
  await assert.rejects(service.call('runs.start', { config: { ...config, initFrom: 'abc' }, on: 'workers' }), (error: { field?: string; message: string }) => {
    assert.equal(error.field, 'config.initFrom');
    assert.match(error.message, /cannot train on a worker.*run it on this machine/);
    return true;
  });
});

test('a run queued by a CLI on the same database appears within a second and its progress and end arrive live', { timeout: 90_000 }, async () => {
  const trainer = spawnCli(['train', '--model', 'lenet', '--batch', '32', '--train-limit', '512', '--test-limit', '128', '--epochs', '1', '--queue', redis.url, '--db', db, '--json']);
  children.push(trainer);
  const known = new Set(service.store.listRuns().map((r) => r.id));
  const queuedAt = await until('the CLI run in the database', () => {
    const fresh = service.store.listRuns().find((r) => !known.has(r.id));
    return fresh ? { id: fresh.id, at: Date.now() } : undefined;
  });
  const announced = await until('the run announced', () => runsChanged.find((c) => c.runIds.includes(queuedAt.id)));
  assert.ok(announced.at - queuedAt.at < 1000, `announced ${announced.at - queuedAt.at} ms after it was queued`);
  await until('a live batch of it', () => events.find((e) => e.runId === queuedAt.id && e.event.type === 'batch'));
  const done = await until('its end, live', ended(queuedAt.id));
  assert.equal(done.type === 'done' && done.status, 'completed');
  assert.equal(await trainer.exited, 0, trainer.stderr.join('\n'));
});
