import * as tf from '@tensorflow/tfjs';
import { prepareRig } from './measure';
import type { BenchWorkload } from './workloads';

/**
 * Where a training step's time goes, per tfjs kernel, so optimisation starts
 * from a measurement.
 *
 * `tf.profile` gives kernel timings on the cpu and wasm backends too, not only
 * on webgl/tensorflow: while it profiles, the engine runs each kernel through
 * `backend.time(f)`, and both backends implement that as wall-clock time
 * around their synchronous kernel (tfjs-core profiler.ts, backend_wasm.ts,
 * backend_cpu.ts). `tf.env().set('DEBUG', true)` is not needed, and would
 * also read every output back and log it. What it cannot see: time outside
 * kernels (the gradient tape, tidy bookkeeping, the optimizer's JS), which is
 * reported as the step's wall time minus the kernels' sum; and kernels that
 * our wasm kernels call directly (runWasmKernel), which count in their caller.
 */

export interface KernelTotal {
  kernel: string;
  calls: number;
  totalMs: number;
  /** Share of the profiled steps' wall time. */
  share: number;
  /** Input shapes of the slowest single call: which layer it was. */
  slowestInputShapes: number[][];
  slowestMs: number;
}

export interface KernelProfile {
  workload: string;
  backend: string;
  steps: number;
  /** Wall time of the profiled steps, including profiling overhead. */
  wallMs: number;
  /** Sum of all kernel times (scopes excluded). */
  kernelMs: number;
  /** Every kernel, slowest total first. */
  kernels: KernelTotal[];
}

/** One record of tf.profile, as much of it as we read. */
export interface KernelRecord {
  name: string;
  kernelTimeMs: number | { error: string } | Promise<number | { error: string }>;
  inputShapes: (number[] | null)[];
}

/**
 * Names of composite ops that tfjs records around the kernels they call
 * (`fusedConv2d__op`, `softmaxCrossEntropy__op`): their time includes their
 * inner kernels, so adding them would count those twice.
 */
const isScope = (name: string): boolean => name.endsWith('__op');

/** Per-kernel totals from tf.profile's records, slowest first. */
export function totalByKernel(records: readonly KernelRecord[], wallMs: number): KernelTotal[] {
  const totals = new Map<string, KernelTotal>();
  for (const record of records) {
    if (isScope(record.name)) continue;
    const ms = record.kernelTimeMs;
    if (typeof ms !== 'number') continue;
    const total = totals.get(record.name) ?? {
      kernel: record.name,
      calls: 0,
      totalMs: 0,
      share: 0,
      slowestInputShapes: [],
      slowestMs: -1,
    };
    total.calls += 1;
    total.totalMs += ms;
    if (ms > total.slowestMs) {
      total.slowestMs = ms;
      total.slowestInputShapes = record.inputShapes.filter((s): s is number[] => s !== null);
    }
    totals.set(record.name, total);
  }
  return [...totals.values()]
    .map((t) => ({ ...t, share: wallMs > 0 ? t.totalMs / wallMs : 0 }))
    .sort((a, b) => b.totalMs - a.totalMs);
}

/**
 * Profiles `steps` training steps of a workload on the active backend, after
 * one unprofiled warm-up step.
 */
export async function profileWorkload(workload: BenchWorkload, steps = 3, seed = 0): Promise<KernelProfile> {
  const rig = prepareRig(workload, seed);
  try {
    await rig.step();
    const start = performance.now();
    const info = await tf.profile(async () => {
      for (let i = 0; i < steps; i++) await rig.step();
    });
    const wallMs = performance.now() - start;
    const kernels = totalByKernel(info.kernels as KernelRecord[], wallMs);
    return {
      workload: workload.name,
      backend: tf.getBackend(),
      steps,
      wallMs,
      kernelMs: kernels.reduce((sum, k) => sum + k.totalMs, 0),
      kernels,
    };
  } finally {
    rig.dispose();
  }
}
