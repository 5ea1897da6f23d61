/**
 * Predicts the test set's classes with a run's saved model, image by image,
 * for the "misclassified" view: the training worker records only the
 * confusion counts. Runs in a worker of its own on the wasm (else cpu)
 * engine: tfjs-node's addon loads in one thread per process, and the
 * training worker may hold it (tensorflow/tfjs#8388).
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { batches } from '../core/data/batches';
import { loadFashionMnistSplit } from '../core/data/fashion-mnist';
import { selectEngine } from '../core/engine/engines';
import { checkpointHandler } from '../core/checkpoint/checkpoint-io';
import { loadCheckpointModel } from '../core/models/load-checkpoint-model';
import {
  insideWorkerRequestSchema,
  predictionRequestSchema,
  type InsideWorkerRequest,
  type PredictionReply,
  type PredictionRequest,
} from './prediction-protocol';
import { lookInside, networkInput } from '../core/models/inside-model';
import { errorMessage } from '../shared/error-message';
import { EVALUATION_BATCH, PREDICT_BATCH } from '../shared/train/evaluation-batch';

const port = parentPort;
if (!port) throw new Error('prediction-worker must be started as a worker thread');

let engineReady: Promise<unknown> | undefined;
let chain: Promise<void> = Promise.resolve();

port.on('message', (raw: unknown) => {
  if (typeof raw === 'object' && raw !== null && 'kind' in raw && raw.kind === 'inside') return onInside(raw);
  const parsed = predictionRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' ? raw.id : -1;
    post({ id, ok: false, message: `invalid prediction request: ${parsed.error.message}` });
    return;
  }
  const request = parsed.data;
  // One at a time: two models at once would only share the same cores.
  chain = chain.then(() =>
    predict(request).then(
      (predicted) => post({ id: request.id, ok: true, predicted }),
      (error: unknown) =>
        post({ id: request.id, ok: false, message: errorMessage(error) }),
    ),
  );
});

function onInside(raw: object): void {
  const parsed = insideWorkerRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const id = 'id' in raw && typeof raw.id === 'number' ? raw.id : -1;
    post({ id, ok: false, message: `invalid inside request: ${parsed.error.message}` });
    return;
  }
  const request = parsed.data;
  chain = chain.then(() =>
    inside(request).then(
      (view) => post({ id: request.id, ok: true, inside: view }),
      (error: unknown) => post({ id: request.id, ok: false, message: errorMessage(error) }),
    ),
  );
}

async function inside(request: InsideWorkerRequest) {
  engineReady ??= selectEngine('wasm').catch(() => selectEngine('cpu'));
  await engineReady;
  const model = await loadCheckpointModel(checkpointHandler(request.checkpointPath, { expectedSha256: request.sha256 }));
  try {
    return lookInside(model, networkInput(request.pixels, 28, request.resize), request.resize);
  } finally {
    model.dispose();
  }
}

function post(reply: PredictionReply): void {
  port!.postMessage(reply);
}

async function predict(request: PredictionRequest): Promise<Uint8Array<ArrayBuffer>> {
  engineReady ??= selectEngine('wasm').catch(() => selectEngine('cpu'));
  await engineReady;
  const split = await loadFashionMnistSplit(request.datasetDir, 'test');
  const model = await loadCheckpointModel(checkpointHandler(request.checkpointPath, { expectedSha256: request.sha256 }));
  try {
    const count = Math.min(request.testLimit ?? split.count, split.count);
    const predicted = new Uint8Array(count);
    // The trainer's evaluation order: the first `count` test images, in file order, unshuffled.
    for (const { xs, ys, indices } of batches(split, {
      batchSize: EVALUATION_BATCH,
      side: request.resize,
      seed: 0,
      epoch: 0,
      shuffle: false,
      limit: count,
    })) {
      const guess = tf.tidy(() => tf.argMax(model.predict(xs, { batchSize: PREDICT_BATCH }) as tf.Tensor2D, 1));
      const values = await guess.data();
      tf.dispose([xs, ys, guess]);
      indices.forEach((index, i) => (predicted[index] = values[i]!));
    }
    return predicted;
  } finally {
    model.dispose();
  }
}
