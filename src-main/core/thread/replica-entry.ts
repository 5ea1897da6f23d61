import { pathToFileURL } from 'node:url';

/**
 * Where the data-parallel replica's entry file is (core/train/replica-worker.entry.ts,
 * or its bundle). From source the file sits in core/train; in the Electron
 * build it is a chunk of its own, which the main process names in this
 * environment variable before it starts the training worker (worker threads
 * start with a copy of the parent's environment). Here, in core/thread, so
 * that the trainer that starts replicas and the wasm engine that lays out
 * threads for them both read it without importing each other, and with no
 * imports of its own so the main process can read the name without tfjs.
 */
export const REPLICA_WORKER_ENV = 'VGG_WORKBENCH_REPLICA_WORKER';

/** The replica's entry: the bundle the Electron main process names, else the source file. */
export function replicaWorkerUrl(): URL {
  const bundled = process.env[REPLICA_WORKER_ENV];
  return bundled ? pathToFileURL(bundled) : new URL('../train/replica-worker.entry.ts', import.meta.url);
}
