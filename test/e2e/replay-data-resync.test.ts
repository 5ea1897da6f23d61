import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../src-main/shared/runs/run-entities';
import { chartSeries, eventually, goTo, openWorkbench, seriesLength, tinyRun, type Workbench } from './workbench-harness';
import { SWIFTSHADER_ICD, useSwiftShaderUnlessSet } from '../core/engine/webgpu-fixture';

// The engine probe (a child of this process) sees SwiftShader as its GPU adapter.
useSwiftShaderUnlessSet();

let workbench: Workbench;
let run: RunRecord;

before(async () => {
  workbench = await openWorkbench();
  // 640 images / batch 64: 10 batches per epoch, 2 epochs; recorded before the page looks.
  // Layer statistics off: the slider counts events one by one (test/e2e/layers.test.ts replays a run with them).
  ({ run } = await workbench.service.call('runs.start', { config: tinyRun({ trainLimit: 640, name: 'to replay', layerStats: 'off' }) }));
  await workbench.service.idle();
});
after(async () => {
  await workbench?.close();
});

const position = (page: Workbench['page']) =>
  page.getByText(/^Replay position: event \d+ of \d+$/).textContent().then((text) => {
    const [, at, total] = /event (\d+) of (\d+)/.exec(text ?? '') ?? [];
    return { at: Number(at), total: Number(total) };
  });

test('Replay: a saved run plays back as it happened, fastest, seeks back and forth, pauses at 1×', async () => {
  const { page } = workbench;
  await goTo(page, 'Runs');
  await page.getByRole('button', { name: 'Replay to replay' }).click();
  await page.getByRole('heading', { name: 'Replay', level: 1 }).waitFor();

  // Opened paused at the start: start + 20 batches + 2 epochs + done.
  assert.deepEqual(await eventually(async () => ((await position(page)).total > 0 ? position(page) : undefined), 'the replay to open'), { at: 0, total: 24 });
  assert.equal(await seriesLength(page, 'replay-loss-chart', 'Loss per batch'), 0);

  await page.getByRole('radio', { name: 'Fastest' }).check();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await eventually(async () => ((await position(page)).at === 24 ? true : undefined), 'the whole replay');
  await eventually(async () => ((await seriesLength(page, 'replay-loss-chart', 'Loss per batch')) === 20 ? true : undefined), 'all 20 batches drawn');
  const replayed = (await chartSeries(page, 'replay-loss-chart'))?.[0]?.data as number[][];
  const recorded = (await workbench.service.call('runs.metrics', { runId: run.id, keys: ['batch.loss'] })).points;
  assert.deepEqual(replayed, recorded.map((p) => [p.step, p.value]), 'the replay draws exactly the recorded losses');
  const log = (await page.getByRole('log', { name: 'Epoch log' }).textContent())?.trim().split('\n');
  assert.equal(log?.length, 2);
  await page.getByRole('button', { name: 'Play again' }).waitFor();

  // Seek back to the middle: the charts are cleared and refilled up to there.
  await page.getByLabel(/^Replay position/).fill('12');
  const middle = await eventually(async () => {
    const n = (await seriesLength(page, 'replay-loss-chart', 'Loss per batch')) ?? 20;
    return n > 0 && n < 20 ? n : undefined;
  }, 'the charts to rewind to the middle');
  assert.ok((await position(page)).at < 24);

  // 1×: the recorded pace, so a pause right away leaves it part way; paused, nothing more arrives.
  await page.getByRole('radio', { name: '1×' }).check();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  // Events sent before the pause may still be on their way, and redraws are batched: let them land.
  await new Promise((resolve) => setTimeout(resolve, 400));
  const paused = (await seriesLength(page, 'replay-loss-chart', 'Loss per batch')) ?? 0;
  assert.ok(paused >= middle && paused < 20, `paused part way (${paused} of 20 batches)`);
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal(await seriesLength(page, 'replay-loss-chart', 'Loss per batch'), paused);
  // The README's Replay picture is first-hour.test.ts's, of an example run.
});

test('Replay: the timeline slider moves one event per arrow key, forward and back, Home to 0, End to the end; a click lands where it is', async () => {
  const { page } = workbench;
  // Open afresh from the address: paused at event 0, at the recorded pace (1×) by default.
  await page.goto(`${workbench.server.url}#/replay/${run.id}`);
  await page.reload();
  await eventually(async () => ((await position(page)).total === 24 ? true : undefined), 'the replay to open');
  assert.deepEqual(await position(page), { at: 0, total: 24 });
  assert.equal(await page.getByRole('radio', { name: '1×' }).isChecked(), true);

  const slider = page.getByRole('slider', { name: /^Replay position/ });
  const reach = (at: number, how: string) => eventually(async () => ((await position(page)).at === at ? true : undefined), `event ${at} after ${how}`, 10_000);
  await slider.focus();
  for (let at = 1; at <= 5; at += 1) {
    await page.keyboard.press('ArrowRight');
    await reach(at, 'ArrowRight');
  }
  await page.keyboard.press('ArrowLeft');
  await reach(4, 'ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await reach(3, 'ArrowLeft');
  // Event 3 is the start and two batches: the charts show exactly those (redraws are batched, so wait for them).
  await eventually(async () => ((await seriesLength(page, 'replay-loss-chart', 'Loss per batch')) === 2 ? true : undefined), 'two batches drawn at event 3', 10_000);
  await page.keyboard.press('PageUp');
  await eventually(async () => ((await position(page)).at > 3 ? true : undefined), 'PageUp to move forward');
  await page.keyboard.press('Home');
  await reach(0, 'Home');
  await page.keyboard.press('End');
  await reach(24, 'End');

  // A click at 90% of the track lands near event 21.6 of 24, not at a point in recorded time.
  const box = (await slider.boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.9, box.y + box.height / 2);
  // A backward seek resets the timeline and re-sends the events up to its target, so the
  // position passes through 0 on its way: wait for where it settles.
  let last = -1;
  await eventually(async () => {
    last = (await position(page)).at;
    return last >= 20 && last <= 23 ? true : undefined;
  }, 'the click to seek', 10_000).catch(() => assert.fail(`a click at 90% lands at event ${last} of 24`));
  assert.deepEqual(workbench.pageErrors, []);
});

test('Data & engine: where the dataset is, sample images by class, folder import checked, engines explained', async () => {
  const { page } = workbench;
  await goTo(page, 'Data & engine');
  assert.match((await page.getByTestId('dataset-location').textContent()) ?? '', /\/usr\/share\/datasets\/fashion-mnist/);
  const samples = page.getByRole('list', { name: 'Dataset samples' });
  await eventually(async () => ((await samples.getByRole('img').count()) === 30 ? true : undefined), '30 sample images');
  await page.getByLabel('Class').selectOption({ label: 'Bag' });
  await eventually(async () => {
    const labels = await samples.getByRole('img').evaluateAll((images) => images.map((image) => image.getAttribute('aria-label')));
    return labels.length === 30 && labels.every((label) => label?.endsWith(': Bag')) ? true : undefined;
  }, 'only bags');

  await page.getByLabel(/^Import a folder/).fill('/nonexistent/fashion-mnist');
  await page.getByRole('button', { name: 'Import folder' }).click();
  const importError = page.getByRole('alert').filter({ hasText: 'lacks' });
  await importError.waitFor();
  assert.equal(await page.getByLabel(/^Import a folder/).getAttribute('aria-invalid'), 'true');
  // A real copy: each file is checked against the dataset's checksums before it is taken.
  await page.getByLabel(/^Import a folder/).fill('/usr/share/datasets/fashion-mnist');
  await page.getByRole('button', { name: 'Import folder' }).click();
  await page.getByRole('status').filter({ hasText: 'Imported Fashion-MNIST from /usr/share/datasets/fashion-mnist.' }).waitFor({ timeout: 60_000 });
  await importError.waitFor({ state: 'detached' });

  const engines = page.getByRole('table', { name: 'Engines' });
  await engines.waitFor({ timeout: 120_000 });
  const wasm = engines.getByRole('row').filter({ has: page.getByRole('cell', { name: 'wasm', exact: true }) });
  assert.equal(await wasm.getByRole('cell', { name: 'yes' }).count(), 1);
  // The header and one row per engine: five tfjs backends and pytorch.
  assert.equal(await engines.getByRole('row').count(), 7);
  assert.match((await page.getByTestId('engine-in-use').textContent()) ?? '', /In use: \S+/);
  // With only SwiftShader, webgpu is listed with its adapter, and auto passes it over.
  if (process.env.VK_ICD_FILENAMES === SWIFTSHADER_ICD) {
    assert.match((await page.getByTestId('adapter-webgpu').textContent()) ?? '', /google swiftshader .*software: computes on the CPU; largest buffer/s);
    assert.doesNotMatch((await page.getByTestId('engine-in-use').textContent()) ?? '', /In use: webgpu/);
    // Launch names it as such, and warns when it is chosen.
    await goTo(page, 'Launch');
    await page.getByLabel('Engine').selectOption('webgpu');
    assert.match((await page.getByTestId('software-adapter-warning').textContent()) ?? '', /google swiftshader, a software adapter/);
    assert.equal(await page.getByLabel('Engine').locator('option[value="webgpu"]').textContent(), 'webgpu (software adapter)');
    await page.getByLabel('Engine').selectOption('auto');
  }
});

test('Theme: dark on request, remembered across a reload, back to the system’s', async () => {
  const { page } = workbench;
  const theme = () => page.locator('html').getAttribute('data-theme');
  assert.equal(await theme(), 'light');
  await page.getByLabel('Theme').selectOption('Dark');
  assert.equal(await theme(), 'dark');
  await page.reload();
  await page.getByLabel('Theme').waitFor();
  assert.equal(await theme(), 'dark');
  await page.getByLabel('Theme').selectOption('System');
  assert.equal(await theme(), 'light');
});

test('events lost on the way (a seq gap) make the views reload: the runs list shows a rename it never heard of', async () => {
  const { browser, server, service } = workbench;
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  let dropping = false;
  await page.routeWebSocket(/\/api\/events/, (socket) => {
    const upstream = socket.connectToServer();
    upstream.onMessage((message) => {
      if (!dropping) socket.send(message);
    });
  });
  await page.goto(server.openUrl);
  await goTo(page, 'Runs');
  const table = page.getByRole('table', { name: 'Runs' });
  // One event through, so the page knows where the count stands.
  await service.call('runs.tag', { runId: run.id, add: ['before-gap'] });
  await table.getByRole('button', { name: /^Remove tag before-gap/ }).waitFor();

  dropping = true;
  await service.call('runs.rename', { runId: run.id, name: 'renamed behind its back' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  dropping = false;
  assert.equal(await table.getByRole('checkbox', { name: 'Select renamed behind its back' }).count(), 0, 'the rename event was dropped');

  // Next, an event that by itself changes nothing in the list (another tab's replay closing):
  // its seq is one too far, so the page reloads what it shows.
  const { replay } = await service.call('replay.open', { runId: run.id });
  await service.call('replay.close', { replayId: replay.replayId });
  await table.getByRole('checkbox', { name: 'Select renamed behind its back' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Reconnected 1×' }).waitFor();
  await context.close();
  assert.deepEqual(workbench.pageErrors, []);
});

test('a dropped event socket shows a banner; back again, the views reload what changed meanwhile, with no event to tell them', async () => {
  const { browser, server, service } = workbench;
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  let refuse = false;
  const sockets: { close(): Promise<void> }[] = [];
  await page.routeWebSocket(/\/api\/events/, (socket) => {
    // While the "server" is away, new connections are closed at once, as a refused one would be.
    if (refuse) {
      void socket.close();
      return;
    }
    sockets.push(socket);
    const upstream = socket.connectToServer();
    upstream.onMessage((message) => socket.send(message));
  });
  await page.goto(server.openUrl);
  await goTo(page, 'Runs');
  const table = page.getByRole('table', { name: 'Runs' });
  await table.getByRole('checkbox', { name: `Select ${(await service.call('runs.get', { runId: run.id })).run.name}` }).waitFor();

  refuse = true;
  await Promise.all(sockets.map((socket) => socket.close()));
  const banner = page.getByRole('alert').filter({ hasText: 'connection to the workbench service is lost' });
  await banner.waitFor();
  await service.call('runs.rename', { runId: run.id, name: 'renamed while away' });

  refuse = false;
  await banner.waitFor({ state: 'detached', timeout: 10_000 });
  await table.getByRole('checkbox', { name: 'Select renamed while away' }).waitFor({ timeout: 10_000 });
  await context.close();
  assert.deepEqual(workbench.pageErrors, []);
});
