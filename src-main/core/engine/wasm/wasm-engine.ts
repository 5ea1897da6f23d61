import * as tf from '@tensorflow/tfjs';
import type { EngineInfo } from '../../../shared/train/events';
import { ENGINE_PACKAGES } from '../engine-packages';
import { EngineUnavailableError } from '../engine-unavailable';
import { registerWasmTrainingKernels } from './training-kernels';
import {
  instantiateThreadedWasm,
  THREADED_WASM_MAX_THREADS,
  unrefPoolThreads,
  type ThreadedWasmModule,
} from './threaded-build';
import { defaultWasmThreads, wasmLayout, type WasmLayout } from './wasm-layout';

export const WASM_PACKAGE = ENGINE_PACKAGES.wasm;

/** tfjs-backend-wasm's own priority for 'wasm' (base.ts), kept when we swap its factory. */
const WASM_PRIORITY = 2;

export interface WasmEngineOptions {
  /** Threads to train on; absent: every core this process may use (capped at the build's 8). */
  threads?: number;
  /** How those threads are spent; absent: wasmLayout(threads). A replica thread passes its own. */
  layout?: WasmLayout;
}

/** Which build the registered 'wasm' backend runs: the package's own single-threaded one, or ours with N threads. */
type Build = { kind: 'stock' } | { kind: 'threaded'; threads: number };

type BackendFactory = NonNullable<ReturnType<typeof tf.findBackendFactory>>;

let stockFactory: BackendFactory | undefined;
let current: Build = { kind: 'stock' };
let threadedModule: ThreadedWasmModule | undefined;
/** Why the threaded build could not start, once it has failed: later loads do not retry. */
let threadedFailure: string | undefined;

/**
 * Registers the wasm backend (imported on demand, so processes that never use
 * it do not register it), adds the training kernels it lacks and starts it on
 * `threads` threads: one runs the package's SIMD build exactly as tfjs ships
 * it; more run its threaded-SIMD build (threaded-build.ts), whose XNNPACK
 * pool splits each convolution and matrix product across cores. A different
 * thread count than the running backend's restarts the backend (a second or
 * so); tensors on it are lost, so call it between runs. Leaves 'wasm' active.
 */
export async function loadWasmEngine(options: WasmEngineOptions = {}): Promise<Omit<EngineInfo, 'id'>> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  stockFactory ??= tf.findBackendFactory('wasm') ?? undefined;
  const layout = options.layout ?? wasmLayout(Math.min(options.threads ?? defaultWasmThreads(), THREADED_WASM_MAX_THREADS));
  const asked = Math.min(layout.threadsPerReplica, THREADED_WASM_MAX_THREADS);
  const wanted: Build = asked > 1 && threadedFailure === undefined ? { kind: 'threaded', threads: asked } : { kind: 'stock' };
  if (!sameBuild(wanted, current)) swapBuild(wasm, wanted);

  let started = await tf.setBackend('wasm');
  if (!started && current.kind === 'threaded') {
    // Say why once, then train on one thread rather than not at all.
    threadedFailure = 'the threaded build failed to start (see the warning above)';
    swapBuild(wasm, { kind: 'stock' });
    started = await tf.setBackend('wasm');
  }
  if (!started) {
    // tfjs has already logged the underlying error as a warning.
    throw new EngineUnavailableError(
      'the wasm backend failed to initialise (see the warning above)',
      `check that the .wasm files of ${WASM_PACKAGE} are installed next to its dist/ files`,
    );
  }
  if (current.kind === 'threaded' && threadedModule) unrefPoolThreads(threadedModule);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = wasm.getThreadsCount();
  const note = asked > 1 && threadedFailure !== undefined ? ` (${asked} asked: ${threadedFailure})` : '';
  const { replicas } = layout;
  const total = replicas * threads;
  const split = replicas > 1 ? `: ${replicas} data-parallel replicas × ${threads}` : '';
  const spent = `${total} thread${total === 1 ? '' : 's'}${split}`;
  return {
    backend: 'wasm',
    version: wasm.version_wasm,
    threads: total,
    ...(replicas > 1 ? { replicas } : {}),
    detail: `XNNPACK, SIMD ${simd ? 'on' : 'off'}, ${spent}${note}`,
  };
}

function sameBuild(a: Build, b: Build): boolean {
  return a.kind === b.kind && (a.kind === 'stock' || a.threads === (b as { threads: number }).threads);
}

/** Replaces the factory behind 'wasm', disposing the running backend and the old build's pthreads. */
function swapBuild(wasm: typeof import('@tensorflow/tfjs-backend-wasm'), build: Build): void {
  if (!stockFactory) throw new Error(`${WASM_PACKAGE} did not register its backend`);
  tf.removeBackend('wasm');
  threadedModule?.PThread.terminateAllThreads();
  threadedModule = undefined;
  if (build.kind === 'stock') {
    tf.registerBackend('wasm', stockFactory, WASM_PRIORITY);
  } else {
    tf.registerBackend(
      'wasm',
      async () => {
        const module = await instantiateThreadedWasm(build.threads);
        threadedModule = module;
        // BackendWasm's constructor passes this count to init_with_threads_count.
        wasm.setThreadsCount(build.threads);
        return new wasm.BackendWasm(module);
      },
      WASM_PRIORITY,
    );
  }
  current = build;
}
