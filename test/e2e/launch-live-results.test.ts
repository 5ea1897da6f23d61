import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chartSeries, eventually, goTo, openWorkbench, screenshot, seriesLength, type Workbench } from './workbench-harness';

let workbench: Workbench;
before(async () => {
  workbench = await openWorkbench();
});
after(async () => {
  await workbench?.close();
});

const BOOK_LINE = /^Epoch \d+\. Loss: \d+\.\d{3}, Train acc \d\.\d{2}, Test acc \d\.\d{2}, Time \d+\.\d sec$/;

test('Launch: presets fill the book recipe, the block editor feeds the live summary, a too-small image is refused before launch', async () => {
  const { page } = workbench;
  const model = page.getByLabel('Model', { exact: true });
  await model.selectOption({ label: 'VGG-11 (config A)' });
  // The book's VGG recipe: 96 px, batch 64, lr 0.05.
  assert.equal(await page.getByLabel('Image size (px)').inputValue(), '96');
  assert.equal(await page.getByLabel('Batch size').inputValue(), '64');
  assert.equal(await page.getByLabel('Learning rate').inputValue(), '0.05');
  const blocks = page.getByRole('group', { name: /VGG blocks/ });
  assert.equal(await blocks.getByRole('listitem').count(), 5);
  await page.getByTestId('summary-params').filter({ hasText: 'M' }).waitFor();
  const fullParams = await page.getByTestId('summary-params').textContent();

  // Narrower blocks: the summary follows.
  await page.getByLabel('Width ratio').fill('8');
  await eventually(async () => ((await page.getByTestId('summary-params').textContent()) !== fullParams ? true : undefined), 'the summary to follow the width ratio');

  // Add, reorder and remove a block.
  await blocks.getByRole('button', { name: 'Add block' }).click();
  assert.equal(await blocks.getByRole('listitem').count(), 6);
  await page.getByLabel('Block 6 channels').fill('256');
  await page.getByRole('button', { name: 'Move block 6 up' }).click();
  assert.equal(await page.getByLabel('Block 5 channels').inputValue(), '256');
  await page.getByRole('button', { name: 'Remove block 5' }).click();
  assert.equal(await blocks.getByRole('listitem').count(), 5);

  // VGG-11's five pools need 32 px: 28 is refused, with the fix offered, before anything is launched,
  // and without a refused call: an expected refusal is no HTTP error in the console.
  const refusedCalls: string[] = [];
  const onResponse = (response: { status(): number; url(): string }) => {
    if (response.status() >= 400) refusedCalls.push(`${response.status()} ${response.url()}`);
  };
  page.on('response', onResponse);
  await page.getByLabel('Image size (px)').selectOption('28');
  const sizeError = page.getByTestId('summary-error');
  await sizeError.waitFor();
  assert.match((await sizeError.textContent()) ?? '', /at least 32×32/);
  assert.equal(await page.getByRole('button', { name: 'Start run' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Use 32 px' }).click();
  await sizeError.waitFor({ state: 'detached' });
  await eventually(async () => ((await page.getByRole('button', { name: 'Start run' }).isEnabled()) ? true : undefined), 'Start run to be enabled');
  page.off('response', onResponse);
  assert.deepEqual(refusedCalls, []);

  // A refused field is marked as it is typed, with the reason beside it, and Start waits; nothing is created.
  await page.getByLabel('Learning rate').fill('0');
  const lr = page.getByLabel('Learning rate');
  await eventually(async () => ((await lr.getAttribute('aria-invalid')) === 'true' ? true : undefined), 'the learning rate to be marked');
  const describedBy = (await lr.getAttribute('aria-describedby')) ?? '';
  assert.match((await page.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent()) ?? '', /^Learning rate needs a number above 0/);
  assert.equal(await page.getByRole('button', { name: 'Start run' }).isDisabled(), true);
  assert.equal((await workbench.service.call('runs.list', {})).runs.length, 0);

  await page.getByRole('button', { name: 'Book recipe' }).click();
  assert.equal(await lr.getAttribute('aria-invalid'), null, 'the edit cleared the refusal');
  assert.equal(await page.getByLabel('Image size (px)').inputValue(), '96');
  assert.equal(await page.getByLabel('Width ratio').inputValue(), '1');
  await page.getByTestId('summary-params').filter({ hasText: fullParams ?? '' }).waitFor();
  await screenshot(page, 'launch');
});

test('a quick LeNet run launched from the Launch view trains live and completes, with the book’s epoch lines', async () => {
  const { page } = workbench;
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'LeNet (book, 2017)' });
  assert.equal(await page.getByLabel('Batch size').inputValue(), '256');
  await page.getByLabel('Training images').fill('1280');
  await page.getByLabel('Test images').fill('100');
  await page.getByLabel('Epochs').fill('2');
  await page.getByLabel('Batch size').fill('64');
  await page.getByLabel('Learning rate').fill('0.1');
  await page.getByLabel('Engine').selectOption('wasm');
  await page.getByLabel('Run name').fill('e2e lenet');
  await page.getByRole('button', { name: 'Start run' }).click();

  // The Live view opens on the new run; batch points arrive while it trains.
  await page.getByRole('heading', { name: 'Live run', level: 1 }).waitFor();
  const status = page.getByTestId('live-status');
  const seenWhileRunning = await eventually(
    async () => {
      const points = (await seriesLength(page, 'live-loss-chart', 'Loss per batch')) ?? 0;
      const now = await status.textContent();
      if (now === 'completed') throw new Error('the run completed before any point was seen while it ran');
      return points > 0 && now === 'running' ? points : undefined;
    },
    'batch points on the live loss chart while the run trains',
    120_000,
  );
  assert.ok(seenWhileRunning < 40, 'some points were drawn before the last batch');
  await page.getByTestId('live-status').filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 });

  // 1280 images / batch 64 = 20 batches per epoch, 2 epochs; epoch points on both charts.
  await eventually(async () => ((await seriesLength(page, 'live-loss-chart', 'Loss per batch')) === 40 ? true : undefined), '40 batch points');
  const accuracy = await chartSeries(page, 'live-accuracy-chart');
  assert.deepEqual(
    accuracy?.map((s) => [s.name, s.data.length]),
    [
      ['Train acc per batch', 40],
      ['Train acc per epoch', 2],
      ['Test acc per epoch', 2],
    ],
  );
  const log = (await page.getByRole('log', { name: 'Epoch log' }).textContent())?.trim().split('\n') ?? [];
  assert.equal(log.length, 2);
  for (const line of log) assert.match(line, BOOK_LINE);
  assert.equal(await page.getByRole('progressbar', { name: 'Overall progress' }).getAttribute('aria-valuenow'), '100');
  // The run list catches up with the record too.
  await page.getByLabel('Run', { exact: true }).locator('option', { hasText: 'e2e lenet — lenet, 28 px, completed' }).waitFor({ state: 'attached' });
  await screenshot(page, 'live');

  // Every chart saves itself as a PNG (a real one: the file starts with PNG's signature).
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save Loss as PNG' }).click()]);
  assert.equal(png.suggestedFilename(), 'loss.png');
  assert.deepEqual([...readFileSync(await png.path()).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('several runs added to the queue list go out together; queued and running ones are cancelled from the queue panel', async () => {
  const { page, service } = workbench;
  await goTo(page, 'Launch');
  // The LeNet run just recorded on wasm sets the time an epoch of the same network should take.
  const estimate = page.getByTestId('epoch-estimate');
  await estimate.filter({ hasText: 'judged from 1 earlier run of this network at this size' }).waitFor();
  assert.match((await estimate.textContent()) ?? '', /About \d.* per epoch on wasm/);
  // Long enough that the first is still training when it is cancelled.
  await page.getByLabel('Training images').fill('2560');
  await page.getByLabel('Epochs').fill('20');
  await page.getByLabel('Run name').fill('first of two');
  await page.getByRole('button', { name: 'Add to queue list' }).click();
  await page.getByLabel('Run name').fill('second of two');
  await page.getByRole('button', { name: 'Add to queue list' }).click();
  const drafts = page.getByRole('region', { name: /Queue list/ });
  assert.equal(await drafts.getByRole('listitem').count(), 2);
  assert.match((await drafts.getByRole('listitem').first().textContent()) ?? '', /first of two · 28 px · 20 epochs · batch 64 · 2560 train images/);
  await drafts.getByRole('button', { name: 'Queue 2 runs' }).click();
  await page.getByRole('heading', { name: 'Live run', level: 1 }).waitFor();

  await goTo(page, 'Launch');
  const queue = page.getByRole('region', { name: 'Queue' });
  await queue.getByText('Training: first of two').waitFor({ timeout: 60_000 });
  await queue.getByText('Waiting: second of two').waitFor();
  await queue.getByRole('button', { name: 'Cancel second of two' }).click();
  await queue.getByText('Waiting: second of two').waitFor({ state: 'detached' });
  await queue.getByRole('button', { name: 'Cancel first of two' }).click();
  await queue.getByText('Nothing is training.').waitFor({ timeout: 60_000 });
  const runs = (await service.call('runs.list', { filter: { status: 'cancelled' } })).runs;
  assert.deepEqual(runs.map((r) => r.name).sort(), ['first of two', 'second of two']);
  await page.getByLabel('Run name').fill('');
});

test('Live view opened mid-run catches up with runs.events; Cancel stops the run', async () => {
  const { page, service } = workbench;
  const { run } = await service.call('runs.start', {
    config: { model: 'lenet', epochs: 20, batchSize: 64, lr: 0.1, trainLimit: 2560, testLimit: 100, engine: 'wasm' },
  });
  // Let it train a while with the page elsewhere, then open it.
  await goTo(page, 'Runs');
  await eventually(async () => {
    const { events } = await service.call('runs.events', { runId: run.id });
    return events.filter((e) => e.type === 'batch').length >= 5 ? true : undefined;
  }, 'the run to train a few batches', 120_000);
  await page.getByRole('button', { name: `Watch ${run.name}` }).click();
  const drawn = await eventually(async () => {
    const n = (await seriesLength(page, 'live-loss-chart', 'Loss per batch')) ?? 0;
    return n >= 5 ? n : undefined;
  }, 'the batches trained before the view opened');
  const steps = (await chartSeries(page, 'live-loss-chart'))?.[0]?.data.map((point) => (point as number[])[0]) ?? [];
  assert.deepEqual(steps, steps.map((_, i) => i), `steps 0..${drawn - 1} once each, in order`);

  await page.getByRole('button', { name: 'Cancel run' }).click();
  await page.getByTestId('live-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  assert.equal((await service.call('runs.get', { runId: run.id })).run.status, 'cancelled');
});

test('Results: confusion matrix with the ten classes, per-class accuracy, misclassified test images', async () => {
  const { page, service } = workbench;
  const [completed] = (await service.call('runs.list', { filter: { status: 'completed' } })).runs;
  assert.ok(completed);
  await goTo(page, 'Runs');
  await page.getByRole('button', { name: `Results of ${completed.name}` }).click();

  const heatmap = await eventually(async () => {
    const series = await page.getByTestId('confusion-matrix').count() > 0 ? await chartSeries(page, 'confusion-matrix') : null;
    return series?.[0]?.data.length ? series[0] : undefined;
  }, 'the confusion matrix');
  assert.equal(heatmap.data.length, 100);
  const counted = heatmap.data.reduce<number>((sum, cell) => sum + (cell as number[])[2]!, 0);
  assert.equal(counted, 100, 'every one of the 100 test images is in a cell');

  const perClass = page.getByRole('table', { name: 'Per-class accuracy' });
  assert.equal(await perClass.getByRole('row').count(), 11);
  await perClass.getByRole('cell', { name: 'Ankle boot' }).waitFor();

  const images = page.getByRole('list', { name: 'Misclassified images' });
  await images.waitFor({ timeout: 120_000 });
  const first = images.getByRole('img').first();
  assert.match((await first.getAttribute('aria-label')) ?? '', /^Test image \d+: true .+, predicted .+$/);
  // The canvas really holds the image: some pixel is not black.
  const lit = await first.evaluate((canvas) => {
    // Typed by hand: the test project has no DOM library.
    type Canvas = { getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null };
    const data = (canvas as unknown as Canvas).getContext('2d')?.getImageData(0, 0, 28, 28).data ?? [];
    return Array.from(data).some((value, i) => i % 4 !== 3 && value > 0);
  });
  assert.ok(lit);
  await screenshot(page, 'results');
  assert.deepEqual(workbench.pageErrors, []);
});
