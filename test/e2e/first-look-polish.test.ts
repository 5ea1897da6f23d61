import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultExampleRunsFile } from '../../src-main/service/example-runs';
import { eventually, goTo, openWorkbench, type Workbench } from './workbench-harness';

/**
 * A first-time user's polish (issue 34), in Chromium at the two sizes and
 * themes it was tried in: nothing past the window's edge but inside a panel
 * that scrolls, a run's colour fixed by its id, tooltips in words, a multi-hour
 * run asked about before it starts, every field's refusal at the field.
 */
let workbench: Workbench;
before(async () => {
  workbench = await openWorkbench({ exampleRunsFile: defaultExampleRunsFile() });
  const { page } = workbench;
  await page.getByRole('button', { name: 'Open the example runs' }).click();
  await page.getByRole('heading', { name: 'Compare', level: 1 }).waitFor();
});
after(async () => {
  await workbench?.close();
});

const SIZES = [
  { width: 900, height: 700, colorScheme: 'dark' as const },
  { width: 1400, height: 1000, colorScheme: 'light' as const },
];

interface DrawnSeries {
  name: string;
  data: unknown[];
  color: string | null;
  opacity: number | null;
}
interface PageCharts {
  vggWorkbenchCharts: {
    series(element: unknown): DrawnSeries[] | null;
    pointAt(element: unknown, seriesName: string, dataIndex: number): { x: number; y: number } | null;
  };
}
const drawn = (page: Workbench['page'], testId: string) =>
  page.getByTestId(testId).evaluate((element) => (globalThis as unknown as PageCharts).vggWorkbenchCharts.series(element));

/**
 * Elements whose box reaches past the window's right edge, or past the panel
 * that holds them, and are not inside an element that scrolls or clips them
 * within the window: what a user could not see or reach.
 */
function overflowing(page: Workbench['page']): Promise<string[]> {
  // A string: the tests compile without the DOM's types, the page runs it as it is.
  return page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    const clips = (element) => /(auto|scroll|hidden)/.test(getComputedStyle(element).overflowX);
    for (const element of document.querySelectorAll('body *')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      let clipper = element.parentElement;
      while (clipper && !clips(clipper)) clipper = clipper.parentElement;
      const clipped = clipper !== null && clipper !== document.body && clipper !== document.documentElement && clipper.getBoundingClientRect().right <= width + 0.5;
      const panel = element.parentElement && element.parentElement.closest('.panel, .chart-panel');
      const pastPanel = panel ? box.right > panel.getBoundingClientRect().right + 0.5 : false;
      if (!clipped && (box.right > width + 0.5 || pastPanel)) {
        found.push(element.tagName.toLowerCase() + '.' + String(element.className) + ' right ' + Math.round(box.right) + ': ' + (element.textContent || '').trim().slice(0, 40));
      }
    }
    return found;
  })()`);
}

/** A computed style property of the first element the locator finds. */
interface Styled {
  getComputedStyle(element: unknown): Record<string, string>;
}
const styleOf = (locator: ReturnType<Workbench['page']['locator']>, property: string) =>
  locator.first().evaluate((element, name) => (globalThis as unknown as Styled).getComputedStyle(element)[name] ?? '', property);

test('Runs and Compare with the 4 example runs keep every element inside the window or a scrolling panel, at 900 and 1400 px, dark and light', async () => {
  const { page } = workbench;
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.emulateMedia({ colorScheme: size.colorScheme });
    // The page hears the scheme change through a matchMedia event, after emulateMedia returns: wait for it, then check.
    await page
      .waitForFunction(`document.documentElement.getAttribute('data-theme') === ${JSON.stringify(size.colorScheme)}`, undefined, { timeout: 5_000 })
      .catch(() => undefined);
    assert.equal(await page.locator('html').getAttribute('data-theme'), size.colorScheme);

    await goTo(page, 'Runs');
    const table = page.getByRole('table', { name: 'Runs' });
    await table.getByRole('row').nth(4).waitFor();
    assert.deepEqual(await overflowing(page), [], `Runs at ${size.width} px`);
    // The row's way on is in sight without scrolling, and nothing is drawn over another column.
    const replay = page.getByRole('button', { name: /^Replay VGG-11/ });
    const box = await replay.boundingBox();
    assert.ok(box && box.x + box.width <= size.width, `Replay within ${size.width} px`);
    const headers = await table.locator('thead th').evaluateAll((cells) => cells.map((cell) => cell.getBoundingClientRect()).map((r) => [r.left, r.right]));
    for (let i = 1; i < headers.length; i += 1) assert.ok(headers[i]![0]! >= headers[i - 1]![1]! - 0.5, `header ${i} overlaps the one before it`);

    await page.getByRole('checkbox', { name: 'Select all runs' }).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    await page.getByRole('heading', { name: 'Compare', level: 1 }).waitFor();
    await eventually(async () => ((await drawn(page, 'compare-testAcc-chart'))?.filter((s) => s.data.length > 0).length === 4 ? true : undefined), '4 runs drawn');
    assert.deepEqual(await overflowing(page), [], `Compare at ${size.width} px`);
    if (size.width < 1100) {
      // The settings and Baselines panels stack below the run list instead of beside it.
      const list = await page.getByRole('region', { name: 'Runs to compare' }).boundingBox();
      const settings = await page.getByRole('region', { name: 'Chart settings' }).boundingBox();
      assert.ok(list && settings && settings.y >= list.y + list.height, 'settings below the run list');
    }
  }
});

test('a run keeps its colour across Compare selections, in every chart and in the legend; baselines keep their dash', async () => {
  const { page } = workbench;
  await page.setViewportSize({ width: 1400, height: 1000 });
  const runs = (await workbench.service.call('runs.list', {})).runs;
  const vgg = runs.find((r) => r.model === 'vgg11')!;
  const colourOf = async (ids: string[]) => {
    await page.goto(`${workbench.server.url}#/compare?runs=${ids.join(',')}`);
    await page.getByRole('heading', { name: 'Compare', level: 1 }).waitFor();
    const colours = new Set<string | null>();
    for (const chart of ['loss', 'trainAcc', 'testAcc', 'seconds']) {
      const series = await eventually(async () => {
        const all = await drawn(page, `compare-${chart}-chart`);
        return all?.some((s) => s.name === vgg.name && s.data.length > 0) ? all : undefined;
      }, `${vgg.name} in the ${chart} chart`);
      colours.add(series.find((s) => s.name === vgg.name)!.color);
    }
    assert.equal(colours.size, 1, `one colour in all four charts (${[...colours].join(', ')})`);
    const swatch = page.getByRole('list', { name: 'Runs in the charts' }).getByRole('listitem').filter({ hasText: vgg.name }).locator('.swatch');
    const legend = await styleOf(swatch, 'borderTopColor');
    return { chart: [...colours][0], legend };
  };
  const others = runs.filter((r) => r.id !== vgg.id);
  const alone = await colourOf([vgg.id]);
  const first = await colourOf([others[0]!.id, vgg.id]);
  const all = await colourOf([...others.map((r) => r.id), vgg.id]);
  const reversed = await colourOf([vgg.id, ...others.map((r) => r.id)].reverse());
  for (const seen of [first, all, reversed]) assert.deepEqual(seen, alone, 'the same colour whatever else is compared');
  const hex = alone.chart!.match(/^#(..)(..)(..)$/)!.slice(1).map((h) => parseInt(h, 16));
  assert.equal(alone.legend, `rgb(${hex.join(', ')})`, 'the legend swatch has the chart line’s colour');
  const dashed = await page.locator('.legend .swatch.dashed').count();
  assert.ok(dashed >= 1, 'a baseline keeps its dash');
});

test('a chart tooltip says "Epoch N", accuracies to 3 decimals and seconds in words, and stays inside the chart', async () => {
  const { page } = workbench;
  await page.setViewportSize({ width: 900, height: 700 });
  const runs = (await workbench.service.call('runs.list', {})).runs;
  const lenet5 = runs.find((r) => r.model === 'lenet5')!;
  await page.goto(`${workbench.server.url}#/compare?runs=${lenet5.id}`);
  const hover = async (chart: string) => {
    const container = page.getByTestId(chart);
    await eventually(async () => ((await drawn(page, chart))?.some((s) => s.name === lenet5.name && s.data.length === 10) ? true : undefined), 'the run drawn');
    await container.scrollIntoViewIfNeeded();
    const point = await container.evaluate((element, name) => (globalThis as unknown as PageCharts).vggWorkbenchCharts.pointAt(element, name, 4), lenet5.name);
    assert.ok(point, 'the 5th epoch is drawn');
    await page.mouse.move(point.x, point.y);
    const tooltip = container.locator('div').filter({ hasText: /^Epoch/ }).last();
    await tooltip.waitFor();
    const text = (await tooltip.innerText()).trim();
    const tip = (await tooltip.boundingBox())!;
    const chartBox = (await container.boundingBox())!;
    assert.ok(tip.x >= chartBox.x - 1 && tip.x + tip.width <= chartBox.x + chartBox.width + 1, `tooltip at ${tip.x}..${tip.x + tip.width} inside the chart ${chartBox.x}..${chartBox.x + chartBox.width}`);
    return text;
  };
  const acc = await hover('compare-testAcc-chart');
  assert.match(acc, /^Epoch 5\n/);
  assert.match(acc, new RegExp(`${lenet5.name.replace(/[()]/g, '\\$&')}: 0\\.\\d{3}$`, 'm'));
  const seconds = await hover('compare-seconds-chart');
  assert.match(seconds, /: \d+(\.\d)? s$|: \d+ min \d\d s$/m);
  const loss = await hover('compare-loss-chart');
  assert.match(loss, /: (0\.\d{3}|\d\.\d\d)$/m, 'a loss to 3 significant digits');
});

test('VGG-19 on all the data asks before it starts, with a quick variant one click away', async () => {
  const { page, service } = workbench;
  await page.setViewportSize({ width: 1400, height: 1000 });
  await goTo(page, 'Launch');
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'VGG-19 (config E)' });
  await page.getByLabel('Engine').selectOption('wasm');
  await page.getByLabel('Training images').fill('');
  await page.getByLabel('Test images').fill('');
  const estimate = page.getByTestId('epoch-estimate');
  await estimate.filter({ hasText: /About \d+ h \d\d min per epoch on wasm/ }).waitFor();
  // Beside Start, in the text's own size.
  assert.equal(await styleOf(estimate, 'fontSize'), await styleOf(page.locator('#launch-heading ~ fieldset input'), 'fontSize'));
  const before = (await service.call('runs.list', {})).runs.length;
  await page.getByRole('button', { name: 'Start run' }).click();
  const ask = page.getByRole('alertdialog', { name: /This run would take \d+ h/ });
  await ask.waitFor();
  assert.equal((await service.call('runs.list', {})).runs.length, before, 'nothing started while it asks');
  const quick = ask.getByRole('button', { name: /^Start a quick variant: .*training images.* \(about \d/ });
  await quick.waitFor();
  await quick.click();
  await page.getByRole('heading', { name: 'Live run', level: 1 }).waitFor();
  const started = await eventually(async () => (await service.call('runs.list', {})).runs.find((r) => r.model === 'vgg19'), 'the quick run');
  assert.ok(started.config.trainLimit !== undefined && started.config.trainLimit <= 6000, `fewer images (${started.config.trainLimit})`);
  // Until its first batch Live says it is preparing, with a clock.
  await page.getByTestId('live-preparing').filter({ hasText: /Preparing: loading the engine and data… \d/ }).waitFor();
  await service.call('runs.cancel', { runId: started.id });
});

test('each refused number is said at its field, in the app’s words, and Start stays disabled meanwhile', async () => {
  const { page } = workbench;
  await goTo(page, 'Launch');
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'LeNet (book, 2017)' });
  const start = page.getByRole('button', { name: 'Start run' });
  const cases: [string, string, RegExp][] = [
    ['Batch size', '0', /^Batch size needs at least 1: 0 is too small\. Use 1\.$/],
    ['Batch size', '2.5', /^Batch size needs a whole number: 2\.5 is not one\. Use 3\.$/],
    ['Epochs', '-1', /^Epochs needs at least 1: -1 is too small\. Use 1\.$/],
    ['Learning rate', '100', /^Learning rate takes at most 10: 100 is too large\. Use 10\.$/],
    ['Learning rate', '0', /^Learning rate needs a number above 0/],
    ['Training images', '70000', /^Training images takes at most 60,000: 70,000 is too large\. Use 60,000\.$/],
  ];
  for (const [label, value, message] of cases) {
    await page.getByRole('button', { name: 'Book recipe' }).click();
    const field = page.getByLabel(label, { exact: true });
    await field.fill(value);
    await eventually(async () => ((await field.getAttribute('aria-invalid')) === 'true' ? true : undefined), `${label} ${value} marked`);
    const describedBy = ((await field.getAttribute('aria-describedby')) ?? '').split(' ').pop()!;
    assert.match((await page.locator(`[id="${describedBy}"]`).textContent())?.trim() ?? '', message);
    assert.equal(await start.isDisabled(), true, `Start disabled with ${label} ${value}`);
    assert.equal(await page.getByTestId('summary-error').count(), 0, 'nothing about it in the network summary');
  }
  await page.getByRole('button', { name: 'Book recipe' }).click();
  await page.getByLabel('Training images').fill('');
  await eventually(async () => ((await start.isEnabled()) ? true : undefined), 'Start enabled again');
  assert.deepEqual(workbench.pageErrors, []);
});

test('the Compare legend hides a run on click and points one out on hover; a saved chart carries its title and legend', async () => {
  const { page } = workbench;
  await page.setViewportSize({ width: 1400, height: 1000 });
  const runs = (await workbench.service.call('runs.list', {})).runs;
  const vgg = runs.find((r) => r.model === 'vgg11')!;
  const lenet5 = runs.find((r) => r.model === 'lenet5')!;
  await page.goto(`${workbench.server.url}#/compare?runs=${vgg.id},${lenet5.id}`);
  const entry = page.getByRole('list', { name: 'Runs in the charts' }).getByRole('button', { name: new RegExp(`^${vgg.name}`) });
  const points = async () => (await drawn(page, 'compare-testAcc-chart'))?.find((s) => s.name === vgg.name)?.data.length;
  await eventually(async () => ((await points()) === 2 ? true : undefined), 'VGG-11 drawn');
  await entry.click();
  assert.equal(await entry.getAttribute('aria-pressed'), 'false');
  await eventually(async () => ((await points()) === 0 ? true : undefined), 'VGG-11 hidden');
  await entry.click();
  await eventually(async () => ((await points()) === 2 ? true : undefined), 'VGG-11 shown again');

  // Hovering one entry fades the others.
  await entry.hover();
  const faded = await eventually(async () => {
    const other = (await drawn(page, 'compare-testAcc-chart'))?.find((x) => x.name === lenet5.name);
    return other?.opacity === 0.2 ? other.opacity : undefined;
  }, 'the other run to step back');
  assert.equal(faded, 0.2, 'the other run steps back');

  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save Test accuracy as PNG' }).click()]);
  const bytes = readFileSync(await png.path());
  // IHDR: width and height, big-endian, at bytes 16 and 20.
  const height = bytes.readUInt32BE(20);
  const box = (await page.getByTestId('compare-testAcc-chart').boundingBox())!;
  assert.ok(height > box.height * 2 + 40, `the picture (${height} px high) has a header above the chart (${box.height * 2} px at 2×)`);
});

test('Replay: Space plays and pauses, the arrows seek, "?" lists the keys', async () => {
  const { page } = workbench;
  const runs = (await workbench.service.call('runs.list', {})).runs;
  const lenet5 = runs.find((r) => r.model === 'lenet5')!;
  await page.goto(`${workbench.server.url}#/replay/${lenet5.id}`);
  await page.getByRole('heading', { name: 'Replay', level: 1 }).waitFor();
  const position = page.getByLabel(/^Replay position/);
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  await page.locator('h1').click();
  await page.keyboard.press('ArrowRight');
  await eventually(async () => (Number(await position.inputValue()) > 0 ? true : undefined), 'the arrow to seek forward');
  const after = Number(await position.inputValue());
  await page.keyboard.press('ArrowLeft');
  await eventually(async () => (Number(await position.inputValue()) < after ? true : undefined), 'the arrow to seek back');
  await page.keyboard.press(' ');
  await page.getByRole('button', { name: 'Pause' }).waitFor();
  await page.keyboard.press(' ');
  await page.getByRole('button', { name: /^Play/ }).waitFor();
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  assert.match((await help.textContent()) ?? '', /Space\s*Play or pause/);
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
});
