import { freemem } from 'node:os';
import type { LayerSpec } from '../../shared/models/layer-spec';
import { findPreset, resolveNetwork, type NetworkChoice } from '../../shared/models/presets';
import { minimumInputSide, summarizeNetwork, type NetworkSummary } from '../../shared/models/summary';
import { RESIZE_OPTIONS, type EngineId } from '../../shared/train/run-config';
import type { FieldSuggestion } from '../../shared/refusal';
import { formatBytes } from '../../shared/format';
import type { EngineInfo } from '../../shared/train/events';
import type { EngineMemory } from '../engine/engine-row';
import { ENGINE_ROWS } from '../engine/engines';
import { evaluationBatchSize, PREDICT_BATCH } from '../../shared/train/evaluation-batch';
import { BOOK_DENSE_UNITS } from '../../shared/models/vgg';

export type { EngineMemory } from '../engine/engine-row';
// The wasm heap's numbers are the wasm engine's (core/engine/wasm/wasm-memory.ts); kept here for their callers.
export {
  WASM_HEAP_MAX_BYTES,
  WASM_HEAP_PER_ESTIMATED_BYTE,
  WASM_HEAP_PER_THREAD_BYTES,
  estimateWasmHeapBytes,
} from '../engine/wasm/wasm-memory';

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
 * (within 10 %), and against the wasm heap (core/engine/wasm/wasm-memory.ts);
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
  /** Peak of the test-set evaluation (its batch of evaluationBatchSize(batch) images, predicted PREDICT_BATCH at a time). */
  evaluationBytes: number;
  /** The larger of the two peaks: what the run needs. */
  totalBytes: number;
  /** The arithmetic summary the estimate is built on. */
  summary: NetworkSummary;
}

const FLOAT32_BYTES = 4;

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
  const evaluationBatch = evaluationBatchSize(batchSize);
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

/**
 * How much memory an engine gives a run: its row's memory rule
 * (core/engine/<engine>/), at the machine's available memory now.
 */
export function engineMemory(engineId: EngineId, availableBytes: number = freemem()): EngineMemory {
  return ENGINE_ROWS[engineId].memory(availableBytes);
}

/**
 * Refuses a run that cannot fit the engine it loaded on: its memory
 * (checkRunFits), then each tensor against the engine's buffer limits where
 * its row has a buffer check. Returns the estimate when the run fits.
 */
export function checkEngineFits(config: MemoryEstimateConfig, engine: EngineInfo, options: CheckRunFitsOptions = {}): MemoryEstimate {
  const estimate = checkRunFits(config, engine.id, options);
  const refusal = ENGINE_ROWS[engine.id].checkBuffers?.(config, engine);
  if (refusal === undefined) return estimate;
  const fits: FitSuggestions = refusal.batchSize === undefined ? {} : { batchSize: refusal.batchSize };
  throw new RunTooLargeError(refusal.message, estimate, refusal.limitBytes, fits);
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
    const dense = config.denseUnits ?? preset.defaults.denseUnits ?? BOOK_DENSE_UNITS;
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

// The engines command reads sizes from here.
export { formatBytes };
