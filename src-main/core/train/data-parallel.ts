import * as tf from '@tensorflow/tfjs';
import type { Worker } from 'node:worker_threads';
import type { LayerSpec } from '../../shared/models/layer-spec';
import type { EngineInfo } from '../../shared/train/events';
import type { EngineId } from '../../shared/train/run-config';
import { startThread } from '../thread/start-thread';
import { replicaWorkerUrl } from '../thread/replica-entry';
import type { GradientProbe } from './layer-stats';
import { fromReplicaSchema, type FromReplica, type ToReplica } from './replica-protocol';
import {
  applySummedGradients,
  parameterCount,
  shardGradients,
  trainableVariables,
  type OptimizerRecipe,
  type ShardResult,
} from './shard-gradients';

/**
 * Synchronous data-parallel SGD over `replicas` copies of one network, each
 * on its own thread with its own wasm heap: replica 0 is the caller's model
 * (evaluation and checkpoints stay with it); the others live in helper
 * threads (replica-worker.entry.ts). Each step splits the batch into contiguous
 * shards, every replica writes its shard's gradient into its slot of one
 * SharedArrayBuffer, and every replica applies the same sum, so all stay
 * equal. With no dropout, a run's losses are the single-replica run's up to
 * float rounding (the batch gradient is summed in a different order); with
 * dropout, each replica draws its own masks.
 *
 * Why replicas rather than one wasm with more threads: tfjs's threaded build
 * splits only XNNPACK's convolutions and matrix products, and leaves the rest
 * of a step (transposes around the gradient kernels, weight packing, pooling
 * gradients, bias sums) on one thread; a replica runs all of its step's work
 * on its own core.
 */

/** How a run's threads are spent over data-parallel replicas of one engine. */
export interface ReplicaLayout {
  engine: EngineId;
  replicas: number;
  threadsPerReplica: number;
}

/** How an engine that records replicas spends its threads; undefined for one replica (train as usual). */
export function replicaLayout(engine: Pick<EngineInfo, 'id' | 'replicas' | 'threads'>): ReplicaLayout | undefined {
  const { replicas } = engine;
  if (replicas === undefined || replicas < 2) return undefined;
  return { engine: engine.id, replicas, threadsPerReplica: Math.max(1, Math.floor((engine.threads ?? replicas) / replicas)) };
}

export interface ReplicaGroupOptions extends ReplicaLayout {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** The model as data, for the helpers to build the same network. */
  layers: readonly LayerSpec[];
  side: number;
  seed: number;
  recipe: OptimizerRecipe;
  // The layout: each helper loads `engine` through its row (loadReplica) on `threadsPerReplica` threads.
}

interface Helper {
  worker: Worker;
  /** Resolves with the helper's next message; a failure or exit rejects it. */
  next(): Promise<FromReplica>;
}

export class ReplicaGroup {
  private closed = false;

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly optimizer: tf.Optimizer,
    private readonly variables: tf.Variable[],
    private readonly slots: Float32Array[],
    private readonly helpers: Helper[],
  ) {}

  /**
   * Starts the helpers, builds the network in each and copies replica 0's
   * weights and optimizer state to them (so a resumed or warm-started run
   * starts equal everywhere). Call after restoring replica 0.
   */
  static async start(options: ReplicaGroupOptions): Promise<ReplicaGroup> {
    const { model, optimizer, replicas } = options;
    if (!Number.isInteger(replicas) || replicas < 2) throw new RangeError(`replicas must be an integer ≥ 2, got ${replicas}`);
    const variables = trainableVariables(model);
    const parameters = parameterCount(variables);
    const buffer = new SharedArrayBuffer(replicas * parameters * 4);
    const slots = Array.from({ length: replicas }, (_, i) => new Float32Array(buffer, i * parameters * 4, parameters));
    const helpers: Helper[] = [];
    const group = new ReplicaGroup(model, optimizer, variables, slots, helpers);
    try {
      for (let slot = 1; slot < replicas; slot++) helpers.push(startHelper());
      const sync = await syncMessage(model, optimizer);
      await group.everyHelper(
        (_, slot) => ({
          type: 'init',
          layers: [...options.layers],
          side: options.side,
          seed: options.seed,
          engine: options.engine,
          threads: options.threadsPerReplica,
          optimizer: options.recipe,
          gradients: buffer,
          replicas,
          slot,
        }),
        'ready',
        (reply) => {
          if (reply.parameters !== parameters) throw new Error(`a replica built ${reply.parameters} parameters, replica 0 has ${parameters}`);
        },
      );
      await group.everyHelper(() => sync, 'synced');
    } catch (error) {
      await group.close();
      throw error;
    }
    return group;
  }

  get replicas(): number {
    return this.slots.length;
  }

  /**
   * One SGD step on the batch: the mean loss and the count of correct
   * predictions over all shards. Resolves once every replica has updated.
   */
  async step(xs: tf.Tensor4D, labels: tf.Tensor1D, probe?: GradientProbe): Promise<ShardResult & { layerSums?: Float32Array }> {
    if (this.closed) throw new Error('the replica group is closed');
    const batchSize = xs.shape[0];
    const bounds = shardBounds(batchSize, this.replicas);
    const [, side, width] = xs.shape;
    const pixels = side * width;
    const allXs = xs.dataSync() as Float32Array;
    const allLabels = labels.dataSync() as Int32Array;
    const replies = this.everyHelper(
      (_, slot) => {
        const [from, to] = bounds[slot]!;
        // Copies (slice), so each buffer can move to its thread.
        return { type: 'step', xs: allXs.slice(from * pixels, to * pixels), labels: allLabels.slice(from, to), batchSize };
      },
      'gradients',
    );
    // Awaited below; this only stops a rejection from counting as unhandled if our own shard throws first.
    replies.catch(() => undefined);
    const [from, to] = bounds[0]!;
    const shardXs = xs.slice([from, 0, 0, 0], [to - from, -1, -1, -1]);
    const shardLabels = labels.slice([from], [to - from]);
    let mine: ShardResult;
    try {
      mine = shardGradients(this.model, this.variables, shardXs, shardLabels, batchSize, this.slots[0]!);
    } finally {
      tf.dispose([shardXs, shardLabels]);
    }
    const theirs = await replies;
    const applied = this.everyHelper(() => ({ type: 'apply' }), 'applied');
    applied.catch(() => undefined);
    // The probe sees the summed gradient, the one every replica applies.
    const layerSums = applySummedGradients(this.optimizer, this.variables, this.slots, probe);
    await applied;
    const total = theirs.reduce((sum, r) => ({ loss: sum.loss + r.loss, correct: sum.correct + r.correct }), mine);
    return layerSums ? { ...total, layerSums } : total;
  }

  /** Ends the helper threads; the group cannot step after. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
  }

  /** Sends each helper its message and waits for every helper's reply of type `expected`. */
  private async everyHelper<T extends FromReplica['type']>(
    message: (helper: Helper, slot: number) => ToReplica,
    expected: T,
    check?: (reply: Extract<FromReplica, { type: T }>) => void,
  ): Promise<Extract<FromReplica, { type: T }>[]> {
    const replies = this.helpers.map(async (helper, i) => {
      const reply = helper.next();
      const outgoing = message(helper, i + 1);
      helper.worker.postMessage(outgoing, transferables(outgoing));
      const answer = await reply;
      if (answer.type === 'failed') throw new Error(`replica ${i + 1} failed: ${answer.message}`);
      if (answer.type !== expected) throw new Error(`replica ${i + 1} answered '${answer.type}', expected '${expected}'`);
      const typed = answer as Extract<FromReplica, { type: T }>;
      check?.(typed);
      return typed;
    });
    return Promise.all(replies);
  }
}

/** [from, to) of each replica's shard: contiguous, sizes differing by at most one, larger first. */
export function shardBounds(batchSize: number, replicas: number): [number, number][] {
  const base = Math.floor(batchSize / replicas);
  const extra = batchSize % replicas;
  const bounds: [number, number][] = [];
  let from = 0;
  for (let i = 0; i < replicas; i++) {
    const to = from + base + (i < extra ? 1 : 0);
    bounds.push([from, to]);
    from = to;
  }
  return bounds;
}

function transferables(message: ToReplica): ArrayBuffer[] {
  return message.type === 'step' ? [message.xs.buffer as ArrayBuffer, message.labels.buffer as ArrayBuffer] : [];
}

async function syncMessage(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<ToReplica> {
  const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  const state = await optimizer.getWeights();
  const optimizerState = await Promise.all(
    state.map(async ({ name, tensor }) => ({ name, shape: tensor.shape, values: Float32Array.from(await tensor.data()) })),
  );
  // getWeights makes a new scalar for the iteration count but returns the momentum accumulators themselves.
  for (const { tensor } of state) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  return { type: 'sync', weights, optimizer: optimizerState };
}

/** A helper thread whose messages are parsed and queued for `next`; a crash or exit fails the waiting step. */
function startHelper(): Helper {
  const worker = startThread(replicaWorkerUrl());
  const inbox: FromReplica[] = [];
  const waiting: { resolve(m: FromReplica): void; reject(e: Error): void }[] = [];
  let failure: Error | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (raw: unknown) => {
    const parsed = fromReplicaSchema.safeParse(raw);
    if (!parsed.success) return fail(new Error(`invalid message from a replica: ${parsed.error.message}`));
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(parsed.data);
    else inbox.push(parsed.data);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`a replica thread exited with code ${code}`)));
  return {
    worker,
    next: () => {
      const queued = inbox.shift();
      if (queued) return Promise.resolve(queued);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
