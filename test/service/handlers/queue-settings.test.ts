import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ExperimentService } from '../../../src-main/service/experiment-service';
import { queueUrlFor, type QueueSettingsStore, type SavedQueue } from '../../../src-main/service/queue-settings';
import { tempDir } from '../../core/store/store-fixtures';
import { spawnWorker, stopAll, TestRedis } from '../../queue/redis-harness';

/** The desktop app's store in memory: what the Electron one encrypts is what this one holds. */
function memoryStore(): QueueSettingsStore & { saved: SavedQueue | undefined } {
  return {
    saved: undefined,
    load() {
      return this.saved;
    },
    save(settings) {
      this.saved = settings;
    },
    clear() {
      this.saved = undefined;
    },
  };
}

function open(t: { after: (fn: () => unknown) => void }, options: { queueSettings?: QueueSettingsStore } = {}, errors: unknown[] = []): ExperimentService {
  const { dir, cleanup } = tempDir();
  // The queues configured here are not reachable (port 1): their link reports that, here, instead of on stderr.
  const service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, onError: (error) => errors.push(error), ...options });
  t.after(async () => {
    await service.close();
    cleanup();
  });
  return service;
}

test('the app saves its queue with the password apart and never sends the password back', async (t) => {
  const store = memoryStore();
  const service = open(t, { queueSettings: store });
  assert.deepEqual(await service.call('queue.settings', {}), { editable: true, url: null, hasPassword: false, caFile: null, restartNeeded: false });

  const saved = await service.call('queue.configure', { url: 'rediss://127.0.0.1:1', password: 's3cret', caFile: '/home/me/ca.pem' });
  assert.deepEqual(saved, { editable: true, url: 'rediss://127.0.0.1:1', hasPassword: true, caFile: '/home/me/ca.pem', restartNeeded: false });
  assert.deepEqual(store.saved, { url: 'rediss://127.0.0.1:1', password: 's3cret', caFile: '/home/me/ca.pem' });
  assert.ok(!JSON.stringify(await service.call('queue.settings', {})).includes('s3cret'));

  // A new URL keeps the saved password unless one is given; an empty password removes it.
  await service.call('queue.configure', { url: 'redis://127.0.0.1:1' });
  assert.equal(store.saved?.password, 's3cret');
  await service.call('queue.configure', { url: 'redis://127.0.0.1:1', password: '', caFile: null });
  assert.deepEqual(store.saved, { url: 'redis://127.0.0.1:1' });
  await service.call('queue.configure', { url: '' });
  assert.equal(store.saved, undefined);
});

test('a password in the URL or a URL that is not a queue is refused naming the field; nothing is saved', async (t) => {
  const store = memoryStore();
  const service = open(t, { queueSettings: store });
  for (const [url, message] of [
    ['redis://:pw@127.0.0.1:6379', /put the password in the Password field, not in the URL/],
    ['http://127.0.0.1:6379', /the scheme must be redis:\/\/ or rediss:\/\//],
  ] as const) {
    await assert.rejects(service.call('queue.configure', { url }), (error: { field?: string; message: string }) => {
      assert.equal(error.field, 'url');
      assert.match(error.message, message);
      assert.ok(!error.message.includes(':pw@'), 'the message shows no password');
      return true;
    });
  }
  assert.equal(store.saved, undefined);
});

test('serve takes its queue from its flags, never from the page: configure is refused', async (t) => {
  const service = open(t);
  assert.deepEqual(await service.call('queue.settings', {}), { editable: false, url: null, hasPassword: false, caFile: null, restartNeeded: false });
  await assert.rejects(service.call('queue.configure', { url: 'redis://127.0.0.1:6379', password: 'x' }), (error: { code?: string; message: string }) => {
    assert.equal(error.code, 'forbidden');
    assert.match(error.message, /serve --queue URL .* VGG_WORKBENCH_QUEUE_PASSWORD .* never from the page/);
    return true;
  });
});

test('the saved queue opens as a URL with its password and its CA where the queue parser looks', () => {
  const env: NodeJS.ProcessEnv = {};
  assert.equal(queueUrlFor({ url: 'rediss://10.0.0.5:6380', password: 'p@ss word', caFile: '/ca.pem' }, env), 'rediss://:p%40ss%20word@10.0.0.5:6380');
  assert.equal(env.VGG_WORKBENCH_QUEUE_CA, '/ca.pem');
  assert.equal(queueUrlFor({ url: 'redis://127.0.0.1:6379' }, {}), 'redis://127.0.0.1:6379');
});

test('Save switches the running app to the new queue at once: Test reaches it and sees its worker', { timeout: 60_000 }, async (t) => {
  const redis = await TestRedis.start({ password: 'pw-123' });
  const worker = spawnWorker(redis.url, 'w-settings');
  t.after(async () => {
    await stopAll([worker]);
    await redis.stop();
  });
  await worker.waitFor(/waiting for runs/);
  const service = open(t, { queueSettings: memoryStore() });
  assert.equal((await service.call('workers.test', {})).reason !== null, true, 'no queue before Save');
  const answer = await service.call('queue.configure', { url: `redis://127.0.0.1:${redis.port}`, password: 'pw-123' });
  assert.equal(answer.restartNeeded, false);
  const tested = await service.call('workers.test', {});
  // The password travels to the link, never back: the address shows where it was.
  assert.deepEqual(tested, { ...tested, queue: `redis://***@127.0.0.1:${redis.port}`, workersSeen: 1, reason: null });
  assert.match(tested.redisVersion ?? '', /^\d+\.\d+\.\d+$/);
  await service.call('queue.configure', { url: '' });
  assert.equal((await service.call('workers.test', {})).queue, null, 'cleared: no queue');
});
