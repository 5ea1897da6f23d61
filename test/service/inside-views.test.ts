import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src-main/api/api-error';
import { base64ToBytes } from '../../src-main/api/pixels';
import { ExperimentService } from '../../src-main/service/experiment-service';

let dir: string;
let service: ExperimentService;
let runId: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inside-'));
  service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, exampleRunsFile: null });
  // LeNet learns enough from 2,000 images in 2 epochs to get most test images right (the trainer test's recipe).
  const started = await service.call('runs.start', {
    config: { model: 'lenet', epochs: 2, batchSize: 64, lr: 0.05, momentum: 0.9, trainLimit: 2000, testLimit: 200, seed: 1, engine: 'wasm', layerStats: 'off' },
  });
  runId = started.run.id;
  await service.idle();
});
after(async () => {
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('by default the first misclassified test image: its filters, feature maps per block and top 5', async () => {
  const answer = await service.call('runs.inside', { runId });
  assert.ok(answer.available, answer.available ? '' : answer.reason);
  const wrong = await service.call('runs.misclassified', { runId, limit: 1 });
  assert.ok(wrong.available);
  assert.equal(answer.image.index, wrong.images[0]!.index);
  assert.equal(answer.top[0]!.classIndex, wrong.images[0]!.predicted, 'the same model predicts the same class');
  // One picture per filter of the first conv, one block per pooling layer, at most 16 channels each.
  const { summary } = await service.call('models.summary', { model: 'lenet', resize: 28 });
  const conv = summary.layers.find((l) => l.kind === 'conv')!;
  const pools = summary.layers.filter((l) => l.kind === 'maxpool' || l.kind === 'avgpool');
  assert.equal(answer.filters.layer, conv.name);
  assert.equal(answer.filters.pictures.length, conv.outputShape.at(-1));
  assert.ok(answer.filters.pictures.every((p) => p.pixels.length === p.side ** 2 && p.side > 1));
  assert.deepEqual(answer.blocks.map((b) => b.layer), pools.map((p) => p.name));
  assert.deepEqual(answer.blocks.map((b) => b.channels.length), pools.map((p) => Math.min(16, p.outputShape.at(-1)!)));
  for (const block of answer.blocks) {
    const means = block.channels.map((c) => c.mean);
    assert.deepEqual(means, [...means].sort((a, b) => b - a), 'most active first');
    for (const c of block.channels) assert.equal(c.picture.pixels.length, c.picture.side ** 2);
  }
  assert.equal(answer.top.length, 5);
  const sum = answer.top.reduce((s, t) => s + t.probability, 0);
  assert.ok(sum > 0 && sum <= 1 + 1e-6);
});

test('your own pixels give what the same test image gives', async () => {
  const byIndex = await service.call('runs.inside', { runId, testIndex: 0 });
  assert.ok(byIndex.available);
  const byPixels = await service.call('runs.inside', { runId, pixels: byIndex.image.picture.pixels });
  assert.ok(byPixels.available);
  assert.deepEqual(byPixels.top, byIndex.top);
  assert.equal(byPixels.image.index, undefined);
  const samples = await service.call('dataset.samples', { split: 'test', count: 1, seed: 0 });
  assert.equal(base64ToBytes(samples.images[0]!.pixels).length, 784);
});

test('pixels of the wrong size or range, or both kinds of image at once, are refused naming the field', async () => {
  const refused = async (request: object, field: RegExp) => {
    await assert.rejects(service.call('runs.inside', { runId, ...request } as never), (error: unknown) => {
      assert.ok(error instanceof ApiError, String(error));
      assert.match(`${error.field} ${error.message}`, field);
      return true;
    });
  };
  await refused({ pixels: new Array(783).fill(0) }, /pixels.*28×28/);
  await refused({ pixels: new Array(784).fill(256) }, /pixels/);
  await refused({ pixels: new Array(784).fill(0), testIndex: 3 }, /not both/);
  await refused({ testIndex: 10_000 }, /testIndex/);
});
