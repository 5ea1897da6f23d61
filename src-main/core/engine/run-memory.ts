import type { LayerSpec } from '../../shared/models/layer-spec';
import { resolveNetwork, type NetworkChoice } from '../../shared/models/presets';
import { summarizeNetwork, type NetworkSummary } from '../../shared/models/summary';
import { evaluationBatchSize, PREDICT_BATCH } from '../../shared/train/evaluation-batch';

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
