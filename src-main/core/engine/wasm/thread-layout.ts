import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { replicaWorkerUrl } from '../../thread/replica-entry';
import { THREADED_WASM_MAX_THREADS } from './threaded-build';

/** The wasm engine's thread layout: `replicas` data-parallel copies of the network (train/data-parallel.ts), each on wasm with `threadsPerReplica` threads. */
export interface WasmLayout {
  replicas: number;
  threadsPerReplica: number;
}

/**
 * N threads are N data-parallel replicas on one thread each: the threaded
 * build's pool leaves most of a step on one thread, while a replica runs all
 * of its shard's step on its own (measured in docs/benchmark.md). Where the
 * replica entry is missing (a bundle that does not ship it), the threads go to
 * the threaded build's pool instead.
 */
export function wasmLayout(threads: number): WasmLayout {
  const replicasShip = existsSync(fileURLToPath(replicaWorkerUrl()));
  return threads > 1 && replicasShip ? { replicas: threads, threadsPerReplica: 1 } : { replicas: 1, threadsPerReplica: threads };
}

/** Threads a run gets when it asks for none: all the cores, within what the threaded build can use. */
export function defaultWasmThreads(): number {
  return Math.min(availableParallelism(), THREADED_WASM_MAX_THREADS);
}
