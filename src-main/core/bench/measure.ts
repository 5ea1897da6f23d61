import * as tf from '@tensorflow/tfjs';
import { resolveNetwork } from '../../shared/models/presets';
import { buildModel } from '../models/build';
import { BENCH_LR, type BenchWorkload } from './workloads';
import type { EngineInfo } from '../../shared/train/events';
import { ReplicaGroup, replicaLayout, type ReplicaLayout } from '../train/data-parallel';
import { NUM_CLASSES } from '../../shared/data/fashion-mnist-facts';
import { startRead } from '../train/step-read';
import { countBackendUploads, countsSince, gpuCounts, installGpuCounters } from '../engine/webgpu/gpu-counters';
import { gpuStepCounts, type GpuStepCounts } from './gpu-step-counts';
import { LayerStatsProbe } from '../train/layer-stats';
import { benchLayerStatsEvery } from './bench-layer-stats';
import type { LayerSpec } from '../../shared/models/layer-spec';


export interface MeasureOptions {
  /** Timed steps; the workload's own count when absent. */
  steps?: number;
  /** Seeds the weights and the random batch. */
  seed?: number;
  /** The engine selected, when it splits its threads over data-parallel replicas: the rig steps them, as training does. */
  engine?: Pick<EngineInfo, 'id' | 'replicas' | 'threads'>;
  /** Called after the warm-up (done = 0) and after every timed step. */
  onStep?: (done: number, total: number) => void;
}

export interface Measurement {
  workload: string;
  /** The tfjs backend that ran it. */
  backend: string;
  batchSize: number;
  steps: number;
  seconds: number;
  imagesPerSec: number;
  /**
   * The kernel's high-water mark of this process's resident memory
   * (getrusage ru_maxrss). It covers the whole process life, so it is the
   * workload's peak only in a process that ran nothing bigger before: see
   * measureInChildProcess.
   */
  peakRssBytes: number;
  /** Size of the wasm backend's heap at the end (replica 0's, with replicas); it only grows, so this is its peak. Absent on other backends. */
  wasmHeapBytes?: number;
  /** Loss of the last step: a finite number shows the steps computed something. */
  lastLoss: number;
  /** On webgpu: what each timed step asked of the GPU, counted at the WebGPU calls. */
  gpu?: GpuStepCounts;
}

/** A random batch like the yardstick's `torch.rand(batch, 1, side, side)`, `torch.randint(0, 10, (batch,))`. */
function randomBatch(workload: BenchWorkload, seed: number): { xs: tf.Tensor4D; labels: tf.Tensor1D } {
  const { batchSize, side } = workload;
  return tf.tidy(() => ({
    xs: tf.randomUniform([batchSize, side, side, 1], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.randomUniform([batchSize], 0, NUM_CLASSES, 'int32', seed + 1) as tf.Tensor1D,
  }));
}

/**
 * One SGD step on softmax cross-entropy, as the trainer's sgdStep (train/trainer.ts)
 * without its accuracy count: `optimizer.minimize` with dropout on.
 */
function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, xs: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  const loss = optimizer.minimize((): tf.Scalar => {
    const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, NUM_CLASSES), logits) as tf.Scalar;
  }, true);
  if (!loss) throw new Error('optimizer returned no loss');
  return loss;
}

/**
 * With `bench --layer-stats`: the probe the trainer uses, and which steps it
 * measures (the warm-up is step 0; timed steps 1..n, every `every`-th measured).
 */
function layerStatsFor(workload: BenchWorkload, model: tf.LayersModel, layers: readonly LayerSpec[]): { probe: LayerStatsProbe; next(): boolean } | undefined {
  const every = benchLayerStatsEvery(workload);
  if (every === undefined) return undefined;
  const probe = new LayerStatsProbe(model, layers, every, BENCH_LR);
  let step = 0;
  return { probe, next: () => probe.samples(step++) };
}

/** The trainer's measured step (trainer.ts sgdStep with a probe): minimize's halves with the probe between, its floats read back. */
function measuredTrainStep(model: tf.LayersModel, optimizer: tf.Optimizer, xs: tf.Tensor4D, labels: tf.Tensor1D, probe: LayerStatsProbe): Promise<number> {
  const { value, grads } = optimizer.computeGradients((): tf.Scalar => {
    const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, NUM_CLASSES), logits) as tf.Scalar;
  });
  const sums = probe.measure(grads);
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  const read = sums.data().finally(() => sums.dispose());
  return Promise.all([startRead({ loss: value }), read]).then(([{ loss }, floats]) => {
    probe.stepStats(floats);
    return loss;
  });
}

/** Size of the wasm heap, when the active backend is wasm. */
export function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  // The Emscripten module behind BackendWasm; HEAPU8 is replaced each time the heap grows.
  const module = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return module?.HEAPU8?.byteLength;
}

/** The process's peak resident memory so far, in bytes (maxRSS is in kilobytes). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** A workload ready to step: model, optimizer and random batch on the active backend. */
export interface BenchRig {
  /** One training step; resolves with its loss once the step's kernels have run. */
  step(): Promise<number>;
  /**
   * Whether a step may be enqueued before the previous one's loss has come
   * back (one process, one tfjs backend): the loop then reads one step behind,
   * as the trainer does on webgpu. Replicas finish a step before the next.
   */
  overlaps: boolean;
  dispose(): void | Promise<void>;
}

/** Builds the workload's model, an SGD optimizer and its random batch on the active backend. */
export function prepareRig(workload: BenchWorkload, seed = 0): BenchRig & { dispose(): void } {
  const network = resolveNetwork(workload.network, NUM_CLASSES);
  const model = buildModel(network.layers, [workload.side, workload.side, 1], { seed, name: network.name });
  const optimizer = tf.train.sgd(BENCH_LR);
  const { xs, labels } = randomBatch(workload, seed);
  const stats = layerStatsFor(workload, model, network.layers);
  return {
    overlaps: true,
    step() {
      if (stats?.next()) return measuredTrainStep(model, optimizer, xs, labels, stats.probe);
      // The read starts now (tfjs submits its copy at once) and is awaited when the caller chooses.
      return startRead({ loss: trainStep(model, optimizer, xs, labels) }).then(({ loss }) => loss);
    },
    dispose() {
      tf.dispose([xs, labels]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/**
 * The rig on `layout.replicas` data-parallel replicas (train/data-parallel.ts), the
 * path the trainer takes on such an engine: each step splits the batch, and
 * its loss is the whole batch's.
 */
export async function prepareReplicaRig(workload: BenchWorkload, layout: ReplicaLayout, seed = 0): Promise<BenchRig> {
  const network = resolveNetwork(workload.network, NUM_CLASSES);
  const model = buildModel(network.layers, [workload.side, workload.side, 1], { seed, name: network.name });
  const optimizer = tf.train.sgd(BENCH_LR);
  const { xs, labels } = randomBatch(workload, seed);
  const dispose = (): void => {
    tf.dispose([xs, labels]);
    optimizer.dispose();
    model.dispose();
  };
  let group: ReplicaGroup;
  try {
    group = await ReplicaGroup.start({
      model,
      optimizer,
      layers: network.layers,
      side: workload.side,
      seed,
      recipe: { lr: BENCH_LR, momentum: 0 },
      ...layout,
    });
  } catch (error) {
    dispose();
    throw error;
  }
  const stats = layerStatsFor(workload, model, network.layers);
  return {
    overlaps: false,
    async step() {
      if (stats?.next()) {
        const { loss, layerSums } = await group.step(xs, labels, stats.probe.measure);
        if (layerSums) stats.probe.stepStats(layerSums);
        return loss;
      }
      return (await group.step(xs, labels)).loss;
    },
    async dispose() {
      await group.close();
      dispose();
    },
  };
}

/**
 * Training throughput of one workload on the active tfjs backend, timed as the
 * yardstick does: one untimed warm-up step (which also compiles and allocates),
 * then `steps` steps on the same random batch. Where steps can overlap, each
 * step's loss is read one step behind, as the trainer does on webgpu, and the
 * last is awaited before the clock stops. On webgpu it also counts what each
 * step asked of the GPU.
 */
export async function measureWorkload(workload: BenchWorkload, options: MeasureOptions = {}): Promise<Measurement> {
  const { seed = 0, onStep } = options;
  const steps = options.steps ?? workload.steps;
  const layout = options.engine && replicaLayout(options.engine);
  const rig: BenchRig = layout ? await prepareReplicaRig(workload, layout, seed) : prepareRig(workload, seed);
  try {
    let lastLoss = await rig.step();
    onStep?.(0, steps);
    const counting = tf.getBackend() === 'webgpu' && installGpuCounters() && countBackendUploads(tf.backend());
    const before = gpuCounts();
    const start = performance.now();
    let pending: Promise<number> | undefined;
    for (let i = 1; i <= steps; i++) {
      const current = rig.step();
      // Awaited in order below; this only keeps a failure from counting as unhandled meanwhile.
      current.catch(() => undefined);
      if (pending) {
        lastLoss = await pending;
        onStep?.(i - 1, steps);
      }
      pending = rig.overlaps ? current : undefined;
      if (!rig.overlaps) {
        lastLoss = await current;
        onStep?.(i, steps);
      }
    }
    const steady = countsSince(before);
    if (pending) {
      lastLoss = await pending;
      onStep?.(steps, steps);
    }
    const seconds = (performance.now() - start) / 1000;
    const heap = wasmHeapBytes();
    return {
      workload: workload.name,
      backend: tf.getBackend(),
      batchSize: workload.batchSize,
      steps,
      seconds,
      imagesPerSec: (workload.batchSize * steps) / seconds,
      peakRssBytes: peakRssBytes(),
      ...(heap === undefined ? {} : { wasmHeapBytes: heap }),
      lastLoss,
      ...(counting ? { gpu: gpuStepCounts(steady, countsSince(before), steps) } : {}),
    };
  } finally {
    await rig.dispose();
  }
}
