import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaleBlocks, vggBlock, vggLayers } from '../../../src-main/shared/models/vgg';
import type { VggBlock } from '../../../src-main/shared/models/layer-spec';

const VGG11: VggBlock[] = [
  { convs: 1, channels: 64 },
  { convs: 1, channels: 128 },
  { convs: 2, channels: 256 },
  { convs: 2, channels: 512 },
  { convs: 2, channels: 512 },
];

test('width ratio 4 gives the book\'s narrow VGG ((1,16),(1,32),(2,64),(2,128),(2,128))', () => {
  assert.deepEqual(scaleBlocks(VGG11, 4), [
    { convs: 1, channels: 16 },
    { convs: 1, channels: 32 },
    { convs: 2, channels: 64 },
    { convs: 2, channels: 128 },
    { convs: 2, channels: 128 },
  ]);
});

test('width ratio uses integer division like the book\'s channels // ratio', () => {
  assert.deepEqual(scaleBlocks([{ convs: 1, channels: 100 }], 3), [{ convs: 1, channels: 33 }]);
});

test('a width ratio that empties a block names the block and the largest ratio that works', () => {
  assert.throws(() => scaleBlocks([{ convs: 1, channels: 64 }, { convs: 1, channels: 16 }], 32), (error: Error) => {
    assert.match(error.message, /block 2 with 0 channels/);
    assert.match(error.message, /at most 16/);
    return true;
  });
  assert.throws(() => scaleBlocks(VGG11, 0), /at least 1/);
});

test('a block is its convs then one 2×2/2 max-pool, named block<n>_conv<i> and block<n>_pool', () => {
  const layers = vggBlock({ convs: 3, channels: 256 }, 3);
  assert.deepEqual(
    layers.map((l) => l.name),
    ['block3_conv1', 'block3_conv2', 'block3_conv3', 'block3_pool'],
  );
  for (const conv of layers.slice(0, 3)) {
    assert.deepEqual(conv, { ...conv, kind: 'conv', filters: 256, kernel: 3, stride: 1, padding: 'same', activation: 'relu' });
  }
  assert.deepEqual(layers[3], { kind: 'maxpool', name: 'block3_pool', size: 2, stride: 2 });
});

test('vggLayers: blocks, then flatten, two dense layers with dropout 0.5, and a linear classifier', () => {
  const layers = vggLayers([{ convs: 2, channels: 8 }, { convs: 1, channels: 16 }], { classes: 7, denseUnits: 32 });
  assert.deepEqual(
    layers.map((l) => l.name),
    ['block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1', 'block2_pool', 'flatten', 'fc1', 'dropout1', 'fc2', 'dropout2', 'fc3'],
  );
  const tail = layers.slice(-5);
  assert.deepEqual(tail, [
    { kind: 'dense', name: 'fc1', units: 32, activation: 'relu' },
    { kind: 'dropout', name: 'dropout1', rate: 0.5 },
    { kind: 'dense', name: 'fc2', units: 32, activation: 'relu' },
    { kind: 'dropout', name: 'dropout2', rate: 0.5 },
    { kind: 'dense', name: 'fc3', units: 7, activation: 'linear' },
  ]);
});

test('dense width defaults to the paper\'s 4096 and is not divided by the width ratio', () => {
  const layers = vggLayers(VGG11, { classes: 10, widthRatio: 4 });
  const dense = layers.filter((l) => l.kind === 'dense').map((l) => (l.kind === 'dense' ? l.units : 0));
  assert.deepEqual(dense, [4096, 4096, 10]);
  const filters = layers.flatMap((l) => (l.kind === 'conv' ? [l.filters] : []));
  assert.deepEqual(filters, [16, 32, 64, 64, 128, 128, 128, 128]);
});

test('vggLayers rejects blocks outside the limits, naming the block and field', () => {
  assert.throws(() => vggLayers([], { classes: 10 }), /1 to 12 blocks/);
  assert.throws(() => vggLayers([{ convs: 0, channels: 64 }], { classes: 10 }), /block 1: convs/);
  assert.throws(() => vggLayers([{ convs: 1, channels: 64 }, { convs: 1, channels: 1.5 }], { classes: 10 }), /block 2: channels/);
  assert.throws(() => vggLayers(VGG11, { classes: 0 }), /classes/);
});
