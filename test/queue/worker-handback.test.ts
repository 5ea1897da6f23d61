import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

const quick = ['--model', 'lenet', '--batch', '32', '--lr', '0.05', '--train-limit', '512', '--test-limit', '128'];

let redis: TestRedis;
const children: Spawned[] = [];
const newDb = (): string => join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');

before(async () => {
  redis = await TestRedis.start();
});

after(async () => {
  await stopAll(children);
  await redis.stop();
});

test('SIGTERM: the worker finishes its batch, hands the run back and exits; the next worker continues from the checkpoint the hub holds', async () => {
  const db = newDb();
  const w1 = spawnWorker(redis.url, 'w1');
  children.push(w1);
  await w1.waitFor(/waiting for runs/);
  const trainer = spawnCli(['train', ...quick, '--epochs', '3', '--queue', redis.url, '--db', db, '--json']);
  children.push(trainer);
  // Epoch 0's checkpoint is sent before epoch 1's first batch.
  await trainer.waitFor(/"type":"batch","time":\d+,"epoch":1/);
  w1.child.kill('SIGTERM');
  assert.equal(await w1.exited, 0, w1.stderr.join('\n'));
  assert.ok(w1.stderr.some((l) => /handed back to the queue/.test(l)), w1.stderr.join('\n'));

  // The second worker keeps checkpoints above 0 MB to itself: the hub holds epoch 0's only.
  const w2 = spawnCli(['worker', '--queue', redis.url, '--name', 'w2', '--engine', 'wasm', '--data', REAL_DATA_DIR, '--checkpoint-transfer-max', '0']);
  children.push(w2);
  assert.equal(await trainer.exited, 0, trainer.stderr.join('\n'));
  assert.ok(w2.stderr.some((l) => /taken over \(attempt 2\), resuming after epoch 0/.test(l)), w2.stderr.join('\n'));
  // --json prints each step once across the takeover: the replayed steps of epoch 1 and the second start are not repeated.
  const printed = trainer.stdout.map((line) => JSON.parse(line) as { type: string; step?: number; epoch?: number });
  assert.deepEqual(printed.filter((e) => e.type === 'batch').map((e) => e.step), Array.from({ length: 48 }, (_, i) => i));
  assert.deepEqual(printed.filter((e) => e.type === 'epoch').map((e) => e.epoch), [0, 1, 2]);
  assert.equal(printed.filter((e) => e.type === 'start').length, 1);

  const store = RunStore.open(db);
  try {
    const [run] = store.listRuns();
    assert.equal(run!.status, 'completed');
    assert.deepEqual(store.metrics(run!.id, ['epoch.test_acc']).map((p) => p.epoch), [0, 1, 2]);
    assert.deepEqual(store.metrics(run!.id, ['batch.loss']).map((p) => p.step), Array.from({ length: 48 }, (_, i) => i));
    assert.match(run!.notes, /Take 2: worker w2 took the run over and continued from the checkpoint of epoch 0\./);
    assert.match(run!.notes, /The checkpoint of epoch 2 \(.*\) stays on worker w2: it is larger than --checkpoint-transfer-max\./);
    assert.deepEqual(store.checkpoints(run!.id).map((c) => c.epoch), [0]);
  } finally {
    store.close();
  }
});

test('a run that does not fit the worker is refused with the same structured refusal as a local run', async () => {
  const db = newDb();
  const w3 = spawnWorker(redis.url, 'w3');
  children.push(w3);
  await w3.waitFor(/waiting for runs/);
  const trainer = spawnCli(['train', '--model', 'vgg11', '--resize', '224', '--batch', '4096', '--epochs', '1', '--train-limit', '64', '--queue', redis.url, '--db', db]);
  children.push(trainer);
  assert.equal(await trainer.exited, 1);
  const text = trainer.stderr.join('\n');
  assert.match(text, /error: vgg11 at 224×224, batch 4096 needs about .* GB.*the wasm engine has/, text);
  assert.match(text, /--batch \d+ or less/, text);
  const store = RunStore.open(db);
  try {
    const [run] = store.listRuns();
    assert.equal(run!.status, 'failed');
    assert.match(run!.error ?? '', /needs about .* GB/);
  } finally {
    store.close();
  }
});
