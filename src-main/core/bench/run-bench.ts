import { ENGINE_ROWS } from '../engine/engines';
import { errorMessage } from '../../shared/error-message';
import type { EngineChoice, EngineId } from '../../shared/train/run-config';
import { addSpeedups, computesOnGpu, describeEngine, emptyBenchRow, plannedMemory, type BenchRow, type CeilingRow } from './bench-row';
import { measureCeilingIsolated, type EngineCeiling } from './ceiling';
import { measureInChildProcess } from './measure-in-child-process';
import { measurePytorchEngine, type PytorchEngineOptions, type PytorchEngineRate } from './pytorch-engine-rate';
import { runPytorchReference, type PytorchCeiling, type PytorchOutcome, type PytorchRate, type YardstickDevice } from './pytorch-reference';
import type { BenchWorkload } from './workloads';

/**
 * `npm run bench`'s measuring: each workload on each engine at each thread
 * count in a process of its own, the PyTorch yardstick on the same workloads
 * and threads, and the joins between them. The CLI (cli/bench.ts) holds the
 * flags and the printing; this names no engine: an engine's facts are data
 * (bench-row.ts), and an engine that runs its runs itself (EngineRow.run) is
 * measured by its own rate function below.
 */

export interface BenchPlan {
  workloads: readonly BenchWorkload[];
  engines: readonly EngineChoice[];
  threadList: readonly number[];
  /** Timed steps; each workload's own count when absent. */
  steps?: number;
  /** False: no yardstick (--no-pytorch). */
  pytorch: boolean;
  /** The yardstick script; bench/pytorch_reference.py when absent. */
  reference?: string;
  /** Also each engine's and PyTorch's GFLOP/s on the ceiling kernels. */
  ceiling?: boolean;
  /** Where an engine that trains on real data (pytorch) finds the four Fashion-MNIST files; Debian's folder when absent. */
  dataDir?: string;
  /** Paired rounds for an engine that runs its runs itself (PAIRED_ROUNDS when absent; see pairedRounds). */
  rounds?: number;
}

/**
 * An engine that trains through PyTorch is compared with PyTorch itself, so
 * its ratio should sit near 1, and two processes started a minute apart on a
 * shared 2-core machine differ by more than the overhead being measured (the
 * yardstick alone swung 1,911–2,148 images/s over six runs of one workload).
 * So its rate and the yardstick's on the same workload are measured in turns,
 * this many times, and the best of each side is kept: like with like, close
 * in time, and one slow moment decides neither side.
 */
export const PAIRED_ROUNDS = 3;

/** How the measuring reports as it goes: a line of news, and a progress bar per measured row. */
export interface BenchReporter {
  note(line: string): void;
  progress(label: string): { update(done: number, total: number): void; stop(result: string): void };
}

export interface BenchResult {
  rows: BenchRow[];
  /** The yardstick's outcomes, one per thread count and device it ran on. */
  outcomes: PytorchOutcome[];
  ceilings: CeilingRow[];
}

/** How an engine that runs its runs itself is timed on a workload (its own process, its own protocol). */
type OwnRunnerRate = (workload: BenchWorkload, options: PytorchEngineOptions) => Promise<PytorchEngineRate>;

/** The engines that run their runs themselves, each with its rate function. */
const OWN_RUNNER_RATES: Partial<Record<EngineId, OwnRunnerRate>> = { pytorch: measurePytorchEngine };

function ownRunnerRate(engine: EngineChoice): OwnRunnerRate | undefined {
  if (engine === 'auto' || ENGINE_ROWS[engine].run === undefined) return undefined;
  const rate = OWN_RUNNER_RATES[engine];
  if (!rate) throw new Error(`engine ${engine} runs its runs itself and the bench has no rate function for it: add one to OWN_RUNNER_RATES`);
  return rate;
}

export async function runBench(plan: BenchPlan, reporter: BenchReporter): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  const outcomes: PytorchOutcome[] = [];
  const ceilings: CeilingRow[] = [];
  const engines = [...new Set(plan.engines)];
  for (const threads of plan.threadList) {
    // One thread count at a time, ours and PyTorch's, so each ratio compares runs close in time.
    const yardstick = yardstickAt(plan, threads, reporter);
    const measured: BenchRow[] = [];
    for (const engine of engines) {
      const ownRate = ownRunnerRate(engine);
      for (const workload of plan.workloads) {
        // An engine that trains with PyTorch multiplies on the BLAS threads the yardstick found faster: like with like.
        const blasThreads = async (): Promise<number | undefined> => {
          const cpu = plan.pytorch ? await yardstick.at('cpu') : undefined;
          return (cpu?.ok ? cpu.rates.find((r) => r.workload === workload.name)?.blasThreads : undefined) ?? undefined;
        };
        measured.push(
          ownRate
            ? await measureOwnRunnerRow(ownRate, workload, engine, threads, { steps: plan.steps, blasThreads, dataDir: plan.dataDir }, reporter)
            : await measureTfjsRow(workload, engine, threads, plan.steps, reporter),
        );
      }
    }
    await joinPytorch(measured, yardstick);
    for (const row of measured) {
      const ownRate = ownRunnerRate(row.engine as EngineChoice);
      const workload = plan.workloads.find((w) => w.name === row.workload);
      if (ownRate && workload && plan.pytorch) await pairedRounds(row, ownRate, workload, threads, plan, reporter);
    }
    outcomes.push(...yardstick.outcomes());
    if (plan.ceiling) ceilings.push(...(await joinCeilings(measured, engines, threads, plan, reporter)));
    rows.push(...measured);
  }
  addSpeedups(rows, plan.threadList[0]!);
  return { rows, outcomes, ceilings };
}

interface Yardstick {
  /** The yardstick's outcome on `device` at this thread count, run once and kept. */
  at(device: YardstickDevice): Promise<PytorchOutcome>;
  outcomes(): PytorchOutcome[];
}

function yardstickAt(plan: BenchPlan, threads: number, reporter: BenchReporter): Yardstick {
  const runs = new Map<YardstickDevice, Promise<PytorchOutcome>>();
  const settled: PytorchOutcome[] = [];
  const measure = async (device: YardstickDevice): Promise<PytorchOutcome> => {
    if (!plan.pytorch) return { ok: false, reason: 'skipped (--no-pytorch)' };
    reporter.note(`PyTorch reference (${device}, ${threads} threads)...`);
    return runPytorchReference(
      plan.workloads.map((w) => w.name),
      {
        device,
        threads,
        ...(plan.reference === undefined ? {} : { script: plan.reference }),
        onRate: (rate: PytorchRate) => reporter.note(`PyTorch ${rate.workload}: ${rate.imagesPerSec} images/s (${rate.device}, ${rate.threads} threads)`),
      },
    );
  };
  return {
    at(device) {
      let run = runs.get(device);
      if (!run) {
        run = measure(device).then((outcome) => {
          if (!outcome.ok) reporter.note(`PyTorch columns are empty: ${outcome.reason}`);
          else if (outcome.note) reporter.note(outcome.note);
          settled.push(outcome);
          return outcome;
        });
        runs.set(device, run);
      }
      return run;
    },
    outcomes: () => settled,
  };
}

/**
 * Fills the rows' PyTorch columns from the yardstick at their thread count:
 * a GPU engine against PyTorch on the GPU, a CPU engine against PyTorch on the CPU.
 */
async function joinPytorch(rows: BenchRow[], yardstick: Yardstick): Promise<void> {
  for (const row of rows) {
    const outcome = await yardstick.at(row.onGpu ? 'cuda' : 'cpu');
    const rate = outcome.ok ? outcome.rates.find((r) => r.workload === row.workload) : undefined;
    if (!rate) continue;
    row.pytorchImagesPerSec = rate.imagesPerSec;
    row.pytorchThreads = rate.threads;
    row.pytorchDevice = rate.device;
    row.pytorchBlas = rate.blas;
    row.pytorchBlasThreads = rate.blasThreads;
    row.ratio = row.imagesPerSec === null ? null : row.imagesPerSec / rate.imagesPerSec;
  }
}

/**
 * --ceiling at `threads`: each engine's GFLOP/s on the two kernels in a fresh
 * process, and PyTorch's on the CPU, then each row's share of its own ceiling.
 */
async function joinCeilings(rows: BenchRow[], engines: readonly EngineChoice[], threads: number, plan: BenchPlan, reporter: BenchReporter): Promise<CeilingRow[]> {
  const found: CeilingRow[] = [];
  const ours = new Map<string, EngineCeiling>();
  for (const engine of engines) {
    if (ownRunnerRate(engine)) {
      reporter.note(`ceiling of ${engine}: it computes outside tfjs; its ceiling is PyTorch's row`);
      continue;
    }
    try {
      reporter.note(`ceiling of ${engine}, ${threads} threads...`);
      const { engine: info, ceiling } = await measureCeilingIsolated(engine, threads);
      ours.set(engine, ceiling);
      found.push({ who: info.id, threads, matmul: ceiling.matmul, conv3x3: ceiling.conv3x3, basis: ceiling.basis });
    } catch (error) {
      reporter.note(`ceiling of ${engine} failed: ${errorMessage(error)}`);
    }
  }
  let torchBest: number | null = null;
  if (plan.pytorch) {
    reporter.note(`PyTorch ceiling (cpu, ${threads} threads)...`);
    const outcome = await runPytorchReference([], { ceiling: true, threads, ...(plan.reference === undefined ? {} : { script: plan.reference }) });
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
    } else if (!outcome.ok) reporter.note(`PyTorch ceiling skipped: ${outcome.reason}`);
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

const label = (workload: BenchWorkload, engine: string, threads: number): string =>
  `${workload.name} on ${engine}, ${threads} thread${threads === 1 ? '' : 's'}`;

/** Times one workload on one tfjs engine in its own process; a failure becomes a row with its error. */
async function measureTfjsRow(workload: BenchWorkload, engine: EngineChoice, threads: number, steps: number | undefined, reporter: BenchReporter): Promise<BenchRow> {
  const row = emptyBenchRow(workload, engine, threads);
  const progress = reporter.progress(label(workload, engine, threads));
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
      ...plannedMemory(workload, info),
      onGpu: computesOnGpu(info),
      gpu: measurement.gpu ?? null,
    });
    progress.stop(`${Math.round(measurement.imagesPerSec)} images/s`);
  } catch (error) {
    row.error = errorMessage(error);
    progress.stop(`failed: ${row.error}`);
  }
  return row;
}

/** Times one workload on an engine that runs its runs itself, through its own rate function. */
async function measureOwnRunnerRow(
  rate: OwnRunnerRate,
  workload: BenchWorkload,
  engine: EngineChoice,
  threads: number,
  own: { steps: number | undefined; blasThreads: () => Promise<number | undefined>; dataDir: string | undefined },
  reporter: BenchReporter,
): Promise<BenchRow> {
  const row = emptyBenchRow(workload, engine, threads);
  const progress = reporter.progress(label(workload, engine, threads));
  try {
    const measured = await rate(workload, {
      threads,
      blasThreads: own.blasThreads,
      ...(own.steps === undefined ? {} : { steps: own.steps }),
      ...(own.dataDir === undefined ? {} : { dataDir: own.dataDir }),
      onStep: progress.update,
    });
    Object.assign(row, {
      engine: measured.engine.id,
      imagesPerSec: measured.imagesPerSec,
      steps: measured.steps,
      engineDetail: describeEngine(measured.engine),
      engineThreads: measured.engine.threads ?? null,
      ...plannedMemory(workload, measured.engine),
      onGpu: computesOnGpu(measured.engine),
    });
    progress.stop(`${Math.round(measured.imagesPerSec)} images/s`);
  } catch (error) {
    row.error = errorMessage(error);
    progress.stop(`failed: ${row.error}`);
  }
  return row;
}

/**
 * Rounds 2..N of an own-runner row (round 1 is the row as measured and
 * joined): the yardstick on this workload alone, then the engine with the
 * BLAS threads that yardstick chose; each side keeps its best. See
 * PAIRED_ROUNDS for why.
 */
async function pairedRounds(row: BenchRow, rate: OwnRunnerRate, workload: BenchWorkload, threads: number, plan: BenchPlan, reporter: BenchReporter): Promise<void> {
  const rounds = plan.rounds ?? PAIRED_ROUNDS;
  if (row.error !== undefined || row.imagesPerSec === null || row.pytorchImagesPerSec === null || row.pytorchDevice === null) return;
  const device: YardstickDevice = row.pytorchDevice === 'cuda' ? 'cuda' : 'cpu';
  for (let round = 2; round <= rounds; round += 1) {
    reporter.note(`${label(workload, row.engine, threads)}: round ${round} of ${rounds}, PyTorch then ours`);
    const outcome = await runPytorchReference([workload.name], {
      device,
      threads,
      ...(plan.reference === undefined ? {} : { script: plan.reference }),
    });
    const theirs = outcome.ok ? outcome.rates.find((r) => r.workload === workload.name) : undefined;
    if (!theirs) {
      reporter.note(`round ${round}: the yardstick gave no rate (${outcome.ok ? 'no row' : outcome.reason}); the rounds so far stand`);
      return;
    }
    if (theirs.imagesPerSec > row.pytorchImagesPerSec) {
      row.pytorchImagesPerSec = theirs.imagesPerSec;
      row.pytorchThreads = theirs.threads;
      row.pytorchBlas = theirs.blas;
      row.pytorchBlasThreads = theirs.blasThreads;
    }
    try {
      const ours = await rate(workload, {
        threads,
        blasThreads: async () => theirs.blasThreads ?? undefined,
        ...(plan.steps === undefined ? {} : { steps: plan.steps }),
        ...(plan.dataDir === undefined ? {} : { dataDir: plan.dataDir }),
      });
      if (ours.imagesPerSec > row.imagesPerSec) row.imagesPerSec = ours.imagesPerSec;
    } catch (error) {
      reporter.note(`round ${round}: ${errorMessage(error)}; the rounds so far stand`);
      return;
    }
    row.rounds = round;
    row.ratio = row.imagesPerSec / row.pytorchImagesPerSec;
  }
}
