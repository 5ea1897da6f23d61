import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fromWireJson } from '../../src-main/api/wire-json';
import { fashionMnistDataFiles, findFashionMnistFiles, SYSTEM_FASHION_MNIST_DIR } from '../../src-main/core/data/fashion-mnist';
import { prepareNetwork } from '../../src-main/core/train/prepare-network';
import { nameLayers } from '../../src-main/shared/models/layer-names';
import { NUM_CLASSES } from '../../src-main/shared/data/fashion-mnist-facts';
import { runConfigSchema, type RunConfig, type RunConfigInput } from '../../src-main/shared/train/run-config';

/** Debian's python3-torch lives here; `python3` on PATH may be a pyenv shim without torch. */
export const TORCH_PYTHON = '/usr/bin/python3';
export const TRAINER_SCRIPT = fileURLToPath(new URL('../../resources/pytorch/vgg_trainer.py', import.meta.url));

/** Why the trainer script cannot be tested here, or undefined when it can (for `t.skip`). */
export function torchMissing(): string | undefined {
  const result = spawnSync(TORCH_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return result.status === 0 ? undefined : `${TORCH_PYTHON} has no torch: apt-get install python3-torch`;
}

/** A run config for the script: engine 'pytorch' as the runner sends it. */
export function trainerConfig(input: Omit<RunConfigInput, 'engine'>): RunConfig {
  return runConfigSchema.parse({ ...input, engine: 'pytorch' });
}

/** The runner's own template (the tfjs artifacts of the run's network without weight data), re-exported for the tests. */
export { checkpointTemplate } from '../../src-main/core/train/checkpoint-template';

export interface JobExtras {
  checkpoint?: { dir: string; policy: 'every' | 'last'; template: Record<string, unknown> };
  resume?: { path: string; sha256?: string; epoch: number };
  warmStart?: { runId: string; path: string; sha256?: string; epoch: number };
  benchSteps?: number;
  threads?: number;
}

/** The job line of docs/pytorch-protocol.md for `config`, on the Fashion-MNIST Debian installs. */
export function trainerJob(config: RunConfig, extras: JobExtras = {}): Record<string, unknown> {
  const network = prepareNetwork(config, NUM_CLASSES);
  network.model.dispose();
  const names = nameLayers(network.layers);
  const { paths, missing } = findFashionMnistFiles(SYSTEM_FASHION_MNIST_DIR);
  const data = fashionMnistDataFiles(paths);
  if (!data) throw new Error(`${SYSTEM_FASHION_MNIST_DIR} lacks ${missing.join(', ')}: apt-get install dataset-fashion-mnist`);
  return {
    protocol: 1,
    config,
    layers: network.layers.map((layer, i) => ({ ...layer, name: names[i] })),
    side: config.resize,
    classes: NUM_CLASSES,
    data,
    device: 'cpu',
    precision: 'fp32',
    threads: extras.threads ?? 1,
    macs: network.summary.totalMacs,
    engine: { id: 'pytorch', backend: 'cpu', version: 'probe' },
    ...extras,
  };
}

export interface TrainerRun {
  /** Every stdout line, decoded with fromWireJson. */
  lines: Record<string, unknown>[];
  code: number | null;
  stderr: string;
}

export interface RunOptions {
  /** Called on each decoded line; may write control lines on `stdin`. */
  onLine?: (line: Record<string, unknown>, stdin: NodeJS.WritableStream) => void;
  /** Kill the script after this many milliseconds (a test never hangs). */
  timeoutMs?: number;
}

/** Runs the script on one job, stdin kept open until it exits, as the runner does. */
export function runTrainer(job: Record<string, unknown>, options: RunOptions = {}): Promise<TrainerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TORCH_PYTHON, ['-u', TRAINER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    let pending = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const text of parts) {
        const line = fromWireJson(text) as Record<string, unknown>;
        lines.push(line);
        options.onLine?.(line, child.stdin);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ lines, code, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.write(`${JSON.stringify(job)}\n`);
  });
}

/** The `event` payloads of a run's lines, in order. */
export function eventsOf(run: TrainerRun): Record<string, unknown>[] {
  return run.lines.filter((line) => line.type === 'event').map((line) => line.event as Record<string, unknown>);
}

/** Logits of the script's own network for the first `count` test images, its weights read from `checkpoint`. */
export function pythonLogits(job: Record<string, unknown>, checkpoint: string, count: number): number[][] {
  const forward = fileURLToPath(new URL('../resources/pytorch/forward.py', import.meta.url));
  const result = spawnSync(TORCH_PYTHON, [forward, TRAINER_SCRIPT, checkpoint, String(count)], {
    input: `${JSON.stringify(job)}\n`,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`forward.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as number[][];
}
