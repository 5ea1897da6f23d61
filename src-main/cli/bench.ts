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
import { BENCH_LAYER_STATS_ENV } from '../core/bench/bench-layer-stats';
import { profileWorkload, type KernelProfile } from '../core/bench/kernel-profile';
import { REFERENCE_BLAS_WARNING } from '../core/bench/pytorch-reference';
import { CEILING_CONV, CEILING_MATMUL_SIZE } from '../core/bench/ceiling';
import { DEFAULT_WORKLOAD_NAMES, findWorkload, WORKLOAD_NAMES, type BenchWorkload } from '../core/bench/workloads';
import { describeEngine, type BenchRow, type CeilingRow } from '../core/bench/bench-row';
import { PAIRED_ROUNDS, runBench as measureBench, type BenchReporter } from '../core/bench/run-bench';
import { formatBytes } from '../shared/format';
import { alignColumns } from './text-table';
import { ENGINE_IDS, type EngineChoice } from '../shared/train/run-config';
import { positiveInt } from './option-parsers';
import { UsageError } from './usage-error';
import { errorMessage } from '../shared/error-message';
import { exitAfterDrain } from './exit-after-drain';

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
  /** The Fashion-MNIST folder the pytorch engine trains from. */
  data?: string;
  /** Paired rounds for an engine that trains through PyTorch (run-bench.ts PAIRED_ROUNDS). */
  rounds?: number;
  /** Train with per-layer statistics: every n steps, or (true) a full-set run's interval. */
  layerStats?: string | true;
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
    .option('--data <dir>', 'the four Fashion-MNIST files the pytorch engine trains from (default: /usr/share/datasets/fashion-mnist)')
    .option('--queue', "measure the Redis queue: launch to first batch against local, and one hub's events/s from 2 workers (needs redis-server)")
    .option('--threads <counts>', 'CPU threads, for our engine and PyTorch alike; a list (1,2) prints the scaling (default: every core)', threadCounts)
    .option('--rounds <n>', `for an engine that trains through PyTorch: its rate and the yardstick's measured in turns n times, the best of each kept (default ${PAIRED_ROUNDS})`, positiveInt)
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
  const { rows, outcomes, ceilings } = await measureBench(
    {
      workloads,
      engines,
      threadList,
      pytorch: flags.pytorch,
      ...(flags.steps === undefined ? {} : { steps: flags.steps }),
      ...(flags.reference === undefined ? {} : { reference: flags.reference }),
      ...(flags.ceiling ? { ceiling: true } : {}),
      ...(flags.data === undefined ? {} : { dataDir: flags.data }),
      ...(flags.rounds === undefined ? {} : { rounds: flags.rounds }),
    },
    reporter,
  );

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

function formatCeilings(ceilings: readonly CeilingRow[]): string {
  const gflops = (n: number | null): string => (n === null ? '-' : n.toFixed(1));
  const header = ['ceiling', 'threads', 'matmul GFLOP/s', '3×3 conv GFLOP/s', 'how'];
  const body = ceilings.map((c) => [c.who, String(c.threads), gflops(c.matmul), gflops(c.conv3x3), c.basis]);
  return (
    `\n${alignColumns([header, ...body], header.map((_, i) => i >= 1 && i <= 3)).join('\n')}\n` +
    `matmul ${CEILING_SHAPES}; share of ceiling = images/s × GFLOP per image (6 × forward MACs) over the better of the two.\n`
  );
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

/** How the measuring reports: progress bars and notes on stderr, so stdout stays the table or the JSON lines. */
const reporter: BenchReporter = { note, progress: stepProgress };

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
  out.push('ratio = ours / PyTorch; peak RSS is the measuring process\'s high-water mark; estimate is the peak RSS planned for the layout that ran (core/engine/wasm/wasm-layout-memory.ts), heap estimate the wasm heap of one heap.');
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
  main(process.argv.slice(2)).then(exitAfterDrain);
}
