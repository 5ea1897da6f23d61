import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { RunStore } from '../../src-main/core/store/run-store';
import { QueueHub } from '../../src-main/queue/queue-hub';
import { runKeys } from '../../src-main/queue/queue-keys';
import { parseQueueUrl } from '../../src-main/queue/queue-url';
import { encodeStreamEntry } from '../../src-main/queue/stream-entry';
import type { StreamMessage } from '../../src-main/queue/queue-messages';
import { prepareRun } from '../../src-main/service/prepare-run';
import { makeRunConfig } from '../../src-main/shared/train/make-run-config';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import { syntheticRun } from '../core/store/store-fixtures';
import { spawnCli, TestRedis } from './redis-harness';

let redis: TestRedis;
let client: Redis;

before(async () => {
  redis = await TestRedis.start();
  client = redis.client();
});

after(async () => {
  client.disconnect();
  await redis.stop();
});

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

test('a hub fed hostile stream entries records the run\'s true points, NaN and Infinity included, and completes it', async () => {
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'vgg-hostile-')), 'hub.sqlite'));
  const log: string[] = [];
  // A hub that takes checkpoints up to 4 KB: the 300 MB junk checkpoint of the issue, scaled down.
  const hub = await QueueHub.open(parseQueueUrl(redis.url), store, (line) => log.push(line), { checkpointTransferMaxBytes: 4096 });
  try {
    const config = makeRunConfig({ model: 'lenet', batchSize: 32, lr: 0.5, epochs: 2, trainLimit: 96, testLimit: 32, engine: 'wasm' });
    const runId = await hub.startRun(prepareRun({ config }));
    const recorded = store.requireRun(runId).config;
    const keys = runKeys(hub.hubId, runId);
    // The true run, as a worker sends it: 3 batches an epoch, a diverged loss at steps 2 and 4.
    const truth = syntheticRun({ epochs: 2, stepsPerEpoch: 3, config: recorded, startTime: Date.now() });
    const batch2 = truth.find((e) => e.type === 'batch' && e.step === 2)! as Extract<TrainingEvent, { type: 'batch' }>;
    batch2.loss = Number.NaN;
    const batch4 = truth.find((e) => e.type === 'batch' && e.step === 4)! as Extract<TrainingEvent, { type: 'batch' }>;
    batch4.loss = Number.POSITIVE_INFINITY;
    batch4.accuracy = Number.NEGATIVE_INFINITY;
    const [start, ...rest] = truth;
    const done = rest.pop()!;
    type EventMessage = Extract<StreamMessage, { type: 'event' }>;
    const event = (e: TrainingEvent, attempt = 1): EventMessage => ({ type: 'event', attempt, worker: 'w1', event: e });
    const xadd = (text: string) => client.xadd(keys.events, '*', 'm', text);
    const send = (message: StreamMessage) => xadd(encodeStreamEntry(message));
    await client.incr(keys.attempt);

    await send({ ...event(start!), host: { os: 'linux', cpu: 'x', gpu: null, name: 'box' } });
    for (const e of rest.slice(0, 3)) await send(event(e));
    // The hostile entries, between the true ones.
    // The same take started again, with the true config: it would discard the points so far.
    await send({ ...event({ ...start!, firstEpoch: 0 } as TrainingEvent) });
    const forgedStart = { ...start!, config: { ...recorded, lr: 9.5 } } as TrainingEvent;
    await send(event(forgedStart));
    await send(event({ ...start!, firstEpoch: 0 } as TrainingEvent, 9));
    await send(event({ type: 'batch', time: Date.now(), epoch: 0, step: 1e15, batch: 0, loss: 0.1, accuracy: 0.9, imagesPerSec: 1 }));
    await send(event({ type: 'batch', time: Date.now(), epoch: 1, step: 5, batch: 2, loss: 0.1, accuracy: 0.9, imagesPerSec: 1 }, 9));
    await send({ type: 'confusion', attempt: 1, matrix: Array.from({ length: 11 }, () => Array.from({ length: 11 }, () => 1)) });
    await send({ type: 'takeover', attempt: 2, worker: 'x'.repeat(20_000), resumedFromEpoch: null });
    await xadd(JSON.stringify(event({ type: 'error', time: Date.now(), message: 'E'.repeat(1024 * 1024) })));
    await xadd('{not json');
    await client.xadd(keys.events, '*', 'other', 'no m field');
    await xadd(JSON.stringify({ type: 'event', attempt: 1, worker: 'w1', event: { ...rest[3], loss: null } }));
    const junk = Buffer.alloc(8192, 7);
    await client.set(keys.checkpointChunk(0, 0), junk);
    await send({ type: 'checkpoint', attempt: 1, epoch: 0, bytes: junk.length, sha256: sha256(junk), chunks: 1 });
    // A small checkpoint whose chunk in Redis is far larger than announced: never loaded.
    await client.set(keys.checkpointChunk(1, 0), Buffer.alloc(1024 * 1024));
    await send({ type: 'checkpoint', attempt: 1, epoch: 1, bytes: 100, sha256: sha256(Buffer.alloc(100)), chunks: 1 });
    for (const e of rest.slice(3)) await send(event(e));
    await send({ type: 'confusion', attempt: 1, matrix: [[3, 1], [0, 4]] });
    await send(event(done));

    const ended = await hub.follow(runId);
    assert.equal(ended, true);
    const run = store.requireRun(runId);
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.equal(run.config.lr, 0.5, 'the recorded config stands');
    assert.equal(run.error, null);
    assert.ok(run.notes.length < 1000, 'no 20,000-character worker name in the notes');
    assert.deepEqual(store.getConfusion(runId), [[3, 1], [0, 4]]);
    assert.deepEqual(store.checkpoints(runId), [], 'neither the oversized nor the mis-sized checkpoint is kept');
    const losses = store.metrics(runId, ['batch.loss']);
    assert.deepEqual(losses.map((p) => p.step), [0, 1, 2, 3, 4, 5], 'every true step, none forged');
    assert.ok(Number.isNaN(losses[2]!.value), 'the diverged loss is NaN, as a local run records it');
    assert.equal(losses[4]!.value, Number.POSITIVE_INFINITY);
    assert.equal(store.metrics(runId, ['batch.accuracy'])[4]!.value, Number.NEGATIVE_INFINITY);
    const trueLosses = rest.filter((e): e is Extract<TrainingEvent, { type: 'batch' }> => e.type === 'batch').map((e) => e.loss);
    assert.deepEqual(losses.map((p) => p.value), trueLosses);
    assert.deepEqual(store.metrics(runId, ['epoch.test_acc']).map((p) => p.epoch), [0, 1]);

    const skipped = log.filter((line) => /skipped stream entry/.test(line));
    assert.equal(skipped.length, 12, log.join('\n'));
    for (const line of skipped) {
      assert.match(line, new RegExp(`^warning: run ${runId}: skipped stream entry \\d+-\\d+: `));
      assert.ok(line.length < 2000, `one short line, not the entry: ${line.length} characters`);
    }
    assert.ok(skipped.some((l) => /a start cannot rewrite the recorded config \(lr differ/.test(l)), skipped.join('\n'));
    assert.ok(skipped.some((l) => /attempt 9 skips ahead of take 1/.test(l)));
    assert.ok(skipped.some((l) => /step 1000000000000000 is outside the run's 6 planned batches/.test(l)));
    assert.ok(skipped.some((l) => /matrix has 11 rows/.test(l)));
    assert.ok(skipped.some((l) => /worker is 20000 characters long/.test(l)));
    assert.ok(skipped.some((l) => /characters long \(at most 262144\)/.test(l)));
    assert.ok(skipped.some((l) => /not JSON/.test(l)));
    assert.ok(skipped.some((l) => /no field m/.test(l)));
    assert.ok(skipped.some((l) => /event\.loss: expected a number/.test(l)));
    assert.ok(skipped.some((l) => /more bytes in Redis than the 100 announced/.test(l)));
    assert.ok(skipped.some((l) => /above this hub's --checkpoint-transfer-max \(4096 bytes\)/.test(l)));
    assert.deepEqual(await hub.pendingRuns(), [], 'the run ended: its keys are gone');
  } finally {
    await hub.close();
    store.close();
  }
});

test('runs sync over hostile entries records the true ones, exits 0 and keeps the run', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'vgg-hostile-sync-')), 'hub.sqlite');
  let store = RunStore.open(db);
  const hub = await QueueHub.open(parseQueueUrl(redis.url), store, () => undefined);
  const config = makeRunConfig({ model: 'lenet', batchSize: 32, lr: 0.5, epochs: 2, trainLimit: 96, testLimit: 32, engine: 'wasm' });
  const runId = await hub.startRun(prepareRun({ config }));
  const keys = runKeys(hub.hubId, runId);
  // The hub goes away; a worker streams on, and so does someone else.
  await hub.close();
  const recorded = store.requireRun(runId).config;
  store.close();
  const [start, ...rest] = syntheticRun({ epochs: 2, stepsPerEpoch: 3, config: recorded, startTime: Date.now(), end: 'none' });
  const send = (message: StreamMessage) => client.xadd(keys.events, '*', 'm', encodeStreamEntry(message));
  await client.incr(keys.attempt);
  // As a worker does: the start in the stream, and as the run's newest start for a hub that attaches late.
  await send({ type: 'event', attempt: 1, worker: 'w1', event: start! });
  await client.set(keys.start, encodeStreamEntry({ type: 'event', attempt: 1, worker: 'w1', event: start! }));
  await send({ type: 'confusion', attempt: 1, matrix: Array.from({ length: 11 }, () => Array.from({ length: 11 }, () => 1)) });
  await send({ type: 'takeover', attempt: 2, worker: 'x'.repeat(20_000), resumedFromEpoch: null });
  for (const e of rest.slice(0, 4)) await send({ type: 'event', attempt: 1, worker: 'w1', event: e });
  for (let round = 0; round < 2; round++) {
    const sync = spawnCli(['runs', 'sync', '--queue', redis.url, '--db', db]);
    assert.equal(await sync.exited, 0, sync.stderr.join('\n'));
    assert.match(sync.stdout.join('\n'), new RegExp(`${runId}: \\d+ event\\(s\\) recorded, still training`));
    // Each bad entry is acknowledged with the rest: said by the first sync only.
    assert.equal(sync.stderr.filter((l) => /skipped stream entry/.test(l)).length, round === 0 ? 2 : 0, sync.stderr.join('\n'));
  }
  store = RunStore.open(db);
  try {
    const run = store.requireRun(runId);
    // Between syncs no process records it, so opening the store may call it interrupted (whose run it is then is issue 29's);
    // what matters here: a bad entry neither ended it nor deleted it.
    assert.ok(run.status === 'running' || run.status === 'interrupted', `not ended by a bad entry: ${run.status} ${run.error}`);
    assert.deepEqual(store.metrics(runId, ['batch.loss']).map((p) => p.step), [0, 1, 2]);
    assert.equal(await client.exists(keys.events), 1, 'its stream is kept for the rest of the run');
  } finally {
    store.close();
  }
});
