import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCheckpoint } from '../../src-main/core/checkpoint/checkpoint-io';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import { RunStore } from '../../src-main/core/store/run-store';
import { prepareNetwork } from '../../src-main/core/train/prepare-network';
import { executeRun } from '../../src-main/worker/execute-run';
import { NUM_CLASSES } from '../../src-main/shared/data/fashion-mnist-facts';
import { resolveNetwork } from '../../src-main/shared/models/presets';
import { summarizeNetwork } from '../../src-main/shared/models/summary';
import { makeRunConfig } from '../../src-main/shared/train/make-run-config';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import { HISTOGRAM_BINS, reluBlocks, weightedLayerNames, type LayerEpochEvent, type LayerStepEvent } from '../../src-main/shared/train/layer-stats';
import type { RunConfigInput } from '../../src-main/shared/train/run-config';
import type { FromWorker, RunMessage } from '../../src-main/worker/protocol';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { torchMissing } from '../helpers/pytorch-trainer';

/**
 * The pytorch engine's layer statistics (docs/pytorch-protocol.md, "Layer
 * statistics") against the tfjs engine's: both runs start from the same
 * weights (a warm start from one checkpoint) and see the same batches, so the
 * first sampled step measures the same gradients of the same weights.
 */
const skip = torchMissing();

/** The book's LeNet: ReLU, max pooling, no dropout (a dropout mask would differ between engines), 28×28, 4 steps. */
const RUN: Omit<RunConfigInput, 'engine'> = {
  model: 'lenet',
  resize: 28,
  epochs: 1,
  batchSize: 64,
  lr: 0.1,
  momentum: 0.9,
  seed: 5,
  trainLimit: 256,
  testLimit: 100,
  layerStats: 2,
  initFrom: 'init',
};

async function run(request: Omit<RunMessage, 'type' | 'runId' | 'datasetDir'>): Promise<TrainingEvent[]> {
  const messages: FromWorker[] = [];
  const outcome = await executeRun({ type: 'run', runId: 'r', datasetDir: REAL_DATA_DIR, ...request }, new AbortController().signal, (m) => messages.push(m));
  const events = messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
  assert.equal(outcome.status, 'completed', JSON.stringify(events.find((e) => e.type === 'error')));
  return events;
}

const stepsOf = (events: TrainingEvent[]) => events.filter((e): e is LayerStepEvent => e.type === 'layerStep');
const epochsOf = (events: TrainingEvent[]) => events.filter((e): e is LayerEpochEvent => e.type === 'layerEpoch');
const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

test('from the same weights the pytorch engine measures what tfjs measures, and the store records it', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vgg-layer-stats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const wasmConfig = makeRunConfig({ ...RUN, engine: 'wasm', threads: 1 });
  const torchConfig = makeRunConfig({ ...RUN, engine: 'pytorch', threads: 1, device: 'cpu' });
  const network = prepareNetwork(wasmConfig, NUM_CLASSES);
  const file = await saveCheckpoint(network.model, join(dir, 'init.ckpt'), { includeOptimizer: false });
  network.model.dispose();
  const warmStart = { runId: 'init', path: file.path, sha256: file.sha256, epoch: 0 };

  const tfjs = await run({ config: wasmConfig, warmStart });
  const torch = await run({ config: torchConfig, warmStart });
  const layers = resolveNetwork(wasmConfig, NUM_CLASSES).layers;
  const names = weightedLayerNames(layers);
  for (const events of [tfjs, torch]) {
    const start = events[0];
    assert.deepEqual(start?.type === 'start' ? start.warmStart?.copied : undefined, names, 'every layer starts from the checkpoint');
  }

  // 256 images at batch 64 are 4 steps; every 2: steps 0 and 2, each right after its batch event; the epoch's right after the epoch event.
  for (const events of [tfjs, torch]) {
    assert.deepEqual(stepsOf(events).map((e) => e.step), [0, 2]);
    for (const e of stepsOf(events)) {
      const before = events[events.indexOf(e) - 1];
      assert.ok(before?.type === 'batch' && before.step === e.step, `layerStep ${e.step} follows its batch event`);
      assert.deepEqual(e.layers.map((l) => l.layer), names);
    }
    assert.deepEqual(epochsOf(events).map((e) => e.epoch), [0]);
    assert.equal(events[events.indexOf(epochsOf(events)[0]!) - 1]?.type, 'epoch');
  }

  const [ours, theirs] = [stepsOf(torch)[0]!, stepsOf(tfjs)[0]!];
  const report: string[] = [];
  ours.layers.forEach((mine, i) => {
    const other = theirs.layers[i]!;
    const weight = relative(mine.weightNorm, other.weightNorm);
    const grad = relative(mine.gradNorm, other.gradNorm);
    report.push(`${mine.layer}: weightNorm ${mine.weightNorm} vs ${other.weightNorm} (${weight.toExponential(1)}), gradNorm ${mine.gradNorm} vs ${other.gradNorm} (${grad.toExponential(1)})`);
    assert.ok(mine.gradNorm > 0 && mine.weightNorm > 0, `${mine.layer}: ${JSON.stringify(mine)}`);
    // The same weights before the update, the same batch through them. What differs is float32 summation:
    // tfjs (wasm) adds fc1's 160,000 squares one by one (1e-5 off the float64 norm), torch pairwise.
    assert.ok(weight < 1e-4, `${mine.layer}: weight norms differ by ${weight}`);
    assert.ok(grad < 1e-3, `${mine.layer}: gradient norms differ by ${grad}`);
    assert.ok(Math.abs(mine.updateRatio - (0.1 * mine.gradNorm) / mine.weightNorm) < 1e-12);
  });
  // Two momentum updates later the engines still agree: the same step, the same state.
  stepsOf(torch)[1]!.layers.forEach((mine, i) => {
    const other = stepsOf(tfjs)[1]!.layers[i]!;
    report.push(`step 2 ${mine.layer}: weightNorm ${relative(mine.weightNorm, other.weightNorm).toExponential(1)}, gradNorm ${relative(mine.gradNorm, other.gradNorm).toExponential(1)}`);
    assert.ok(relative(mine.weightNorm, other.weightNorm) < 1e-3 && relative(mine.gradNorm, other.gradNorm) < 1e-3, `step 2 ${mine.layer}: ${JSON.stringify(mine)} vs ${JSON.stringify(other)}`);
  });

  const summary = summarizeNetwork(layers, [28, 28, 1]);
  const [mine, other] = [epochsOf(torch)[0]!, epochsOf(tfjs)[0]!];
  assert.deepEqual(mine.histograms.map((h) => h.layer), names);
  mine.histograms.forEach((h, i) => {
    const row = summary.layers.find((r) => r.name === h.layer)!;
    assert.equal(h.counts.length, HISTOGRAM_BINS);
    assert.equal(h.counts.reduce((a, b) => a + b, 0), row.params - (row.outputShape.at(-1) as number), `${h.layer}: every kernel weight in one bin`);
    // Four steps from the same weights: the range barely moves apart.
    const them = other.histograms[i]!;
    assert.ok(relative(h.min, them.min) < 1e-4 && relative(h.max, them.max) < 1e-4, `${h.layer}: [${h.min}, ${h.max}] vs [${them.min}, ${them.max}]`);
    // The same bins, give or take a weight that rounding moved across an edge.
    const moved = h.counts.reduce((sum, c, k) => sum + Math.abs(c - them.counts[k]!), 0);
    report.push(`${h.layer}: range ${relative(h.min, them.min).toExponential(1)} / ${relative(h.max, them.max).toExponential(1)}, ${moved} counts apart`);
    assert.ok(moved <= 4, `${h.layer}: ${JSON.stringify(h.counts)} vs ${JSON.stringify(them.counts)}`);
  });
  assert.deepEqual(reluBlocks(layers).map((r) => r.block), ['block1', 'block2', 'dense']);
  assert.deepEqual(mine.dead.map((d) => d.block), other.dead.map((d) => d.block));
  assert.deepEqual(mine.dead.map((d) => d.block), ['block1', 'block2', 'dense']);
  mine.dead.forEach((d, i) => {
    assert.ok(d.fraction >= 0 && d.fraction <= 1, `${d.block} ${d.fraction}`);
    assert.ok(Math.abs(d.fraction - other.dead[i]!.fraction) < 0.02, `${d.block}: ${d.fraction} on pytorch, ${other.dead[i]!.fraction} on tfjs`);
  });
  t.diagnostic(report.join('\n'));
  t.diagnostic(`dead: ${JSON.stringify(mine.dead)} vs ${JSON.stringify(other.dead)}`);

  // What the runner emitted is what the store keeps.
  const store = RunStore.open(join(dir, 'runs.sqlite'));
  try {
    const runId = store.createRun(torchConfig);
    const recorder = new RunRecorder(store, runId);
    for (const event of torch) recorder.record(event);
    recorder.close();
    assert.deepEqual(
      store.layerStats.events(runId),
      torch.filter((e) => e.type === 'layerStep' || e.type === 'layerEpoch'),
    );
  } finally {
    store.close();
  }
});
