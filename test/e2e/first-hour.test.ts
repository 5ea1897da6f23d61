import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultExampleRunsFile } from '../../src-main/service/example-runs';
import { chartSeries, eventually, goTo, openWorkbench, screenshot, type Workbench } from './workbench-harness';

/**
 * A new user's first hour (issue 20): the example runs on an empty database,
 * plans that say what they cost, baselines that train, and run views that
 * say plainly when a run does not exist.
 */
let workbench: Workbench;

before(async () => {
  workbench = await openWorkbench({ exampleRunsFile: defaultExampleRunsFile() });
});
after(async () => {
  await workbench?.close();
});

const heading = (page: Workbench['page'], name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();

test('a fresh database offers the example runs once; one click opens them in Compare, Replay plays one, one click removes them', async () => {
  const { page, service } = workbench;
  const offer = page.getByRole('region', { name: 'Nothing recorded yet' });
  await offer.getByRole('button', { name: 'Open the example runs' }).click();
  await heading(page, 'Compare');
  await offer.waitFor({ state: 'detached' });

  const { present } = await service.call('examples.status', {});
  const runs = (await service.call('runs.list', {})).runs;
  assert.equal(present.length, 4);
  assert.deepEqual(runs.map((r) => r.model).sort(), ['alexnet', 'lenet', 'lenet5', 'vgg11']);
  assert.ok(runs.every((r) => r.host !== null && r.engine?.id === 'wasm'), 'each says where and on what it trained');
  const nameOf = (model: string) => runs.find((r) => r.model === model)!.name;

  // Compare shows the chapter's networks, with their recorded epochs and no training here.
  const testAcc = await eventually(async () => {
    const series = await chartSeries(page, 'compare-testAcc-chart');
    return series && series.length >= 4 && series.every((s) => s.name === 'Published results' || s.data.length >= 2) ? series : undefined;
  }, 'the example runs’ test accuracy');
  const drawn = testAcc.map((s) => s.name);
  for (const model of ['lenet5', 'alexnet', 'vgg11']) assert.ok(drawn.includes(nameOf(model)), `${model} drawn`);
  const lenet5 = testAcc.find((s) => s.name === nameOf('lenet5'))!;
  assert.equal(lenet5.data.length, 10, 'LeNet-5 with the book’s 10 epochs');
  // The d2l band for LeNet-5 is drawn, since that run trained its recipe.
  assert.ok(drawn.includes('Published results'));
  const seconds = await chartSeries(page, 'compare-seconds-chart');
  assert.ok(seconds?.some((s) => s.name === nameOf('vgg11') && s.data.length === 2), 'a seconds-per-epoch chart');
  assert.equal(await page.getByRole('button', { name: /^Run the .* baselines?$/ }).count(), 0, 'no training is offered for pinned examples');
  await screenshot(page, 'compare');

  // Replay plays one at full speed, every epoch of it.
  await page.goto(`${workbench.server.url}#/replay/${runs.find((r) => r.model === 'lenet5')!.id}`);
  await heading(page, 'Replay');
  await page.getByRole('radio', { name: 'Fastest' }).check();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await eventually(
    async () => ((await page.getByRole('log', { name: 'Epoch log' }).textContent())?.trim().split('\n').length === 10 ? true : undefined),
    'the ten replayed epochs',
    120_000,
  );
  await screenshot(page, 'replay');

  // Results: the recorded confusion matrix, no training.
  await page.goto(`${workbench.server.url}#/results/${runs.find((r) => r.model === 'vgg11')!.id}`);
  await heading(page, 'Results');
  await page.getByRole('table', { name: 'Per-class accuracy' }).waitFor();

  // At 900 px the Runs row's way on stays in sight.
  await page.setViewportSize({ width: 900, height: 900 });
  await goTo(page, 'Runs');
  const replayButton = page.getByRole('button', { name: `Replay ${nameOf('vgg11')}` });
  await replayButton.waitFor();
  const box = await replayButton.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 900, `Replay button at x ${box?.x} within 900 px`);
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.getByRole('button', { name: 'Remove the example runs' }).click();
  await eventually(async () => ((await service.call('runs.list', {})).runs.length === 0 ? true : undefined), 'the examples removed');
  // Answered once: an empty database does not offer them again.
  await page.reload();
  await heading(page, 'Runs');
  assert.equal(await page.getByRole('button', { name: 'Open the example runs' }).count(), 0);
  assert.deepEqual(workbench.pageErrors, []);
});

test('a run that does not exist: one clear state per view, a way back, no actions, no repeated calls', async () => {
  const { page } = workbench;
  const notFound: string[] = [];
  const onResponse = (response: { status(): number; url(): string }) => {
    if (response.status() === 404) notFound.push(response.url());
  };
  page.on('response', onResponse);
  try {
    await page.goto(`${workbench.server.url}#/live/NOPE`);
    await heading(page, 'Live run');
    await page.getByRole('heading', { name: 'No run NOPE' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel run' }).count(), 0);
    assert.equal(await page.getByTestId('live-status').count(), 0, 'no queued badge');
    assert.equal(await page.getByText('Waiting for the run to start').count(), 0);

    await page.goto(`${workbench.server.url}#/results/NOPE`);
    await heading(page, 'Results');
    await page.getByRole('heading', { name: 'No run NOPE' }).waitFor();
    assert.equal(await page.getByTestId('run-not-found').count(), 1, 'the error once');
    await page.getByRole('button', { name: 'Back to the runs' }).click();
    await heading(page, 'Runs');

    await page.goto(`${workbench.server.url}#/compare?runs=nope1,nope2`);
    await heading(page, 'Compare');
    const unknown = page.getByTestId('compare-unknown');
    await unknown.waitFor();
    assert.match((await unknown.textContent()) ?? '', /nope1, nope2/);
    assert.deepEqual(notFound, [], 'nothing asked of the service that could only answer 404');
  } finally {
    page.off('response', onResponse);
  }
});

test('the Plans view shows a time on every budget, and the book budgets say they take hours', async () => {
  const { page } = workbench;
  await goTo(page, 'Experiment plans');
  const budgets = page.getByTestId(/^budget-/);
  await eventually(async () => ((await budgets.first().textContent())?.includes('about') ? true : undefined), 'this machine’s speed, measured', 180_000);
  const texts = await budgets.allTextContents();
  assert.equal(texts.length, 8, 'four plans, two budgets each');
  for (const text of texts) assert.match(text, /about \d+(\.\d)? (s|min|h) on this machine \(\w+\)/, text);
  for (const text of texts.filter((t) => t.includes('book'))) assert.match(text, /about \d+\.\d h/, text);
  assert.equal(texts.filter((t) => t.includes('the lesson does not show')).length, 3, 'each quick budget with a caveat carries it on the card');

  // A book budget asks before it queues, and offers the quick one instead.
  const card = page.getByRole('region', { name: 'VGG-11 against LeNet and AlexNet' });
  await card.getByTestId('budget-vgg-vs-baselines-book').getByRole('radio').check();
  await card.getByRole('button', { name: 'Queue VGG-11 against LeNet and AlexNet' }).click();
  const ask = card.getByRole('alertdialog');
  await ask.waitFor();
  assert.match((await ask.textContent()) ?? '', /takes about \d+\.\d h on this machine/);
  await ask.getByRole('button', { name: 'Use the quick budget' }).click();
  assert.equal((await workbench.service.call('runs.list', {})).runs.length, 0, 'nothing queued without a yes');
  assert.deepEqual(workbench.pageErrors, []);
});

test('a baseline next to a LeNet run trains AlexNet at its own learning rate, shows its estimate first, and ends off chance', async () => {
  const { page, service } = workbench;
  // The case: a LeNet with its book recipe (lr 0.5, batch 256). Small, but AlexNet still gets about 250 steps.
  const data = { trainLimit: 4000, testLimit: 500, epochs: 4, seed: 1, engine: 'wasm' as const };
  const { run: lenet } = await service.call('runs.start', { config: { model: 'lenet', resize: 28, lr: 0.5, batchSize: 256, momentum: 0, name: 'tiny lenet', ...data } });
  await service.idle();

  await page.goto(`${workbench.server.url}#/compare?runs=${lenet.id}`);
  await heading(page, 'Compare');
  const panel = page.getByTestId('baseline-panel');
  assert.match((await panel.textContent()) ?? '', /LeNet at 28 px, AlexNet at 67 px/, 'each baseline’s own side, not "28 px" for both');
  const estimate = panel.getByTestId('baseline-estimate');
  await eventually(async () => ((await estimate.textContent())?.includes('Estimated: about') ? true : undefined), 'the estimate', 180_000);
  assert.match((await estimate.textContent()) ?? '', /alexnet width\/8 dense 512 at 67 px/);
  assert.equal((await service.call('runs.list', { filter: { baseline: true } })).runs.length, 0, 'the estimate comes before anything trains');

  await panel.getByRole('button', { name: 'Run the LeNet and AlexNet baselines' }).click();
  // Under five minutes here: no question; over, it asks first.
  const ask = panel.getByRole('alertdialog');
  if (await ask.isVisible()) await ask.getByRole('button', { name: /^Train them/ }).click();
  await eventually(async () => ((await service.call('runs.list', { filter: { baseline: true } })).runs.length === 2 ? true : undefined), 'two baselines queued');
  await service.idle();

  const alexnet = (await service.call('runs.list', { filter: { model: 'alexnet' } })).runs[0]!;
  assert.equal(alexnet.config.lr, 0.01, 'AlexNet’s own learning rate, not the LeNet run’s 0.5');
  assert.deepEqual([alexnet.config.resize, alexnet.config.trainLimit, alexnet.config.epochs, alexnet.config.widthRatio], [67, 4000, 4, 8]);
  assert.equal(alexnet.status, 'completed');
  const finalTest = alexnet.summary['epoch.test_acc']?.last.value ?? 0;
  assert.ok(finalTest > 0.3, `AlexNet baseline off chance: test accuracy ${finalTest}`);
  await eventually(async () => ((await panel.getByText(alexnet.name).count()) > 0 ? true : undefined), 'the AlexNet baseline pinned');
  assert.equal(await panel.locator('.near-chance').count(), 0, 'not marked near chance');
  assert.deepEqual(workbench.pageErrors, []);
});
