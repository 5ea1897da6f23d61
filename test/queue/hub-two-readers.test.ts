import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExperimentService } from '../../src-main/service/experiment-service';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

/**
 * Issue #29, "one reader per hub": a CLI `train --queue` and the app (a
 * service opened with the queue URL) on the same database follow the same
 * run. Each sees every event, exactly one records it, and when the recorder
 * dies the other takes over the recording.
 */
const quick = ['--model', 'lenet', '--batch', '32', '--lr', '0.05', '--train-limit', '512', '--test-limit', '128', '--epochs', '2'];
const STEPS = 32;

let redis: TestRedis;
const children: Spawned[] = [];
const newDb = (): string => join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');

before(async () => {
  redis = await TestRedis.start();
  const worker = spawnWorker(redis.url, 'w1');
  children.push(worker);
  await worker.waitFor(/waiting for runs/);
});

after(async () => {
  await stopAll(children);
  await redis.stop();
});

/** The app on the same database: the events it announces for each run, and its end. */
function openApp(db: string): { service: ExperimentService; events: TrainingEvent[]; done: Promise<string> } {
  const service = ExperimentService.open({ databasePath: db, dataDir: mkdtempSync(join(tmpdir(), 'vgg-data-')), queueUrl: redis.url });
  const events: TrainingEvent[] = [];
  const done = new Promise<string>((resolve) =>
    service.subscribe((message) => {
      if (message.topic !== 'run') return;
      events.push(message.event);
      if (message.event.type === 'done') resolve(message.event.status);
    }),
  );
  return { service, events, done };
}

const steps = (events: { type: string; step?: number }[]): (number | undefined)[] => events.filter((e) => e.type === 'batch').map((e) => e.step);
const epochs = (events: { type: string; epoch?: number }[]): (number | undefined)[] => events.filter((e) => e.type === 'epoch').map((e) => e.epoch);

function assertRecordedOnce(service: ExperimentService): void {
  const [run] = service.store.listRuns();
  assert.equal(run!.status, 'completed', run!.error ?? undefined);
  assert.deepEqual(service.store.metrics(run!.id, ['batch.loss']).map((p) => p.step), [...Array(STEPS).keys()]);
  assert.deepEqual(service.store.metrics(run!.id, ['epoch.test_acc']).map((p) => p.epoch), [0, 1]);
}

test('train --queue --json with the app open on the same database: both see every batch once, the database holds each once', { timeout: 120_000 }, async () => {
  const db = newDb();
  const trainer = spawnCli(['train', ...quick, '--queue', redis.url, '--db', db, '--json']);
  children.push(trainer);
  await trainer.waitFor(/"type":"batch"/);
  const app = openApp(db);
  try {
    // A third process of the hub, `runs sync`, reads along and says who records.
    const sync = spawnCli(['runs', 'sync', '--queue', redis.url, '--db', db]);
    children.push(sync);
    assert.equal(await sync.exited, 0, sync.stderr.join('\n'));
    assert.match(sync.stdout.join('\n'), new RegExp(`event\\(s\\) seen, recorded by pid ${trainer.child.pid} on `));
    assert.equal(await trainer.exited, 0, trainer.stderr.join('\n'));
    assert.equal(await app.done, 'completed');
    const printed = trainer.stdout.map((line) => JSON.parse(line) as { type: string; step?: number; epoch?: number });
    assert.deepEqual(steps(printed), [...Array(STEPS).keys()], 'the CLI printed every batch line exactly once');
    assert.deepEqual(epochs(printed), [0, 1]);
    assert.deepEqual(steps(app.events), [...Array(STEPS).keys()], 'the app saw every batch too');
    assertRecordedOnce(app.service);
  } finally {
    await app.service.close();
  }
});

test('the recording train --queue SIGKILLed while the app watches: the app records the rest, nothing lost or doubled', { timeout: 120_000 }, async () => {
  const db = newDb();
  const trainer = spawnCli(['train', ...quick, '--queue', redis.url, '--db', db, '--json']);
  children.push(trainer);
  await trainer.waitFor(/"type":"batch"/);
  const app = openApp(db);
  try {
    // Let the app begin watching, then kill the recorder mid-run.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    trainer.child.kill('SIGKILL');
    await trainer.exited;
    assert.equal(await app.done, 'completed');
    assert.deepEqual(steps(app.events), [...Array(STEPS).keys()], 'the app saw every batch once');
    assertRecordedOnce(app.service);
  } finally {
    await app.service.close();
  }
});
