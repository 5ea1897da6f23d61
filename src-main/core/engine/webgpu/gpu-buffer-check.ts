import type { GpuAdapter } from '../../../shared/train/gpu-adapter';
import { resolveNetwork } from '../../../shared/models/presets';
import { summarizeNetwork } from '../../../shared/models/summary';
import { formatBytes } from '../../../shared/format';
import type { BufferRefusal, RunShape } from '../engine-row';
import { PREDICT_BATCH } from '../../../shared/train/evaluation-batch';

const FLOAT32_BYTES = 4;

interface LargestTensors {
  /** The biggest activation of one example (a conv's padded input or its output), in bytes. */
  perExampleBytes: number;
  /** The biggest weight tensor (VGG's first dense layer: 4608 × 4096 at 96 px, 25088 × 4096 at 224), in bytes. */
  weightBytes: number;
}

/**
 * The largest single tensors a run allocates. On WebGPU each tensor is one
 * buffer, which must fit the adapter's maxBufferSize and
 * maxStorageBufferBindingSize; our filter-gradient kernel's partial sums
 * stay well below the activations.
 */
function largestTensors(config: RunShape): LargestTensors {
  const network = resolveNetwork(config);
  const summary = summarizeNetwork(network.layers, [config.resize, config.resize, 1], { name: network.name });
  let perExample = config.resize * config.resize;
  let weights = 0;
  let input = [config.resize, config.resize, 1];
  network.layers.forEach((spec, i) => {
    const layer = summary.layers[i];
    if (!layer) return;
    const pad = spec.kind === 'conv' ? (spec.pad ?? 0) : 0;
    const [h = 0, w = 0, c = 1] = input;
    const padded = pad > 0 ? (h + 2 * pad) * (w + 2 * pad) * c : 0;
    perExample = Math.max(perExample, layer.outputShape.reduce((a, b) => a * b, 1), padded);
    weights = Math.max(weights, layer.params);
    input = layer.outputShape;
  });
  return { perExampleBytes: perExample * FLOAT32_BYTES, weightBytes: weights * FLOAT32_BYTES };
}

/**
 * The largest single tensor of a run, in bytes: a training batch's, or an
 * evaluation slice's (model.predict runs 32 images at a time, more than a
 * training batch below 32), or the biggest weight.
 */
function largestOf({ perExampleBytes, weightBytes }: LargestTensors, batchSize: number): number {
  return Math.max(perExampleBytes * Math.max(batchSize, PREDICT_BATCH), weightBytes);
}

export function largestTensorBytes(config: RunShape): number {
  return largestOf(largestTensors(config), config.batchSize);
}

/**
 * The webgpu engine's buffer check: refuses, before anything is allocated, a
 * run one of whose tensors cannot be a WebGPU buffer on this adapter, naming
 * the largest batch that fits. WebGPU does not report the GPU's memory, so
 * the sum of all buffers cannot be checked here: a run past it fails with the
 * device's own error.
 */
export function gpuBufferRefusal(config: RunShape, adapter: GpuAdapter): BufferRefusal | undefined {
  const limit = Math.min(adapter.limits.maxBufferSize, adapter.limits.maxStorageBufferBindingSize);
  const tensors = largestTensors(config);
  const largest = largestOf(tensors, config.batchSize);
  if (largest <= limit) return undefined;
  // Below 32 the evaluation slice sets the size, so no smaller batch helps.
  const batch = Math.min(Math.floor(limit / tensors.perExampleBytes), config.batchSize - 1);
  const batchSize = largestOf(tensors, batch) <= limit && batch >= 1 ? batch : undefined;
  const network = resolveNetwork(config);
  const message =
    `${network.name} at ${config.resize}×${config.resize}, batch ${config.batchSize} needs a ${formatBytes(largest)} GPU buffer; ` +
    `this WebGPU adapter allows ${formatBytes(limit)} per buffer.`;
  return batchSize === undefined
    ? { message: `${message} No batch fits: use a smaller image or a narrower network.`, limitBytes: limit }
    : { message: `${message} Use batch ${batchSize} or less.`, limitBytes: limit, batchSize };
}
