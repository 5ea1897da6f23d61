import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, goTo, openWorkbench, tinyRun, type Workbench } from './workbench-harness';

/**
 * Resume in the app, as `train --resume` does on the command line: a
 * completed run is trained longer from its Runs row, refused at the field
 * when it asks for nothing more, and watched in Live to its new end.
 */
let workbench: Workbench;
before(async () => {
  workbench = await openWorkbench();
});
after(async () => {
  await workbench?.close();
});

test('Runs: a one-epoch run trained longer to two epochs, from its row, watched to the end in Live', { timeout: 240_000 }, async () => {
  const { page, service } = workbench;
  // 128 images, 2 batches of 64: a second or two on wasm.
  const { run } = await service.call('runs.start', { config: tinyRun({ epochs: 1, trainLimit: 128, testLimit: 50, name: 'one epoch' }) });
  await service.idle();
  assert.equal((await service.call('runs.get', { runId: run.id })).run.status, 'completed');

  await goTo(page, 'Runs');
  const action = page.getByRole('button', { name: 'Train longer one epoch' });
  await action.click();
  const form = page.getByRole('form', { name: 'Train longer one epoch' });
  const epochs = form.getByLabel('Epochs in all');
  assert.equal(await epochs.inputValue(), '2', 'a completed run is offered more epochs');
  assert.equal(await form.getByLabel('Engine').inputValue(), 'wasm', 'where it trained');

  // Nothing more to train: the service's refusal is shown at the field it names, and nothing changes.
  await epochs.fill('1');
  await form.getByRole('button', { name: 'Train longer', exact: true }).click();
  const refusal = form.getByRole('alert').filter({ hasText: 'already trained 1 of its 1 epochs' });
  await refusal.waitFor();
  assert.equal(await epochs.getAttribute('aria-invalid'), 'true', 'the epochs field is marked');
  assert.equal((await service.call('runs.get', { runId: run.id })).run.status, 'completed');

  await epochs.fill('2');
  await refusal.waitFor({ state: 'detached' });
  await form.getByRole('button', { name: 'Train longer', exact: true }).click();
  await page.getByRole('heading', { name: 'Live run', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).hash, `#/live/${run.id}`);
  await page.getByText('Epoch 2 of 2').waitFor({ timeout: 120_000 });
  await page.getByTestId('live-status').filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 });

  const after = await eventually(async () => {
    const { run: record } = await service.call('runs.get', { runId: run.id });
    return record.status === 'completed' ? record : undefined;
  }, 'the resumed run to complete');
  assert.equal(after.config.epochs, 2);
  assert.equal(after.epochsCompleted, 2);
  const { points } = await service.call('runs.metrics', { runId: run.id, keys: ['epoch.test_acc'] });
  assert.deepEqual(points.map((p) => p.epoch), [0, 1], 'epoch 0 kept, epoch 1 trained on');
  // The Live view draws both epochs, and offers to go on again.
  await page.getByRole('button', { name: 'Train longer…' }).waitFor();
  assert.deepEqual(workbench.pageErrors, []);
});
