import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { EngineInfo } from '../../../shared/train/events';
import { replicaWorkerUrl } from '../../thread/replica-entry';
import { THREADED_WASM_MAX_THREADS } from './threaded-build';

/** The wasm engine's thread layout: `replicas` data-parallel copies of the network (train/data-parallel.ts), each on wasm with `threadsPerReplica` threads. */
export interface WasmLayout {
  replicas: number;
  threadsPerReplica: number;
}

/** Whether this install ships the replica thread's entry (a bundle may not). */
export function replicasShip(): boolean {
  return existsSync(fileURLToPath(replicaWorkerUrl()));
}

/**
 * The layout `threads` gets unless memory says otherwise. N threads are N
 * data-parallel replicas on one thread each: the threaded build's pool leaves
 * most of a step on one thread, while a replica runs all of its shard's step
 * on its own (measured in docs/benchmark.md). Where the replica entry is
 * missing (a bundle that does not ship it), the threads go to the threaded
 * build's pool instead.
 */
export function wasmLayout(threads: number, replicasAvailable: boolean = replicasShip()): WasmLayout {
  return threads > 1 && replicasAvailable ? { replicas: threads, threadsPerReplica: 1 } : { replicas: 1, threadsPerReplica: threads };
}

/** Threads a run gets when it asks for none: all the cores, within what the threaded build can use. */
export function defaultWasmThreads(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(cores, THREADED_WASM_MAX_THREADS));
}

/** "4 replicas", "4 threads in one heap", "1 thread", "2 replicas × 2 threads". */
export function describeLayout(layout: WasmLayout): string {
  const { replicas, threadsPerReplica: t } = layout;
  if (replicas > 1) return t > 1 ? `${replicas} replicas × ${t} threads` : `${replicas} replicas`;
  return t > 1 ? `${t} threads in one heap` : '1 thread';
}

/**
 * Layouts for `threads`, fastest first: a replica per thread; fewer replicas,
 * each on a share of the threads; then every thread in one heap on the
 * threaded build (measured nearly as fast on big convolutions, and one
 * batch's memory).
 */
export function candidateLayouts(threads: number): WasmLayout[] {
  if (threads <= 1) return [{ replicas: 1, threadsPerReplica: 1 }];
  const layouts: WasmLayout[] = [];
  for (let replicas = threads; replicas >= 2; replicas--) {
    const per = Math.floor(threads / replicas);
    if (replicas * per === threads) layouts.push({ replicas, threadsPerReplica: per });
  }
  layouts.push({ replicas: 1, threadsPerReplica: threads });
  return layouts;
}

/** The layout of an engine as it was loaded (EngineInfo records threads and replicas). */
export function layoutOfEngine(engine: Pick<EngineInfo, 'threads' | 'replicas'>): WasmLayout {
  const threads = engine.threads ?? 1;
  const replicas = engine.replicas ?? 1;
  return { replicas, threadsPerReplica: Math.max(1, Math.floor(threads / replicas)) };
}
