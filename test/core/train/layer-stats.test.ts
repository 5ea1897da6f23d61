import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { train } from '../../../src-main/core/train/trainer';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import type { TrainingEvent } from '../../../src-main/shared/train/events';
import { HISTOGRAM_BINS, layerStatsInterval, reluBlocks, weightedLayerNames } from '../../../src-main/shared/train/layer-stats';
import { resolveNetwork } from '../../../src-main/shared/models/presets';
import { summarizeNetwork } from '../../../src-main/shared/models/summary';
import { selectEngine } from '../../../src-main/core/engine/engines';
import { realFashionMnist } from '../../helpers/fashion-mnist';
import { buildModel } from '../../../src-main/core/models/build';
import { histogramOf, LayerStatsProbe } from '../../../src-main/core/train/layer-stats';

const byType = <T extends TrainingEvent['type']>(events: TrainingEvent[], type: T) =>
  events.filter((e): e is Extract<TrainingEvent, { type: T }> => e.type === type);

async function run(config: ReturnType<typeof makeRunConfig>, threads = 1) {
  const dataset = await realFashionMnist();
  const engine = await selectEngine('wasm', { threads });
  const events: TrainingEvent[] = [];
  const before = tf.memory().numTensors;
  const result = await train({ config, dataset, engine, onEvent: (e) => events.push(e) });
  assert.equal(result.status, 'completed', JSON.stringify(byType(events, 'error')));
  assert.equal(tf.memory().numTensors, before, 'no tensor leak');
  return { engine, events };
}

test('the default interval gives about 50 points per layer per epoch, at least one batch apart', () => {
  assert.equal(layerStatsInterval(undefined, 469), 10);
  assert.equal(layerStatsInterval(undefined, 16), 1);
  assert.equal(layerStatsInterval(7, 469), 7);
  assert.equal(layerStatsInterval('off', 469), undefined);
});

test('a small VGG records every conv and dense layer at the interval asked, and histograms and dead units per epoch', async () => {
  // 8 steps per epoch at batch 32; every 3 batches: steps 0, 3, 6, then 9, 12, 15 in epoch 1.
  const config = makeRunConfig({ model: 'vgg11', widthRatio: 16, denseUnits: 32, resize: 32, epochs: 2, batchSize: 32, lr: 0.05, trainLimit: 256, testLimit: 64, seed: 3, layerStats: 3 });
  const { events } = await run(config);
  const network = resolveNetwork(config, 10);
  const names = weightedLayerNames(network.layers);
  assert.equal(names.length, 11, 'VGG-11: 8 conv + 3 dense');
  const steps = byType(events, 'layerStep');
  assert.deepEqual(steps.map((e) => e.step), [0, 3, 6, 9, 12, 15]);
  // Each follows the batch event of its step.
  for (const e of steps) {
    const i = events.indexOf(e);
    const batch = events[i - 1];
    assert.ok(batch?.type === 'batch' && batch.step === e.step, `layerStep ${e.step} comes right after its batch`);
  }
  for (const e of steps) {
    assert.deepEqual(e.layers.map((l) => l.layer), names);
    for (const l of e.layers) {
      assert.ok(Number.isFinite(l.gradNorm) && l.gradNorm > 0, `${l.layer} gradient norm ${l.gradNorm}`);
      assert.ok(l.weightNorm > 0);
      assert.ok(Math.abs(l.updateRatio - (0.05 * l.gradNorm) / l.weightNorm) < 1e-12);
    }
  }
  // The weight norm of the first step is the initial weights': Glorot uniform, zero bias.
  const summary = summarizeNetwork(network.layers, [32, 32, 1]);
  const epochs = byType(events, 'layerEpoch');
  assert.deepEqual(epochs.map((e) => e.epoch), [0, 1]);
  for (const e of epochs) {
    assert.deepEqual(e.histograms.map((h) => h.layer), names);
    for (const h of e.histograms) {
      assert.equal(h.counts.length, HISTOGRAM_BINS);
      const row = summary.layers.find((r) => r.name === h.layer);
      assert.ok(row, `summary row ${h.layer}`);
      // Kernel only: params minus the bias (one per filter or unit).
      assert.equal(h.counts.reduce((a, b) => a + b, 0), row.params - (row.outputShape.at(-1) as number), `${h.layer}: every kernel weight in one bin`);
      assert.ok(h.min < 0 && h.max > 0);
    }
    assert.deepEqual(e.dead.map((d) => d.block), ['block1', 'block2', 'block3', 'block4', 'block5', 'dense']);
    for (const d of e.dead) assert.ok(d.fraction >= 0 && d.fraction <= 1, `${d.block} ${d.fraction}`);
  }
  assert.equal(reluBlocks(network.layers).length, 10, '8 conv + 2 hidden dense are ReLU');
});

test('off records none', async () => {
  const config = makeRunConfig({ model: 'lenet', epochs: 1, batchSize: 64, trainLimit: 128, testLimit: 64, layerStats: 'off' });
  const { events } = await run(config);
  assert.equal(byType(events, 'layerStep').length + byType(events, 'layerEpoch').length, 0);
});

test('with 2 data-parallel replicas the gradient norm is that of the summed gradient the step applies', async () => {
  // LeNet has no dropout, so the first step's gradient is the same batch's on 1 and on 2 replicas.
  const config = makeRunConfig({ model: 'lenet', epochs: 1, batchSize: 64, lr: 0.02, trainLimit: 128, testLimit: 64, seed: 1, layerStats: 1 });
  const one = await run(config, 1);
  const two = await run(config, 2);
  assert.equal(two.engine.replicas, 2);
  const first = (events: TrainingEvent[]) => byType(events, 'layerStep')[0]!.layers;
  for (const [i, l] of first(one.events).entries()) {
    const other = first(two.events)[i]!;
    assert.equal(other.layer, l.layer);
    assert.ok(Math.abs(other.gradNorm - l.gradNorm) <= 1e-4 * l.gradNorm, `${l.layer}: ${other.gradNorm} on 2 replicas, ${l.gradNorm} on 1`);
    assert.ok(Math.abs(other.weightNorm - l.weightNorm) <= 1e-6 * l.weightNorm);
  }
});

test('the histogram counted on the engine is the one counted in JavaScript (the fallback for an engine without Bincount)', async () => {
  await selectEngine('wasm', { threads: 1 });
  const network = resolveNetwork({ model: 'vgg11', widthRatio: 16, denseUnits: 32 }, 10);
  const model = buildModel(network.layers, [32, 32, 1], { seed: 5 });
  try {
    const probe = new LayerStatsProbe(model, network.layers, 1, 0.05);
    const histograms = await probe.histograms();
    for (const h of histograms) {
      const kernel = model.getLayer(h.layer).getWeights()[0]!;
      const mine = histogramOf(h.layer, kernel.dataSync());
      assert.equal(mine.min, h.min);
      assert.equal(mine.max, h.max);
      // Float32 on the engine and float64 here may put a weight on a bin edge on either side.
      const moved = mine.counts.reduce((sum, c, i) => sum + Math.abs(c - h.counts[i]!), 0);
      assert.ok(moved <= 2, `${h.layer}: ${moved} weights in other bins`);
      assert.equal(mine.counts.reduce((a, b) => a + b, 0), kernel.size);
    }
  } finally {
    model.dispose();
  }
});
