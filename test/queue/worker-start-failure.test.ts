import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { defaultWorkDir } from '../../src-main/queue/queue-worker';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

let redis: TestRedis;
const children: Spawned[] = [];
const NAME = `cannot-start-${process.pid}`;

before(async () => {
  redis = await TestRedis.start();
  // A file where the worker's folder goes: it cannot make a folder for any run (ENOTDIR), as a too long name once could not.
  writeFileSync(defaultWorkDir(NAME), 'in the way');
});

after(async () => {
  await stopAll(children);
  await redis.stop();
  rmSync(defaultWorkDir(NAME), { force: true });
});

test('a run the worker cannot start reaches its hub as the run\'s error, and train --queue exits 1 saying why', async () => {
  const worker = spawnWorker(redis.url, NAME);
  children.push(worker);
  await worker.waitFor(/waiting for runs/);
  const db = join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');
  const train = spawnCli(['train', '--model', 'lenet', '--batch', '32', '--epochs', '1', '--train-limit', '64', '--test-limit', '32', '--queue', redis.url, '--db', db]);
  children.push(train);
  assert.equal(await train.exited, 1, train.stderr.join('\n'));
  assert.match(train.stderr.join('\n'), new RegExp(`error: worker ${NAME} could not run it: .*ENOTDIR`));
  const line = await worker.waitFor(/could not run it/);
  assert.match(line, new RegExp(`run [0-9a-f]+ \\(job [0-9a-f]+-[0-9a-f]+\\): worker ${NAME} could not run it`), 'the worker names the run and the job');
  const store = RunStore.open(db);
  try {
    const [run] = store.listRuns();
    assert.equal(run!.status, 'failed');
    assert.match(run!.error ?? '', /could not run it: .*ENOTDIR/);
  } finally {
    store.close();
  }
  const again = spawnCli(['workers', '--queue', redis.url, '--json']);
  children.push(again);
  assert.equal(await again.exited, 0);
  assert.equal((JSON.parse(again.stdout.join('')) as { state: string }[])[0]?.state, 'idle', 'the worker keeps serving');
});
