import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPreset } from '../../src-main/shared/models/presets';
import { ASK_ABOVE_SECONDS, estimateRunTime, networkSize, quickVariant } from '../../src-renderer/src/lib/long-run';

const vgg19 = findPreset('vgg19');
if (vgg19.family !== 'vgg') throw new Error('vgg19 is a VGG');
/** VGG-19 as the Launch form holds its book recipe: 96 px, all the images, one epoch. */
const form = { model: 'vgg19', blocks: vgg19.blocks.map((b) => ({ ...b })), widthRatio: 1, denseUnits: 4096, resize: 96, trainLimit: null, testLimit: null, epochs: 1 };
/** A measured engine: 200 LeNet-sized images (1 MMAC) a second. */
const sources = { runs: [], measured: { engine: 'wasm', speed: { imagesPerSec: 200, macsPerImage: 1e6 } } };

test('VGG-19 on all the data is judged far above ten minutes from the engine’s measured speed', () => {
  const estimate = estimateRunTime(form, true, 'wasm', sources);
  assert.ok(estimate, 'an estimate from the measured speed');
  assert.ok(estimate.totalSeconds > 100 * ASK_ABOVE_SECONDS, `${estimate.totalSeconds} s`);
  assert.match(estimate.basis, /measured speed/);
  assert.equal(estimateRunTime(form, true, 'webgpu', sources), null, 'another engine’s speed does not judge this one');
  assert.equal(estimateRunTime({ ...form, epochs: 3 }, true, 'wasm', sources)!.totalSeconds, estimate.totalSeconds * 3);
});

test('the quick variant takes fewer images, then a width ratio, then the smallest side, until it fits ten minutes', () => {
  const variant = quickVariant(form, true, 'wasm', sources);
  assert.ok(variant);
  assert.ok(variant.estimate.totalSeconds <= ASK_ABOVE_SECONDS, `${variant.estimate.totalSeconds} s`);
  assert.equal(variant.changes.trainLimit, 6000);
  assert.equal(variant.changes.testLimit, 1000);
  assert.ok((variant.changes.widthRatio ?? 1) > 1, 'narrower');
  assert.match(variant.words, /^6,000 training images, 1,000 test images/);
  // The variant is a network the schema and the summary accept.
  assert.ok(networkSize({ ...form, ...variant.changes }, true));
});

test('a network that only gets smaller by its images is offered fewer images; nothing to change means no variant', () => {
  const lenet = { ...form, model: 'lenet', blocks: [], resize: 28 };
  const variant = quickVariant(lenet, false, 'wasm', { runs: [], measured: { engine: 'wasm', speed: { imagesPerSec: 1, macsPerImage: 1e6 } } });
  assert.ok(variant);
  assert.equal(variant.changes.widthRatio, undefined, 'no width ratio for a fixed network');
  assert.equal(quickVariant({ ...lenet, trainLimit: 100, testLimit: 100 }, false, 'wasm', sources), null);
  assert.equal(quickVariant(form, true, 'wasm', { runs: [], measured: null }), null, 'no speed known: nothing to judge by');
});

test('before the engine’s speed is measured, a CPU engine’s floor already asks about VGG-19 and VGG-11 on all the data, and not about LeNet', () => {
  const unmeasured = { runs: [], measured: null };
  const floor = estimateRunTime(form, true, 'wasm', unmeasured);
  assert.ok(floor, 'a floor for a CPU engine');
  assert.equal(floor.lowerBound, true);
  assert.ok(floor.totalSeconds > ASK_ABOVE_SECONDS, `VGG-19: ${floor.totalSeconds} s`);
  assert.match(floor.basis, /no CPU engine reaches/);
  const vgg11 = findPreset('vgg11');
  if (vgg11.family !== 'vgg') throw new Error('vgg11 is a VGG');
  const vgg11Form = { ...form, model: 'vgg11', blocks: vgg11.blocks.map((b) => ({ ...b })) };
  assert.ok(estimateRunTime(vgg11Form, true, 'wasm', unmeasured)!.totalSeconds > ASK_ABOVE_SECONDS, 'VGG-11 at 96 px');
  const lenet = { ...form, model: 'lenet', blocks: [], resize: 28 };
  assert.ok(estimateRunTime(lenet, false, 'wasm', unmeasured)!.totalSeconds < ASK_ABOVE_SECONDS, 'LeNet');
  assert.equal(estimateRunTime(form, true, 'webgpu', unmeasured), null, 'no floor is stated for a GPU engine');
  // The floor is below what the engine's measured speed then says.
  assert.ok(floor.totalSeconds < estimateRunTime(form, true, 'wasm', sources)!.totalSeconds);
});
