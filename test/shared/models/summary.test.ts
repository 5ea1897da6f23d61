import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveNetwork } from '../../../src-main/shared/models/presets';
import { InputTooSmallError, minimumInputSide, summarizeNetwork } from '../../../src-main/shared/models/summary';
import type { LayerSpec } from '../../../src-main/shared/models/layer-spec';

function imagenet(model: string) {
  const { name, layers } = resolveNetwork({ model }, 1000);
  return summarizeNetwork(layers, [224, 224, 3], { name });
}

test('VGG parameter counts at 224×224×3 and 1000 classes match the paper (Table 2: 133, 133, 138, 144 million)', () => {
  assert.equal(imagenet('vgg11').totalParams, 132_863_336);
  assert.equal(imagenet('vgg13').totalParams, 133_047_848);
  assert.equal(imagenet('vgg16').totalParams, 138_357_544);
  assert.equal(imagenet('vgg19').totalParams, 143_667_240);
});

test('VGG-16 at 224×224 costs about 15.47 G multiply-accumulates per image', () => {
  const { totalMacs } = imagenet('vgg16');
  assert.ok(Math.abs(totalMacs / 1e9 - 15.47) < 0.01, `got ${totalMacs}`);
});

test('per-layer arithmetic: VGG-16 block1_conv1 at 224×224×3', () => {
  const row = imagenet('vgg16').layers[0];
  assert.equal(row?.name, 'block1_conv1');
  assert.deepEqual(row?.outputShape, [224, 224, 64]);
  assert.equal(row?.params, 3 * 3 * 3 * 64 + 64);
  assert.equal(row?.macs, 224 * 224 * 64 * 3 * 3 * 3);
});

test('VGG-11 at 96×96×1 halves the side in each block: 48×48×64 … 3×3×512, then 4608 into fc1', () => {
  const { layers } = resolveNetwork({ model: 'vgg11' });
  const summary = summarizeNetwork(layers, [96, 96, 1]);
  const pools = summary.layers.filter((l) => l.name.endsWith('_pool'));
  assert.deepEqual(
    pools.map((l) => [l.name, l.outputShape]),
    [
      ['block1_pool', [48, 48, 64]],
      ['block2_pool', [24, 24, 128]],
      ['block3_pool', [12, 12, 256]],
      ['block4_pool', [6, 6, 512]],
      ['block5_pool', [3, 3, 512]],
    ],
  );
  assert.deepEqual(summary.layers.find((l) => l.name === 'flatten')?.outputShape, [3 * 3 * 512]);
});

test('AlexNet at 224×224×1 gives the book\'s shapes: 54, 26, 26, 12, 12, 12, 12, 5, then 6400', () => {
  const { layers } = resolveNetwork({ model: 'alexnet' });
  const summary = summarizeNetwork(layers, [224, 224, 1]);
  assert.deepEqual(
    summary.layers.slice(0, 9).map((l) => l.outputShape),
    [[54, 54, 96], [26, 26, 96], [26, 26, 256], [12, 12, 256], [12, 12, 384], [12, 12, 384], [12, 12, 256], [5, 5, 256], [6400]],
  );
});

test('LeNet-5 at 28×28: pad 2 keeps 28×28×6, then 14, 10, 5 and 400 into fc1', () => {
  const { layers } = resolveNetwork({ model: 'lenet5' });
  const summary = summarizeNetwork(layers, [28, 28, 1]);
  assert.deepEqual(
    summary.layers.map((l) => [l.name, l.outputShape]),
    [
      ['conv1', [28, 28, 6]],
      ['pool1', [14, 14, 6]],
      ['conv2', [10, 10, 16]],
      ['pool2', [5, 5, 16]],
      ['flatten', [400]],
      ['fc1', [120]],
      ['fc2', [84]],
      ['fc3', [10]],
    ],
  );
});

test('totals and memory add up from the rows; flatten is not counted as activation memory', () => {
  const layers: LayerSpec[] = [
    { kind: 'conv', filters: 2, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    { kind: 'maxpool', size: 2, stride: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 5, activation: 'relu' },
    { kind: 'dropout', rate: 0.5 },
  ];
  const summary = summarizeNetwork(layers, [4, 4, 1], { batchSize: 3 });
  // conv 4×4×2 = 32, pool 2×2×2 = 8, flatten 8 (not counted), dense 5, dropout 5.
  assert.equal(summary.activationsPerExample, 32 + 8 + 5 + 5);
  assert.equal(summary.activationBytes, (32 + 8 + 5 + 5) * 3 * 4);
  assert.equal(summary.totalParams, 9 * 2 + 2 + 8 * 5 + 5);
  assert.equal(summary.parameterBytes, summary.totalParams * 4);
  assert.equal(summary.totalMacs, 4 * 4 * 2 * 9 + 8 * 5);
  assert.equal(summary.batchSize, 3);
});

test('VGG on Fashion-MNIST\'s own 28×28 is refused with the size that works', () => {
  const { name, layers } = resolveNetwork({ model: 'vgg11' });
  assert.throws(
    () => summarizeNetwork(layers, [28, 28, 1], { name }),
    (error: unknown) => {
      assert.ok(error instanceof InputTooSmallError);
      assert.equal(
        error.message,
        'vgg11 needs images of at least 32×32 (5 max-pools halve the side 5 times); 28×28 gives 0×0 after block5_pool.',
      );
      assert.equal(error.minimumSide, 32);
      assert.equal(error.layerName, 'block5_pool');
      assert.deepEqual(error.suggestions, [{ field: 'resize', min: 32 }]);
      return true;
    },
  );
  assert.doesNotThrow(() => summarizeNetwork(layers, [32, 32, 1]));
  assert.throws(() => summarizeNetwork(layers, [31, 31, 1]), InputTooSmallError);
});

test('minimumInputSide: 2^blocks for a VGG, 12 for both LeNets, 67 for AlexNet', () => {
  assert.equal(minimumInputSide(resolveNetwork({ model: 'vgg16' }).layers, 3), 32);
  const threeBlocks = resolveNetwork({ model: 'vgg11', blocks: [{ convs: 1, channels: 8 }, { convs: 1, channels: 8 }, { convs: 1, channels: 8 }] });
  assert.equal(minimumInputSide(threeBlocks.layers), 8);
  // lenet: conv 5×5 valid (−4), pool /2, conv 3×3 valid (−2), pool /2 → needs 12.
  assert.equal(minimumInputSide(resolveNetwork({ model: 'lenet' }).layers), 12);
  assert.equal(minimumInputSide(resolveNetwork({ model: 'lenet5' }).layers), 12);
  // alexnet: pool3 needs 3, pool2 needs 7, pool1 needs 15, conv1 (11×11 stride 4) needs 4·14 + 11 = 67.
  const alexnet = resolveNetwork({ model: 'alexnet' }).layers;
  assert.equal(minimumInputSide(alexnet), 67);
  assert.doesNotThrow(() => summarizeNetwork(alexnet, [67, 67, 1]));
  assert.throws(() => summarizeNetwork(alexnet, [66, 66, 1], { name: 'alexnet' }), /alexnet needs images of at least 67×67 \(conv1 11×11 conv stride 4, pool1 3×3 pool stride 2/);
});

test('both LeNets work on 28×28 images as they are', () => {
  for (const model of ['lenet', 'lenet5']) {
    assert.doesNotThrow(() => summarizeNetwork(resolveNetwork({ model }).layers, [28, 28, 1]), model);
  }
});

test('lists that cannot work at any size get a structural error', () => {
  const denseOnMap: LayerSpec[] = [{ kind: 'conv', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'relu' }, { kind: 'dense', units: 4, activation: 'relu' }];
  assert.throws(() => summarizeNetwork(denseOnMap, [8, 8, 1]), /fc1 \(dense\) gets a 8×8×4 feature map: put a flatten before it/);
  const convAfterFlatten: LayerSpec[] = [{ kind: 'flatten' }, { kind: 'conv', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'relu' }];
  assert.throws(() => summarizeNetwork(convAfterFlatten, [8, 8, 1]), /conv1 \(conv\) needs a feature map but comes after flatten/);
  assert.throws(() => summarizeNetwork([], [0, 8, 1]), /input shape/);
  const twins: LayerSpec[] = [{ kind: 'flatten', name: 'x' }, { kind: 'dropout', rate: 0.1, name: 'x' }];
  assert.throws(() => summarizeNetwork(twins, [8, 8, 1]), /"x" is used twice/);
});
