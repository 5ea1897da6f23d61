import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fashionMnistDataFiles, findFashionMnistFiles, SYSTEM_FASHION_MNIST_DIR } from '../data/fashion-mnist';
import { reapOnExit } from '../engine/pytorch/child-reaper';
import { discoverTorchOnce } from '../engine/pytorch/discover-torch';
import { detachedRunContext } from '../engine/detached-run-context';
import { parseTrainerLine } from '../engine/pytorch/trainer-lines';
import { trainerJob, type TrainerJob } from '../engine/pytorch/trainer-job';
import type { EngineInfo } from '../../shared/train/events';
import { runConfigSchema, type TorchDevice } from '../../shared/train/run-config';
import { BENCH_LR, type BenchWorkload } from './workloads';

/**
 * The workbench's pytorch engine on a bench workload: the trainer script
 * (resources/pytorch/vgg_trainer.py) started as a run starts it, with the
 * job the runner builds (core/engine/pytorch/trainer-job.ts), plus the
 * protocol's bench fields: no evaluation, no checkpoint, real Fashion-MNIST
 * batches selected and resized on the device, every batch event sent. So the
 * rate includes the engine's own overhead, and set beside the bare yardstick
 * (bench/pytorch_reference.py, one fixed random batch, no events) the ratio
 * says what the workbench costs.
 */

/** Timed at least this long, in windows of the workload's steps, the best kept: as the yardstick's MIN_SECONDS. */
export const BENCH_MIN_SECONDS = 2;

/** One timed step as its batch event reports it. */
export interface TimedStep {
  size: number;
  imagesPerSec: number;
}

/**
 * The best images/s over consecutive windows of `window` steps, from each
 * step's own share of the pipeline (size / imagesPerSec). The first step is
 * the warm-up and is not timed, as the yardstick's. Undefined without one
 * whole window.
 */
export function bestWindowRate(steps: readonly TimedStep[], window: number): number | undefined {
  let best: number | undefined;
  for (let start = 1; start + window <= steps.length; start += window) {
    const slice = steps.slice(start, start + window);
    const images = slice.reduce((sum, step) => sum + step.size, 0);
    const seconds = slice.reduce((sum, step) => sum + step.size / step.imagesPerSec, 0);
    const rate = images / seconds;
    if (best === undefined || rate > best) best = rate;
  }
  return best;
}

export interface PytorchEngineRate {
  engine: EngineInfo;
  imagesPerSec: number;
  /** Timed steps, all windows together. */
  steps: number;
}

export interface PytorchEngineOptions {
  /** torch threads on the CPU, as the yardstick's --threads. */
  threads: number;
  /**
   * OpenBLAS threads under them on the cpu: the count the yardstick timed its rate with, so both sides
   * multiply alike. Asked only when the run is on the cpu (the yardstick's cpu run is long on a GPU box).
   */
  blasThreads?: () => Promise<number | undefined>;
  /** Timed steps per window; the workload's own count when absent. */
  steps?: number;
  device?: TorchDevice;
  /** Where the four Fashion-MNIST files lie; Debian's folder when absent. */
  dataDir?: string;
  onStep?: (done: number, total: number) => void;
}

/** Trains `workload` through the trainer script for at least BENCH_MIN_SECONDS and returns its best window's rate. */
export async function measurePytorchEngine(workload: BenchWorkload, options: PytorchEngineOptions): Promise<PytorchEngineRate> {
  const torch = await discoverTorchOnce();
  const dataDir = options.dataDir ?? SYSTEM_FASHION_MNIST_DIR;
  const { paths, missing } = findFashionMnistFiles(dataDir);
  const data = fashionMnistDataFiles(paths);
  if (!data) throw new Error(`${dataDir} lacks ${missing.join(', ')}: the pytorch engine trains on real Fashion-MNIST (apt-get install dataset-fashion-mnist)`);
  const config = runConfigSchema.parse({
    ...workload.network,
    resize: workload.side,
    batchSize: workload.batchSize,
    epochs: 1,
    lr: BENCH_LR,
    engine: 'pytorch',
    threads: options.threads,
    ...(options.device === undefined ? {} : { device: options.device }),
  });
  const window = options.steps ?? workload.steps;
  const engine: EngineInfo = { id: 'pytorch', backend: torch.probe.device, version: torch.probe.torch };
  const base = await trainerJob(detachedRunContext({ runId: 'bench', config, engine, data }), 0);
  const onCpu = (options.device ?? torch.probe.device) === 'cpu';
  const blasThreads = onCpu ? await options.blasThreads?.() : undefined;
  const job: TrainerJob & { benchSteps: number; benchSeconds: number; blasThreads?: number } = {
    ...base,
    benchSteps: window,
    benchSeconds: BENCH_MIN_SECONDS,
    ...(blasThreads === undefined ? {} : { blasThreads }),
  };

  const child = spawn(torch.python.command, [...torch.python.args, '-u', torch.script], { stdio: ['pipe', 'pipe', 'pipe'] });
  reapOnExit(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  child.stdin.on('error', () => undefined);
  child.stdin.write(`${JSON.stringify(job)}\n`);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));

  const steps: TimedStep[] = [];
  let started: EngineInfo | undefined;
  let failure: string | undefined;
  const read = (async () => {
    for await (const text of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      if (text.trim() === '') continue;
      const line = parseTrainerLine(text);
      if (line.type !== 'event') continue;
      const { event } = line;
      if (event.type === 'start') started = event.engine;
      else if (event.type === 'batch') {
        steps.push({ size: workload.batchSize, imagesPerSec: event.imagesPerSec });
        options.onStep?.(Math.max(steps.length - 1, 0), window);
      } else if (event.type === 'error') failure = event.message;
    }
  })();
  try {
    await Promise.race([read, spawnFailed]);
  } finally {
    // The rate is known once stdout ends; closing stdin then ends the script whatever it was doing.
    child.stdin.end();
  }
  const code = await exited;
  if (failure !== undefined) throw new Error(`the pytorch trainer refused ${workload.name}: ${failure}`);
  const rate = bestWindowRate(steps, window);
  if (code !== 0 || rate === undefined || started === undefined) {
    const tail = stderr.trim().split('\n').slice(-3).join(' / ');
    throw new Error(`the pytorch trainer ended ${workload.name} with exit status ${code} after ${steps.length} steps${tail ? `: ${tail}` : ''}`);
  }
  return { engine: started, imagesPerSec: rate, steps: Math.floor((steps.length - 1) / window) * window };
}
