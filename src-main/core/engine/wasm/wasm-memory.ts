import { formatBytes } from '../../../shared/format';
import type { EngineMemory } from '../engine-row';

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
export function estimateWasmHeapBytes(estimate: { totalBytes: number }, threads = 1): number {
  return Math.round(estimate.totalBytes * WASM_HEAP_PER_ESTIMATED_BYTE + (threads - 1) * WASM_HEAP_PER_THREAD_BYTES);
}

/** The wasm engine's memory rule: its heap, at most 4 GB whatever the machine has. */
export function wasmMemory(): EngineMemory {
  return {
    bytes: WASM_HEAP_MAX_BYTES * WASM_USABLE_FRACTION,
    description: `the wasm engine has ${formatBytes(WASM_HEAP_MAX_BYTES)} (${formatBytes(WASM_HEAP_MAX_BYTES * WASM_USABLE_FRACTION)} of it for tensors)`,
  };
}
