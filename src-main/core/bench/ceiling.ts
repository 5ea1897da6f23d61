import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import type { EngineInfo } from '../../shared/train/events';
import type { EngineChoice } from '../../shared/train/run-config';
import { askChild } from '../thread/ask-child';
import { forkChild } from '../thread/fork-child';
import { replicaLayout } from '../train/data-parallel';
import { runnableEntry } from '../thread/entry-url';

/**
 * An engine's own ceiling: its GFLOP/s on one plain matrix product and on one
 * 3×3 convolution at VGG-11's deep-block shape (block 4 at 96×96: 12×12,
 * 512 → 512 channels), the kernels a VGG step spends most of its time in.
 * A workload's row then says what share of that ceiling its training reaches,
 * so a reader sees how far each engine is from its own limit, not only from
 * PyTorch. bench/pytorch_reference.py --ceiling times the same two shapes.
 */

/** Side of the square matrix product. */
export const CEILING_MATMUL_SIZE = 1024;
/** The convolution's input: batch, side, channels (in = out), NHWC here and NCHW in the Python. */
export const CEILING_CONV = { batch: 16, side: 12, channels: 512 } as const;
/** Each kernel is repeated until this much time has passed, after one untimed call. */
const CEILING_MIN_MS = 1000;

export interface CeilingRates {
  /** GFLOP/s of one CEILING_MATMUL_SIZE² product. */
  matmul: number;
  /** GFLOP/s of one 3×3 'same' convolution at CEILING_CONV. */
  conv3x3: number;
}

export interface EngineCeiling extends CeilingRates {
  /** How the rates were reached: "one thread × 4 replicas" when the layout runs replicas in parallel. */
  basis: string;
}

/** FLOP of one training image: forward MACs × 2 FLOP each × 3 (forward, and backward's two products per layer). */
export function trainingFlopsPerImage(forwardMacs: number): number {
  return forwardMacs * 2 * 3;
}

async function gflopsOf(run: () => tf.Tensor, flops: number): Promise<number> {
  const once = async (): Promise<void> => {
    const out = run();
    await out.data();
    out.dispose();
  };
  await once();
  let repeats = 0;
  const start = performance.now();
  while (performance.now() - start < CEILING_MIN_MS) {
    await once();
    repeats++;
  }
  return (flops * repeats) / ((performance.now() - start) / 1000) / 1e9;
}

/** The two kernels' GFLOP/s on the active backend, forward only, as a user's one call would run. */
export async function measureCeiling(): Promise<CeilingRates> {
  const n = CEILING_MATMUL_SIZE;
  const { batch, side, channels } = CEILING_CONV;
  const a = tf.randomUniform([n, n], 0, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], 0, 1, 'float32', 2);
  const x = tf.randomUniform([batch, side, side, channels], 0, 1, 'float32', 3) as tf.Tensor4D;
  const filter = tf.randomUniform([3, 3, channels, channels], -0.05, 0.05, 'float32', 4) as tf.Tensor4D;
  try {
    return {
      matmul: await gflopsOf(() => tf.matMul(a, b), 2 * n ** 3),
      conv3x3: await gflopsOf(() => tf.conv2d(x, filter, 1, 'same'), 2 * batch * side * side * channels * channels * 9),
    };
  } finally {
    tf.dispose([a, b, x, filter]);
  }
}

/**
 * The ceiling of the layout that trains: replicas each run their kernels on
 * their own thread at once, so N single-thread replicas top out at N times one
 * thread's rate (what the child measured on replica 0's backend).
 */
export function layoutCeiling(rates: CeilingRates, engine: Pick<EngineInfo, 'id' | 'replicas' | 'threads'>): EngineCeiling {
  const layout = replicaLayout(engine);
  if (!layout) return { ...rates, basis: `${engine.threads ?? 1} thread${engine.threads === 1 ? '' : 's'} in one heap` };
  return {
    matmul: rates.matmul * layout.replicas,
    conv3x3: rates.conv3x3 * layout.replicas,
    basis: `${layout.threadsPerReplica} thread${layout.threadsPerReplica === 1 ? '' : 's'} × ${layout.replicas} replicas`,
  };
}

export type CeilingChildMessage =
  | { type: 'result'; engine: EngineInfo; rates: CeilingRates }
  | { type: 'error'; message: string };

const CHILD = fileURLToPath(runnableEntry(new URL('./ceiling-child.entry.ts', import.meta.url)));

/** The ceiling's child times a few kernels for seconds; one still silent after this is hung. */
const CEILING_TIMEOUT_MS = 10 * 60_000;

/** Measures the engine's ceiling at `threads` in a fresh process, so the backend starts as a training run's would. */
export function measureCeilingIsolated(engine: EngineChoice, threads: number | undefined): Promise<{ engine: EngineInfo; ceiling: EngineCeiling }> {
  const parse = (received: unknown): { answer: { engine: EngineInfo; ceiling: EngineCeiling } } => {
    const message = received as CeilingChildMessage;
    if (message.type === 'error') throw new Error(`ceiling on ${engine}: ${message.message}`);
    return { answer: { engine: message.engine, ceiling: layoutCeiling(message.rates, message.engine) } };
  };
  return askChild(() => forkChild(CHILD, [engine, String(threads ?? '-')]), parse, {
    timeoutMs: CEILING_TIMEOUT_MS,
    label: `ceiling on ${engine}: the measuring process`,
  });
}
