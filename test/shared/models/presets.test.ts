import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, PRESET_IDS, findPreset, resolveNetwork } from '../../../src-main/shared/models/presets';
import { vggLayers } from '../../../src-main/shared/models/vgg';

test('the table holds VGG-11/13/16/19 and the three baselines, ids unique', () => {
  assert.deepEqual([...PRESET_IDS].sort(), ['alexnet', 'lenet', 'lenet5', 'vgg11', 'vgg13', 'vgg16', 'vgg19']);
  assert.equal(new Set(PRESET_IDS).size, PRESETS.length);
});

test('VGG presets count their convs as the paper names them (11, 13, 16, 19 weight layers = convs + 3 dense)', () => {
  for (const [id, depth] of [['vgg11', 11], ['vgg13', 13], ['vgg16', 16], ['vgg19', 19]] as const) {
    const preset = findPreset(id);
    assert.equal(preset.family, 'vgg');
    if (preset.family !== 'vgg') continue;
    const convs = preset.blocks.reduce((sum, b) => sum + b.convs, 0);
    assert.equal(convs + 3, depth, id);
  }
});

test('VGG defaults follow the chapter: batch 64, resize 96, lr 0.05, dense 4096', () => {
  const { defaults } = findPreset('vgg11');
  assert.equal(defaults.batchSize, 64);
  assert.equal(defaults.resize, 96);
  assert.equal(defaults.lr, 0.05);
  assert.equal(defaults.denseUnits, 4096);
});

test('every preset resolves to a network whose classifier has `classes` units', () => {
  for (const id of PRESET_IDS) {
    const { layers } = resolveNetwork({ model: id }, 3);
    const last = layers[layers.length - 1];
    assert.equal(last?.kind, 'dense', id);
    if (last?.kind === 'dense') assert.equal(last.units, 3, id);
  }
});

test('resolveNetwork does not change the preset table when it resizes the classifier', () => {
  resolveNetwork({ model: 'lenet' }, 2);
  const preset = findPreset('lenet');
  assert.equal(preset.family, 'fixed');
  if (preset.family === 'fixed') assert.deepEqual(preset.layers[preset.layers.length - 1], { kind: 'dense', units: 10, activation: 'linear' });
});

test('an unknown model is an error that lists the valid ones', () => {
  assert.throws(() => resolveNetwork({ model: 'vgg12' }), (error: Error) => {
    assert.match(error.message, /unknown model "vgg12"/);
    for (const id of PRESET_IDS) assert.ok(error.message.includes(id), id);
    return true;
  });
});

test('blocks, width ratio and dense units apply to the VGG family and show in the name', () => {
  const blocks = [{ convs: 1, channels: 32 }, { convs: 2, channels: 64 }];
  const network = resolveNetwork({ model: 'vgg11', blocks, widthRatio: 2, denseUnits: 256 }, 10);
  assert.deepEqual(network.layers, vggLayers(blocks, { classes: 10, widthRatio: 2, denseUnits: 256 }));
  assert.equal(network.name, 'vgg11 [1x32,2x64] width/2 dense 256');
  assert.equal(resolveNetwork({ model: 'vgg16', widthRatio: 1 }).name, 'vgg16');
});

test('blocks, width ratio or dense units on a fixed network are refused, not ignored', () => {
  assert.throws(() => resolveNetwork({ model: 'lenet', blocks: [{ convs: 1, channels: 8 }] }), /only VGG models take blocks \(--arch\); lenet is a fixed network.*vgg11/);
  assert.throws(() => resolveNetwork({ model: 'lenet', widthRatio: 4 }), /only VGG models take width ratio; lenet is a fixed network \(alexnet takes them too\)/);
  assert.throws(() => resolveNetwork({ model: 'lenet5', denseUnits: 64 }), /only VGG models take dense units;/);
  assert.throws(() => resolveNetwork({ model: 'alexnet', blocks: [{ convs: 1, channels: 8 }] }), /only VGG models take blocks/);
});

test('AlexNet takes a width ratio like the chapter’s VGG: filters // ratio, hidden dense layers as asked, 10 classes kept', () => {
  const book = resolveNetwork({ model: 'alexnet' });
  const narrow = resolveNetwork({ model: 'alexnet', widthRatio: 8, denseUnits: 512 });
  assert.equal(narrow.name, 'alexnet width/8 dense 512');
  const widths = (layers: typeof book.layers): number[] =>
    layers.flatMap((l) => (l.kind === 'conv' ? [l.filters] : l.kind === 'dense' ? [l.units] : []));
  assert.deepEqual(widths(book.layers), [96, 256, 384, 384, 256, 4096, 4096, 10]);
  assert.deepEqual(widths(narrow.layers), [12, 32, 48, 48, 32, 512, 512, 10]);
  assert.throws(() => resolveNetwork({ model: 'alexnet', widthRatio: 97 }), /leaves layer 1 with 0 filters/);
  assert.equal(resolveNetwork({ model: 'lenet5', widthRatio: 1 }).name, 'lenet5');
});
