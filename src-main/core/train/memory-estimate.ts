import { freemem } from 'node:os';
import type { LayerSpec } from '../../shared/models/layer-spec';
import { findPreset, resolveNetwork, type NetworkChoice } from '../../shared/models/presets';
import { minimumInputSide, summarizeNetwork, type NetworkSummary } from '../../shared/models/summary';
import { RESIZE_OPTIONS, type EngineId } from '../../shared/train/run-config';
import type { FieldSuggestion } from '../../shared/refusal';
import { formatBytes } from '../../shared/format';

/**
 * What a training run will hold in memory at its peak, by arithmetic on the
 * network summary, so a run that cannot fit is refused before it starts
 * instead of dying with "Aborted(OOM)" deep inside the wasm heap.
 *
 * The model follows how tfjs 4.22 trains, as read in tfjs-core and seen in a
 * `tf.profile` of a step on the wasm backend:
 * - Under a gradient tape, conv and dense layers are not fused: conv (or
 *   matMul), bias add and activation are three tensors, because
 *   `fused.conv2d` fuses only when no gradient is being taken (`shouldFuse`).
 * - Every op saves the inputs (and some their outputs) its gradient needs as
 *   clones, and on wasm a clone is a copy (its Identity kernel copies). So a
 *   layer keeps a copy of its input and of its pre-bias and pre-activation
 *   outputs, and every weight is copied once more.
 * - The backward pass keeps the gradient of every intermediate tensor until it
 *   ends, so the peak, at the first layer's gradient, holds all the kept
 *   tensors and all their gradients at once, plus one gradient kernel's
 *   temporaries (the ReLU gradient's step mask, the transposes of our wasm
 *   filter gradient).
 * Per example, per layer (I its input, O its output, in values):
 *   conv, dense  kept I + 2·O (I + O when linear: then tfjs fuses), gradients 2·O (O)
 *   pool         kept I + O, gradient O;   dropout  kept 4·O, gradients 2·O;   flatten  nothing.
 * On the cpu backend a clone shares its buffer, so there this is an upper bound.
 * Checked against tf.profile's peak in test/core/train/memory-estimate.test.ts
 * (within 10 %), and against the wasm heap at WASM_USABLE_FRACTION below;
 * `npm run bench` prints both side by side (its "wasm heap" and "estimate" columns).
 */

export interface MemoryEstimateConfig extends NetworkChoice {
  /** Square image side. */
  resize: number;
  batchSize: number;
  /** Momentum above 0 keeps one velocity per weight (tf.train.momentum). */
  momentum?: number;
}

export interface MemoryEstimate {
  network: string;
  side: number;
  batchSize: number;
  /** float32 weights (summarizeNetwork's parameterBytes). */
  weightBytes: number;
  /** The copy of every weight that the ops save for their gradients (a clone, which copies on wasm). */
  weightCopyBytes: number;
  /** One gradient per weight, all alive before the optimizer applies them. */
  gradientBytes: number;
  /** Momentum's velocities (one per weight); 0 for plain SGD. */
  optimizerBytes: number;
  /** Forward tensors kept for the backward pass, for one batch. */
  activationBytes: number;
  /** Gradients of those tensors, all alive at the end of the backward pass. */
  activationGradientBytes: number;
  /** The training batch at the run's side (its copy saved by the first layer counts in activationBytes). */
  inputBytes: number;
  /** Temporaries of one gradient kernel (transposes, the sigmoid's 1 − y): twice the largest activation. */
  workspaceBytes: number;
  /** The sum of the above: the peak of a training step. */
  trainingBytes: number;
  /** Peak of the test-set evaluation (its batch of max(batch, 256) images, predicted 32 at a time). */
  evaluationBytes: number;
  /** The larger of the two peaks: what the run needs. */
  totalBytes: number;
  /** The arithmetic summary the estimate is built on. */
  summary: NetworkSummary;
}

const FLOAT32_BYTES = 4;
/** The trainer's evaluation batch: `Math.max(config.batchSize, 256)` in trainer.ts. */
const EVALUATION_BATCH_FLOOR = 256;
/** tfjs-layers' `predict` runs its input in slices of 32 by default. */
const PREDICT_BATCH = 32;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

interface LayerTensors {
  /** Values per example the layer keeps for the backward pass. */
  kept: number;
  /** Values per example of the gradients computed for its tensors. */
  gradients: number;
  /** Values per example alive while the layer runs in inference (input, pre-activation, output). */
  inference: number;
}

/** Per-example tensor sizes of one layer while it trains on tfjs (see the comment at the top). */
function layerTensors(spec: LayerSpec, inputShape: readonly number[], outputValues: number): LayerTensors {
  const inputValues = size(inputShape);
  switch (spec.kind) {
    case 'conv':
    case 'dense': {
      const pad = spec.kind === 'conv' ? (spec.pad ?? 0) : 0;
      const [h = 0, w = 0, c = 0] = inputShape;
      // An explicit pad is its own op: the conv saves (and gets a gradient for) the padded input.
      const padded = pad > 0 ? (h + 2 * pad) * (w + 2 * pad) * c : 0;
      const outputs = outputValues * (spec.activation === 'linear' ? 1 : 2);
      return { kept: (padded || inputValues) + outputs, gradients: padded + outputs, inference: inputValues + padded + outputs };
    }
    case 'maxpool':
    case 'avgpool':
      return { kept: inputValues + outputValues, gradients: outputValues, inference: inputValues + outputValues };
    case 'dropout':
      return { kept: 4 * outputValues, gradients: 2 * outputValues, inference: inputValues };
    case 'flatten':
      return { kept: 0, gradients: 0, inference: 0 };
  }
}

/** Peak memory of a run, from the network's summary. Throws summarizeNetwork's errors (input too small). */
export function estimateRunMemory(config: MemoryEstimateConfig): MemoryEstimate {
  const network = resolveNetwork(config);
  const { resize: side, batchSize } = config;
  const summary = summarizeNetwork(network.layers, [side, side, 1], { name: network.name, batchSize });

  let kept = 0;
  let gradients = 0;
  let largest = 0;
  let inferencePeak = 0;
  let inputShape: readonly number[] = summary.inputShape;
  summary.layers.forEach((row, i) => {
    const spec = network.layers[i]!;
    const outputValues = size(row.outputShape);
    const tensors = layerTensors(spec, inputShape, outputValues);
    kept += tensors.kept;
    gradients += tensors.gradients;
    if (spec.kind !== 'flatten') largest = Math.max(largest, outputValues, size(inputShape));
    inferencePeak = Math.max(inferencePeak, tensors.inference);
    inputShape = row.outputShape;
  });

  const perBatch = (values: number): number => values * batchSize * FLOAT32_BYTES;
  const weightBytes = summary.parameterBytes;
  const optimizerBytes = (config.momentum ?? 0) > 0 ? weightBytes : 0;
  const imageValues = size(summary.inputShape);
  const parts = {
    weightBytes,
    weightCopyBytes: weightBytes,
    gradientBytes: weightBytes,
    optimizerBytes,
    activationBytes: perBatch(kept),
    activationGradientBytes: perBatch(gradients),
    inputBytes: perBatch(imageValues),
    workspaceBytes: perBatch(2 * largest),
  };
  const trainingBytes = Object.values(parts).reduce((a, b) => a + b, 0);
  const evaluationBatch = Math.max(batchSize, EVALUATION_BATCH_FLOOR);
  const evaluationBytes =
    weightBytes + optimizerBytes + (evaluationBatch * imageValues + PREDICT_BATCH * inferencePeak) * FLOAT32_BYTES;
  return {
    network: network.name,
    side,
    batchSize,
    ...parts,
    trainingBytes,
    evaluationBytes,
    totalBytes: Math.max(trainingBytes, evaluationBytes),
    summary,
  };
}

export interface EngineMemory {
  /** Bytes a run may use on this engine; undefined where we cannot know (GPU memory). */
  bytes: number | undefined;
  /** For messages: "the wasm engine has 4 GB". */
  description: string;
}

/** The wasm backend's heap cannot grow past this: getHeapMax() in tfjs-backend-wasm's Emscripten build (wasm32). */
export const WASM_HEAP_MAX_BYTES = 4294901760;

/**
 * Part of the wasm heap a run may plan for. The heap also holds the module's
 * own data, XNNPACK's packed copies of each matMul's right-hand side, and
 * malloc's fragmentation, none of which the tensor count sees. 0.75 keeps the
 * steady heap (about 1.36 × the estimate) under the ceiling; the thread count
 * does not move it. The measurements behind both: docs/benchmark.md, "The wasm heap".
 */
const WASM_USABLE_FRACTION = 0.75;

/** Heap bytes per byte of the tensor estimate: 3,602,776,064 / 2,830,577,784 for VGG-11 96×96 b64 (today's estimate). */
export const WASM_HEAP_PER_ESTIMATED_BYTE = 1.273;
/** Heap each XNNPACK pool thread adds: one pthread stack (Emscripten's default, 64 KB). */
export const WASM_HEAP_PER_THREAD_BYTES = 64 * 1024;

/**
 * The wasm heap a run will grow to, for comparing with the measured heap
 * (bench's "wasm heap" column): the tensor estimate scaled by the measured
 * overhead (malloc's fragmentation, XNNPACK's packed weights), plus a stack
 * per pool thread beyond the main one.
 */
export function estimateWasmHeapBytes(estimate: Pick<MemoryEstimate, 'totalBytes'>, threads = 1): number {
  return Math.round(estimate.totalBytes * WASM_HEAP_PER_ESTIMATED_BYTE + (threads - 1) * WASM_HEAP_PER_THREAD_BYTES);
}

/**
 * How much memory an engine gives a run.
 * - wasm: its heap, at most 4 GB whatever the machine has.
 * - cpu and the native engines: tensors live outside the JS heap (typed
 *   arrays, libtensorflow's allocator), so the limit is the machine's
 *   available memory now (`os.freemem()`, MemAvailable on Linux), not a
 *   fixed number: a run on a 64 GB machine may use it, and a run beyond it
 *   would swap the machine to a halt rather than fail cleanly. Measured at the
 *   check, just before the run starts, when it is what the run will get.
 * - tensorflow-gpu, webgpu: the GPU's memory, which neither reports: not checked
 *   (webgpu's per-buffer limits are, in gpu-buffer-check.ts).
 */
export function engineMemory(engineId: EngineId, availableBytes: number = freemem()): EngineMemory {
  switch (engineId) {
    case 'wasm':
      return {
        bytes: WASM_HEAP_MAX_BYTES * WASM_USABLE_FRACTION,
        description: `the wasm engine has ${formatBytes(WASM_HEAP_MAX_BYTES)} (${formatBytes(WASM_HEAP_MAX_BYTES * WASM_USABLE_FRACTION)} of it for tensors)`,
      };
    case 'cpu':
    case 'tensorflow':
      return { bytes: availableBytes, description: `this machine has ${formatBytes(availableBytes)} free for the ${engineId} engine` };
    case 'tensorflow-gpu':
      return { bytes: undefined, description: 'the GPU memory is not known to tfjs' };
    case 'webgpu':
      // WebGPU reports no memory size; gpu-buffer-check.ts checks each buffer against the adapter's limits instead.
      return { bytes: undefined, description: 'WebGPU does not report the GPU memory' };
  }
}

/** Changes that make a refused run fit, each on its own (the others as configured). */
export interface FitSuggestions {
  /** The largest batch that fits. */
  batchSize?: number;
  /** The largest offered side (RESIZE_OPTIONS) below the configured one that fits. */
  resize?: number;
  /** VGG only: the smallest power-of-two width ratio above the configured one that fits. */
  widthRatio?: number;
  /** VGG only: the largest power-of-two dense width below the configured one that fits. */
  denseUnits?: number;
}

export class RunTooLargeError extends Error {
  override name = 'RunTooLargeError';
  constructor(
    message: string,
    readonly estimate: MemoryEstimate,
    readonly limitBytes: number,
    readonly fits: FitSuggestions,
  ) {
    super(message);
  }

  /** The same ways out as bounds on run fields, for the CLI to word as flags and the GUI as buttons. */
  get suggestions(): FieldSuggestion[] {
    const f = this.fits;
    const all: (FieldSuggestion | undefined)[] = [
      f.batchSize !== undefined ? { field: 'batchSize', max: f.batchSize } : undefined,
      f.resize !== undefined ? { field: 'resize', max: f.resize } : undefined,
      f.widthRatio !== undefined ? { field: 'widthRatio', min: f.widthRatio } : undefined,
      f.denseUnits !== undefined ? { field: 'denseUnits', max: f.denseUnits } : undefined,
    ];
    return all.filter((s) => s !== undefined);
  }
}

export interface CheckRunFitsOptions {
  /** The machine's available memory, for the cpu and native engines; `os.freemem()` when absent. */
  availableBytes?: number;
}

/**
 * Refuses a run that cannot fit the engine's memory: throws RunTooLargeError
 * whose message says what the run needs and what to reduce, with the batch,
 * side, width ratio or dense width that would fit. Returns the estimate when
 * the run fits. `engineId` is the engine the run will use (after 'auto' was resolved).
 */
export function checkRunFits(config: MemoryEstimateConfig, engineId: EngineId, options: CheckRunFitsOptions = {}): MemoryEstimate {
  const estimate = estimateRunMemory(config);
  const limit = engineMemory(engineId, options.availableBytes);
  if (limit.bytes === undefined || estimate.totalBytes <= limit.bytes) return estimate;

  const suggestions = suggestFits(config, limit.bytes);
  const activations = estimate.activationBytes + estimate.activationGradientBytes;
  const needs =
    `${estimate.network} at ${estimate.side}×${estimate.side}, batch ${estimate.batchSize} needs about ` +
    `${formatBytes(estimate.totalBytes)} (activations ${formatBytes(activations)}, weights with their copies and gradients ` +
    `${formatBytes(estimate.weightBytes + estimate.weightCopyBytes + estimate.gradientBytes + estimate.optimizerBytes)}); ${limit.description}.`;
  throw new RunTooLargeError(`${needs} ${adviceFor(suggestions)}`, estimate, limit.bytes, suggestions);
}

/** The ways out in plain words; the CLI adds its flags and the GUI its buttons (RunTooLargeError.suggestions). */
function adviceFor(s: FitSuggestions): string {
  const options = [
    s.batchSize !== undefined ? `a batch of ${s.batchSize} or less` : undefined,
    s.resize !== undefined ? `${s.resize}×${s.resize} images` : undefined,
    s.widthRatio !== undefined ? `width ratio ${s.widthRatio}` : undefined,
    s.denseUnits !== undefined ? `${s.denseUnits} dense units` : undefined,
  ].filter((x) => x !== undefined);
  if (options.length === 0) return 'Nothing short of a smaller network fits: even batch 1 is too large.';
  return `It fits with ${options.join(', or ')}.`;
}

/** Whether `config` fits in `limit` bytes; a config the network rejects (too small an image, too wide a ratio) does not. */
function fits(config: MemoryEstimateConfig, limit: number): boolean {
  try {
    return estimateRunMemory(config).totalBytes <= limit;
  } catch {
    return false;
  }
}

function suggestFits(config: MemoryEstimateConfig, limit: number): FitSuggestions {
  const suggestions: FitSuggestions = {};

  // Memory grows with the batch, so the largest batch that fits is found by bisection.
  if (fits({ ...config, batchSize: 1 }, limit)) {
    let [low, high] = [1, config.batchSize];
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (fits({ ...config, batchSize: mid }, limit)) low = mid;
      else high = mid;
    }
    suggestions.batchSize = low;
  }

  const network = resolveNetwork(config);
  const minimum = minimumInputSide(network.layers);
  const resize = [...RESIZE_OPTIONS]
    .reverse()
    .find((side) => side < config.resize && side >= minimum && fits({ ...config, resize: side }, limit));
  if (resize !== undefined) suggestions.resize = resize;

  const preset = findPreset(config.model);
  if (preset.family === 'vgg') {
    const ratio = config.widthRatio ?? 1;
    for (let next = nextPowerOfTwoAbove(ratio); next <= 64; next *= 2) {
      if (fits({ ...config, widthRatio: next }, limit)) {
        suggestions.widthRatio = next;
        break;
      }
    }
    const dense = config.denseUnits ?? preset.defaults.denseUnits ?? 4096;
    for (let next = nextPowerOfTwoBelow(dense); next >= 16; next /= 2) {
      if (fits({ ...config, denseUnits: next }, limit)) {
        suggestions.denseUnits = next;
        break;
      }
    }
  }
  return suggestions;
}

function nextPowerOfTwoAbove(n: number): number {
  let p = 1;
  while (p <= n) p *= 2;
  return p;
}

function nextPowerOfTwoBelow(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

// Its callers (gpu-buffer-check, the engines command) read sizes from here.
export { formatBytes };
