/**
 * A helper replica for data-parallel training (data-parallel.ts): a thread
 * with its own tfjs and its own wasm heap, holding a copy of the network and
 * its optimizer. It computes its shard's gradient into its slot of the shared
 * buffer and applies the summed gradient, as replica 0 does.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { ENGINE_ROWS } from '../engine/engines';
import { buildModel } from '../models/build';
import { fromReplicaSchema, toReplicaSchema, type FromReplica, type ReplicaInit, type ToReplica } from './replica-protocol';
import { applySummedGradients, makeOptimizer, parameterCount, shardGradients, trainableVariables } from './shard-gradients';
import { errorMessage } from '../../shared/error-message';

const port = parentPort;
if (!port) throw new Error('replica-worker must be started as a worker thread');

// Replies are parsed too, so a change to one side that the schema misses fails here, not in the coordinator.
const post = (message: FromReplica): void => port.postMessage(fromReplicaSchema.parse(message));

interface Replica {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  slots: Float32Array[];
  side: number;
}

let replica: Replica | undefined;
let mySlot = 0;
// Messages are handled one at a time, in order, even though init awaits the engine.
let queue: Promise<void> = Promise.resolve();

port.on('message', (raw: unknown) => {
  queue = queue.then(() => handle(raw)).catch((error: unknown) => post({ type: 'failed', message: errorMessage(error) }));
});

async function handle(raw: unknown): Promise<void> {
  const parsed = toReplicaSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid message to replica: ${parsed.error.message}`);
  const message: ToReplica = parsed.data;
  if (message.type === 'init') {
    replica = await build(message);
    mySlot = message.slot;
    post({ type: 'ready', parameters: parameterCount(replica.variables) });
    return;
  }
  if (!replica) throw new Error(`replica got '${message.type}' before 'init'`);
  const { model, optimizer, variables, slots, side } = replica;
  switch (message.type) {
    case 'sync': {
      // getWeights returns the model's own variables: read their shapes, never dispose them.
      const own = model.getWeights();
      if (own.length !== message.weights.length) throw new Error(`sync sent ${message.weights.length} weights for ${own.length}`);
      const incoming = own.map((w, i) => tf.tensor(message.weights[i]!, w.shape));
      model.setWeights(incoming);
      tf.dispose(incoming);
      const state = message.optimizer.map(({ name, shape, values }) => ({ name, tensor: tf.tensor(values, shape) }));
      await optimizer.setWeights(state);
      tf.dispose(state.map((s) => s.tensor));
      post({ type: 'synced' });
      return;
    }
    case 'step': {
      const n = message.labels.length;
      const xs = tf.tensor4d(message.xs, [n, side, side, 1]);
      const labels = tf.tensor1d(message.labels, 'int32');
      try {
        const result = shardGradients(model, variables, xs, labels, message.batchSize, slots[mySlot]!);
        post({ type: 'gradients', ...result });
      } finally {
        tf.dispose([xs, labels]);
      }
      return;
    }
    case 'apply':
      applySummedGradients(optimizer, variables, slots);
      post({ type: 'applied' });
      return;
  }
}

async function build(init: ReplicaInit): Promise<Replica> {
  const row = ENGINE_ROWS[init.engine];
  if (!row.loadReplica) throw new Error(`the ${init.engine} engine does not train data-parallel replicas`);
  await row.loadReplica(init.threads);
  tf.env().set('PROD', true);
  const model = buildModel(init.layers, [init.side, init.side, 1], { seed: init.seed });
  const variables = trainableVariables(model);
  const parameters = parameterCount(variables);
  if (init.gradients.byteLength !== init.replicas * parameters * 4) {
    throw new Error(`gradient buffer holds ${init.gradients.byteLength} bytes, expected ${init.replicas} × ${parameters} float32`);
  }
  const slots = Array.from({ length: init.replicas }, (_, i) => new Float32Array(init.gradients, i * parameters * 4, parameters));
  return { model, optimizer: makeOptimizer(init.optimizer), variables, slots, side: init.side };
}
