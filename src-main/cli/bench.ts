#!/usr/bin/env node
/**
 * `npm run bench`: training throughput of the standard workloads on our
 * engines, next to the PyTorch yardstick run on the same machine in the same
 * run. `--profile` shows where a step's time goes, per tfjs kernel.
 */
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { selectEngine } from '../core/engine/engines';
import { measureInChildProcess } from '../core/bench/measure-in-child-process';
import { BENCH_LAYER_STATS_ENV } from '../core/bench/bench-layer-stats';
import { profileWorkload, type KernelProfile } from '../core/bench/kernel-profile';
import {
  REFERENCE_BLAS_WARNING,
  runPytorchReference,
  type PytorchCeiling,
  type PytorchOutcome,
  type YardstickDevice,
} from '../core/bench/pytorch-reference';
import { CEILING_CONV, CEILING_MATMUL_SIZE, measureCeilingIsolated, trainingFlopsPerImage, type EngineCeiling } from '../core/bench/ceiling';
import { DEFAULT_WORKLOAD_NAMES, findWorkload, WORKLOAD_NAMES, type BenchWorkload } from '../core/bench/workloads';
import type { GpuStepCounts } from '../core/bench/gpu-step-counts';
import { estimateRunMemory, estimateWasmHeapBytes } from '../core/train/memory-estimate';
import { estimateLayoutMemory, layoutOfEngine } from '../core/train/replica-layout';
import { formatBytes } from '../shared/format';
import { alignColumns } from './text-table';
import { ENGINE_IDS, type EngineChoice } from '../shared/train/run-config';
import type { EngineInfo } from '../shared/train/events';
import { positiveInt } from './option-parsers';
import { UsageError } from './usage-error';
import { errorMessage } from '../shared/error-message';

const USAGE_ERROR = 2;
/** Kernels shown by --profile. */
const PROFILE_TOP = 15;
/** Steps profiled when --steps is absent: tf.profile's bookkeeping slows them, and two show the pattern. */
const PROFILE_STEPS = 2;
/** The --ceiling kernels in words. */
const CEILING_SHAPES =
  `${CEILING_MATMUL_SIZE}×${CEILING_MATMUL_SIZE}·${CEILING_MATMUL_SIZE}×${CEILING_MATMUL_SIZE}, ` +
  `conv ${CEILING_CONV.batch}×${CEILING_CONV.side}×${CEILING_CONV.side}×${CEILING_CONV.channels} → ${CEILING_CONV.channels} (VGG-11's block 4 at 96×96)`;

interface BenchFlags {
  engine: EngineChoice[];
  workload?: string[];
  steps?: number;
  json?: boolean;
  profile?: boolean;
  reference?: string;
  /** False with --no-pytorch. */
  pytorch: boolean;
  /** Thread counts to measure, each for our engine and the yardstick alike. */
  threads?: number[];
  /** Also measure each engine's and PyTorch's GFLOP/s on one matmul and one 3×3 conv. */
  ceiling?: boolean;
  /** Measure the Redis queue instead (queue-bench.ts). */
  queue?: boolean;
  /** Train with per-layer statistics: every n steps, or (true) a full-set run's interval. */
  layerStats?: string | true;
}

/** One row of the table; the --json line has these fields. */
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
   * wasm, the layout that ran (replicas × their heaps, plus the shared parts:
   * train/replica-layout.ts); elsewhere estimateRunMemory's tensor peak.
   */
  estimatedBytes: number;
  /** The wasm heap that estimate predicts at this row's thread count (estimateWasmHeapBytes); null off wasm. */
  estimatedWasmHeapBytes: number | null;
  steps: number | null;
  engineDetail: string | null;
  /** Whether the engine computes on a GPU: tensorflow-gpu, or webgpu on a hardware adapter. */
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
interface CeilingRow {
  who: string;
  threads: number;
  matmul: number | null;
  conv3x3: number | null;
  basis: string;
}

function buildProgram(run: (flags: BenchFlags) => Promise<number>): Command {
  return new Command('bench')
    .description('Training images/s of the standard workloads, against PyTorch on the same machine.')
    .addOption(
      new Option('--engine <engines...>', 'engines to measure, one or more')
        .choices(['auto', ...ENGINE_IDS])
        .default(['auto']),
    )
    .addOption(new Option('--workload <names...>', 'workloads to run (default: all but vgg11-r4-224-b128, a GPU\'s)').choices([...WORKLOAD_NAMES]))
    .option('--steps <n>', "timed steps (default: each workload's own; with --profile, 2)", positiveInt)
    .option('--json', 'one JSON object per line per workload and engine')
    .option('--profile', 'profile the workloads per tfjs kernel instead of timing them')
    .option('--reference <path>', 'the PyTorch yardstick script (default: bench/pytorch_reference.py)')
    .option('--ceiling', "also measure each engine's and PyTorch's GFLOP/s on one matrix product and one 3×3 conv, and each workload's share of it")
    .option('--no-pytorch', 'skip the PyTorch yardstick')
    .option('--queue', "measure the Redis queue: launch to first batch against local, and one hub's events/s from 2 workers (needs redis-server)")
    .option('--threads <counts>', 'CPU threads, for our engine and PyTorch alike; a list (1,2) prints the scaling (default: every core)', threadCounts)
    .option('--layer-stats [n]', "train with per-layer statistics every n steps (default: a full-set run's interval for the batch), to measure their cost")
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .action(async (flags: BenchFlags) => {
      process.exitCode = await run(flags);
    });
}

/** "1,2" -> [1, 2]: each a whole number of 1 or more, no repeats. */
function threadCounts(value: string): number[] {
  const counts = value.split(',').map((part) => {
    const n = Number(part.trim());
    if (!/^\d+$/.test(part.trim()) || n < 1) throw new InvalidArgumentError('expected thread counts like 1,2 (whole numbers of 1 or more).');
    return n;
  });
  return [...new Set(counts)];
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram(runBench).parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return USAGE_ERROR;
    }
    process.stderr.write(`error: ${errorMessage(error)}\n`);
    return 1;
  }
}

function selectedWorkloads(flags: BenchFlags): BenchWorkload[] {
  const names = flags.workload ?? DEFAULT_WORKLOAD_NAMES;
  return [...new Set(names)].map(findWorkload);
}

async function runBench(flags: BenchFlags): Promise<number> {
  if (flags.queue) {
    const { runQueueBench } = await import('./queue-bench');
    return runQueueBench({ engine: flags.engine[0] ?? 'auto', json: flags.json === true });
  }
  // The measuring children inherit it (bench-layer-stats.ts).
  if (flags.layerStats !== undefined) process.env[BENCH_LAYER_STATS_ENV] = flags.layerStats === true ? 'default' : String(flags.layerStats);
  const workloads = selectedWorkloads(flags);
  const engines = [...new Set(flags.engine)];
  if (flags.profile) return runProfiles(workloads, engines, flags);

  const threadList = flags.threads ?? [availableParallelism()];
  const rows: BenchRow[] = [];
  // One thread count at a time, ours then PyTorch's, so each ratio compares runs close in time.
  const outcomes: PytorchOutcome[] = [];
  const ceilings: CeilingRow[] = [];
  for (const threads of threadList) {
    const measured: BenchRow[] = [];
    for (const engine of engines) {
      for (const workload of workloads) measured.push(await measureRow(workload, engine, flags.steps, threads));
    }
    outcomes.push(...(await joinPytorch(measured, workloads, threads, flags)));
    if (flags.ceiling) ceilings.push(...(await joinCeilings(measured, engines, threads, flags)));
    rows.push(...measured);
  }
  addSpeedups(rows, threadList[0]!);

  // Loud, above everything: a yardstick on the reference BLAS makes every ratio below 2–4× too kind.
  if (rows.some((row) => row.pytorchBlas === 'reference')) {
    const banner = `*** ${REFERENCE_BLAS_WARNING} ***\n`;
    if (flags.json) process.stderr.write(banner);
    else process.stdout.write(`${banner}\n`);
  }
  if (flags.json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    // --ceiling's own lines, told apart from the rows by their `ceiling` key.
    for (const { who, ...rest } of ceilings) process.stdout.write(`${JSON.stringify({ ceiling: who, ...rest })}\n`);
  } else {
    process.stdout.write(formatTable(rows));
    if (ceilings.length > 0) process.stdout.write(formatCeilings(ceilings));
    if (threadList.length > 1) process.stdout.write(formatScaling(rows, threadList));
    for (const outcome of outcomes) {
      const first = outcome.ok ? outcome.rates[0] : undefined;
      if (outcome.ok && first) {
        process.stdout.write(
          `PyTorch ${first.torch} (${outcome.python}) on ${first.device}, ${first.threads} thread${first.threads === 1 ? '' : 's'}, ` +
            `${first.blas} BLAS (${outcome.rates.map((r) => `${r.workload}: ${r.blasThreads ?? '?'} BLAS thread${r.blasThreads === 1 ? '' : 's'}`).join(', ')}).\n`,
        );
      }
    }
  }
  return rows.some((row) => row.error !== undefined) ? 1 : 0;
}

/**
 * Runs the yardstick at `threads` for the rows measured at that count and
 * fills their PyTorch columns. A GPU engine is measured against PyTorch on
 * the GPU, a CPU engine against PyTorch on the CPU.
 */
async function joinPytorch(rows: BenchRow[], workloads: BenchWorkload[], threads: number, flags: BenchFlags): Promise<PytorchOutcome[]> {
  const devices = new Map<YardstickDevice, PytorchOutcome>();
  for (const device of new Set(rows.map(yardstickDevice))) {
    const outcome: PytorchOutcome = flags.pytorch
      ? await withNote(`PyTorch reference (${device}, ${threads} threads)`, () =>
          runPytorchReference(
            workloads.map((w) => w.name),
            {
              device,
              threads,
              ...(flags.reference === undefined ? {} : { script: flags.reference }),
              onRate: (rate) => note(`PyTorch ${rate.workload}: ${rate.imagesPerSec} images/s (${rate.device}, ${rate.threads} threads)`),
            },
          ),
        )
      : { ok: false, reason: 'skipped (--no-pytorch)' };
    if (!outcome.ok) note(`PyTorch columns are empty: ${outcome.reason}`);
    else if (outcome.note) note(outcome.note);
    devices.set(device, outcome);
  }
  for (const row of rows) {
    const outcome = devices.get(yardstickDevice(row));
    const rate = outcome?.ok ? outcome.rates.find((r) => r.workload === row.workload) : undefined;
    if (!rate) continue;
    row.pytorchImagesPerSec = rate.imagesPerSec;
    row.pytorchThreads = rate.threads;
    row.pytorchDevice = rate.device;
    row.pytorchBlas = rate.blas;
    row.pytorchBlasThreads = rate.blasThreads;
    row.ratio = row.imagesPerSec === null ? null : row.imagesPerSec / rate.imagesPerSec;
  }
  return [...devices.values()];
}

/**
 * --ceiling at `threads`: each engine's GFLOP/s on the two kernels in a fresh
 * process, and PyTorch's on the CPU, then each row's share of its own ceiling.
 */
async function joinCeilings(rows: BenchRow[], engines: EngineChoice[], threads: number, flags: BenchFlags): Promise<CeilingRow[]> {
  const found: CeilingRow[] = [];
  const ours = new Map<string, EngineCeiling>();
  for (const engine of engines) {
    try {
      const { engine: info, ceiling } = await withNote(`ceiling of ${engine}, ${threads} threads`, () => measureCeilingIsolated(engine, threads));
      ours.set(engine, ceiling);
      found.push({ who: info.id, threads, matmul: ceiling.matmul, conv3x3: ceiling.conv3x3, basis: ceiling.basis });
    } catch (error) {
      note(`ceiling of ${engine} failed: ${errorMessage(error)}`);
    }
  }
  let torchBest: number | null = null;
  if (flags.pytorch) {
    const outcome = await withNote(`PyTorch ceiling (cpu, ${threads} threads)`, () =>
      runPytorchReference([], { ceiling: true, threads, ...(flags.reference === undefined ? {} : { script: flags.reference }) }),
    );
    if (outcome.ok && outcome.ceilings.length > 0) {
      const at = (kernel: string): PytorchCeiling | undefined => outcome.ceilings.find((c) => c.kernel === kernel);
      const [matmul, conv] = [at('matmul'), at('conv3x3')];
      torchBest = Math.max(matmul?.gflops ?? 0, conv?.gflops ?? 0);
      const blas = outcome.ceilings[0]!;
      found.push({
        who: 'PyTorch',
        threads,
        matmul: matmul?.gflops ?? null,
        conv3x3: conv?.gflops ?? null,
        basis:
          threads === 1
            ? `${blas.blas} BLAS on ${blas.blasThreads ?? '?'} thread`
            : `${blas.blas} BLAS, the better of ${threads} and 1 BLAS threads (matmul on ${matmul?.blasThreads ?? '?'}, conv on ${conv?.blasThreads ?? '?'})`,
      });
    } else if (!outcome.ok) note(`PyTorch ceiling skipped: ${outcome.reason}`);
  }
  for (const row of rows) {
    const ceiling = ours.get(row.engine) ?? ours.get('auto');
    if (ceiling) {
      row.ceilingGflops = Math.max(ceiling.matmul, ceiling.conv3x3);
      if (row.imagesPerSec !== null) row.ceilingFraction = (row.imagesPerSec * row.gflopPerImage) / row.ceilingGflops;
    }
    if (torchBest !== null && row.pytorchDevice === 'cpu') {
      row.pytorchCeilingGflops = torchBest;
      if (row.pytorchImagesPerSec !== null) row.pytorchCeilingFraction = (row.pytorchImagesPerSec * row.gflopPerImage) / torchBest;
    }
  }
  return found;
}

function formatCeilings(ceilings: readonly CeilingRow[]): string {
  const gflops = (n: number | null): string => (n === null ? '-' : n.toFixed(1));
  const header = ['ceiling', 'threads', 'matmul GFLOP/s', '3×3 conv GFLOP/s', 'how'];
  const body = ceilings.map((c) => [c.who, String(c.threads), gflops(c.matmul), gflops(c.conv3x3), c.basis]);
  return (
    `\n${alignColumns([header, ...body], header.map((_, i) => i >= 1 && i <= 3)).join('\n')}\n` +
    `matmul ${CEILING_SHAPES}; share of ceiling = images/s × GFLOP per image (6 × forward MACs) over the better of the two.\n`
  );
}

/** Each row's images/s over its workload's and engine's at the first thread count, ours and PyTorch's. */
function addSpeedups(rows: BenchRow[], baseThreads: number): void {
  for (const row of rows) {
    if (row.threads === baseThreads) continue;
    const base = rows.find((r) => r.threads === baseThreads && r.workload === row.workload && r.engine === row.engine);
    if (!base) continue;
    row.speedup = row.imagesPerSec !== null && base.imagesPerSec ? row.imagesPerSec / base.imagesPerSec : null;
    row.pytorchSpeedup =
      row.pytorchImagesPerSec !== null && base.pytorchImagesPerSec ? row.pytorchImagesPerSec / base.pytorchImagesPerSec : null;
  }
}

/** Times one workload on one engine in its own process; a failure becomes a row with its error. */
async function measureRow(workload: BenchWorkload, engine: EngineChoice, steps: number | undefined, threads: number): Promise<BenchRow> {
  const config = { ...workload.network, resize: workload.side, batchSize: workload.batchSize };
  const estimate = estimateRunMemory(config);
  const estimatedBytes = estimate.totalBytes;
  const row: BenchRow = {
    workload: workload.name,
    engine,
    imagesPerSec: null,
    pytorchImagesPerSec: null,
    ratio: null,
    peakRssBytes: null,
    wasmHeapBytes: null,
    estimatedBytes,
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
    gflopPerImage: trainingFlopsPerImage(estimate.summary.totalMacs) / 1e9,
    ceilingGflops: null,
    ceilingFraction: null,
    pytorchCeilingGflops: null,
    pytorchCeilingFraction: null,
  };
  const progress = stepProgress(`${workload.name} on ${engine}, ${threads} thread${threads === 1 ? '' : 's'}`);
  try {
    const { engine: info, measurement } = await measureInChildProcess(workload.name, engine, {
      ...(steps === undefined ? {} : { steps }),
      threads,
      onStep: progress.update,
    });
    Object.assign(row, {
      engine: info.id,
      imagesPerSec: measurement.imagesPerSec,
      peakRssBytes: measurement.peakRssBytes,
      wasmHeapBytes: measurement.wasmHeapBytes ?? null,
      steps: measurement.steps,
      engineDetail: describeEngine(info),
      engineThreads: info.threads ?? null,
      estimatedWasmHeapBytes: info.id === 'wasm' ? estimateWasmHeapBytes(estimate, info.threads ?? 1) : null,
      ...(info.id === 'wasm' ? { estimatedBytes: estimateLayoutMemory(config, layoutOfEngine(info)).totalBytes } : {}),
      onGpu: info.id === 'tensorflow-gpu' || (info.adapter !== undefined && !info.adapter.software),
      gpu: measurement.gpu ?? null,
    });
    progress.stop(`${formatRate(measurement.imagesPerSec)} images/s`);
  } catch (error) {
    row.error = errorMessage(error);
    progress.stop(`failed: ${row.error}`);
  }
  return row;
}

/** GPU engines (CUDA, or webgpu on a hardware adapter) are compared with PyTorch on the GPU. */
function yardstickDevice(row: BenchRow): YardstickDevice {
  return row.onGpu ? 'cuda' : 'cpu';
}

function describeEngine(info: EngineInfo): string {
  return `${info.backend} ${info.version}${info.detail ? ` (${info.detail})` : ''}`;
}

async function runProfiles(workloads: BenchWorkload[], engines: EngineChoice[], flags: BenchFlags): Promise<number> {
  const steps = flags.steps ?? PROFILE_STEPS;
  for (const engine of engines) {
    const info = await selectEngine(engine, flags.threads?.[0] === undefined ? {} : { threads: flags.threads[0] });
    for (const workload of workloads) {
      const profile = await withNote(`profiling ${workload.name} on ${info.id}, ${steps} steps`, () =>
        profileWorkload(workload, steps),
      );
      if (flags.json) {
        const { kernels, ...rest } = profile;
        process.stdout.write(`${JSON.stringify({ ...rest, engine: info.id, kernels: kernels.slice(0, PROFILE_TOP) })}\n`);
      } else {
        process.stdout.write(formatProfile(profile, describeEngine(info)));
      }
    }
  }
  return 0;
}

/** A progress bar on a terminal; otherwise one stderr line at the start and one at the end. */
function stepProgress(label: string): { update: (done: number, total: number) => void; stop: (result: string) => void } {
  if (process.stderr.isTTY !== true) {
    note(`${label}: running`);
    return { update: () => undefined, stop: (result) => note(`${label}: ${result}`) };
  }
  const bar = new SingleBar(
    { format: `${label} |{bar}| {value}/{total} steps`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: (result) => {
      if (started) bar.stop();
      note(`${label}: ${result}`);
    },
  };
}

function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function withNote<T>(label: string, task: () => Promise<T>): Promise<T> {
  note(`${label}...`);
  return task();
}

function formatRate(n: number | null): string {
  if (n === null) return '-';
  return n >= 100 ? String(Math.round(n)) : n >= 1 ? n.toFixed(1) : n.toPrecision(2);
}

/** Two decimals, or two significant digits for the cpu engine's tiny ratios (0.0022, not 0.00). */
function formatRatio(ratio: number | null): string {
  if (ratio === null) return '-';
  return ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2);
}

function formatTable(rows: readonly BenchRow[]): string {
  const withCeiling = rows.some((r) => r.ceilingGflops !== null || r.pytorchCeilingGflops !== null);
  const share = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(0)}%`);
  const header = ['workload', 'engine', 'threads', 'images/s', 'PyTorch images/s', 'ratio', 'peak RSS', 'wasm heap', 'heap estimate', 'estimate'];
  if (withCeiling) header.push('of ceiling', 'PyTorch of its ceiling');
  const body = rows.map((r) => [
    r.workload,
    r.engine,
    String(r.engineThreads ?? r.threads),
    r.error ? 'failed' : formatRate(r.imagesPerSec),
    formatRate(r.pytorchImagesPerSec),
    formatRatio(r.ratio),
    r.peakRssBytes === null ? '-' : formatBytes(r.peakRssBytes),
    r.wasmHeapBytes === null ? '-' : formatBytes(r.wasmHeapBytes),
    r.estimatedWasmHeapBytes === null ? '-' : formatBytes(r.estimatedWasmHeapBytes),
    formatBytes(r.estimatedBytes),
    ...(withCeiling ? [share(r.ceilingFraction), share(r.pytorchCeilingFraction)] : []),
  ]);
  // Text left, numbers right.
  const out = alignColumns([header, ...body], header.map((_, i) => i >= 2));
  const details = [...new Set(rows.flatMap((r) => (r.engineDetail ? [`${r.engine}: ${r.engineDetail}`] : [])))];
  out.push(...details);
  for (const r of rows) if (r.error) out.push(`${r.workload} on ${r.engine} failed: ${r.error}`);
  out.push('ratio = ours / PyTorch; peak RSS is the measuring process\'s high-water mark; estimate is the peak RSS planned for the layout that ran (replica-layout.ts), heap estimate the wasm heap of one heap.');
  return `${out.join('\n')}\n`;
}

/** Speed-up per workload and engine from the first thread count to each other, ours next to PyTorch's. */
function formatScaling(rows: readonly BenchRow[], threadList: readonly number[]): string {
  const [base] = threadList;
  const header = ['scaling', 'engine', ...threadList.slice(1).map((t) => `${base} -> ${t} threads`), 'PyTorch'];
  const body = rows
    .filter((r) => r.threads === base)
    .map((r) => {
      const at = (t: number) => rows.find((o) => o.threads === t && o.workload === r.workload && o.engine === r.engine);
      const times = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${x.toFixed(2)}x`);
      return [
        r.workload,
        r.engine,
        ...threadList.slice(1).map((t) => times(at(t)?.speedup)),
        threadList.slice(1).map((t) => times(at(t)?.pytorchSpeedup)).join(', '),
      ];
    });
  return `\n${alignColumns([header, ...body], header.map((_, i) => i >= 2)).join('\n')}\n`;
}

function formatProfile(profile: KernelProfile, engine: string): string {
  const perStep = (ms: number): string => (ms / profile.steps).toFixed(1);
  const lines = [
    `${profile.workload} on ${engine}: ${profile.steps} steps, ${perStep(profile.wallMs)} ms/step wall, ` +
      `${perStep(profile.kernelMs)} ms/step in kernels (${((profile.kernelMs / profile.wallMs) * 100).toFixed(0)} %), ` +
      `the rest is tape, tidy and JS between kernels`,
    `${'kernel'.padEnd(24)} ${'calls'.padStart(6)} ${'ms/step'.padStart(9)} ${'share'.padStart(6)}  slowest call's input shapes`,
  ];
  for (const k of profile.kernels.slice(0, PROFILE_TOP)) {
    lines.push(
      `${k.kernel.padEnd(24)} ${String(k.calls / profile.steps).padStart(6)} ${perStep(k.totalMs).padStart(9)} ` +
        `${`${(k.share * 100).toFixed(1)}%`.padStart(6)}  ${k.slowestInputShapes.map((s) => `[${s.join(',')}]`).join(' ')}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli/bench.ts')) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
