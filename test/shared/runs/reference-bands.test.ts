import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import { REFERENCE_BANDS, referenceBandsFor } from '../../../src-main/shared/runs/reference-bands';

const ids = (bands: { id: string }[]): string[] => bands.map((b) => b.id);

test('LeNet-5 with d2l’s recipe (its preset’s defaults) shows the 0.779–0.811 band; any change to the recipe hides it', () => {
  const book = makeRunConfig({ model: 'lenet5' });
  assert.deepEqual(ids(referenceBandsFor([book], 'testAcc')), ['d2l-lenet5']);
  const band = REFERENCE_BANDS.find((b) => b.id === 'd2l-lenet5')!;
  assert.deepEqual([band.low, band.high, band.epoch], [0.779, 0.811, 9]);
  for (const change of [{ lr: 0.5 }, { momentum: 0.9 }, { trainLimit: 2000 }, { epochs: 5 }, { resize: 32 }]) {
    assert.deepEqual(referenceBandsFor([makeRunConfig({ model: 'lenet5', ...change })], 'testAcc'), [], JSON.stringify(change));
  }
  // Another metric has no LeNet reference.
  assert.deepEqual(referenceBandsFor([book], 'loss'), []);
});

test('the chapter’s VGG-11 epoch matches the preset’s book recipe on every metric, and not a narrow or warm-started VGG', () => {
  const chapter = makeRunConfig({ model: 'vgg11' });
  assert.deepEqual(ids(referenceBandsFor([chapter], 'loss')), ['chapter-vgg11-loss']);
  assert.deepEqual(ids(referenceBandsFor([chapter], 'seconds')), ['chapter-vgg11-seconds']);
  const points = ['loss', 'trainAcc', 'testAcc', 'seconds'].map((m) => REFERENCE_BANDS.find((b) => b.id === `chapter-vgg11-${m}`)!.low);
  assert.deepEqual(points, [0.869, 0.68, 0.83, 147.5]);
  assert.deepEqual(referenceBandsFor([makeRunConfig({ model: 'vgg11', widthRatio: 8 })], 'testAcc'), []);
  assert.deepEqual(referenceBandsFor([makeRunConfig({ model: 'vgg11', denseUnits: 512 })], 'testAcc'), []);
  assert.deepEqual(referenceBandsFor([makeRunConfig({ model: 'vgg11', initFrom: 'abc' })], 'testAcc'), []);
});

test('a comparison shows the bands of each run whose recipe matches: VGG ratio 4 and AlexNet at 224 px beside a quick run', () => {
  const vgg = makeRunConfig({ model: 'vgg11', widthRatio: 4, resize: 224, lr: 0.05, batchSize: 128, epochs: 10 });
  const alexnet = makeRunConfig({ model: 'alexnet' });
  const quick = makeRunConfig({ model: 'vgg11', widthRatio: 8, denseUnits: 512, resize: 32, lr: 0.01, momentum: 0.9 });
  assert.deepEqual(ids(referenceBandsFor([quick, vgg, alexnet], 'testAcc')), ['d2l-alexnet', 'd2l-vgg-ratio4']);
  assert.deepEqual(referenceBandsFor([quick], 'testAcc'), []);
  // A narrowed AlexNet is not the book's.
  assert.deepEqual(referenceBandsFor([makeRunConfig({ model: 'alexnet', widthRatio: 8 })], 'testAcc'), []);
  for (const band of REFERENCE_BANDS) assert.ok(band.source.length > 0 && band.recipe.length > 0 && band.low <= band.high, band.id);
});
