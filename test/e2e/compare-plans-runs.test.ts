import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chartSeries, eventually, goTo, openWorkbench, tinyRun, type Workbench } from './workbench-harness';

let workbench: Workbench;

before(async () => {
  workbench = await openWorkbench();
  const { service } = workbench;
  // Two runs on the same 128 training images (2 batches of 64 per epoch), recorded before the page looks.
  // 'lenet relu' trains with the LeNet baseline's recipe (lr 0.01, momentum 0.9, batch 64), so it is that baseline.
  const data = { trainLimit: 128, testLimit: 50, epochs: 2, batchSize: 64, engine: 'wasm' as const };
  await service.call('runs.start', { config: tinyRun({ ...data, lr: 0.01, momentum: 0.9, name: 'lenet relu' }) });
  await service.call('runs.start', { config: { model: 'lenet5', name: 'lenet5 sigmoid', ...data } });
  await service.idle();
});
after(async () => {
  await workbench?.close();
});

const names = (series: { name: string }[] | null) => series?.map((s) => s.name) ?? [];

test('Compare: two runs side by side; the compared LeNet is its own baseline, AlexNet runs in one click', async () => {
  const { page, service } = workbench;
  await goTo(page, 'Runs');
  const table = page.getByRole('table', { name: 'Runs' });
  await table.getByRole('checkbox', { name: 'Select lenet relu' }).check();
  await table.getByRole('checkbox', { name: 'Select lenet5 sigmoid' }).check();
  await page.getByRole('button', { name: 'Compare selected' }).click();
  await page.getByRole('heading', { name: 'Compare', level: 1 }).waitFor();
  const ids = Object.fromEntries((await service.call('runs.list', {})).runs.map((r) => [r.name, r.id]));
  assert.equal(new URL(page.url()).hash, `#/compare?runs=${ids['lenet relu']},${ids['lenet5 sigmoid']}`, 'the comparison is in the address');

  // 'lenet relu' is a LeNet on these images trained as a baseline would be: it is the LeNet baseline.
  const baselines = page.getByRole('region', { name: 'Baselines' });
  const lenetLine = baselines.getByRole('listitem').filter({ hasText: /^LeNet/ });
  assert.match((await lenetLine.textContent()) ?? '', /lenet relu, compared here/);
  assert.equal(await baselines.getByText('none recorded for these settings').count(), 1, 'only AlexNet is missing');
  await baselines.getByRole('button', { name: 'Run the AlexNet baseline' }).click();
  await eventually(async () => ((await baselines.getByText('none recorded').count()) === 0 ? true : undefined), 'the AlexNet baseline to be pinned');
  await service.idle();
  const recorded = (await service.call('runs.list', { filter: { baseline: true } })).runs;
  assert.deepEqual(recorded.map((r) => [r.model, r.status, r.config.resize, r.config.trainLimit]), [['alexnet', 'completed', 67, 128]]);

  const expected = ['lenet relu', 'lenet5 sigmoid', recorded[0]!.name];
  const testAcc = await eventually(async () => {
    const series = await chartSeries(page, 'compare-testAcc-chart');
    return series?.length === 3 && series.every((s) => s.data.length === 2) ? series : undefined;
  }, 'test accuracy of all three runs, two epochs each');
  assert.deepEqual(names(testAcc), expected);
  assert.deepEqual(testAcc[0]!.data.map((p) => (p as number[])[0]), [1, 2], 'x is the epoch, counted from 1');
  for (const metric of ['loss', 'trainAcc']) assert.deepEqual(names(await chartSeries(page, `compare-${metric}-chart`)), expected);

  // A reload shows the same comparison, from the address alone.
  await page.reload();
  await page.getByRole('heading', { name: 'Compare', level: 1 }).waitFor();
  for (const name of ['lenet relu', 'lenet5 sigmoid']) {
    await eventually(async () => ((await page.getByRole('checkbox', { name }).isChecked()) ? true : undefined), `${name} ticked again`);
  }

  const summary = page.getByRole('table', { name: 'Comparison summary' });
  await eventually(async () => ((await summary.getByRole('row').count()) === 4 ? true : undefined), 'a summary row per run');
  await page.getByRole('radio', { name: 'Epoch' }).check();
  await page.getByText(/alexnet, 67 px, completed/).waitFor();
  // The README's Compare picture is first-hour.test.ts's, of the example runs: curves that are apart.

  // By step: the batch losses (128 images / 64 = 2 batches per epoch for the two runs).
  await page.getByRole('radio', { name: 'Step' }).check();
  const raw = await eventually(async () => {
    const series = await chartSeries(page, 'compare-loss-chart');
    return series?.[0]?.data.length === 4 ? (series[0].data as number[][]) : undefined;
  }, 'per-batch loss on a step axis');
  assert.deepEqual(raw.map((p) => p[0]), [0, 1, 2, 3]);

  // Smoothing: an EMA, debiased, so the first point stays and the later ones move.
  await page.getByLabel(/^Smoothing/).fill('0.9');
  const smoothed = await eventually(async () => {
    const data = (await chartSeries(page, 'compare-loss-chart'))?.[0]?.data as number[][] | undefined;
    return data && data[3]![1] !== raw[3]![1] ? data : undefined;
  }, 'the smoothed series');
  assert.equal(smoothed[0]![1], raw[0]![1]);

  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  await page.getByRole('radio', { name: 'Wall time' }).check();
  const timed = (await chartSeries(page, 'compare-loss-chart'))?.[0]?.data as number[][];
  assert.ok(timed.every(([seconds]) => seconds! >= 0 && seconds! < 600), 'x is seconds since the run started');
  await page.getByRole('checkbox', { name: 'Log scale' }).uncheck();
  await page.getByLabel(/^Smoothing/).fill('0');
  await page.getByRole('radio', { name: 'Epoch' }).check();
});

test('Experiment plans: an exercise queued in one click, with a field error shown by its field first', async () => {
  const { page, service } = workbench;
  await goTo(page, 'Experiment plans');
  const plan = page.getByRole('region', { name: 'VGG-11, 13, 16 and 19 side by side' });
  await plan.getByLabel('Epochs').fill('1');
  await plan.getByLabel('Width ratio').fill('16');
  await plan.getByLabel('Dense units').fill('32');
  await plan.getByLabel('Image size').fill('32');
  await plan.getByLabel('Test images').fill('50');
  await plan.getByLabel('Engine').selectOption('wasm');
  await plan.getByLabel('Training images').fill('0');
  await plan.getByRole('button', { name: 'Queue VGG-11, 13, 16 and 19 side by side' }).click();
  const fieldError = plan.getByRole('alert');
  await fieldError.waitFor();
  assert.match((await fieldError.textContent()) ?? '', /trainLimit/);
  assert.equal(await plan.getByLabel('Training images').getAttribute('aria-invalid'), 'true');

  await plan.getByLabel('Training images').fill('64');
  await plan.getByRole('button', { name: 'Queue VGG-11, 13, 16 and 19 side by side' }).click();
  await plan.getByRole('status').filter({ hasText: 'Queued 6 runs' }).waitFor();
  await service.idle();
  const runs = (await service.call('runs.list', { filter: { tag: 'plan:vgg-depths' } })).runs;
  // The last two are the paper's warm start: VGG-16 and VGG-19 initialised from the queue's VGG-11.
  const vgg11 = runs.find((r) => r.model === 'vgg11')!;
  assert.deepEqual(runs.map((r) => [r.model, r.status, r.config.widthRatio, r.config.trainLimit, r.config.initFrom === vgg11.id]).sort(), [
    ['vgg11', 'completed', 16, 64, false],
    ['vgg13', 'completed', 16, 64, false],
    ['vgg16', 'completed', 16, 64, false],
    ['vgg16', 'completed', 16, 64, true],
    ['vgg19', 'completed', 16, 64, false],
    ['vgg19', 'completed', 16, 64, true],
  ]);

  await goTo(page, 'Runs');
  await page.getByLabel('Filter runs').fill('plan:vgg-depths');
  await eventually(async () => ((await page.getByRole('table', { name: 'Runs' }).getByRole('row').count()) === 7 ? true : undefined), 'the six plan runs in the table');
  await page.getByLabel('Filter runs').fill('');
});

test('Runs: sort, rename, tag, export JSON and CSV, import, delete', async () => {
  const { page } = workbench;
  await goTo(page, 'Runs');
  const table = page.getByRole('table', { name: 'Runs' });

  const header = table.getByRole('columnheader', { name: 'Best test acc' });
  await header.getByRole('button').click();
  assert.equal(await header.getAttribute('aria-sort'), 'descending');

  await table.getByRole('button', { name: 'Rename lenet relu' }).click();
  await table.getByLabel('New name for lenet relu').fill('lenet relu, renamed');
  await table.getByRole('button', { name: 'Save' }).click();
  await table.getByRole('checkbox', { name: 'Select lenet relu, renamed' }).waitFor();

  await page.getByRole('checkbox', { name: 'Select all runs' }).uncheck();
  await table.getByRole('checkbox', { name: 'Select lenet relu, renamed' }).check();
  await table.getByRole('checkbox', { name: 'Select lenet5 sigmoid' }).check();
  await page.getByLabel('Tag for selected runs').fill('keep');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await table.getByRole('button', { name: 'Remove tag keep from lenet5 sigmoid' }).click();
  await table.getByRole('button', { name: 'Remove tag keep from lenet5 sigmoid' }).waitFor({ state: 'detached' });
  await table.getByRole('button', { name: 'Remove tag keep from lenet relu, renamed' }).waitFor();

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const jsonPath = await json.path();
  const exported = JSON.parse(readFileSync(jsonPath, 'utf8')) as { runs: unknown[] };
  assert.equal(exported.runs.length, 2);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  assert.match(csv.suggestedFilename(), /-metrics\.csv$/);
  assert.match(readFileSync(await csv.path(), 'utf8').split('\n')[0] ?? '', /epoch\.test_acc|key/);

  const before = await table.getByRole('row').count();
  const importFile = { name: 'two-runs.json', mimeType: 'application/json', buffer: readFileSync(jsonPath) };
  // Into the database they came from: refused by id, nothing changed.
  await page.getByLabel('Import runs (JSON export)').setInputFiles(importFile);
  await page.getByRole('alert').filter({ hasText: /already in this database/ }).waitFor();
  assert.equal(await table.getByRole('row').count(), before);

  // Deleted here, then imported back: the runs return, without their weights, and say so.
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Confirm delete' }).click();
  await page.getByRole('status').filter({ hasText: 'Deleted 2 runs' }).waitFor();
  await table.getByRole('checkbox', { name: 'Select lenet relu, renamed' }).waitFor({ state: 'detached' });
  await table.getByRole('checkbox', { name: 'Select lenet5 sigmoid' }).waitFor({ state: 'detached' });
  await page.getByLabel('Import runs (JSON export)').setInputFiles({ ...importFile, name: 'two-runs-again.json' });
  await page.getByRole('status').filter({ hasText: /Imported 2 runs from two-runs-again\.json\. .*without weights/ }).waitFor();
  await eventually(async () => ((await table.getByRole('row').count()) === before ? true : undefined), 'the imported runs in the table');
  await page.getByLabel('Filter runs').fill('keep');
  await eventually(async () => ((await table.getByRole('row').count()) === 2 ? true : undefined), 'the tagged run, imported with its tag');
  await page.getByLabel('Filter runs').fill('');
  assert.deepEqual(workbench.pageErrors, []);
});
