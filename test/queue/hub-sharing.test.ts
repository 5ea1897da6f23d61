import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { QueueHub } from '../../src-main/queue/queue-hub';
import { parseQueueUrl } from '../../src-main/queue/queue-url';
import { prepareRun } from '../../src-main/service/prepare-run';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

const quick = ['--model', 'lenet', '--batch', '32', '--lr', '0.05', '--train-limit', '512', '--test-limit', '128'];

let redis: TestRedis;
const children: Spawned[] = [];
const newDb = (): string => join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');

before(async () => {
  redis = await TestRedis.start();
  const workers = [spawnWorker(redis.url, 'w1'), spawnWorker(redis.url, 'w2')];
  children.push(...workers);
  await Promise.all(workers.map((w) => w.waitFor(/waiting for runs/)));
});

after(async () => {
  await stopAll(children);
  await redis.stop();
});

function assertRecordedOnce(store: RunStore, runId: string, epochs: number, stepsPerEpoch: number): void {
  const run = store.requireRun(runId);
  assert.equal(run.status, 'completed', `${runId}: ${run.error}`);
  assert.deepEqual(store.metrics(runId, ['epoch.test_acc']).map((p) => p.epoch), Array.from({ length: epochs }, (_, i) => i));
  assert.deepEqual(store.metrics(runId, ['batch.loss']).map((p) => p.step), Array.from({ length: epochs * stepsPerEpoch }, (_, i) => i));
}

test('a hub and 2 workers share 4 runs: each worker trains some, every run is recorded once', async () => {
  const db = newDb();
  const store = RunStore.open(db);
  const hub = await QueueHub.open(parseQueueUrl(redis.url), store, () => undefined);
  try {
    const config = { model: 'lenet', batchSize: 64, lr: 0.05, epochs: 1, trainLimit: 512, testLimit: 128, engine: 'wasm' } as const;
    const runIds = [];
    for (let seed = 0; seed < 4; seed++) runIds.push(await hub.startRun(prepareRun({ config: { ...config, seed } })));
    const ended = await Promise.all(runIds.map((id) => hub.follow(id)));
    assert.deepEqual(ended, [true, true, true, true]);
    for (const id of runIds) assertRecordedOnce(store, id, 1, 8);
    const trainedBy = runIds.map((id) => /worker (w\d)/.exec(store.requireRun(id).notes)?.[1]);
    assert.deepEqual(new Set(trainedBy), new Set(['w1', 'w2']), `both workers trained: ${trainedBy.join(', ')}`);
    assert.ok(runIds.every((id) => store.requireRun(id).host?.os), 'each run names the host it trained on');
    assert.deepEqual(await hub.pendingRuns(), [], 'nothing of the runs is left in Redis');
  } finally {
    await hub.close();
    store.close();
  }
});

test('the hub killed mid-run and reopened with runs sync: it catches up, nothing lost or doubled', async () => {
  const db = newDb();
  const trainer = spawnCli(['train', ...quick, '--epochs', '3', '--queue', redis.url, '--db', db, '--json']);
  children.push(trainer);
  await trainer.waitFor(/"type":"epoch","time":\d+,"epoch":0/);
  trainer.child.kill('SIGKILL');
  await trainer.exited;

  const sync = spawnCli(['runs', 'sync', '--queue', redis.url, '--db', db, '--follow']);
  children.push(sync);
  assert.equal(await sync.exited, 0, sync.stderr.join('\n'));
  assert.match(sync.stdout.join('\n'), /event\(s\) recorded, run ended/);
  const store = RunStore.open(db);
  try {
    const [run] = store.listRuns();
    assertRecordedOnce(store, run!.id, 3, 16);
    assert.equal(store.latestCheckpoint(run!.id)?.epoch, 2);
  } finally {
    store.close();
  }
});

test('a service opened with a queue URL catches up with its runs and announces their events', async () => {
  const db = newDb();
  const trainer = spawnCli(['train', ...quick, '--epochs', '2', '--queue', redis.url, '--db', db, '--json']);
  children.push(trainer);
  await trainer.waitFor(/"type":"batch"/);
  trainer.child.kill('SIGKILL');
  await trainer.exited;

  const service = ExperimentService.open({ databasePath: db, dataDir: mkdtempSync(join(tmpdir(), 'vgg-data-')), queueUrl: redis.url });
  try {
    const done = new Promise<string>((resolve) =>
      service.subscribe((message) => {
        if (message.topic === 'run' && message.event.type === 'done') resolve(message.event.status);
      }),
    );
    assert.equal(await done, 'completed');
    const [run] = service.store.listRuns();
    assertRecordedOnce(service.store, run!.id, 2, 16);
  } finally {
    await service.close();
  }
});
