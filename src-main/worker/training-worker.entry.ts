/**
 * The training worker: one per session, training one run at a time.
 * It lives as long as the app because @tensorflow/tfjs-node-gpu initialises
 * CUDA in the first worker only and fails in a second (tensorflow/tfjs#8388).
 * It keeps no queue: the service's RunQueue is the one queue, and sends the
 * next run only after this one has finished.
 */
import { parentPort } from 'node:worker_threads';
import { toWorkerSchema, type FromWorker } from './protocol';
import { executeRun } from './execute-run';

const port = parentPort;
if (!port) throw new Error('training-worker must be started as a worker thread');

const post = (message: FromWorker): void => port.postMessage(message);
let current: { runId: string; abort: AbortController } | undefined;

port.on('message', (raw: unknown) => {
  const parsed = toWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    post({ type: 'rejected', message: `invalid message to training worker: ${parsed.error.message}` });
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') {
    if (current?.runId === message.runId) current.abort.abort();
    return;
  }
  if (current) {
    post({ type: 'rejected', message: `training worker got run ${message.runId} while training ${current.runId}: it trains one run at a time` });
    return;
  }
  const run = { runId: message.runId, abort: new AbortController() };
  current = run;
  void executeRun(message, run.abort.signal, post).then((result) => {
    current = undefined;
    post({ type: 'finished', runId: run.runId, ...result });
  });
});
