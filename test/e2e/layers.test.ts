import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { chartSeries, eventually, openWorkbench, type Workbench } from './workbench-harness';

let workbench: Workbench;
const ids: Record<string, string> = {};

/** A narrow VGG on 128 images (4 batches of 32), statistics at every batch: seconds on 2 cores. */
const small = { widthRatio: 16, denseUnits: 32, resize: 32, epochs: 2, batchSize: 32, lr: 0.05, trainLimit: 128, testLimit: 64, engine: 'wasm' as const, layerStats: 1 };

before(async () => {
  workbench = await openWorkbench();
  const { service } = workbench;
  // The paper's experiment in miniature: VGG-19 cold, and VGG-19 warm-started from a trained VGG-11.
  const vgg11 = await service.call('runs.start', { config: { model: 'vgg11', name: 'vgg11 source', ...small } });
  // A warm start needs its source's checkpoint when it is asked for.
  await service.idle();
  await service.call('runs.start', { config: { model: 'vgg19', name: 'vgg19 cold', ...small } });
  await service.call('runs.start', { config: { model: 'vgg19', name: 'vgg19 warm', initFrom: vgg11.run.id, ...small } });
  await service.idle();
  for (const run of (await service.call('runs.list', {})).runs) ids[run.name] = run.id;
  const { events } = await service.call('runs.events', { runId: ids['vgg19 warm']! });
  const start = events.find((e) => e.type === 'start');
  assert.ok(start?.type === 'start' && start.warmStart && start.warmStart.copied.length > 0, 'the warm run copied layers from VGG-11');
});
after(async () => {
  await workbench?.close();
});

/** Hovers the middle of a heatmap's plot area and returns the tooltip's text once it shows. */
async function heatmapTooltip(page: Page, testId: string): Promise<string> {
  const chart = page.getByTestId(testId);
  const box = await chart.boundingBox();
  assert.ok(box, `${testId} is on the page`);
  // The plot area is the chart less its grid margins (left 110, right 70, top 12, bottom 44).
  await page.mouse.move(box.x + 110 + (box.width - 180) / 2, box.y + 12 + (box.height - 56) / 2);
  return eventually(async () => {
    const text = await chart.evaluate((element) => element.textContent ?? '');
    return /gradient norm/.test(text) ? text : undefined;
  }, `the tooltip of ${testId}`, 10_000);
}

test('Replay: the Layers tab draws every conv and dense layer of a recorded VGG-19, and its tooltip reads the numbers', async () => {
  const { page, server } = workbench;
  await page.goto(`${server.url}#/replay/${ids['vgg19 cold']}`);
  await page.getByRole('button', { name: 'Fastest' }).or(page.getByLabel('Fastest')).first().click();
  await page.getByRole('button', { name: 'Play' }).click();
  await eventually(async () => ((await page.getByRole('button', { name: 'Play again' }).count()) > 0 ? true : undefined), 'the replay to end');
  await page.getByTestId('replay-tab-layers').click();
  // VGG-19: 16 conv + 3 dense layers × 8 recorded steps (every batch of 2 epochs of 4).
  const heatmap = await eventually(async () => {
    const series = await chartSeries(page, 'replay-layer-heatmap');
    return series?.[0]?.data.length === 19 * 8 ? series : undefined;
  }, 'the heatmap of 19 layers × 8 steps');
  assert.equal(heatmap[0]!.type, 'heatmap');
  const tooltip = await heatmapTooltip(page, 'replay-layer-heatmap');
  assert.match(tooltip, /(block\d_conv\d|fc\d), step \d+ \(epoch [12]\)/);
  assert.match(tooltip, /gradient norm \d/);
  assert.match(tooltip, /weight norm \d/);
  assert.match(tooltip, /update ratio lr·‖g‖\/‖w‖ \d/);
  // Histograms per epoch of the first layer, and dead units of the 5 blocks and the classifier.
  const histograms = await chartSeries(page, 'replay-layer-histograms');
  assert.deepEqual(histograms?.map((s) => s.name), ['epoch 1', 'epoch 2']);
  assert.equal(histograms?.[0]?.data.length, 32);
  const dead = await chartSeries(page, 'replay-dead-units');
  assert.deepEqual(dead?.map((s) => s.name), ['block1', 'block2', 'block3', 'block4', 'block5', 'dense']);
  assert.deepEqual(workbench.pageErrors, []);
});

test('Live: a finished run opened in Live shows the same Layers tab', async () => {
  const { page, server } = workbench;
  await page.goto(`${server.url}#/live/${ids['vgg11 source']}`);
  await page.getByTestId('live-tab-layers').click();
  await eventually(async () => ((await chartSeries(page, 'live-layer-heatmap'))?.[0]?.data.length === 11 * 8 ? true : undefined), 'the live heatmap of 11 layers × 8 steps');
  const lines = await chartSeries(page, 'live-layer-lines');
  assert.deepEqual(lines?.map((s) => s.name), ['block1_conv1', 'fc3'], 'the first and last layer are picked by default');
  assert.deepEqual(workbench.pageErrors, []);
});

test('Compare: VGG-19 cold and warm side by side in the Layers tab', async () => {
  const { page, server } = workbench;
  await page.goto(`${server.url}#/compare?runs=${ids['vgg19 cold']},${ids['vgg19 warm']}`);
  await page.getByTestId('compare-tab-layers').click();
  for (const i of [0, 1]) {
    await eventually(async () => ((await chartSeries(page, `compare-${i}-layer-heatmap`))?.[0]?.data.length === 19 * 8 ? true : undefined), `heatmap ${i}`);
  }
  const tooltip = await heatmapTooltip(page, 'compare-1-layer-heatmap');
  assert.match(tooltip, /gradient norm/);
  assert.ok(await page.getByRole('region', { name: 'Layers of vgg19 cold' }).isVisible());
  assert.ok(await page.getByRole('region', { name: 'Layers of vgg19 warm' }).isVisible());
  assert.deepEqual(workbench.pageErrors, []);
});
