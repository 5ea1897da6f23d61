import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExperimentService } from '../../../src-main/service/experiment-service';
import { NO_QUEUE_REASON } from '../../../src-main/service/handlers/workers';
import { workerKey } from '../../../src-main/queue/queue-keys';
import type { WorkerAnnouncement } from '../../../src-main/queue/queue-messages';
import { TestRedis } from '../../queue/redis-harness';

const PASSWORD = 'workers-list-secret';
let dir: string;
let redis: TestRedis;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'workers-list-'));
  redis = await TestRedis.start({ password: PASSWORD });
});

after(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(redis.dir, { recursive: true, force: true });
});

function open(name: string, queueUrl?: string, errors: unknown[] = []): ExperimentService {
  return ExperimentService.open({
    databasePath: join(dir, `${name}.sqlite`),
    dataDir: dir,
    exampleRunsFile: null,
    onError: (error) => errors.push(error),
    ...(queueUrl ? { queueUrl } : {}),
  });
}

test('without a queue URL, workers.list is empty and says how to get one', async () => {
  const service = open('no-queue');
  try {
    assert.deepEqual(await service.call('workers.list', {}), { queue: null, workers: [], reason: NO_QUEUE_REASON });
  } finally {
    await service.close();
  }
});

test("workers.list returns the queue's announced workers, skips malformed announcements, never shows the password", async () => {
  const client = redis.client();
  const w1: WorkerAnnouncement = {
    name: 'w1', host: 'gpu-box', engine: 'webgpu (webgpu 4.22.0)', adapter: 'NVIDIA H100', freeMemoryBytes: 8e9,
    state: 'training', runId: 'run-1', heartbeatAt: Date.now(), startedAt: Date.now() - 60_000,
  };
  await client.set(workerKey('w1'), JSON.stringify(w1), 'PX', 30_000);
  await client.set(workerKey('broken'), '{"name": 3}', 'PX', 30_000);
  const service = open('with-queue', redis.url);
  try {
    const answer = await service.call('workers.list', {});
    assert.deepEqual(answer, { queue: `redis://***@127.0.0.1:${redis.port}`, workers: [w1], reason: null });
    assert.ok(!JSON.stringify(answer).includes(PASSWORD));
  } finally {
    await service.close();
    await client.del(workerKey('w1'), workerKey('broken'));
    client.disconnect();
  }
});

test('a queue that refuses the password: workers.list says why, naming the URL without the password', async () => {
  const errors: unknown[] = [];
  const service = open('wrong-password', `redis://:not-${PASSWORD}@127.0.0.1:${redis.port}`, errors);
  try {
    const answer = await service.call('workers.list', {});
    assert.equal(answer.queue, `redis://***@127.0.0.1:${redis.port}`);
    assert.deepEqual(answer.workers, []);
    assert.match(answer.reason ?? '', /cannot use the queue at redis:\/\/\*\*\*@127\.0\.0\.1:\d+: .*WRONGPASS/);
    assert.ok(!JSON.stringify(answer).includes(PASSWORD), 'no password, not even the wrong one');
    assert.equal(errors.length, 1, 'the failed open is reported once');
  } finally {
    await service.close();
  }
});
