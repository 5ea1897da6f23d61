import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { checkpointHandler, saveCheckpoint } from '../../../src-main/core/checkpoint/checkpoint-io';
import { sha256Hex } from '../../../src-main/core/checkpoint/sha256';
import { batches } from '../../../src-main/core/data/batches';
import { loadFashionMnistSplit, SYSTEM_FASHION_MNIST_DIR } from '../../../src-main/core/data/fashion-mnist';
import type { ImageSplit } from '../../../src-main/core/data/image-split';
import { loadCheckpointModel } from '../../../src-main/core/models/load-checkpoint-model';
import { LayerStatsProbe } from '../../../src-main/core/train/layer-stats';
import { prepareNetwork } from '../../../src-main/core/train/prepare-network';
import { fromWireJson } from '../../../src-main/api/wire-json';
import { HISTOGRAM_BINS, reluBlocks, weightedLayerNames, type LayerEpochEvent, type LayerStepEvent } from '../../../src-main/shared/train/layer-stats';
import type { LayerSpec } from '../../../src-main/shared/models/layer-spec';
import { NUM_CLASSES } from '../../../src-main/shared/data/fashion-mnist-facts';
import { trainingEventSchema } from '../../../src-main/shared/train/events';
import type { RunConfig } from '../../../src-main/shared/train/run-config';
import {
  checkpointTemplate,
  eventsOf,
  pythonLogits,
  runTrainer,
  torchMissing,
  trainerConfig,
  trainerJob,
  TORCH_PYTHON,
  TRAINER_SCRIPT,
  type TrainerRun,
} from '../../helpers/pytorch-trainer';

/**
 * The pytorch engine's trainer script (resources/pytorch/vgg_trainer.py) on
 * Debian's torch, against docs/pytorch-protocol.md: its lines, its recipe,
 * and its checkpoints crossing to tfjs and back.
 */
const skip = torchMissing();

/** LeNet-5 on 28×28: no resize, sigmoid, average pooling, an explicit pad. */
const lenet = trainerConfig({ model: 'lenet5', resize: 28, epochs: 2, batchSize: 64, lr: 0.9, momentum: 0.5, seed: 7, trainLimit: 256, testLimit: 200 });
/** A small VGG on 32×32: a resize, 'same' convolutions, max pooling, dropout and an NHWC flatten (8 × 8 × 8). */
const smallVgg = trainerConfig({
  model: 'vgg11',
  blocks: [{ convs: 1, channels: 4 }, { convs: 1, channels: 8 }],
  denseUnits: 16,
  resize: 32,
  epochs: 1,
  batchSize: 32,
  lr: 0.05,
  momentum: 0.9,
  seed: 3,
  trainLimit: 128,
  testLimit: 300,
});

const KNOWN_LINES = new Set(['event', 'checkpoint', 'evaluation', 'log']);

let dir = '';
let testSplit: ImageSplit;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vgg-trainer-'));
  testSplit = await loadFashionMnistSplit(SYSTEM_FASHION_MNIST_DIR, 'test');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** tfjs's logits for the first `count` test images, resized as the trainer does. */
function tfjsLogits(model: tf.LayersModel, config: RunConfig, count: number): number[][] {
  const [batch] = [...batches(testSplit, { batchSize: count, side: config.resize, seed: 0, epoch: 0, shuffle: false, limit: count })];
  if (!batch) throw new Error('no test batch');
  const logits = model.predict(batch.xs) as tf.Tensor;
  const values = logits.arraySync() as number[][];
  tf.dispose([logits, batch.xs, batch.ys]);
  return values;
}

function largestDifference(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.flatMap((row, i) => row.map((value, j) => Math.abs(value - b[i]![j]!))));
}

function assertCompleted(run: TrainerRun): void {
  assert.equal(run.code, 0, run.stderr);
  const done = eventsOf(run).at(-1);
  assert.equal(done?.type, 'done', JSON.stringify(run.lines.at(-1)));
  assert.equal(done?.status, 'completed');
}

describe('the pytorch trainer script', { skip }, () => {
  test('a tiny run speaks the protocol: known lines, events the schema accepts, evaluations and whole checkpoints', async () => {
    const config = lenet;
    const checkpoints = join(dir, 'lenet');
    const job = trainerJob(config, { checkpoint: { dir: checkpoints, policy: 'every', template: await checkpointTemplate(config) } });
    const run = await runTrainer(job);
    assertCompleted(run);
    for (const line of run.lines) assert.ok(KNOWN_LINES.has(String(line.type)), `unknown line ${JSON.stringify(line)}`);
    const events = eventsOf(run).map((event) => trainingEventSchema.parse(event));
    const start = events[0];
    assert.equal(start?.type, 'start');
    if (start?.type !== 'start') return;
    assert.equal(start.engine.id, 'pytorch');
    assert.equal(start.engine.backend, 'cpu');
    assert.match(start.engine.detail ?? '', /^cpu · .* · fp32$/);
    assert.deepEqual(start.config, config);
    assert.equal(start.trainSize, 256);
    assert.equal(start.testSize, 200);
    assert.equal(start.stepsPerEpoch, 4);
    assert.equal(start.params, prepareNetwork(config, NUM_CLASSES).summary.totalParams);

    const batchEvents = events.filter((e) => e.type === 'batch');
    assert.deepEqual(
      batchEvents.map((e) => e.step),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    assert.ok(batchEvents.every((e) => Number.isFinite(e.loss) && e.imagesPerSec > 0));
    const epochs = events.filter((e) => e.type === 'epoch');
    assert.deepEqual(
      epochs.map((e) => e.epoch),
      [0, 1],
    );
    // Layer statistics at the default interval, ceil(4 steps / 50) = every step, each right after its batch event;
    // the epoch's right after the epoch event. LeNet-5's sigmoids have no dead units to count.
    const layerSteps = events.filter((e) => e.type === 'layerStep');
    assert.deepEqual(
      layerSteps.map((e) => e.step),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    for (const e of layerSteps) {
      const before = events[events.indexOf(e) - 1];
      assert.ok(before?.type === 'batch' && before.step === e.step, `layerStep ${e.step} follows its batch event`);
    }
    const layerEpochs = events.filter((e) => e.type === 'layerEpoch');
    assert.deepEqual(
      layerEpochs.map((e) => [events[events.indexOf(e) - 1]?.type, e.epoch, e.dead]),
      [
        ['epoch', 0, []],
        ['epoch', 1, []],
      ],
    );

    const evaluations = run.lines.filter((line) => line.type === 'evaluation');
    assert.equal(evaluations.length, 2);
    evaluations.forEach((evaluation, i) => {
      const confusion = evaluation.confusion as number[][];
      assert.equal(confusion.length, NUM_CLASSES);
      assert.equal(confusion.flat().reduce((a, b) => a + b, 0), 200);
      const correct = confusion.reduce((sum, row, k) => sum + row[k]!, 0);
      assert.equal(correct / 200, epochs[i]!.testAcc);
    });

    const written = run.lines.filter((line) => line.type === 'checkpoint');
    assert.deepEqual(
      written.map((line) => line.epoch),
      [0, 1],
    );
    for (const line of written) {
      const file = readFileSync(String(line.path));
      assert.equal(line.bytes, file.length);
      assert.equal(line.sha256, sha256Hex(file));
      // After that epoch's event and its evaluation.
      const index = run.lines.indexOf(line);
      assert.equal(run.lines[index - 1]?.type, 'evaluation');
    }
    assert.equal(String(written[1]?.path), join(checkpoints, 'epoch-1.ckpt'));
  });

  test("its checkpoint loads in tfjs and predicts what the script's network predicts", async () => {
    const config = smallVgg;
    const checkpoints = join(dir, 'vgg-to-tfjs');
    const job = trainerJob(config, { checkpoint: { dir: checkpoints, policy: 'last', template: await checkpointTemplate(config) } });
    const run = await runTrainer(job);
    assertCompleted(run);
    const path = join(checkpoints, 'epoch-0.ckpt');
    const model = await loadCheckpointModel(checkpointHandler(path));
    try {
      const ours = tfjsLogits(model, config, 32);
      const theirs = pythonLogits(job, path, 32);
      assert.ok(largestDifference(ours, theirs) < 1e-4, `logits differ by ${largestDifference(ours, theirs)}`);
      // The run's recorded test accuracy, reproduced by tfjs on the same images.
      const all = tfjsLogits(model, config, 300);
      const labels = testSplit.labels.subarray(0, 300);
      const accuracy = all.filter((row, i) => row.indexOf(Math.max(...row)) === labels[i]).length / 300;
      const epoch = eventsOf(run).find((e) => e.type === 'epoch');
      assert.ok(Math.abs(accuracy - Number(epoch?.testAcc)) <= 0.002, `tfjs ${accuracy}, script ${String(epoch?.testAcc)}`);
    } finally {
      model.dispose();
    }
  });

  test('a tfjs checkpoint loads in the script: the same predictions, and a resumed run starts after its epoch', async () => {
    const config = smallVgg;
    const network = prepareNetwork(config, NUM_CLASSES);
    const optimizer = tf.train.momentum(config.lr, config.momentum);
    network.model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    // Two steps, so the momentum slots hold something to carry over.
    const [batch] = [...batches(testSplit, { batchSize: 32, side: config.resize, seed: 0, epoch: 0, limit: 32 })];
    for (let i = 0; i < 2; i++) {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(batch!.ys, NUM_CLASSES), network.model.apply(batch!.xs) as tf.Tensor) as tf.Scalar);
    }
    const path = join(dir, 'from-tfjs', 'epoch-0.ckpt');
    const file = await saveCheckpoint(network.model, path);
    try {
      const job = trainerJob(config);
      const ours = tfjsLogits(network.model, config, 32);
      const theirs = pythonLogits(job, path, 32);
      assert.ok(largestDifference(ours, theirs) < 1e-4, `logits differ by ${largestDifference(ours, theirs)}`);
    } finally {
      tf.dispose([batch!.xs, batch!.ys]);
      network.model.dispose();
      optimizer.dispose();
    }

    const resumed = await runTrainer(trainerJob({ ...config, epochs: 2 }, { resume: { path, sha256: file.sha256, epoch: 0 } }));
    assertCompleted(resumed);
    const events = eventsOf(resumed).map((event) => trainingEventSchema.parse(event));
    const start = events[0];
    assert.equal(start?.type === 'start' ? start.firstEpoch : undefined, 1);
    assert.deepEqual(
      events.filter((e) => e.type === 'epoch').map((e) => e.epoch),
      [1],
    );
    assert.equal(events.find((e) => e.type === 'batch')?.type === 'batch' ? events.find((e) => e.type === 'batch')!.step : -1, 4);

    // A hash that differs from the file's is refused, naming the reason.
    const tampered = await runTrainer(trainerJob({ ...config, epochs: 2 }, { resume: { path, sha256: '0'.repeat(64), epoch: 0 } }));
    const error = eventsOf(tampered).find((e) => e.type === 'error');
    assert.match(String(error?.message), /SHA-256 differs/);
  });

  test('resuming its own checkpoint continues the loss curve: weights and momentum both carried', async () => {
    const config = lenet;
    const template = await checkpointTemplate(config);
    const whole = await runTrainer(trainerJob(config, { checkpoint: { dir: join(dir, 'whole'), policy: 'every', template } }));
    assertCompleted(whole);
    const first = whole.lines.find((line) => line.type === 'checkpoint' && line.epoch === 0);
    const resumed = await runTrainer(trainerJob(config, { resume: { path: String(first?.path), sha256: String(first?.sha256), epoch: 0 } }));
    assertCompleted(resumed);
    const lossOf = (run: TrainerRun) => eventsOf(run).filter((e) => e.type === 'batch' && e.epoch === 1).map((e) => Number(e.loss));
    const [a, b] = [lossOf(whole), lossOf(resumed)];
    assert.equal(a.length, 4);
    a.forEach((loss, i) => assert.ok(Math.abs(loss - b[i]!) < 1e-5, `step ${i} of epoch 1: ${loss} uninterrupted, ${b[i]} resumed`));
  });

  test('a warm start copies the layers of the same name and shape and says which', async () => {
    const source = trainerConfig({ ...smallVgg, denseUnits: 24 });
    const sourceRun = await runTrainer(
      trainerJob(source, { checkpoint: { dir: join(dir, 'source'), policy: 'last', template: await checkpointTemplate(source) } }),
    );
    assertCompleted(sourceRun);
    const written = sourceRun.lines.find((line) => line.type === 'checkpoint');
    const run = await runTrainer(
      trainerJob(smallVgg, { warmStart: { runId: 'run-a', path: String(written?.path), sha256: String(written?.sha256), epoch: 0 } }),
    );
    assertCompleted(run);
    const start = trainingEventSchema.parse(eventsOf(run)[0]);
    assert.equal(start.type, 'start');
    if (start.type !== 'start') return;
    // The convolutions match; fc1 and fc2 changed width with the dense units, so fc1, fc2 and fc3's inputs differ.
    assert.deepEqual(start.warmStart, { fromRun: 'run-a', epoch: 0, copied: ['block1_conv1', 'block2_conv1'], fresh: ['fc1', 'fc2', 'fc3'] });
  });

  test('precision bf16 trains under autocast where the device has it, and the engine detail says so', async () => {
    const run = await runTrainer({ ...trainerJob(trainerConfig({ ...lenet, epochs: 1, trainLimit: 128, testLimit: 64 })), precision: 'bf16' });
    assertCompleted(run);
    const start = trainingEventSchema.parse(eventsOf(run)[0]);
    assert.match(start.type === 'start' ? (start.engine.detail ?? '') : '', / · bf16$/);
    const epoch = eventsOf(run).find((e) => e.type === 'epoch');
    assert.ok(Number.isFinite(Number(epoch?.loss)));
  });

  test('cancel ends the run within a batch, with done cancelled and exit 0', async () => {
    const config = trainerConfig({ ...lenet, epochs: 1, batchSize: 16, trainLimit: 2048 });
    let sent = false;
    const run = await runTrainer(trainerJob(config), {
      onLine: (line, stdin) => {
        const event = line.event as { type?: string } | undefined;
        if (!sent && event?.type === 'batch') {
          sent = true;
          stdin.write('{"type":"cancel"}\n');
        }
      },
    });
    assert.equal(run.code, 0, run.stderr);
    const events = eventsOf(run);
    assert.deepEqual(events.at(-1) && { type: events.at(-1)!.type, status: events.at(-1)!.status }, { type: 'done', status: 'cancelled' });
    const batchCount = events.filter((e) => e.type === 'batch').length;
    assert.ok(batchCount < 10, `${batchCount} batches after a cancel sent at the first of 128`);
  });

  test('the end of stdin (the parent died) ends it at once with exit 1', async () => {
    const config = trainerConfig({ ...lenet, epochs: 50, trainLimit: 2048 });
    const startedAt = Date.now();
    const run = await runTrainer(trainerJob(config), {
      onLine: (line, stdin) => {
        if ((line.event as { type?: string } | undefined)?.type === 'batch') stdin.end();
      },
      timeoutMs: 60_000,
    });
    assert.equal(run.code, 1);
    assert.ok(!eventsOf(run).some((e) => e.type === 'done'));
    assert.ok(Date.now() - startedAt < 50_000);
  });

  test('layer statistics: every conv and dense layer at the interval asked, histograms and dead units per epoch, none when off', async () => {
    // 128 images at batch 32: 4 steps an epoch; every 3 steps over 2 epochs is 0, 3, 6.
    const config = trainerConfig({ ...smallVgg, epochs: 2, layerStats: 3 });
    const job = trainerJob(config);
    const layers = job.layers as LayerSpec[];
    const names = weightedLayerNames(layers);
    assert.deepEqual(names, ['block1_conv1', 'block2_conv1', 'fc1', 'fc2', 'fc3']);
    const run = await runTrainer(job);
    assertCompleted(run);
    const events = eventsOf(run).map((event) => trainingEventSchema.parse(event));
    const steps = events.filter((e): e is LayerStepEvent => e.type === 'layerStep');
    assert.deepEqual(
      steps.map((e) => [e.epoch, e.step]),
      [
        [0, 0],
        [0, 3],
        [1, 6],
      ],
    );
    for (const e of steps) {
      assert.deepEqual(e.layers.map((l) => l.layer), names);
      for (const l of e.layers) {
        assert.ok(Number.isFinite(l.gradNorm) && l.gradNorm > 0 && l.weightNorm > 0, `${l.layer}: ${JSON.stringify(l)}`);
        assert.ok(Math.abs(l.updateRatio - (config.lr * l.gradNorm) / l.weightNorm) < 1e-12);
      }
    }
    const epochs = events.filter((e): e is LayerEpochEvent => e.type === 'layerEpoch');
    assert.deepEqual(epochs.map((e) => e.epoch), [0, 1]);
    const summary = prepareNetwork(config, NUM_CLASSES);
    summary.model.dispose();
    for (const e of epochs) {
      assert.deepEqual(e.histograms.map((h) => h.layer), names);
      for (const h of e.histograms) {
        const row = summary.summary.layers.find((r) => r.name === h.layer)!;
        assert.equal(h.counts.length, HISTOGRAM_BINS);
        assert.equal(h.counts.reduce((a, b) => a + b, 0), row.params - (row.outputShape.at(-1) as number), `${h.layer}: every kernel weight in one bin`);
        assert.ok(h.min < 0 && h.max > 0 && h.counts[0]! > 0 && h.counts[HISTOGRAM_BINS - 1]! > 0, `${h.layer}: its min and max in the end bins`);
      }
      assert.deepEqual(e.dead.map((d) => d.block), ['block1', 'block2', 'dense']);
      for (const d of e.dead) assert.ok(d.fraction > 0 && d.fraction < 1, `${d.block} ${d.fraction}`);
    }

    // The dead-unit probe is the first 64 test images whatever the run's test set: 10 images change nothing but the test.
    const fewer = await runTrainer(trainerJob({ ...config, testLimit: 10 }));
    assertCompleted(fewer);
    const layerEvents = (list: Record<string, unknown>[]) =>
      list.filter((e) => e.type === 'layerStep' || e.type === 'layerEpoch').map(({ time: _time, ...rest }) => rest);
    assert.deepEqual(layerEvents(eventsOf(fewer)), layerEvents(events));

    const off = await runTrainer(trainerJob(trainerConfig({ ...lenet, epochs: 1, trainLimit: 128, layerStats: 'off' })));
    assertCompleted(off);
    assert.deepEqual(eventsOf(off).filter((e) => e.type === 'layerStep' || e.type === 'layerEpoch'), []);
  });

  test("its histograms bin as tfjs's do and its ReLUs fall in reluBlocks's blocks, for every preset", async () => {
    const config = trainerConfig({ model: 'lenet', resize: 28, epochs: 1, batchSize: 64, lr: 0.1 });
    const network = prepareNetwork(config, NUM_CLASSES);
    try {
      const names = weightedLayerNames(network.layers);
      // conv1 constant (min == max: every weight in the first bin); conv2 on the bin edges, its max 1 exactly: k/32 for
      // k = -32..32 repeated, 16 to a unit, so the last bin holds 31, 31.5 and 32 of each of the 138 whole cycles.
      // fc1 and fc2 keep their Glorot draws.
      const conv1 = network.model.getLayer('conv1').getWeights();
      network.model.getLayer('conv1').setWeights([tf.fill(conv1[0]!.shape, 0.125), conv1[1]!]);
      const conv2 = network.model.getLayer('conv2').getWeights();
      const edges = Array.from({ length: conv2[0]!.size }, (_, i) => ((i % 65) - 32) / 32);
      network.model.getLayer('conv2').setWeights([tf.tensor(edges, conv2[0]!.shape), conv2[1]!]);
      const theirs = await new LayerStatsProbe(network.model, network.layers, 1, config.lr).histograms();
      const kernels = names.map((name) => Array.from(network.model.getLayer(name).getWeights()[0]!.dataSync()));

      const presets = [
        trainerConfig({ model: 'vgg11', widthRatio: 16, denseUnits: 16, resize: 32, epochs: 1, batchSize: 8, lr: 0.1 }),
        trainerConfig({ model: 'vgg19', widthRatio: 16, denseUnits: 16, resize: 32, epochs: 1, batchSize: 8, lr: 0.1 }),
        config,
        trainerConfig({ model: 'lenet5', resize: 28, epochs: 1, batchSize: 8, lr: 0.1 }),
        trainerConfig({ model: 'alexnet', widthRatio: 16, denseUnits: 16, resize: 224, epochs: 1, batchSize: 8, lr: 0.1 }),
      ].map((c) => ({ layers: trainerJob(c).layers as LayerSpec[], side: c.resize }));
      const request = { networks: presets, kernels, divisions: [[1, 0], [0, 0], [0.5, 2]] };
      const helper = fileURLToPath(new URL('./layer-stats-parts.py', import.meta.url));
      const result = spawnSync(TORCH_PYTHON, [helper, TRAINER_SCRIPT], { input: `${JSON.stringify(request)}\n`, encoding: 'utf8', maxBuffer: 1 << 26 });
      assert.equal(result.status, 0, result.stderr);
      const ours = fromWireJson(result.stdout) as {
        relus: [string, string][][];
        weighted: string[][];
        histograms: { min: number; max: number; counts: number[] }[];
        divisions: number[];
      };

      assert.deepEqual(ours.histograms, theirs.map(({ layer: _layer, ...rest }) => rest));
      assert.deepEqual(ours.histograms[0]!.counts.slice(0, 2), [500, 0]);
      assert.deepEqual([ours.histograms[1]!.min, ours.histograms[1]!.max, ours.histograms[1]!.counts.at(-1)], [-1, 1, Math.floor(9000 / 65) * 3]);
      presets.forEach(({ layers }, i) => {
        assert.deepEqual(ours.relus[i], reluBlocks(layers).map(({ layer, block }) => [layer, block]), `preset ${i}`);
        assert.deepEqual(ours.weighted[i], weightedLayerNames(layers));
      });
      // AlexNet: a block is what ends at a pooling layer, so its three convolutions after the second pool are block3.
      assert.deepEqual(ours.relus[4]!.map(([, block]) => block), ['block1', 'block2', 'block3', 'block3', 'block3', 'dense', 'dense']);
      // lr·|g|/|w| with |w| = 0 is what JavaScript's division gives, not an exception.
      assert.deepEqual(ours.divisions, [Infinity, NaN, 0.25]);
    } finally {
      network.model.dispose();
    }
  });

  test('a job it cannot run becomes an error event that names the field or file and the fix', async () => {
    const missing = trainerJob(lenet);
    (missing.data as Record<string, string>).trainImages = join(dir, 'nowhere-images-idx3-ubyte');
    const run = await runTrainer(missing);
    assert.equal(run.code, 0, run.stderr);
    const error = trainingEventSchema.parse(eventsOf(run).at(-1));
    assert.equal(error.type, 'error');
    assert.match(error.type === 'error' ? error.message : '', /nowhere-images-idx3-ubyte/);

    const wrongProtocol = await runTrainer({ ...trainerJob(lenet), protocol: 99 });
    assert.match(String(eventsOf(wrongProtocol).at(-1)?.message), /job\.protocol is 99/);

    const noDevice = await runTrainer({ ...trainerJob(lenet), device: existsSync('/dev/nvidia0') ? 'xpu' : 'cuda' });
    assert.match(String(eventsOf(noDevice).at(-1)?.message), /is not available to torch .*choose --device auto/);
  });
});
