/**
 * The cost of per-layer statistics at the default interval, measured so that
 * a shared, loaded machine cannot hide it: `npm run bench` with and without
 * `--layer-stats` runs minutes apart, and on 2 cores shared by others its
 * images/s swing by half between identical runs. Here one process steps one
 * workload's rig (the bench's own code path: `bench --layer-stats 2` measures
 * every other step) and times each step, so measured and plain steps
 * alternate under the same load; the cost at interval N is the median extra
 * time of a measured step over N median plain steps. The once-an-epoch part
 * (histograms, dead units on the probe batch) is timed on the same model and
 * shared over a full-set epoch of the workload's batch size.
 *
 *   npx tsx scripts/layer-stats-cost.ts [workload ...] [--pairs 15]
 */
import * as tf from '@tensorflow/tfjs';
import { selectEngine } from '../src-main/core/engine/engines';
import { BENCH_LAYER_STATS_ENV, benchLayerStatsEvery } from '../src-main/core/bench/bench-layer-stats';
import { prepareReplicaRig, prepareRig, type BenchRig } from '../src-main/core/bench/measure';
import { findWorkload } from '../src-main/core/bench/workloads';
import { replicaLayout } from '../src-main/core/train/data-parallel';
import { LayerStatsProbe } from '../src-main/core/train/layer-stats';
import { buildModel } from '../src-main/core/models/build';
import { resolveNetwork } from '../src-main/shared/models/presets';
import { loadFashionMnistSplit, SYSTEM_FASHION_MNIST_DIR } from '../src-main/core/data/fashion-mnist';
import { FASHION_MNIST_SPLIT_SIZES, NUM_CLASSES } from '../src-main/shared/data/fashion-mnist-facts';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function timeSteps(rig: BenchRig, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await rig.step();
    times.push(performance.now() - start);
  }
  return times;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pairsAt = args.indexOf('--pairs');
  const pairs = pairsAt >= 0 ? Number(args.splice(pairsAt, 2)[1]) : 15;
  const names = args.length > 0 ? args : ['lenet-28-b256', 'vgg11-w0.25-32-b64', 'vgg11-96-b64'];
  const engine = await selectEngine('auto');
  const test = await loadFashionMnistSplit(SYSTEM_FASHION_MNIST_DIR, 'test');
  console.log(`engine ${engine.id}, ${engine.threads ?? '?'} threads, ${engine.replicas ?? 1} replica(s); ${pairs} pairs of steps per workload`);
  for (const name of names) {
    const workload = findWorkload(name);
    const every = benchLayerStatsEvery(workload, { [BENCH_LAYER_STATS_ENV]: 'default' })!;
    // Every other step measured: step 0 (measured) is the warm-up, then plain, measured, plain, …
    process.env[BENCH_LAYER_STATS_ENV] = '2';
    const layout = replicaLayout(engine);
    const rig = layout ? await prepareReplicaRig(workload, layout) : prepareRig(workload);
    let plain: number[];
    let measured: number[];
    try {
      await timeSteps(rig, 2);
      const times = await timeSteps(rig, 2 * pairs);
      // The rig's counter stood at 2 after the warm-up: even indices here are measured steps.
      measured = times.filter((_, i) => i % 2 === 0);
      plain = times.filter((_, i) => i % 2 === 1);
    } finally {
      await rig.dispose();
    }
    const step = median(plain);
    const extra = median(measured) - step;

    // Once an epoch: histograms of every layer and the dead-unit probe, on the workload's network.
    const network = resolveNetwork(workload.network, NUM_CLASSES);
    const model = buildModel(network.layers, [workload.side, workload.side, 1], { seed: 0 });
    const probe = new LayerStatsProbe(model, network.layers, every, 0.05);
    await probe.epochEvent(0, test, workload.side, 0);
    const epochTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await probe.epochEvent(0, test, workload.side, 0);
      epochTimes.push(performance.now() - start);
    }
    model.dispose();
    const stepsPerEpoch = Math.ceil(FASHION_MNIST_SPLIT_SIZES.train / workload.batchSize);
    const perStepCost = extra / (every * step);
    const perEpochCost = median(epochTimes) / (stepsPerEpoch * step);
    console.log(
      `${name}: plain step ${step.toFixed(1)} ms (median of ${plain.length}), measured step +${extra.toFixed(1)} ms; ` +
        `default interval ${every} → ${(100 * perStepCost).toFixed(2)} % of step time; ` +
        `epoch statistics ${median(epochTimes).toFixed(0)} ms over ${stepsPerEpoch} steps → ${(100 * perEpochCost).toFixed(2)} %; ` +
        `total ${(100 * (perStepCost + perEpochCost)).toFixed(2)} %`,
    );
  }
  console.log(`tensors left: ${tf.memory().numTensors}`);
}

void main();
