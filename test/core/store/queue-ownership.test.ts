import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RunStore } from '../../../src-main/core/store/run-store';
import { ExperimentService } from '../../../src-main/service/experiment-service';
import { smallConfig, tempDir } from './store-fixtures';

/** A pid that surely belongs to no process now: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** What a hub SIGKILLed after queueing leaves: runs owned by a dead process, one waiting and one training. */
function leftByDeadHub(path: string, owned: boolean): { waiting: string; training: string } {
  const store = RunStore.open(path);
  const waiting = store.createRun(smallConfig({ name: 'waiting' }));
  const training = store.createRun(smallConfig({ name: 'training' }));
  if (owned) {
    for (const runId of [waiting, training]) store.markQueueOwned({ runId, hubId: 'hub0', queue: 'redis://127.0.0.1:6379', queuedAt: Date.now() });
  }
  store.close();
  const raw = new Database(path);
  const pid = deadPid();
  raw.prepare(`UPDATE runs SET owner_pid = ?`).run(pid);
  raw.prepare(`UPDATE runs SET status = 'running', started_at = ?, heartbeat_at = ? WHERE id = ?`).run(Date.now(), Date.now(), training);
  raw.close();
  return { waiting, training };
}

test('opening the store never ends a run that belongs to a Redis queue, though the process that queued it is dead', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const onQueue = leftByDeadHub(join(dir, 'queue.sqlite'), true);
  const local = leftByDeadHub(join(dir, 'local.sqlite'), false);

  const queued = RunStore.open(join(dir, 'queue.sqlite'));
  try {
    assert.equal(queued.requireRun(onQueue.waiting).status, 'queued');
    assert.equal(queued.requireRun(onQueue.training).status, 'running');
    assert.equal(queued.queueOwnership(onQueue.waiting)?.queue, 'redis://127.0.0.1:6379');
  } finally {
    queued.close();
  }
  // The same runs without the queue's mark are reaped as before.
  const plain = RunStore.open(join(dir, 'local.sqlite'));
  try {
    assert.equal(plain.requireRun(local.waiting).status, 'cancelled');
    assert.equal(plain.requireRun(local.training).status, 'interrupted');
  } finally {
    plain.close();
  }
});

test('releasing a run from the queue, or deleting it, removes its mark', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = RunStore.open(join(dir, 'runs.sqlite'));
  try {
    const [a, b] = [store.createRun(smallConfig()), store.createRun(smallConfig())];
    for (const runId of [a, b]) store.markQueueOwned({ runId, hubId: 'hub0', queue: 'redis://h:1', queuedAt: 1 });
    store.releaseQueueOwned(a);
    store.deleteRun(b);
    assert.deepEqual(store.queueOwnedRuns(), []);
  } finally {
    store.close();
  }
});

test('cancelling a run on a Redis queue from a workbench without that queue says which queue to start it with', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir });
  t.after(() => service.close());
  const runId = service.store.createRun(smallConfig());
  service.store.markQueueOwned({ runId, hubId: 'hub0', queue: 'redis://127.0.0.1:6380', queuedAt: Date.now() });
  await assert.rejects(service.call('runs.cancel', { runId }), (error: { code?: string; message: string }) => {
    assert.equal(error.code, 'conflict');
    assert.match(error.message, /is on the Redis queue redis:\/\/127\.0\.0\.1:6380: start the workbench with --queue redis:\/\/127\.0\.0\.1:6380 to cancel it there/);
    return true;
  });
});
