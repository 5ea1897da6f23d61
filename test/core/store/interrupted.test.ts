import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { RunStore } from '../../../src-main/core/store/run-store';
import { smallConfig, tempDir } from './store-fixtures';

const FIXTURE = resolve('test/fixtures/store/record-until-killed.ts');

/** Resolves once the child has reported at least `events` flushed batch events; returns the last count seen. */
function waitForFlushed(child: ChildProcess, events: number, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`child reported no ${events} flushed events in time; stderr: ${stderr}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const counts = [...buffered.matchAll(/flushed (\d+)\n/g)].map((m) => Number(m[1]));
      const last = counts[counts.length - 1] ?? 0;
      if (last >= events) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolvePromise(last);
      }
    };
    child.stdout?.on('data', onData);
  });
}

test('a live recording process is never reaped; killed with SIGKILL, its run is interrupted with every flushed point', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const dbPath = join(dir, 'runs.sqlite');
  const setup = RunStore.open(dbPath);
  const runId = setup.createRun(smallConfig());
  setup.close();

  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dbPath, runId], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await waitForFlushed(child, 10);

  // While it writes: two more connections open (each reaps on open) and read.
  const readerA = RunStore.open(dbPath);
  const readerB = RunStore.open(dbPath);
  try {
    assert.equal(readerA.requireRun(runId).status, 'running', 'a live run is not marked');
    assert.equal(readerA.requireRun(runId).owner?.pid, child.pid);
    assert.deepEqual(readerB.reapInterrupted(), []);
    const seen = readerA.metrics(runId).length;
    assert.ok(seen >= 30);
    assert.ok(readerB.metrics(runId).length >= seen);
  } finally {
    readerA.close();
    readerB.close();
  }

  const flushedBeforeKill = await waitForFlushed(child, 25);
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;

  const store = RunStore.open(dbPath);
  t.after(() => store.close());
  const run = store.requireRun(runId);
  assert.equal(run.status, 'interrupted');
  assert.match(run.error ?? '', new RegExp(`process ${child.pid}`));
  assert.ok(run.finishedAt !== null && run.startedAt !== null && run.finishedAt >= run.startedAt);
  const points = store.metrics(runId);
  assert.ok(
    points.length >= flushedBeforeKill * 3,
    `${points.length} points kept, ${flushedBeforeKill * 3} were flushed before the kill`,
  );
  assert.equal(points.length % 15, 0, 'only whole flushes of 5 events × 3 keys');
  const steps = store.metrics(runId, ['batch.loss']).map((p) => p.step);
  assert.deepEqual(steps, steps.map((_, i) => i), 'no gap in the steps');
  assert.equal(run.summary['batch.loss'].count, steps.length, 'summary written with the points');
});

test('a run left queued by a process that died before starting it is cancelled; one queued by a live process stays queued', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const dbPath = join(dir, 'runs.sqlite');
  const storeModule = resolve('src-main/core/store/run-store.ts');
  const script = `
    import { RunStore } from ${JSON.stringify(storeModule)};
    const store = RunStore.open(${JSON.stringify(dbPath)});
    process.stdout.write(store.createRun(${JSON.stringify(smallConfig())}));
    store.close();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let orphanId = '';
  child.stdout.on('data', (chunk: Buffer) => (orphanId += chunk.toString()));
  await once(child, 'exit');
  assert.match(orphanId, /^[0-9a-f]{8}$/);

  const live = RunStore.open(dbPath);
  const liveId = live.createRun(smallConfig());
  live.close();

  const store = RunStore.open(dbPath);
  t.after(() => store.close());
  const orphan = store.requireRun(orphanId);
  assert.equal(orphan.status, 'cancelled');
  assert.match(orphan.error ?? '', /stopped first/);
  assert.equal(store.requireRun(liveId).status, 'queued');
});
