import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunStore } from '../../src-main/core/store/run-store';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

/** The hub of hub-queueing-runs.ts as a child process, with spawnCli's line helpers. */
function spawnHub(db: string, url: string, runs: number): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/queue/fixtures/hub-queueing-runs.ts', db, url, String(runs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onLine = (into: string[]) => (line: string) => {
    into.push(line);
    for (const w of [...watchers]) if (w.pattern.test(line)) (watchers.splice(watchers.indexOf(w), 1), w.resolve(line));
  };
  createInterface({ input: child.stdout! }).on('line', onLine(stdout));
  createInterface({ input: child.stderr! }).on('line', onLine(stderr));
  return {
    child,
    stdout,
    stderr,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const seen = [...stdout, ...stderr].find((line) => pattern.test(line));
        if (seen) return resolve(seen);
        const timer = setTimeout(() => reject(new Error(`hub: no line matching ${pattern}:\n${stderr.slice(-20).join('\n')}`)), timeoutMs);
        watchers.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      }),
  };
}

/**
 * Issue #29, the way it broke: a hub SIGKILLed with 1 run training and 3
 * waiting on 1 worker. The store opened meanwhile must not cancel the waiting
 * runs, the worker trains all 4, and `runs sync` records every one of them.
 */
test('a hub SIGKILLed with 1 run training and 3 waiting: the worker trains all 4 and runs sync records each epoch once', { timeout: 180_000 }, async () => {
  const redis = await TestRedis.start();
  const db = join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');
  const children: Spawned[] = [];
  try {
    const worker = spawnWorker(redis.url, 'w1');
    children.push(worker);
    await worker.waitFor(/waiting for runs/);
    const hub = spawnHub(db, redis.url, 4);
    children.push(hub);
    await hub.waitFor(/"type":"batch"/);
    hub.child.kill('SIGKILL');
    await hub.exited;

    // Opening the store (any command does) while 3 runs wait: none is cancelled.
    const list = spawnCli(['runs', 'list', '--db', db, '--json']);
    assert.equal(await list.exited, 0, list.stderr.join('\n'));
    const listed = JSON.parse(list.stdout.join('\n')) as { status: string }[];
    assert.equal(listed.length, 4);
    assert.ok(listed.every((r) => r.status === 'queued' || r.status === 'running'), JSON.stringify(listed.map((r) => r.status)));

    // The worker goes on alone: all 4 runs end while no hub is open.
    const waitCompleted = async (): Promise<void> => {
      const deadline = Date.now() + 120_000;
      while (worker.stderr.filter((l) => /run \S+: completed/.test(l)).length < 4) {
        if (Date.now() > deadline) throw new Error(`the worker did not complete 4 runs:\n${worker.stderr.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await waitCompleted();

    const sync = spawnCli(['runs', 'sync', '--queue', redis.url, '--db', db]);
    children.push(sync);
    assert.equal(await sync.exited, 0, sync.stderr.join('\n'));
    assert.equal(sync.stdout.filter((l) => /run ended/.test(l)).length, 4, sync.stdout.join('\n'));

    const store = RunStore.open(db);
    try {
      const runs = store.listRuns();
      assert.equal(runs.length, 4);
      for (const run of runs) {
        assert.equal(run.status, 'completed', `${run.id}: ${run.error}`);
        assert.deepEqual(store.metrics(run.id, ['epoch.test_acc']).map((p) => p.epoch), [0, 1], `run ${run.id}: each epoch once`);
        assert.deepEqual(store.metrics(run.id, ['batch.loss']).map((p) => p.step), [...Array(8).keys()], `run ${run.id}: each step once`);
        assert.equal(store.queueOwnership(run.id), undefined, 'an ended run no longer belongs to the queue');
      }
    } finally {
      store.close();
    }
    const client = redis.client();
    try {
      assert.deepEqual(await client.keys('vgg-workbench:hub:*'), [], 'the hub has no run left on the queue');
    } finally {
      client.disconnect();
    }
  } finally {
    await stopAll(children);
    await redis.stop();
  }
});
