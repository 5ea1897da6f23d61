import { estimateRunMemory, type MemoryEstimateConfig } from '../run-memory';
import { WASM_HEAP_PER_ESTIMATED_BYTE } from './wasm-memory';
import type { WasmLayout } from './wasm-layout';

/**
 * What a wasm run holds in the machine's memory, priced for the layout that
 * will run (wasm-layout-plan.ts chooses the layout that fits).
 *
 * The wasm engine spends N threads as N data-parallel replicas (train/data-parallel.ts),
 * each with its own heap holding its own weights, gradients, weight copies,
 * optimizer state and its shard's activations; or as one heap on the threaded
 * build's pool (the single-heap layout), which holds one batch's worth. So the
 * machine's memory grows with the replicas, while the wasm heap check
 * (wasm-memory.ts, 4 GB per heap) sees one heap only.
 *
 * Per heap: estimateRunMemory (core/engine/run-memory.ts) at the heap's batch (its shard), × the measured
 * heap overhead (WASM_HEAP_PER_ESTIMATED_BYTE: malloc's slack, XNNPACK's packed
 * weights). Replica 0 also evaluates the test set, at the whole run's batch.
 * Around the heaps: the process itself (Node, tfjs, the wasm module), a thread
 * per helper replica (its own V8 isolate and module), the threaded build's
 * pthreads, and the shared gradient slots (one weight-sized slot per replica).
 * The constants below were fitted to peak resident memory measured by
 * `npm run bench -- --threads 1,2,4 --no-pytorch --json` (docs/benchmark.md).
 */

/** Resident memory of a process that has loaded Node, tfjs and the wasm backend, before any tensor (measured: LeNet's peak at 1 thread less its heap). */
export const PROCESS_BASE_BYTES = 230 * 1024 ** 2;
/** Each helper replica's thread: its V8 isolate, tfjs and the wasm module, before its heap. */
export const REPLICA_THREAD_BYTES = 110 * 1024 ** 2;
/** The threaded build's eight pthread workers (threaded-build.ts), whatever the thread count. */
export const THREADED_BUILD_BYTES = 130 * 1024 ** 2;

export interface LayoutMemory extends WasmLayout {
  /** Threads in all: replicas × threadsPerReplica. */
  threads: number;
  /** The heaps, replica 0 first. */
  heapBytes: number[];
  /** Process, helper threads, pthreads and the shared gradient slots. */
  sharedBytes: number;
  /** What the machine's resident memory peaks at. */
  totalBytes: number;
}

/** [from, to) sizes of the shards: the larger first, as shardBounds in data-parallel.ts. */
function shardSizes(batchSize: number, replicas: number): number[] {
  const base = Math.floor(batchSize / replicas);
  return Array.from({ length: replicas }, (_, i) => base + (i < batchSize % replicas ? 1 : 0));
}

/** The machine's peak resident memory for `config` trained on wasm in `layout`. Throws estimateRunMemory's errors. */
export function estimateLayoutMemory(config: MemoryEstimateConfig, layout: WasmLayout): LayoutMemory {
  const { replicas, threadsPerReplica } = layout;
  const whole = estimateRunMemory(config);
  const heapBytes = shardSizes(config.batchSize, replicas).map((shard, i) => {
    const part = shard === config.batchSize ? whole : estimateRunMemory({ ...config, batchSize: Math.max(1, shard) });
    // Only replica 0 evaluates, at the run's own evaluation batch.
    const peak = Math.max(part.trainingBytes, applyBytes(whole, replicas), i === 0 ? whole.evaluationBytes : 0);
    return Math.round(peak * WASM_HEAP_PER_ESTIMATED_BYTE);
  });
  const gradientSlots = replicas > 1 ? replicas * whole.weightBytes : 0;
  const sharedBytes =
    PROCESS_BASE_BYTES + (replicas - 1) * REPLICA_THREAD_BYTES + (threadsPerReplica > 1 ? replicas * THREADED_BUILD_BYTES : 0) + gradientSlots;
  return {
    replicas,
    threadsPerReplica,
    threads: replicas * threadsPerReplica,
    heapBytes,
    sharedBytes,
    totalBytes: sharedBytes + heapBytes.reduce((a, b) => a + b, 0),
  };
}

/**
 * The heap's peak while a replica applies the summed gradient
 * (applySummedGradients in shard-gradients.ts): inside one tidy it makes a
 * tensor of every replica's slot and the running sums, variable by variable,
 * all alive until the optimizer has applied them: the weights, R slot copies
 * and R − 1 sums, 2R weights in all, plus the optimizer's state. With many
 * replicas of a network heavy in weights (VGG-11's dense layers), this
 * outgrows the shard's activations. One replica applies its own gradients.
 */
function applyBytes(whole: { weightBytes: number; optimizerBytes: number }, replicas: number): number {
  return replicas > 1 ? 2 * replicas * whole.weightBytes + whole.optimizerBytes : 0;
}
