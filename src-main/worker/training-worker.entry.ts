/**
 * The training worker: one per session, taking runs one after another.
 * It lives as long as the app because @tensorflow/tfjs-node-gpu initialises
 * CUDA in the first worker only and fails in a second (tensorflow/tfjs#8388).
 */
import { parentPort } from 'node:worker_threads';
import { toWorkerSchema, type FromWorker, type RunRequest } from './protocol';
import { executeRun } from './execute-run';

const port = parentPort;
if (!port) throw new Error('training-worker must be started as a worker thread');

const post = (message: FromWorker): void => port.postMessage(message);
const queue: RunRequest[] = [];
let current: { runId: string; abort: AbortController } | undefined;
let pumping = false;

port.on('message', (raw: unknown) => {
  const parsed = toWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    post({ type: 'rejected', message: `invalid message to training worker: ${parsed.error.message}` });
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') {
    if (current?.runId === message.runId) current.abort.abort();
    const queued = queue.findIndex((r) => r.runId === message.runId);
    if (queued >= 0) {
      queue.splice(queued, 1);
      post({ type: 'finished', runId: message.runId, status: 'cancelled', epochsDone: 0 });
    }
    return;
  }
  queue.push(message);
  void pump();
});

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (let request = queue.shift(); request; request = queue.shift()) {
      current = { runId: request.runId, abort: new AbortController() };
      const result = await executeRun(request, current.abort.signal, post);
      post({ type: 'finished', runId: request.runId, ...result });
      current = undefined;
    }
  } finally {
    pumping = false;
  }
}
