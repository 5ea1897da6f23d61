import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../src-main/shared/runs/run-entities';
import { eventually, goTo, openWorkbench, type Workbench } from './workbench-harness';

let workbench: Workbench;
let older: RunRecord;
let newer: RunRecord;

before(async () => {
  workbench = await openWorkbench();
  const { service } = workbench;
  const tiny = { model: 'lenet', epochs: 2, batchSize: 64, lr: 0.1, trainLimit: 128, testLimit: 50, engine: 'wasm' as const };
  ({ run: older } = await service.call('runs.start', { config: { ...tiny, name: 'older lenet' } }));
  ({ run: newer } = await service.call('runs.start', { config: { ...tiny, name: 'newer lenet', seed: 1 } }));
  await service.idle();
});
after(async () => {
  await workbench?.close();
});

const hash = (page: Workbench['page']) => new URL(page.url()).hash;
const heading = (page: Workbench['page'], name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();

test('Live: the run shown is in the address, and a reload stays on that run (not the newest)', async () => {
  const { page } = workbench;
  await goTo(page, 'Live run');
  // Without a run in the address, Live shows the latest that trained.
  await page.locator('.run-heading strong').filter({ hasText: 'newer lenet' }).waitFor();
  assert.equal(hash(page), '#/live');

  await page.getByLabel('Run', { exact: true }).selectOption(older.id);
  await page.locator('.run-heading strong').filter({ hasText: 'older lenet' }).waitFor();
  assert.equal(hash(page), `#/live/${older.id}`);

  await page.reload();
  await heading(page, 'Live run');
  const name = page.locator('.run-heading strong').first();
  await name.waitFor();
  // The first thing the header shows is the name: never the raw id, even for a moment.
  assert.equal(await name.textContent(), 'older lenet');
  assert.equal(hash(page), `#/live/${older.id}`);
  assert.equal(await page.getByLabel('Run', { exact: true }).inputValue(), older.id);
  await eventually(async () => ((await page.getByRole('log', { name: 'Epoch log' }).textContent())?.trim().split('\n').length === 2 ? true : undefined), "the run's two epochs");
  assert.deepEqual(workbench.pageErrors, []);
});

test('back and forward walk the views and runs visited, and links keep each view on its last run', async () => {
  const { page } = workbench;
  await goTo(page, 'Runs');
  await heading(page, 'Runs');
  await page.getByRole('button', { name: 'Results of older lenet' }).click();
  await heading(page, 'Results');
  assert.equal(hash(page), `#/results/${older.id}`);
  await goTo(page, 'Replay');
  await heading(page, 'Replay');
  await page.getByLabel('Recorded run').selectOption(newer.id);
  await eventually(async () => (hash(page) === `#/replay/${newer.id}` ? true : undefined), 'the replayed run in the address');

  await page.goBack();
  assert.equal(hash(page), '#/replay');
  await page.goBack();
  await heading(page, 'Results');
  assert.equal(hash(page), `#/results/${older.id}`);
  assert.equal(await page.getByLabel('Run', { exact: true }).inputValue(), older.id);
  await page.goBack();
  await heading(page, 'Runs');
  await page.goForward();
  await heading(page, 'Results');
  assert.equal(hash(page), `#/results/${older.id}`);
  await page.goForward();
  await page.goForward();
  await heading(page, 'Replay');
  assert.equal(hash(page), `#/replay/${newer.id}`);

  // From another view, Results' link returns to the run it showed.
  await goTo(page, 'Data & engine');
  await goTo(page, 'Results');
  assert.equal(hash(page), `#/results/${older.id}`);
  assert.deepEqual(workbench.pageErrors, []);
});

test('Launch: what was typed survives a reload', async () => {
  const { page } = workbench;
  await goTo(page, 'Launch');
  await heading(page, 'Launch');
  await page.getByLabel('Model').selectOption('lenet5');
  await page.getByLabel('Epochs').fill('7');
  await page.getByLabel('Run name').fill('kept across a reload');
  await page.getByLabel('Training images').fill('512');
  await page.reload();
  await heading(page, 'Launch');
  assert.equal(hash(page), '#/launch');
  await eventually(async () => ((await page.getByLabel('Model').inputValue()) === 'lenet5' ? true : undefined), 'the model restored');
  assert.equal(await page.getByLabel('Epochs').inputValue(), '7');
  assert.equal(await page.getByLabel('Run name').inputValue(), 'kept across a reload');
  assert.equal(await page.getByLabel('Training images').inputValue(), '512');
  // The book's recipe is one click away.
  await page.getByRole('button', { name: 'Book recipe' }).click();
  assert.notEqual(await page.getByLabel('Epochs').inputValue(), '7');
  assert.deepEqual(workbench.pageErrors, []);
});
