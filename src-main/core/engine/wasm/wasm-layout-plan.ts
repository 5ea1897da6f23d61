import { availableParallelism } from 'node:os';
import type { FieldSuggestion } from '../../../shared/refusal';
import { formatBytes } from '../../../shared/format';
import { estimateRunMemory, type MemoryEstimateConfig } from '../run-memory';
import { machineMemoryLimit, type MemoryLimit } from '../memory-limit';
import { THREADED_WASM_MAX_THREADS } from './threaded-build';
import { candidateLayouts, describeLayout, wasmLayout, type WasmLayout } from './wasm-layout';
import { estimateLayoutMemory, type LayoutMemory } from './wasm-layout-memory';

/** Planning a wasm run's thread layout to fit the machine's memory limit (memory-limit.ts). */

export interface LayoutPlan {
  layout: WasmLayout;
  memory: LayoutMemory;
  limit: MemoryLimit;
  /** For the engine detail: "4 replicas (9.1 GB planned of 16 GB)". */
  summary: string;
}

function planOf(memory: LayoutMemory, limit: MemoryLimit): LayoutPlan {
  const layout = { replicas: memory.replicas, threadsPerReplica: memory.threadsPerReplica };
  return { layout, memory, limit, summary: `${describeLayout(layout)} (${formatBytes(memory.totalBytes)} planned of ${formatBytes(limit.bytes)})` };
}

/**
 * For the Launch view: what a run of this network plans to hold with every
 * core, in the layout auto threads would pick here. Empty without a batch or
 * for a network the summary rejects (the summary says why).
 */
export function plannedMemoryOf(
  config: Omit<MemoryEstimateConfig, 'batchSize'> & { batchSize?: number | undefined },
  options: Pick<PlanOptions, 'limit' | 'cores'> = {},
): { plannedMemory?: { bytes: number; limitBytes: number; layout: string; limit: string } } {
  const { batchSize } = config;
  if (batchSize === undefined) return {};
  try {
    const plan = planWasmLayout({ ...config, batchSize }, options);
    return { plannedMemory: { bytes: plan.memory.totalBytes, limitBytes: plan.limit.bytes, layout: describeLayout(plan.layout), limit: plan.limit.description } };
  } catch {
    return {};
  }
}

/** Refusal of an explicit thread count whose layout does not fit the memory limit; names what would. */
export class ThreadsTooManyError extends Error {
  override name = 'ThreadsTooManyError';
  constructor(
    message: string,
    readonly memory: LayoutMemory,
    readonly limit: MemoryLimit,
    /** The largest thread count whose default layout fits; undefined when not even one thread does. */
    readonly fittingThreads: number | undefined,
    /** A layout at the asked thread count that fits (one heap on the threaded build), when one does. */
    readonly fittingLayout: LayoutMemory | undefined,
  ) {
    super(message);
  }

  get suggestions(): FieldSuggestion[] {
    return this.fittingThreads === undefined ? [] : [{ field: 'threads', max: this.fittingThreads }];
  }
}

function fitsIn(config: MemoryEstimateConfig, layout: WasmLayout, limitBytes: number): LayoutMemory | undefined {
  const memory = estimateLayoutMemory(config, layout);
  return memory.totalBytes <= limitBytes ? memory : undefined;
}

export interface PlanOptions {
  /** The thread count the run asked for; absent ('auto'): every core, capped at the build's 8, in the largest layout that fits. */
  threads?: number;
  /** Cores to plan for when `threads` is absent; availableParallelism() by default. */
  cores?: number;
  limit?: MemoryLimit;
  /** False where the replica entry is missing (a bundle without it): every thread then goes to one heap. */
  replicasAvailable?: boolean;
}

/**
 * The wasm layout for a run on this machine, and what it plans to hold.
 * - `threads` absent: the fastest layout of every core (up to 8) that fits the
 *   limit; fewer threads only when no layout of every core fits; one thread
 *   when nothing fits (the wasm heap check then says what to reduce).
 * - `threads` given: its default layout, a replica per thread; refused with
 *   ThreadsTooManyError when that does not fit, naming the largest thread
 *   count that does and the single-heap layout of the asked count if it fits.
 * This is the rule a remote worker applies to its own machine's memory too.
 */
export function planWasmLayout(config: MemoryEstimateConfig, options: PlanOptions = {}): LayoutPlan {
  const limit = options.limit ?? machineMemoryLimit();
  const replicasAvailable = options.replicasAvailable ?? true;
  const layoutsFor = (threads: number): WasmLayout[] =>
    replicasAvailable ? candidateLayouts(threads) : [wasmLayout(threads, false)];

  if (options.threads === undefined) {
    const cores = Math.max(1, Math.min(options.cores ?? availableParallelism(), THREADED_WASM_MAX_THREADS));
    for (let threads = cores; threads >= 1; threads--) {
      for (const layout of layoutsFor(threads)) {
        const memory = fitsIn(config, layout, limit.bytes);
        if (memory) return planOf(memory, limit);
      }
    }
    return planOf(estimateLayoutMemory(config, { replicas: 1, threadsPerReplica: 1 }), limit);
  }

  const threads = Math.min(options.threads, THREADED_WASM_MAX_THREADS);
  const asked = wasmLayout(threads, replicasAvailable);
  const memory = estimateLayoutMemory(config, asked);
  if (memory.totalBytes <= limit.bytes) return planOf(memory, limit);

  let fittingThreads: number | undefined;
  for (let n = threads - 1; n >= 1 && fittingThreads === undefined; n--) {
    if (fitsIn(config, wasmLayout(n, replicasAvailable), limit.bytes)) fittingThreads = n;
  }
  const singleHeap = threads > 1 ? fitsIn(config, { replicas: 1, threadsPerReplica: threads }, limit.bytes) : undefined;
  const ways = [
    fittingThreads !== undefined ? `${fittingThreads} thread${fittingThreads === 1 ? '' : 's'} (${describeLayout(wasmLayout(fittingThreads, replicasAvailable))}, ${formatBytes(estimateLayoutMemory(config, wasmLayout(fittingThreads, replicasAvailable)).totalBytes)})` : undefined,
    singleHeap && asked.replicas > 1
      ? `${describeLayout(singleHeap)} on the threaded build (${formatBytes(singleHeap.totalBytes)}), which the automatic thread choice picks when you leave the thread count unset`
      : undefined,
  ].filter((w) => w !== undefined);
  const network = estimateRunMemory(config).network;
  throw new ThreadsTooManyError(
    `${network} at ${config.resize}×${config.resize}, batch ${config.batchSize}, on ${threads} threads (${describeLayout(asked)}, ` +
      `each with its own weights, gradients and shard of activations) plans ${formatBytes(memory.totalBytes)}, ` +
      `over the ${limit.description} a run may use. ` +
      (ways.length > 0 ? `It fits with ${ways.join(', or ')}.` : 'Not even one thread fits: reduce the batch or the image size.'),
    memory,
    limit,
    fittingThreads,
    singleHeap,
  );
}
