import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SYSTEM_FASHION_MNIST_DIR } from '../../src-main/core/data/fashion-mnist';
import { eventually, goTo, openWorkbench, type Workbench } from './workbench-harness';

let mirror: Server;
let workbench: Workbench;

/** Serves Debian's copies of the four files, slowly enough (about 3 s in all) for a progress bar to be seen. */
function slowMirror(): Server {
  return createServer((request, response) => {
    const path = join(SYSTEM_FASHION_MNIST_DIR, (request.url ?? '/').slice(1));
    response.writeHead(200, { 'content-length': statSync(path).size });
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => {
      stream.pause();
      response.write(chunk, () => void sleep(100).then(() => stream.resume()));
    });
    stream.on('end', () => response.end());
  });
}

before(async () => {
  mirror = slowMirror();
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  workbench = await openWorkbench({
    // No Debian package here: the app must fetch the dataset itself.
    systemDatasetDir: join('/nonexistent', 'fashion-mnist'),
    datasetBaseUrl: `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`,
  });
});
after(async () => {
  await workbench?.close();
  await new Promise((resolve) => mirror?.close(resolve));
});

test('without Fashion-MNIST a launch is refused with the reason; the download shows its progress, then the images', async () => {
  const { page, dir } = workbench;
  await page.getByLabel('Training images').fill('64');
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.getByRole('alert').filter({ hasText: 'Fashion-MNIST is not on this machine' }).waitFor();

  await goTo(page, 'Data & engine');
  const location = page.getByTestId('dataset-location');
  assert.match((await location.textContent()) ?? '', /Not on this machine yet/);
  await page.getByRole('button', { name: 'Download Fashion-MNIST' }).click();
  const bar = page.getByRole('progressbar', { name: 'Download' });
  const seen = await eventually(async () => {
    const value = Number(await bar.getAttribute('aria-valuenow', { timeout: 100 }).catch(() => null));
    return value > 0 && value < 100 ? value : undefined;
  }, 'the download part way');
  assert.ok(seen > 0);
  const found = `Found in ${join(dir, 'fashion-mnist')} (an earlier download).`;
  await eventually(async () => ((await location.textContent()) === found ? true : undefined), 'the downloaded dataset', 120_000);
  await eventually(async () => ((await page.getByRole('list', { name: 'Dataset samples' }).getByRole('img').count()) === 30 ? true : undefined), 'sample images');
  assert.deepEqual(workbench.pageErrors, []);
});
