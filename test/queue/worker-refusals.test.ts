import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { RunStore } from '../../src-main/core/store/run-store';
import { QUEUE_NAME, runKeys } from '../../src-main/queue/queue-keys';
import { defaultWorkDir } from '../../src-main/queue/queue-worker';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

let redis: TestRedis;
let worker: Spawned;
const children: Spawned[] = [];
const NAME = `cannot-start-${process.pid}`;

before(async () => {
  redis = await TestRedis.start();
  // A file where the worker's folder goes: it cannot make a folder for any run (ENOTDIR), as a too long name once could not.
  writeFileSync(defaultWorkDir(NAME), 'in the way');
  worker = spawnWorker(redis.url, NAME);
  children.push(worker);
  await worker.waitFor(/waiting for runs/);
});

after(async () => {
  await stopAll(children);
  await redis.stop();
  rmSync(defaultWorkDir(NAME), { force: true });
});

test('a run the worker cannot start reaches its hub as the run\'s error, and train --queue exits 1 saying why', async () => {
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

test('a job whose data is not JSON is removed, logged once by its id, and its hub told; the worker keeps serving', async () => {
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
  const client = redis.client();
  try {
    const hubId = 'abcdef0123456789';
    const job = await queue.add('run', { placeholder: true }, { delay: 1000, jobId: `${hubId}-run1` });
    await client.hset(`bull:${QUEUE_NAME}:${job.id}`, 'data', '{not json');
    const line = await worker.waitFor(/refused job abcdef0123456789-run1/, 30_000);
    assert.match(line, /its data is not JSON; removed from the queue/);
    await new Promise((resolve) => setTimeout(resolve, 6000)); // past a stalled check (FAST_TIMINGS): no repeat
    assert.equal(worker.stderr.filter((l) => /JSON/.test(l)).length, 1, worker.stderr.join('\n'));
    assert.deepEqual(await client.lrange(`bull:${QUEUE_NAME}:active`, 0, -1), []);
    assert.equal(await client.exists(`bull:${QUEUE_NAME}:${job.id}`), 0);
    const entries = await client.xrange(runKeys(hubId, 'run1').events, '-', '+');
    assert.equal(entries.length, 1);
    assert.match(entries[0]![1][1]!, /"type":"error".*its data is not JSON/);
  } finally {
    client.disconnect();
    await queue.close();
  }
});

test('the worker\'s log is one escaped line: a job id holding terminal escapes is shown, not obeyed', async () => {
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
  try {
    await queue.add('run', { kind: 'vgg-workbench-run' }, { jobId: 'evil\u001b[2J\nforged line' });
  } finally {
    await queue.close();
  }
  const line = await worker.waitFor(/refused job evil/);
  assert.ok(line.includes('evil\\x1b[2J\\x0aforged line'), line);
  assert.ok(!worker.stderr.some((l) => l.startsWith('forged line')));
});
