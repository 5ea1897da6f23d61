import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { spawnWorker, stopAll, TestRedis, type Spawned } from '../queue/redis-harness';
import { eventually, goTo, openWorkbench, seriesLength, type Workbench } from './workbench-harness';

/**
 * Issue #29 in Chromium: the workbench as `serve --queue` runs it (the same
 * service and server, with a queue URL) and a real worker process on a real
 * redis-server. Launch sends a run to the GPU workers; it trains live on the
 * worker, its host shows in Runs; a second run is cancelled on its worker.
 */
let redis: TestRedis;
let workbench: Workbench;
const children: Spawned[] = [];

before(async () => {
  redis = await TestRedis.start();
  const worker = spawnWorker(redis.url, 'gpu-1');
  children.push(worker);
  await worker.waitFor(/waiting for runs/);
  workbench = await openWorkbench({ queueUrl: redis.url });
});

after(async () => {
  await workbench?.close();
  await stopAll(children);
  await redis?.stop();
});

async function fillQuickRun(name: string, epochs: number): Promise<void> {
  const { page } = workbench;
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'LeNet (book, 2017)' });
  await page.getByLabel('Training images').fill('512');
  await page.getByLabel('Test images').fill('100');
  await page.getByLabel('Epochs').fill(String(epochs));
  await page.getByLabel('Batch size').fill('32');
  await page.getByLabel('Learning rate').fill('0.1');
  await page.getByLabel('Run name').fill(name);
}

test('Launch with "GPU workers": the run trains live on the worker, and Runs names its host', { timeout: 240_000 }, async () => {
  const { page } = workbench;
  await goTo(page, 'Launch');
  const runOn = page.getByRole('group', { name: 'Run on' });
  await runOn.getByText('GPU workers (1 ready)').waitFor({ timeout: 20_000 });
  await runOn.getByLabel(/GPU workers/).check();
  await fillQuickRun('on the worker', 2);
  await page.getByRole('button', { name: 'Start run' }).click();

  await page.getByRole('heading', { name: 'Live run', level: 1 }).waitFor();
  const status = page.getByTestId('live-status');
  await eventually(
    async () => {
      const points = (await seriesLength(page, 'live-loss-chart', 'Loss per batch')) ?? 0;
      return points > 0 && (await status.textContent()) === 'running' ? points : undefined;
    },
    'batch points on the live chart while the run trains on the worker',
    120_000,
  );
  await status.filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 });
  // 512 images / batch 32 = 16 batches per epoch, 2 epochs.
  await eventually(async () => ((await seriesLength(page, 'live-loss-chart', 'Loss per batch')) === 32 ? true : undefined), '32 batch points');

  await goTo(page, 'Runs');
  const row = page.getByRole('table', { name: 'Runs' }).getByRole('row').filter({ hasText: 'on the worker' });
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', new RegExp(hostname()));
  // The list reloads once after the run's end (250 ms later): it must come to read completed, and stay so.
  await row.filter({ hasText: 'completed' }).waitFor({ timeout: 10_000 });

  // The choice is remembered.
  await goTo(page, 'Launch');
  assert.equal(await page.getByRole('group', { name: 'Run on' }).getByLabel(/GPU workers/).isChecked(), true);
  assert.deepEqual(workbench.pageErrors, []);
});

test('Cancel on a run training on a worker stops it', { timeout: 240_000 }, async () => {
  const { page } = workbench;
  await goTo(page, 'Launch');
  await fillQuickRun('cancelled on the worker', 20);
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.getByRole('heading', { name: 'Live run', level: 1 }).waitFor();
  const status = page.getByTestId('live-status');
  await status.filter({ hasText: 'running' }).waitFor({ timeout: 120_000 });
  await eventually(async () => (((await seriesLength(page, 'live-loss-chart', 'Loss per batch')) ?? 0) > 0 ? true : undefined), 'a batch point');
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await status.filter({ hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
  const run = workbench.service.store.listRuns().find((r) => r.name === 'cancelled on the worker');
  assert.equal(run?.status, 'cancelled');
  assert.ok((run?.epochsCompleted ?? 0) < 20, 'it stopped long before its 20 epochs');
  assert.deepEqual(workbench.pageErrors, []);
});

test('Data & engine: Test says the Redis version and the workers seen, and the workers table reads cleanly', { timeout: 60_000 }, async () => {
  const { page } = workbench;
  await goTo(page, 'Data & engine');
  const panel = page.getByTestId('workers-panel');
  await panel.getByRole('button', { name: 'Test' }).click();
  const result = panel.getByTestId('queue-test-result');
  await result.filter({ hasText: /Reached Redis 7\.\d+\.\d+ at redis:\/\/127\.0\.0\.1:\d+: 1 worker\(s\) seen\./ }).waitFor();
  // In serve the queue comes from its flags: the page offers no URL or password to edit.
  assert.equal(await panel.getByRole('form', { name: 'Queue settings' }).count(), 0);
  const row = panel.getByTestId('worker-gpu-1');
  const cells = await row.getByRole('cell').allTextContents();
  // Name, host, engine, adapter: a wasm worker has no GPU adapter, and the probe's reasons stay out of the column.
  assert.deepEqual(cells.slice(0, 2), ['gpu-1', hostname()]);
  assert.match(cells[2]!, /^wasm \(wasm \d+\.\d+\.\d+\)$/);
  assert.equal(cells[3], '—');
  assert.deepEqual(workbench.pageErrors, []);
});
