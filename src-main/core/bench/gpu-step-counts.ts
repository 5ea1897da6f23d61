import type { GpuCounts } from '../engine/webgpu/gpu-counters';

/**
 * What a timed training step asked of the GPU on webgpu, counted at the WebGPU
 * calls (engine/webgpu/gpu-counters.ts) over the bench's timed steps, after
 * its warm-up step. `bench --json` reports it as the row's `gpu` object.
 */
export interface GpuStepCounts {
  /**
   * Reads back during which the queue ran dry (nothing new submitted), per
   * step, while the loop runs: 0 when each step's values are read one step
   * behind. The final read after the last step, with nothing left to
   * enqueue, is counted apart in blockingReadsAtEnd.
   */
  blockingReadsPerStep: number;
  blockingReadsAtEnd: number;
  /** Buffers mapped for reading, per step: the loss, one step behind. */
  readsPerStep: number;
  dispatchesPerStep: number;
  /** Tensors whose values moved from the CPU to the GPU, per step (the batch, where it changes). */
  uploadsPerStep: number;
  uploadBytesPerStep: number;
  /** queue.writeBuffer calls per step: tfjs's uniforms, one per dispatch. */
  uniformWritesPerStep: number;
  submitsPerStep: number;
  /** Compute pipelines created after the warm-up step: 0 when every shader was compiled once. */
  pipelinesCompiledAfterWarmup: number;
}

/**
 * Per-step figures from two windows of the same run: `steady` ends before the
 * last step's values are awaited, `total` after; both start after warm-up.
 */
export function gpuStepCounts(steady: GpuCounts, total: GpuCounts, steps: number): GpuStepCounts {
  const per = (n: number): number => n / steps;
  return {
    blockingReadsPerStep: per(steady.blockingReads),
    blockingReadsAtEnd: total.blockingReads - steady.blockingReads,
    readsPerStep: per(total.reads),
    dispatchesPerStep: per(total.dispatches),
    uploadsPerStep: per(total.uploads),
    uploadBytesPerStep: per(total.uploadBytes),
    uniformWritesPerStep: per(total.uniformWrites),
    submitsPerStep: per(total.submits),
    pipelinesCompiledAfterWarmup: total.pipelinesCompiled,
  };
}
