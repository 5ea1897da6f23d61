import * as tf from '@tensorflow/tfjs';
import type { EngineInfo, StartEvent, TrainingEvent } from '../../shared/train/events';
import type { RunConfig } from '../../shared/train/run-config';
import { prepareNetwork } from './prepare-network';
import { checkEngineFits } from './memory-estimate';
import { ENGINE_ROWS } from '../engine/engines';
import { evaluate, type Evaluation } from './evaluate';
import { batchCount, batches } from '../data/batches';
import { startRead } from './step-read';
import type { ImageSplit as Split } from '../data/image-split';
import type { FashionMnist } from '../data/fashion-mnist';
import { errorMessage } from '../../shared/error-message';
import { suggestionsOf } from '../../shared/refusal';
import { ReplicaGroup, replicaLayout } from './data-parallel';
import { NUM_CLASSES } from '../../shared/data/fashion-mnist-facts';
import { evaluationBatchSize } from '../../shared/train/evaluation-batch';
import { layerStatsInterval } from '../../shared/train/layer-stats';
import { LayerStatsProbe, type GradientProbe } from './layer-stats';


/** Hooks the shells use to persist a run; the trainer itself knows nothing of storage. */
export interface TrainerHooks {
  /** Called once the model and optimizer exist: load weights to resume, and return the epoch to start at. */
  restore?(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<number>;
  /** Called once the model exists, before `restore`: copy another run's matching layers, and say which. */
  warmStart?(model: tf.LayersModel): Promise<StartEvent['warmStart']>;
  /** Called after each epoch's event, e.g. to write a checkpoint. */
  afterEpoch?(model: tf.LayersModel, epoch: number, isLast: boolean): Promise<void>;
}

export interface TrainerOptions {
  config: RunConfig;
  dataset: FashionMnist;
  engine: EngineInfo;
  onEvent: (event: TrainingEvent) => void;
  /** Aborting takes effect within one batch. */
  signal?: AbortSignal;
  hooks?: TrainerHooks;
  /** Steps behind which the loop reads each step's values; readLagFor(engine) when absent. */
  readLag?: 0 | 1;
}

export interface TrainResult {
  status: 'completed' | 'cancelled' | 'failed';
  epochsDone: number;
  /** Test-set evaluation after the last epoch trained; absent if none finished. */
  lastEvaluation?: Evaluation;
}

/** Lets queued messages (a cancel from the parent thread) run between batches. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Trains one run, top to bottom: build the network, then per epoch a pass of
 * SGD over shuffled batches and an evaluation on the test set, emitting the
 * book's numbers as events. Every error becomes an `error` event, never a throw,
 * so a worker can always report how a run ended.
 */
export async function train(options: TrainerOptions): Promise<TrainResult> {
  const { config, dataset, engine, onEvent, signal, hooks } = options;
  const runStart = performance.now();
  let model: tf.LayersModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  let replicas: ReplicaGroup | undefined;
  let epochsDone = 0;
  let lastEvaluation: Evaluation | undefined;
  try {
    // Refuse what cannot fit the engine (its memory, its buffer limits) before allocating anything, saying what to reduce.
    checkEngineFits(config, engine);
    const network = prepareNetwork(config, NUM_CLASSES);
    model = network.model;
    optimizer =
      config.momentum > 0 ? tf.train.momentum(config.lr, config.momentum) : tf.train.sgd(config.lr);
    // Training runs its own loop (sgdStep); compiling only attaches the optimizer,
    // so a checkpoint saved with includeOptimizer carries the momentum state.
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });

    const trainSize = Math.min(config.trainLimit ?? dataset.train.count, dataset.train.count);
    const testSize = Math.min(config.testLimit ?? dataset.test.count, dataset.test.count);
    const stepsPerEpoch = batchCount(trainSize, config.batchSize);
    const statsEvery = layerStatsInterval(config.layerStats, stepsPerEpoch);
    const layerStats = statsEvery === undefined ? undefined : new LayerStatsProbe(model, network.layers, statsEvery, config.lr);
    const warmStart = hooks?.warmStart ? await hooks.warmStart(model) : undefined;
    const firstEpoch = hooks?.restore ? await hooks.restore(model, optimizer) : 0;
    // A resumed run has its earlier epochs behind it, even if it is cancelled before another ends.
    epochsDone = firstEpoch;
    // An engine that splits its threads over data-parallel replicas (wasm): start them equal to this one.
    const layout = replicaLayout(engine);
    if (layout) {
      const { layers } = network;
      replicas = await ReplicaGroup.start({ model, optimizer, layers, side: config.resize, seed: config.seed, recipe: config, ...layout });
    }

    onEvent({
      type: 'start',
      time: Date.now(),
      config,
      engine,
      params: network.summary.totalParams,
      macs: network.summary.totalMacs,
      trainSize,
      testSize,
      stepsPerEpoch,
      firstEpoch,
      ...(warmStart ? { warmStart } : {}),
    });

    for (let epoch = firstEpoch; epoch < config.epochs; epoch++) {
      const epochStart = performance.now();
      const pass = await trainOneEpoch(model, optimizer, replicas, layerStats, dataset.train, epoch, stepsPerEpoch, options);
      if (pass === 'cancelled') return finish('cancelled');
      const trainSeconds = (performance.now() - epochStart) / 1000;

      lastEvaluation = await evaluate(model, dataset.test, {
        batchSize: evaluationBatchSize(config.batchSize),
        side: config.resize,
        limit: testSize,
        seed: config.seed,
      });
      const seconds = (performance.now() - epochStart) / 1000;
      onEvent({
        type: 'epoch',
        time: Date.now(),
        epoch,
        loss: pass.lossSum / pass.seen,
        trainAcc: pass.correct / pass.seen,
        testAcc: lastEvaluation.accuracy,
        seconds,
        imagesPerSec: pass.seen / trainSeconds,
      });
      if (layerStats) onEvent(await layerStats.epochEvent(epoch, dataset.test, config.resize, config.seed));
      epochsDone = epoch + 1;
      await hooks?.afterEpoch?.(model, epoch, epoch === config.epochs - 1);
      if (signal?.aborted) return finish('cancelled');
    }
    return finish('completed');
  } catch (error) {
    const suggestions = suggestionsOf(error);
    onEvent({ type: 'error', time: Date.now(), message: errorMessage(error), ...(suggestions.length > 0 ? { suggestions } : {}) });
    return { status: 'failed', epochsDone, lastEvaluation };
  } finally {
    await replicas?.close();
    if (optimizer) disposeOptimizer(optimizer);
    model?.dispose();
  }

  function finish(status: 'completed' | 'cancelled'): TrainResult {
    onEvent({
      type: 'done',
      time: Date.now(),
      status,
      epochs: epochsDone,
      seconds: (performance.now() - runStart) / 1000,
    });
    return { status, epochsDone, lastEvaluation };
  }
}

interface EpochPass {
  lossSum: number;
  correct: number;
  seen: number;
}

/** A step enqueued whose loss and count of correct predictions are still on their way back. */
interface StepInFlight {
  values: Promise<{ loss: number; correct: number; layerSums?: ArrayLike<number> }>;
  size: number;
  batchIndex: number;
  enqueuedAt: number;
}

/**
 * How many steps behind the loop reads a step's values. Where a step only
 * enqueues work on a device (the row's stepsRunAhead: webgpu), awaiting its
 * loss before enqueuing the next drains the queue and leaves the device idle
 * while the CPU records the next step, so there the loop reads one step
 * behind. On the CPU engines a step has computed everything by the time it
 * returns, and data-parallel replicas cannot take a second step before the
 * first ends, so they read at once (a lag there has not been measured).
 */
export function readLagFor(engine: Pick<EngineInfo, 'id'>, replicas: boolean): 0 | 1 {
  return ENGINE_ROWS[engine.id].stepsRunAhead === true && !replicas ? 1 : 0;
}

async function trainOneEpoch(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  replicas: ReplicaGroup | undefined,
  layerStats: LayerStatsProbe | undefined,
  split: Split,
  epoch: number,
  stepsPerEpoch: number,
  { config, engine, onEvent, signal, readLag }: TrainerOptions,
): Promise<EpochPass | 'cancelled'> {
  const pass: EpochPass = { lossSum: 0, correct: 0, seen: 0 };
  const lag = readLag ?? readLagFor(engine, replicas !== undefined);
  let lastArrival = 0;
  /** Awaits a step's values, adds them to the epoch and emits its batch event: steps complete in order, each once. */
  const complete = async (step: StepInFlight): Promise<void> => {
    const { loss, correct, layerSums } = await step.values;
    pass.lossSum += loss * step.size;
    pass.correct += correct;
    pass.seen += step.size;
    const now = performance.now();
    // The step's share of the pipeline: since the previous step's values arrived, or since it was enqueued if later.
    const seconds = (now - Math.max(lastArrival, step.enqueuedAt)) / 1000;
    lastArrival = now;
    onEvent({
      type: 'batch',
      time: Date.now(),
      epoch,
      step: epoch * stepsPerEpoch + step.batchIndex,
      batch: step.batchIndex,
      loss,
      accuracy: correct / step.size,
      imagesPerSec: step.size / seconds,
    });
    if (layerStats && layerSums) onEvent(layerStats.stepEvent(epoch, epoch * stepsPerEpoch + step.batchIndex, layerSums));
  };

  const source = batches(split, {
    batchSize: config.batchSize,
    side: config.resize,
    seed: config.seed,
    epoch,
    shuffle: true,
    limit: config.trainLimit,
  });
  let next = source.next();
  let pending: StepInFlight | undefined;
  try {
    for (let batchIndex = 0; !next.done; batchIndex++) {
      if (signal?.aborted) {
        // The step in flight has trained: its event is owed before the run ends.
        if (pending) await complete(pending);
        pending = undefined;
        return 'cancelled';
      }
      const { xs, ys, size } = next.value;
      const enqueuedAt = performance.now();
      const probe = layerStats?.samples(epoch * stepsPerEpoch + batchIndex) ? layerStats.measure : undefined;
      const values = replicas ? replicas.step(xs, ys, probe) : readStep(sgdStep(model, optimizer, xs, ys, probe));
      // Awaited in order below; this only keeps a failure from counting as unhandled while an earlier step is awaited.
      values.catch(() => undefined);
      const current: StepInFlight = { values, size, batchIndex, enqueuedAt };
      // Prepare batch i+1 (shuffle, scale, resize, upload) while step i runs.
      next = source.next();
      if (!replicas) tf.dispose([xs, ys]);
      if (pending) await complete(pending);
      pending = undefined;
      if (lag === 0) await complete(current);
      else pending = current;
      if (replicas) tf.dispose([xs, ys]);
      await yieldToEventLoop();
    }
    if (pending) await complete(pending);
    pending = undefined;
    return pass;
  } finally {
    if (!next.done) tf.dispose([next.value.xs, next.value.ys]);
    source.return(undefined);
  }
}

/**
 * One SGD step on softmax cross-entropy; returns the batch's mean loss and
 * count of correct predictions. With a probe, the step is minimize's own two
 * halves (computeGradients, applyGradients) with the gradients measured between.
 */
function sgdStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  xs: tf.Tensor4D,
  labels: tf.Tensor1D,
  probe?: GradientProbe,
): { loss: tf.Scalar; correct: tf.Scalar; layerSums?: tf.Tensor1D } {
  let correct: tf.Tensor | undefined;
  const lossOf = (): tf.Scalar => {
    // training: true turns dropout on; evaluation calls predict, where it is off.
    const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
    correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')));
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, NUM_CLASSES), logits) as tf.Scalar;
  };
  if (probe) {
    const { value, grads } = optimizer.computeGradients(lossOf);
    const layerSums = probe(grads);
    optimizer.applyGradients(grads);
    tf.dispose(grads);
    if (!correct) throw new Error('the loss function did not run');
    return { loss: value, correct: correct as tf.Scalar, layerSums };
  }
  const loss = optimizer.minimize(lossOf, true);
  if (!loss || !correct) throw new Error('optimizer returned no loss');
  return { loss: loss as tf.Scalar, correct: correct as tf.Scalar };
}

/** Starts reading a step's scalars and, on a sampled step, its layer sums; see startRead. */
function readStep({ layerSums, ...scalars }: ReturnType<typeof sgdStep>): Promise<{ loss: number; correct: number; layerSums?: ArrayLike<number> }> {
  const values = startRead(scalars);
  if (!layerSums) return values;
  const sums = layerSums.data().finally(() => layerSums.dispose());
  return Promise.all([values, sums]).then(([v, s]) => ({ ...v, layerSums: s }));
}

/**
 * tfjs 4.22's MomentumOptimizer.dispose() does not call SGD's, so the
 * learning-rate scalar SGD keeps (`c`) leaks once per run; the worker runs many.
 */
function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const { c } = optimizer as unknown as { c?: tf.Tensor };
  if (optimizer instanceof tf.MomentumOptimizer && c && !c.isDisposed) c.dispose();
}
