import { estimateRunMemory, type MemoryEstimate, type MemoryEstimateConfig } from '../engine/run-memory';
import { estimateLayoutMemory } from '../engine/wasm/wasm-layout-memory';
import { layoutOfEngine } from '../engine/wasm/wasm-layout';
import { estimateWasmHeapBytes } from '../train/memory-estimate';
import type { EngineInfo } from '../../shared/train/events';
import type { EngineId } from '../../shared/train/run-config';
import { trainingFlopsPerImage } from './ceiling';
import type { GpuStepCounts } from './gpu-step-counts';
import type { BenchWorkload } from './workloads';

/** One row of the bench's table: one workload on one engine at one thread count; the --json line has these fields. */
export interface BenchRow {
  workload: string;
  engine: string;
  imagesPerSec: number | null;
  pytorchImagesPerSec: number | null;
  ratio: number | null;
  peakRssBytes: number | null;
  wasmHeapBytes: number | null;
  /**
   * The run's planned peak resident memory, to compare with peakRssBytes: on
   * an engine with a memory plan of its own (wasm: replicas × their heaps,
   * plus the shared parts), that plan for the layout that ran; elsewhere
   * estimateRunMemory's tensor peak.
   */
  estimatedBytes: number;
  /** The wasm heap that estimate predicts at this row's thread count (estimateWasmHeapBytes); null off wasm. */
  estimatedWasmHeapBytes: number | null;
  steps: number | null;
  engineDetail: string | null;
  /** Whether the engine computes on a GPU (computesOnGpu): its yardstick then runs on CUDA. */
  onGpu: boolean;
  /** On webgpu: what each timed step asked of the GPU (blocking reads, dispatches, uploads, pipelines compiled after warm-up); null elsewhere. */
  gpu: GpuStepCounts | null;
  pytorchThreads: number | null;
  /** Where the yardstick ran for this row: 'cuda' for a GPU engine where torch has CUDA, else 'cpu'. */
  pytorchDevice: string | null;
  /** CPU threads asked of our engine and of the yardstick (torch.set_num_threads) for this row. */
  threads: number;
  /** Threads the engine reports it ran on (wasm caps at its build's 8); null where it does not say. */
  engineThreads: number | null;
  /** images/s over this workload's and engine's at the first --threads count; null on that first row. */
  speedup: number | null;
  /** The same for PyTorch. */
  pytorchSpeedup: number | null;
  /** The BLAS the yardstick loaded ('reference' flatters us 2–4×); null without the yardstick. */
  pytorchBlas: string | null;
  /** BLAS threads the yardstick's rate was timed with (1 under torch's N where that was faster). */
  pytorchBlasThreads: number | null;
  /**
   * How many times this row's rate and the yardstick's were measured, each
   * side in a fresh process, alternated, the best of each kept (run-bench.ts:
   * an engine that trains through PyTorch itself); 1 elsewhere.
   */
  rounds: number;
  /** Training FLOP per image by our own count (6 × forward MACs), in GFLOP. */
  gflopPerImage: number;
  /** With --ceiling: the engine's best GFLOP/s on the ceiling kernels (matmul, 3×3 conv) at this thread count. */
  ceilingGflops: number | null;
  /** imagesPerSec × gflopPerImage over ceilingGflops: the share of its engine's ceiling the workload reaches. */
  ceilingFraction: number | null;
  /** With --ceiling: PyTorch's best GFLOP/s on the same kernels at this thread count. */
  pytorchCeilingGflops: number | null;
  /** The same share for PyTorch's images/s over its own ceiling. */
  pytorchCeilingFraction: number | null;
  error?: string;
}

/** One engine's or PyTorch's --ceiling at one thread count, for the table beside the workloads. */
export interface CeilingRow {
  who: string;
  threads: number;
  matmul: number | null;
  conv3x3: number | null;
  basis: string;
}

/** The shape of a workload's run, as the memory estimates read it. */
export function workloadRunShape(workload: BenchWorkload): MemoryEstimateConfig {
  return { ...workload.network, resize: workload.side, batchSize: workload.batchSize };
}

/** A row before it is measured: every measured column null, the estimates from the workload alone. */
export function emptyBenchRow(workload: BenchWorkload, engine: string, threads: number): BenchRow {
  const estimate = estimateRunMemory(workloadRunShape(workload));
  return {
    workload: workload.name,
    engine,
    imagesPerSec: null,
    pytorchImagesPerSec: null,
    ratio: null,
    peakRssBytes: null,
    wasmHeapBytes: null,
    estimatedBytes: estimate.totalBytes,
    estimatedWasmHeapBytes: null,
    steps: null,
    engineDetail: null,
    onGpu: false,
    gpu: null,
    pytorchThreads: null,
    pytorchDevice: null,
    threads,
    engineThreads: null,
    speedup: null,
    pytorchSpeedup: null,
    pytorchBlas: null,
    pytorchBlasThreads: null,
    rounds: 1,
    gflopPerImage: trainingFlopsPerImage(estimate.summary.totalMacs) / 1e9,
    ceilingGflops: null,
    ceilingFraction: null,
    pytorchCeilingGflops: null,
    pytorchCeilingFraction: null,
  };
}

/**
 * What the bench knows of an engine beyond its row: where it computes, and
 * an engine's own memory plan where its memory is not estimateRunMemory's
 * tensor peak. Data, so that the measuring names no engine.
 */
interface EngineBenchFacts {
  /** Whether the engine, as it loaded, computes on a GPU; absent: never. */
  onGpu?(info: EngineInfo): boolean;
  /** The engine's own plan of the peak for the layout that ran (estimatedBytes) and its heap (estimatedWasmHeapBytes). */
  plannedMemory?(run: MemoryEstimateConfig, estimate: MemoryEstimate, info: EngineInfo): { estimatedBytes: number; estimatedWasmHeapBytes: number };
}

/** PyTorch's devices that are a GPU (the pytorch engine's EngineInfo.backend is its device). */
const GPU_TORCH_DEVICES = new Set(['cuda', 'mps', 'xpu']);

const ENGINE_BENCH_FACTS: Partial<Record<EngineId, EngineBenchFacts>> = {
  'tensorflow-gpu': { onGpu: () => true },
  // SwiftShader is a CPU pretending to be a GPU: measured against PyTorch on the CPU.
  webgpu: { onGpu: (info) => info.adapter !== undefined && !info.adapter.software },
  pytorch: { onGpu: (info) => GPU_TORCH_DEVICES.has(info.backend) },
  wasm: {
    plannedMemory: (run, estimate, info) => ({
      estimatedBytes: estimateLayoutMemory(run, layoutOfEngine(info)).totalBytes,
      estimatedWasmHeapBytes: estimateWasmHeapBytes(estimate, info.threads ?? 1),
    }),
  },
};

/** Whether the engine that ran computes on a GPU, by its facts: its yardstick then runs on CUDA. */
export function computesOnGpu(info: EngineInfo): boolean {
  return ENGINE_BENCH_FACTS[info.id]?.onGpu?.(info) ?? false;
}

/** The row's memory estimates for the engine that ran it. */
export function plannedMemory(workload: BenchWorkload, info: EngineInfo): Pick<BenchRow, 'estimatedBytes' | 'estimatedWasmHeapBytes'> {
  const run = workloadRunShape(workload);
  const estimate = estimateRunMemory(run);
  const own = ENGINE_BENCH_FACTS[info.id]?.plannedMemory;
  return own ? own(run, estimate, info) : { estimatedBytes: estimate.totalBytes, estimatedWasmHeapBytes: null };
}

/** Each row's images/s over its workload's and engine's at the first thread count, ours and PyTorch's. */
export function addSpeedups(rows: BenchRow[], baseThreads: number): void {
  for (const row of rows) {
    if (row.threads === baseThreads) continue;
    const base = rows.find((r) => r.threads === baseThreads && r.workload === row.workload && r.engine === row.engine);
    if (!base) continue;
    row.speedup = row.imagesPerSec !== null && base.imagesPerSec ? row.imagesPerSec / base.imagesPerSec : null;
    row.pytorchSpeedup =
      row.pytorchImagesPerSec !== null && base.pytorchImagesPerSec ? row.pytorchImagesPerSec / base.pytorchImagesPerSec : null;
  }
}

export function describeEngine(info: EngineInfo): string {
  return `${info.backend} ${info.version}${info.detail ? ` (${info.detail})` : ''}`;
}
