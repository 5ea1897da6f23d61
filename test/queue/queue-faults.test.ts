import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { RunStore } from '../../src-main/core/store/run-store';
import { QUEUE_NAME } from '../../src-main/queue/queue-keys';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

// 512 images at batch 32: 16 steps an epoch, a couple of seconds each.
const quick = ['--model', 'lenet', '--batch', '32', '--lr', '0.05', '--train-limit', '512', '--test-limit', '128'];
const PASSWORD = 's3cret-Pa55';

let redis: TestRedis;
let worker: Spawned;
const children: Spawned[] = [];
const newDb = (): string => join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');
const train = (db: string, epochs: number): Spawned => {
  const t = spawnCli(['train', ...quick, '--epochs', String(epochs), '--queue', `redis://127.0.0.1:${redis.port}`, '--db', db, '--json'], {
    VGG_WORKBENCH_QUEUE_PASSWORD: PASSWORD,
  });
  children.push(t);
  return t;
};

before(async () => {
  redis = await TestRedis.start({ password: PASSWORD });
  worker = spawnWorker(redis.url, 'w1');
  children.push(worker);
  await worker.waitFor(/waiting for runs/);
});

after(async () => {
  await stopAll(children);
  await redis.stop();
});

test('a wrong password: a clear error naming the URL without the password', async () => {
  const wrong = spawnCli(['workers', '--queue', `redis://:not-the-password@127.0.0.1:${redis.port}`]);
  children.push(wrong);
  assert.equal(await wrong.exited, 1);
  const text = wrong.stderr.join('\n');
  assert.match(text, new RegExp(`cannot use the queue at redis://\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}: .*WRONGPASS`));
  assert.ok(!text.includes('not-the-password'), text);

  const fromEnv = spawnCli(['workers', '--queue', `redis://127.0.0.1:${redis.port}`, '--json'], { VGG_WORKBENCH_QUEUE_PASSWORD: PASSWORD });
  children.push(fromEnv);
  assert.equal(await fromEnv.exited, 0, fromEnv.stderr.join('\n'));
  const workers = JSON.parse(fromEnv.stdout.join('')) as { name: string; state: string }[];
  assert.deepEqual(workers.map((w) => w.name), ['w1']);
});

test('a malformed job pushed straight into Redis is refused with a clear message, and the worker keeps serving', async () => {
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, password: PASSWORD } });
  try {
    await queue.add('run', { kind: 'vgg-workbench-run', hubId: 'abc', runId: '../../etc', config: { model: 'lenet' }, script: 'rm -rf /' });
  } finally {
    await queue.close();
  }
  const line = await worker.waitFor(/refused job/);
  assert.match(line, /not a valid run .*runId: letters, digits/);
  const db = newDb();
  const run = train(db, 1);
  assert.equal(await run.exited, 0, run.stderr.join('\n'));
});

test('a cancel from the hub stops the worker within a batch, and the run is recorded cancelled', async () => {
  const db = newDb();
  const run = train(db, 5);
  await run.waitFor(/"type":"batch".*"step":2,/);
  run.child.kill('SIGINT');
  assert.equal(await run.exited, 130, run.stderr.join('\n'));
  const events = run.stdout.map((l) => JSON.parse(l) as { type: string; status?: string; step?: number });
  assert.equal(events.at(-1)?.status, 'cancelled');
  const lastStep = Math.max(...events.filter((e) => e.type === 'batch').map((e) => e.step!));
  assert.ok(lastStep < 16 * 2, `stopped within the first epochs, at step ${lastStep}`);
  const store = RunStore.open(db);
  try {
    assert.equal(store.listRuns()[0]!.status, 'cancelled');
  } finally {
    store.close();
  }
});

test('a Redis restart mid-run: worker and hub reconnect and the run completes with every epoch once', async () => {
  const db = newDb();
  const run = train(db, 3);
  await run.waitFor(/"type":"epoch","time":\d+,"epoch":0/);
  await redis.restart();
  assert.equal(await run.exited, 0, run.stderr.join('\n'));
  const store = RunStore.open(db);
  try {
    const [record] = store.listRuns();
    assert.equal(record!.status, 'completed');
    assert.deepEqual(store.metrics(record!.id, ['epoch.test_acc']).map((p) => p.epoch), [0, 1, 2]);
    const steps = store.metrics(record!.id, ['batch.loss']).map((p) => p.step);
    assert.deepEqual(steps, Array.from({ length: 48 }, (_, i) => i));
  } finally {
    store.close();
  }
});
