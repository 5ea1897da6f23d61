import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Runs the PyTorch yardstick (bench/pytorch_reference.py) so our
 * throughput can be read as a ratio to a tuned CPU framework on the same
 * machine, in the same run (the machine's load changes from run to run).
 */

/** One line of the yardstick's output. */
export interface PytorchRate {
  workload: string;
  imagesPerSec: number;
  batch: number;
  steps: number;
  /** torch.get_num_threads(): every core, or the count the bench asked for. */
  threads: number;
  /** Where the yardstick ran: 'cpu', or 'cuda' against a GPU engine. */
  device: string;
  torch: string;
  /** The BLAS the yardstick's process loaded; 'reference' makes PyTorch 2–4× slower than a user's would be. */
  blas: YardstickBlas;
  /** The BLAS pool size the rate was timed with (one, under torch's N, where that was faster). */
  blasThreads: number | null;
}

/** 'unknown': a yardstick line that does not say (an older script). */
export const YARDSTICK_BLAS = ['openblas', 'mkl', 'reference', 'unknown'] as const;
export type YardstickBlas = (typeof YARDSTICK_BLAS)[number];

/** The yardstick's GFLOP/s on one of the --ceiling kernels (bench/ceiling.ts names the shapes). */
export interface PytorchCeiling {
  kernel: string;
  gflops: number;
  threads: number;
  device: string;
  blas: YardstickBlas;
  blasThreads: number | null;
}

/** What to tell the reader when the yardstick runs on the reference BLAS. */
export const REFERENCE_BLAS_WARNING = 'PyTorch is on the reference BLAS: install libopenblas0-pthread; these ratios flatter us 2–4×';

/** Where the yardstick runs: on the CPU, or on the GPU (where this torch has CUDA) to measure a GPU engine against. */
export type YardstickDevice = 'cpu' | 'cuda';

export type PytorchOutcome =
  | { ok: true; python: string; rates: PytorchRate[]; ceilings: PytorchCeiling[]; note?: string }
  | { ok: false; reason: string };

/**
 * Pythons tried in order: `python3` on PATH first, then Debian's own, because
 * python3-torch installs into /usr/bin/python3 while `python3` on PATH may be
 * a pyenv or virtualenv without torch.
 */
export const PYTHON_CANDIDATES: readonly string[] = ['python3', '/usr/bin/python3'];

/** The yardstick in this repository: <repo>/bench/pytorch_reference.py. */
export function defaultReferenceScript(): string {
  return fileURLToPath(new URL('../../../bench/pytorch_reference.py', import.meta.url));
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (not installed). */
  spawnError?: string;
}

function runProgram(command: string, args: readonly string[], onLine?: (line: string) => void): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: null, stdout, stderr, spawnError: error.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first candidate that imports torch, with its version; or why none does. */
export async function findTorchPython(
  candidates: readonly string[] = PYTHON_CANDIDATES,
): Promise<{ python: string; torch: string } | { reason: string }> {
  const tried: string[] = [];
  for (const python of candidates) {
    const result = await runProgram(python, ['-c', 'import torch; print(torch.__version__)']);
    if (result.code === 0) return { python, torch: result.stdout.trim() };
    const why = result.spawnError ?? (result.stderr.trim().split('\n').pop() || `exit status ${result.code}`);
    tried.push(`${python}: ${why}`);
  }
  return { reason: `no python with torch (${tried.join('; ')}); install it with: apt-get install python3-torch` };
}

/** The yardstick's JSON lines; other lines (warnings) are skipped, a malformed JSON line is an error. */
export function parseReferenceLines(stdout: string): PytorchRate[] {
  const rates: PytorchRate[] = [];
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    const value = JSON.parse(text) as Record<string, unknown>;
    if ('kernel' in value) continue; // a --ceiling line: parseCeilingLines
    const { workload, images_per_s: rate, batch, steps, threads, device, torch } = value;
    if (typeof workload !== 'string' || typeof rate !== 'number') {
      throw new Error(`unexpected line from the PyTorch reference: ${text}`);
    }
    rates.push({
      workload,
      imagesPerSec: rate,
      batch: Number(batch),
      steps: Number(steps),
      threads: Number(threads),
      device: typeof device === 'string' ? device : 'cpu',
      torch: String(torch),
      ...blasOf(value),
    });
  }
  return rates;
}

function blasOf(value: Record<string, unknown>): { blas: YardstickBlas; blasThreads: number | null } {
  const blas = YARDSTICK_BLAS.find((name) => name === value.blas) ?? 'unknown';
  return { blas, blasThreads: typeof value.blas_threads === 'number' ? value.blas_threads : null };
}

/** The yardstick's --ceiling lines. */
export function parseCeilingLines(stdout: string): PytorchCeiling[] {
  const ceilings: PytorchCeiling[] = [];
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.kernel !== 'string' || typeof value.gflops !== 'number') throw new Error(`unexpected ceiling line from the PyTorch reference: ${text}`);
    ceilings.push({
      kernel: value.kernel,
      gflops: value.gflops,
      threads: Number(value.threads),
      device: typeof value.device === 'string' ? value.device : 'cpu',
      ...blasOf(value),
    });
  }
  return ceilings;
}

export interface ReferenceOptions {
  /** The yardstick script; defaultReferenceScript() when absent. */
  script?: string;
  candidates?: readonly string[];
  /** Called with each workload's rate as the yardstick prints it. */
  onRate?: (rate: PytorchRate) => void;
  /**
   * 'cuda' measures PyTorch on the GPU, the yardstick for a GPU engine; where
   * this torch has no CUDA it runs on the CPU and the outcome says so.
   */
  device?: YardstickDevice;
  /** torch.set_num_threads: the same count our engine ran with, so the ratio compares like with like. */
  threads?: number;
  /** Measure the --ceiling kernels instead of the workloads. */
  ceiling?: boolean;
}

/** Runs the yardstick on the named workloads. Never throws: an outcome without torch says why. */
export async function runPytorchReference(workloads: readonly string[], options: ReferenceOptions = {}): Promise<PytorchOutcome> {
  const script = options.script ?? defaultReferenceScript();
  if (!existsSync(script)) return { ok: false, reason: `the PyTorch reference script is not at ${script} (pass --reference PATH)` };
  const found = await findTorchPython(options.candidates);
  if ('reason' in found) return { ok: false, reason: found.reason };
  let device = options.device ?? 'cpu';
  let deviceNote: string | undefined;
  if (device === 'cuda') {
    const cuda = await runProgram(found.python, ['-c', 'import torch; print(torch.cuda.is_available())']);
    if (cuda.stdout.trim() !== 'True') {
      device = 'cpu';
      deviceNote = `torch ${found.torch} (${found.python}) has no CUDA device, so the GPU engine is measured against PyTorch on the CPU`;
    }
  }
  const args = [script, ...workloads, '--device', device, ...(options.threads === undefined ? [] : ['--threads', String(options.threads)]), '--json'];
  if (options.ceiling) args.push('--ceiling');
  const result = await runProgram(found.python, args, (line) => {
    try {
      for (const rate of parseReferenceLines(line)) options.onRate?.(rate);
    } catch {
      // Reported once the run ends, from the whole output.
    }
  });
  if (result.code !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-3).join(' / ');
    return { ok: false, reason: `${found.python} ${script} failed (${result.spawnError ?? `exit status ${result.code}`}): ${tail}` };
  }
  try {
    return {
      ok: true,
      python: found.python,
      rates: parseReferenceLines(result.stdout),
      ceilings: options.ceiling ? parseCeilingLines(result.stdout) : [],
      ...(deviceNote ? { note: deviceNote } : {}),
    };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
