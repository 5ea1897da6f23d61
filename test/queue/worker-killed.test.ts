import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { spawnCli, spawnWorker, stopAll, TestRedis, type Spawned } from './redis-harness';

/**
 * The "done when": 2 workers, two `train --queue` at once, the worker
 * holding a run SIGKILLed after its first batch. VGG_WORKBENCH_QUEUE_FULL=1
 * runs it at the size (8,192 images, minutes on 2 cores); by default
 * it trains 1,024 so the file stays near a minute.
 */
const FULL = process.env.VGG_WORKBENCH_QUEUE_FULL === '1';
const trainLimit = FULL ? '8192' : '1024';

test('a worker SIGKILLed after its first batch: its run is taken over, both trains exit 0, every epoch recorded once', { timeout: FULL ? 900_000 : 150_000 }, async () => {
  const redis = await TestRedis.start();
  const hubDb = join(mkdtempSync(join(tmpdir(), 'vgg-hub-')), 'hub.sqlite');
  const children: Spawned[] = [];
  try {
    const w1 = spawnWorker(redis.url, 'w1');
    const w2 = spawnWorker(redis.url, 'w2');
    children.push(w1, w2);
    await Promise.all([w1.waitFor(/waiting for runs/), w2.waitFor(/waiting for runs/)]);
    const train = () =>
      spawnCli(['train', '--model', 'lenet', '--epochs', '3', '--train-limit', trainLimit, '--test-limit', '512', '--queue', redis.url, '--db', hubDb, '--json']);
    const trains = [train(), train()];
    children.push(...trains);
    // Both workers hold a run once each train has printed a batch; w1 is the one killed.
    await Promise.all(trains.map((t) => t.waitFor(/"type":"batch"/, 120_000)));
    await w1.waitFor(/: training lenet/);
    w1.child.kill('SIGKILL');
    await w1.exited;
    const killedRun = /run (\S+): training/.exec(w1.stderr.find((l) => /: training/.test(l))!)![1]!;

    const codes = await Promise.all(trains.map((t) => t.exited));
    assert.deepEqual(codes, [0, 0], trains.map((t) => t.stderr.join('\n')).join('\n---\n'));
    assert.ok(w2.stderr.some((l) => l.includes(`run ${killedRun}: taken over (attempt 2)`)), w2.stderr.join('\n'));

    const store = RunStore.open(hubDb);
    try {
      const runs = store.listRuns();
      assert.equal(runs.length, 2);
      for (const run of runs) {
        assert.equal(run.status, 'completed', `${run.id}: ${run.error}`);
        assert.deepEqual(store.metrics(run.id, ['epoch.test_acc']).map((p) => p.epoch), [0, 1, 2], `run ${run.id}: epochs 0, 1, 2 once each`);
        const steps = store.metrics(run.id, ['batch.loss']).map((p) => p.step);
        assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i), `run ${run.id}: each step once, in order`);
        assert.equal(store.latestCheckpoint(run.id)?.epoch, 2, 'the last checkpoint reached the hub');
      }
      const taken = store.requireRun(killedRun);
      assert.match(taken.notes, /Take 2: worker w2 took the run over and (started it over|continued from the checkpoint of epoch \d)/);
    } finally {
      store.close();
    }
  } finally {
    await stopAll(children);
    await redis.stop();
  }
});
