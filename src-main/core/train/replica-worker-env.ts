/**
 * The environment variable naming the data-parallel replica's entry file
 * (replica-worker.entry.ts, or its bundle). From source the file sits next to
 * data-parallel.ts; in the Electron build it is a chunk of its own, which
 * the main process names here before it starts the training worker (worker
 * threads start with a copy of the parent's environment). Its own file, with
 * no imports, so the main process can read the name without pulling in tfjs.
 */
export const REPLICA_WORKER_ENV = 'VGG_WORKBENCH_REPLICA_WORKER';
