import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFashionMnistSplit } from '../../src-main/core/data/fashion-mnist';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { eventually, openWorkbench, type Workbench } from './workbench-harness';

let workbench: Workbench;
let runId: string;

before(async () => {
  workbench = await openWorkbench();
  const { service } = workbench;
  // The trainer test's LeNet recipe on 2,000 images: it gets most test images right.
  const started = await service.call('runs.start', {
    config: { model: 'lenet', name: 'lenet inside', epochs: 2, batchSize: 64, lr: 0.05, momentum: 0.9, trainLimit: 2000, testLimit: 200, seed: 1, engine: 'wasm' },
  });
  runId = started.run.id;
  await service.idle();
});
after(async () => {
  await workbench?.close();
});

/** Whether an image's object spans the 28 px frame where centring puts it: saved larger and read back, it is itself. */
function fillsFrame(pixels: ArrayLike<number>): boolean {
  const values = Array.from(pixels);
  const threshold = Math.max(...values) / 10;
  const rows = [...Array(28).keys()].filter((y) => values.slice(y * 28, y * 28 + 28).some((v) => v > threshold));
  const cols = [...Array(28).keys()].filter((x) => [...Array(28).keys()].some((y) => values[y * 28 + x]! > threshold));
  const [h, w] = [rows.at(-1)! - rows[0]! + 1, cols.at(-1)! - cols[0]! + 1];
  return (h === 28 && cols[0] === Math.floor((28 - w) / 2)) || (w === 28 && rows[0] === Math.floor((28 - h) / 2));
}

test('Results: filters and feature maps of the first misclassified image, then a PNG of a test image on white classified as its class', async () => {
  const { page, server, service } = workbench;
  await page.goto(`${server.url}#/results/${runId}`);
  const panel = page.getByTestId('inside-panel');
  await eventually(async () => ((await panel.getByTestId('inside-top5').count()) > 0 ? true : undefined), 'the inside view', 120_000);
  const wrong = await service.call('runs.misclassified', { runId, limit: 1 });
  assert.ok(wrong.available);
  assert.match((await panel.getByTestId('inside-image-caption').textContent()) ?? '', new RegExp(`Test image ${wrong.images[0]!.index},`));
  const { summary } = await service.call('models.summary', { model: 'lenet', resize: 28 });
  const filters = summary.layers.find((l) => l.kind === 'conv')!.outputShape.at(-1)!;
  assert.equal(await panel.getByTestId('inside-filters').getByRole('img').count(), filters);
  const pools = summary.layers.filter((l) => l.kind === 'maxpool' || l.kind === 'avgpool');
  for (const pool of pools) {
    assert.equal(await panel.getByTestId(`inside-block-${pool.name}`).getByRole('img').count(), Math.min(16, pool.outputShape.at(-1)!));
  }

  // The fixture: the first test image the model gets right that fills its frame, saved 4× as ink on white.
  const split = await loadFashionMnistSplit(REAL_DATA_DIR, 'test');
  let chosen: { index: number; label: number; pixels: number[] } | undefined;
  for (let index = 0; index < 100 && !chosen; index++) {
    const pixels = Array.from(split.images.subarray(index * 784, (index + 1) * 784));
    if (!fillsFrame(pixels)) continue;
    const answer = await service.call('runs.inside', { runId, testIndex: index });
    if (answer.available && answer.top[0]!.classIndex === split.labels[index]) chosen = { index, label: split.labels[index]!, pixels };
  }
  assert.ok(chosen, 'a test image the model classifies correctly');
  // Drawn by the page's own canvas (the test runs under Node, which has none): ink on paper, 4× larger.
  const png = await page.evaluate<string>(`(() => {
    const pixels = ${JSON.stringify(chosen.pixels)};
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 112;
    const context = canvas.getContext('2d');
    const data = context.createImageData(112, 112);
    for (let y = 0; y < 112; y++) {
      for (let x = 0; x < 112; x++) {
        const v = 255 - pixels[Math.floor(y / 4) * 28 + Math.floor(x / 4)];
        data.data.set([v, v, v, 255], (y * 112 + x) * 4);
      }
    }
    context.putImageData(data, 0, 0);
    return canvas.toDataURL('image/png').split(',')[1];
  })()`);
  await panel.getByTestId('own-image-input').setInputFiles({ name: 'fixture.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });
  await eventually(async () => (/Your image/.test((await panel.getByTestId('inside-image-caption').textContent()) ?? '') ? true : undefined), 'your image shown');
  const classes = (await service.call('dataset.status', {})).classes;
  const first = await panel.getByTestId('inside-top5').getByRole('listitem').first().textContent();
  assert.match(first ?? '', new RegExp(`^\\s*${classes[chosen.label]!.replace(/[/]/g, '.')}`), `classified as ${classes[chosen.label]}`);
  assert.equal(await panel.getByTestId('inside-top5').getByRole('listitem').count(), 5);
  assert.deepEqual(workbench.pageErrors, []);
});

test('Results: a text file, a 20,000×20,000 px PNG and a 100 MB file are refused clearly, and the page still answers', async () => {
  const { page } = workbench;
  const panel = page.getByTestId('inside-panel');
  const refusal = panel.getByTestId('own-image-refusal');
  await panel.getByTestId('own-image-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image, just words') });
  await refusal.waitFor();
  assert.match((await refusal.textContent()) ?? '', /notes\.txt is not a PNG or JPEG image/);

  // A real PNG header declaring 20,000 × 20,000 px: refused from the header, never decoded.
  const head = Buffer.alloc(64);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(head);
  head.writeUInt32BE(20_000, 16);
  head.writeUInt32BE(20_000, 20);
  await panel.getByTestId('own-image-input').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: head });
  await eventually(async () => (/huge\.png is 20,000×20,000 px/.test((await refusal.textContent()) ?? '') ? true : undefined), 'the size refusal');

  // 100 MB, dropped (made in the page: sending it through the test driver would take longer than the check).
  await page.evaluate(`(() => {
    const zone = document.querySelector('[data-testid="own-image-drop"]');
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(100 * 1024 * 1024)], 'big.png', { type: 'image/png' }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  })()`);
  await eventually(async () => (/big\.png is 100 MB; images up to 20 MB/.test((await refusal.textContent()) ?? '') ? true : undefined), 'the file-size refusal');

  // Still responsive: a test image picked by index is shown.
  await panel.getByTestId('inside-test-index').fill('3');
  await panel.getByRole('button', { name: 'Show' }).click();
  await eventually(async () => (/Test image 3,/.test((await panel.getByTestId('inside-image-caption').textContent()) ?? '') ? true : undefined), 'test image 3');
  assert.deepEqual(workbench.pageErrors, []);
});
