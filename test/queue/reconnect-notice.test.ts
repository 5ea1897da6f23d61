import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a Redis restart prints one line when the queue is lost and one when it is back, in the worker and the hub, never a stack', async (t) => {
  const redis = await TestRedis.start();
  const children: Spawned[] = [];
  t.after(async () => {
    await stopAll(children);
    await redis.stop();
  });
  const worker = spawnWorker(redis.url, 'w1');
  children.push(worker);
  await worker.waitFor(/waiting for runs/);
  // A long run keeps the hub (train --queue) following while Redis goes away.
  const db = join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');
  const hub = spawnCli(['train', '--model', 'lenet', '--batch', '32', '--epochs', '50', '--train-limit', '256', '--test-limit', '32', '--queue', redis.url, '--db', db, '--json']);
  children.push(hub);
  await hub.waitFor(/"type":"batch"/);
  await redis.stop();
  await sleep(5000);
  await redis.launch();
  await worker.waitFor(/connected again/, 30_000);
  await hub.waitFor(/connected again/, 30_000);
  for (const [who, lines] of [['worker', worker.stderr], ['hub', hub.stderr]] as const) {
    const text = lines.join('\n');
    assert.ok(!/^\s+at |TCPConnectWrap|errno:/m.test(text), `${who}: no stack trace:\n${text}`);
    assert.equal(lines.filter((l) => /connection lost \((.*ECONN(REFUSED|RESET).*|Connection is closed.*)\); reconnecting/.test(l)).length, 1, `${who}:\n${text}`);
    assert.equal(lines.filter((l) => /connected again/.test(l)).length, 1, `${who}:\n${text}`);
    assert.ok(!lines.some((l) => /warning: .*ECONNREFUSED/.test(l) && !/connection lost/.test(l)), `${who}: no line per retry:\n${text}`);
  }
});
