import { availableParallelism, totalmem } from 'node:os';
import type { EngineInfo } from '../../shared/train/events';
import type { FieldSuggestion } from '../../shared/refusal';
import { formatBytes } from '../../shared/format';
import { estimateRunMemory, WASM_HEAP_PER_ESTIMATED_BYTE, type MemoryEstimateConfig } from './memory-estimate';

/**
 * What a wasm run holds in the machine's memory, priced for the layout that
 * will run, and the layout chosen so that it fits.
 *
 * The wasm engine spends N threads as N data-parallel replicas (data-parallel.ts),
 * each with its own heap holding its own weights, gradients, weight copies,
 * optimizer state and its shard's activations; or as one heap on the threaded
 * build's pool (the single-heap layout), which holds one batch's worth. So the
 * machine's memory grows with the replicas, while the wasm heap check
 * (memory-estimate.ts, 4 GB per heap) sees one heap only.
 *
 * Per heap: estimateRunMemory at the heap's batch (its shard), × the measured
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
/** The threaded build's eight pthread workers (wasm-threaded-build.ts), whatever the thread count. */
export const THREADED_BUILD_BYTES = 130 * 1024 ** 2;
/** The threaded build's pool cannot exceed this (THREADED_WASM_MAX_THREADS). */
const MAX_THREADS = 8;

/** Share of the machine's total memory a run may plan for unless told otherwise. */
export const DEFAULT_MEMORY_SHARE = 0.7;
/** The environment variable that sets the limit: "6GB", "6144MB", "60%". */
export const MEMORY_LIMIT_ENV = 'VGG_WORKBENCH_MEMORY_LIMIT';

/** How the wasm engine spends its threads (wasm-engine.ts's WasmLayout). */
export interface ThreadLayout {
  replicas: number;
  threadsPerReplica: number;
}

export interface LayoutMemory extends ThreadLayout {
  /** Threads in all: replicas × threadsPerReplica. */
  threads: number;
  /** The heaps, replica 0 first. */
  heapBytes: number[];
  /** Process, helper threads, pthreads and the shared gradient slots. */
  sharedBytes: number;
  /** What the machine's resident memory peaks at. */
  totalBytes: number;
}

/** "4 replicas", "4 threads in one heap", "1 thread", "2 replicas × 2 threads". */
export function describeLayout(layout: ThreadLayout): string {
  const { replicas, threadsPerReplica: t } = layout;
  if (replicas > 1) return t > 1 ? `${replicas} replicas × ${t} threads` : `${replicas} replicas`;
  return t > 1 ? `${t} threads in one heap` : '1 thread';
}

/** [from, to) sizes of the shards: the larger first, as shardBounds in data-parallel.ts. */
function shardSizes(batchSize: number, replicas: number): number[] {
  const base = Math.floor(batchSize / replicas);
  return Array.from({ length: replicas }, (_, i) => base + (i < batchSize % replicas ? 1 : 0));
}

/** The machine's peak resident memory for `config` trained on wasm in `layout`. Throws estimateRunMemory's errors. */
export function estimateLayoutMemory(config: MemoryEstimateConfig, layout: ThreadLayout): LayoutMemory {
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

/** The layout of an engine as it was loaded (EngineInfo records threads and replicas). */
export function layoutOfEngine(engine: Pick<EngineInfo, 'threads' | 'replicas'>): ThreadLayout {
  const threads = engine.threads ?? 1;
  const replicas = engine.replicas ?? 1;
  return { replicas, threadsPerReplica: Math.max(1, Math.floor(threads / replicas)) };
}

export interface MemoryLimit {
  bytes: number;
  /** For messages: "70% of 16 GB", "6 GB (VGG_WORKBENCH_MEMORY_LIMIT)". */
  description: string;
}

const UNIT_BYTES: Record<string, number> = { '': 1, B: 1, K: 1024, KB: 1024, M: 1024 ** 2, MB: 1024 ** 2, G: 1024 ** 3, GB: 1024 ** 3, T: 1024 ** 4, TB: 1024 ** 4 };

/**
 * Parses a memory limit: "6GB", "6 GB", "6144MB", "6g", plain bytes, or a
 * share of the machine, "60%". Units are binary (1 GB = 1024³ bytes), as
 * formatBytes prints them. Throws an Error that names `source` and the forms
 * it takes.
 */
export function parseMemoryLimit(text: string, source: string, machineBytes: number = totalmem()): MemoryLimit {
  const value = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value);
  if (percent) {
    const share = Number(percent[1]) / 100;
    if (share <= 0 || share > 1) throw new Error(`${source} must be a share between 0% and 100%, got "${text}"`);
    return { bytes: Math.floor(machineBytes * share), description: `${percent[1]}% of ${formatBytes(machineBytes)} (${source})` };
  }
  const sized = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(value);
  const unit = sized ? UNIT_BYTES[sized[2]!.toUpperCase()] : undefined;
  if (!sized || unit === undefined || Number(sized[1]) <= 0) {
    throw new Error(`${source} must be a size like 6GB, 6144MB or 60% of the machine, got "${text}"`);
  }
  const bytes = Math.floor(Number(sized[1]) * unit);
  return { bytes, description: `${formatBytes(bytes)} (${source})` };
}

/**
 * The memory a run may plan for on this machine: `flag` (--memory-limit) if
 * given, else the environment's VGG_WORKBENCH_MEMORY_LIMIT, else
 * DEFAULT_MEMORY_SHARE of the total.
 */
export function machineMemoryLimit(
  options: { flag?: string; env?: NodeJS.ProcessEnv; machineBytes?: number } = {},
): MemoryLimit {
  const machineBytes = options.machineBytes ?? totalmem();
  if (options.flag !== undefined) return parseMemoryLimit(options.flag, '--memory-limit', machineBytes);
  const fromEnv = (options.env ?? process.env)[MEMORY_LIMIT_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseMemoryLimit(fromEnv, MEMORY_LIMIT_ENV, machineBytes);
  return {
    bytes: Math.floor(machineBytes * DEFAULT_MEMORY_SHARE),
    description: `${DEFAULT_MEMORY_SHARE * 100}% of this machine's ${formatBytes(machineBytes)}`,
  };
}

export interface LayoutPlan {
  layout: ThreadLayout;
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

/** The layout `threads` gets by default: one replica per thread (wasmLayout in wasm-engine.ts). */
export function defaultLayout(threads: number): ThreadLayout {
  return threads > 1 ? { replicas: threads, threadsPerReplica: 1 } : { replicas: 1, threadsPerReplica: 1 };
}

/**
 * Layouts for `threads`, fastest first: a replica per thread; fewer replicas,
 * each on a share of the threads; then every thread in one heap on the
 * threaded build (measured nearly as fast on big convolutions, and one
 * batch's memory).
 */
export function candidateLayouts(threads: number): ThreadLayout[] {
  if (threads <= 1) return [{ replicas: 1, threadsPerReplica: 1 }];
  const layouts: ThreadLayout[] = [];
  for (let replicas = threads; replicas >= 2; replicas--) {
    const per = Math.floor(threads / replicas);
    if (replicas * per === threads) layouts.push({ replicas, threadsPerReplica: per });
  }
  layouts.push({ replicas: 1, threadsPerReplica: threads });
  return layouts;
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

function fitsIn(config: MemoryEstimateConfig, layout: ThreadLayout, limitBytes: number): LayoutMemory | undefined {
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
  const layoutsFor = (threads: number): ThreadLayout[] =>
    replicasAvailable ? candidateLayouts(threads) : [{ replicas: 1, threadsPerReplica: threads }];

  if (options.threads === undefined) {
    const cores = Math.max(1, Math.min(options.cores ?? availableParallelism(), MAX_THREADS));
    for (let threads = cores; threads >= 1; threads--) {
      for (const layout of layoutsFor(threads)) {
        const memory = fitsIn(config, layout, limit.bytes);
        if (memory) return planOf(memory, limit);
      }
    }
    return planOf(estimateLayoutMemory(config, { replicas: 1, threadsPerReplica: 1 }), limit);
  }

  const threads = Math.min(options.threads, MAX_THREADS);
  const asked = replicasAvailable ? defaultLayout(threads) : { replicas: 1, threadsPerReplica: threads };
  const memory = estimateLayoutMemory(config, asked);
  if (memory.totalBytes <= limit.bytes) return planOf(memory, limit);

  let fittingThreads: number | undefined;
  for (let n = threads - 1; n >= 1 && fittingThreads === undefined; n--) {
    if (fitsIn(config, replicasAvailable ? defaultLayout(n) : { replicas: 1, threadsPerReplica: n }, limit.bytes)) fittingThreads = n;
  }
  const singleHeap = threads > 1 ? fitsIn(config, { replicas: 1, threadsPerReplica: threads }, limit.bytes) : undefined;
  const ways = [
    fittingThreads !== undefined ? `${fittingThreads} thread${fittingThreads === 1 ? '' : 's'} (${describeLayout(defaultLayout(fittingThreads))}, ${formatBytes(estimateLayoutMemory(config, defaultLayout(fittingThreads)).totalBytes)})` : undefined,
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
