import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../../shared/data/fashion-mnist-facts';
import type { GradientProbe } from './layer-stats';


/**
 * The arithmetic of one data-parallel step, identical on every replica: each
 * computes the gradient of its shard's share of the batch loss into its slot
 * of a shared buffer, then each sums all slots in the same order and applies
 * that sum with its own optimizer. Same weights + same sum ⇒ same update, so
 * the replicas stay equal without ever sending weights after the start.
 */

/** The variables a step updates, in the model's own order (the same on every replica of one architecture). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

/** Floats in one replica's gradient slot: every trainable weight, concatenated. */
export function parameterCount(variables: readonly tf.Variable[]): number {
  return variables.reduce((sum, v) => sum + v.size, 0);
}

export interface ShardResult {
  /** This shard's share of the batch's mean loss: Σ cross-entropy over the shard / batch size. */
  loss: number;
  /** Correct predictions in the shard. */
  correct: number;
}

/**
 * Writes into `slot` the gradient of Σ_shard CE / `batchSize`, so the slots of
 * all shards add up to the gradient of the full batch's mean loss. Dropout is
 * on (training: true), as in the trainer's sgdStep. An empty shard (a last
 * batch smaller than the replica count) contributes zeros.
 */
export function shardGradients(
  model: tf.LayersModel,
  variables: readonly tf.Variable[],
  xs: tf.Tensor4D,
  labels: tf.Tensor1D,
  batchSize: number,
  slot: Float32Array,
): ShardResult {
  if (xs.shape[0] === 0) {
    slot.fill(0);
    return { loss: 0, correct: 0 };
  }
  let result: ShardResult | undefined;
  tf.tidy(() => {
    let correct: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads((): tf.Scalar => {
      const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
      // kept: the gradient tape disposes everything f makes but its result.
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')));
      const summed = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, NUM_CLASSES), logits, undefined, undefined, tf.Reduction.SUM);
      return tf.div<tf.Scalar>(summed, batchSize);
    }, variables as tf.Variable[]);
    let offset = 0;
    for (const variable of variables) {
      const grad = grads[variable.name];
      if (!grad) throw new Error(`no gradient for ${variable.name}`);
      slot.set(grad.dataSync() as Float32Array, offset);
      offset += variable.size;
    }
    if (!correct) throw new Error('the loss function did not run');
    result = { loss: value.dataSync()[0]!, correct: correct.dataSync()[0]! };
    correct.dispose();
  });
  return result!;
}

/**
 * Sums the slots in index order (every replica, the same order, so the same
 * floats) and applies the sum to `variables` through `optimizer`. Gradients
 * are passed by position, which is how tfjs's optimizers key their state
 * (MomentumOptimizer's accumulations[i]), so variable names may differ
 * between replicas.
 */
export function applySummedGradients(
  optimizer: tf.Optimizer,
  variables: readonly tf.Variable[],
  slots: readonly Float32Array[],
  /** Measures the summed gradient (the one applied) and the weights before the update; its floats are returned. */
  probe?: GradientProbe,
): Float32Array | undefined {
  if (slots.length === 0) throw new Error('no gradient slots');
  let measured: Float32Array | undefined;
  tf.tidy(() => {
    let offset = 0;
    const named = variables.map((variable) => {
      const part = (slot: Float32Array): tf.Tensor => tf.tensor(slot.subarray(offset, offset + variable.size), variable.shape);
      // Added on the backend (SIMD on wasm), not in a JS loop: the whole apply measured 6 ms against 9-25 ms on VGG-11/4 (1.8 M parameters).
      const tensor = slots.slice(1).reduce((sum, slot) => tf.add(sum, part(slot)), part(slots[0]!));
      offset += variable.size;
      return { name: variable.name, tensor };
    });
    if (probe) measured = probe(Object.fromEntries(named.map(({ name, tensor }) => [name, tensor]))).dataSync() as Float32Array;
    optimizer.applyGradients(named);
  });
  return measured;
}

/** The optimizer a run's recipe names, built alike on every replica. */
export function makeOptimizer(recipe: OptimizerRecipe): tf.Optimizer {
  return recipe.momentum > 0 ? tf.train.momentum(recipe.lr, recipe.momentum) : tf.train.sgd(recipe.lr);
}

export interface OptimizerRecipe {
  lr: number;
  momentum: number;
}
