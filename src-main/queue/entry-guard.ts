import { canonicalJson } from '../core/store/config-hash';
import type { RunStore } from '../core/store/run-store';
import { FASHION_MNIST_SPLIT_SIZES } from '../shared/data/fashion-mnist-facts';
import type { RunConfig } from '../shared/train/run-config';
import type { StreamMessage } from './queue-messages';

/**
 * What a valid entry may still not do to a run the hub has recorded: the
 * checks that need the run. An entry that passes the schema (stream-entry.ts)
 * can still be forged, so that it:
 * - rewrites the recorded config (a start with lr 9.5 for a run queued at 0.5);
 * - jumps to a far later take, or starts a take again (a start discards the
 *   points its take trains again, so a forged one with attempt 9 wiped every
 *   metric);
 * - lands at a step past the run's plan (step 1e15: every later, true point
 *   was then "not past the last" and dropped);
 * - announces a checkpoint larger than this hub takes.
 * Each returns the reason in words; undefined lets the entry through.
 */
export class EntryGuard {
  /** The newest take an accepted entry belonged to (0: none yet). */
  private take = 0;
  /** Takes whose start has been applied: a take starts once. */
  private readonly started = new Set<number>();
  private readonly config: RunConfig;
  /** Batches the run can have in all: its epochs times the most batches one epoch of its data needs. */
  private readonly plannedSteps: number;
  private readonly plannedStepsPerEpoch: number;

  constructor(
    store: RunStore,
    runId: string,
    private readonly checkpointMaxBytes: number,
    /** How many takes the queue has handed out (the worker's INCR of the run's attempt key). */
    private readonly takesIssued: () => Promise<number>,
  ) {
    this.config = store.requireRun(runId).config;
    const trainSize = Math.min(this.config.trainLimit ?? FASHION_MNIST_SPLIT_SIZES.train, FASHION_MNIST_SPLIT_SIZES.train);
    this.plannedStepsPerEpoch = Math.ceil(trainSize / this.config.batchSize);
    this.plannedSteps = this.config.epochs * this.plannedStepsPerEpoch;
  }

  /**
   * Whether `message` may be applied, and why not when it may not (then its
   * take counts as seen). A start of a take that has started already is not
   * applied, quietly: a replay after the hub died before acknowledging (the
   * points after it are replayed too, and the recorded ones stand), or a
   * forgery that would discard the take's points. `countStart: false` for
   * the start a hub finds recorded in Redis when it opens: that one is applied
   * without discarding, so its entry in the stream, if still unread, must
   * still discard what the take retrains.
   */
  async check(message: StreamMessage, { countStart = true } = {}): Promise<{ apply: true } | { apply: false; reason?: string }> {
    const reason = (await this.takeProblem(message.attempt)) ?? this.planProblem(message);
    if (reason !== undefined) return { apply: false, reason };
    this.take = Math.max(this.take, message.attempt);
    if (countStart && message.type === 'event' && message.event.type === 'start') {
      if (this.started.has(message.attempt)) return { apply: false };
      this.started.add(message.attempt);
    }
    return { apply: true };
  }

  /**
   * A take follows the one before it. One that skips ahead is accepted only
   * when the queue did hand it out: a worker that died between taking the
   * run and saying so leaves a gap no forged entry can make on its own.
   */
  private async takeProblem(attempt: number): Promise<string | undefined> {
    if (attempt <= this.take + 1) return undefined;
    const issued = await this.takesIssued();
    return attempt <= issued ? undefined : `attempt ${attempt} skips ahead of take ${this.take} (the queue handed out ${issued})`;
  }

  private planProblem(message: StreamMessage): string | undefined {
    const { epochs } = this.config;
    const epochProblem = (field: string, epoch: number): string | undefined =>
      epoch >= 0 && epoch < epochs ? undefined : `${field} ${epoch} is outside the run's ${epochs} epoch(s)`;
    switch (message.type) {
      case 'checkpoint':
        if (message.bytes > this.checkpointMaxBytes) {
          return `a checkpoint of ${message.bytes} bytes is above this hub's --checkpoint-transfer-max (${this.checkpointMaxBytes} bytes)`;
        }
        if (message.chunks > message.bytes + 1) return `${message.chunks} chunks for ${message.bytes} bytes`;
        return epochProblem('epoch', message.epoch);
      case 'checkpoint-kept':
        return epochProblem('epoch', message.epoch);
      case 'takeover':
        return message.resumedFromEpoch === null ? undefined : epochProblem('resumedFromEpoch', message.resumedFromEpoch);
      case 'confusion':
        return undefined;
      case 'event':
        break;
    }
    const { event } = message;
    switch (event.type) {
      case 'start': {
        const changed = changedFields(this.config, event.config);
        if (changed.length > 0) return `a start cannot rewrite the recorded config (${changed.join(', ')} differ)`;
        if (event.firstEpoch > epochs) return `firstEpoch ${event.firstEpoch} is past the run's ${epochs} epoch(s)`;
        if (event.stepsPerEpoch > this.plannedStepsPerEpoch) {
          return `stepsPerEpoch ${event.stepsPerEpoch} is more than the run's data makes (${this.plannedStepsPerEpoch})`;
        }
        return undefined;
      }
      case 'batch':
        if (event.step < 0 || event.step >= this.plannedSteps) return `step ${event.step} is outside the run's ${this.plannedSteps} planned batches`;
        if (event.batch < 0 || event.batch >= this.plannedStepsPerEpoch) return `batch ${event.batch} is outside an epoch's ${this.plannedStepsPerEpoch} batches`;
        return epochProblem('epoch', event.epoch);
      case 'epoch':
        return epochProblem('epoch', event.epoch);
      case 'layerStep':
        if (event.step < 0 || event.step >= this.plannedSteps) return `layer statistics at step ${event.step} are outside the run's ${this.plannedSteps} planned batches`;
        return epochProblem('epoch', event.epoch);
      case 'layerEpoch':
        return epochProblem('epoch', event.epoch);
      case 'done':
        return event.epochs >= 0 && event.epochs <= epochs ? undefined : `epochs ${event.epochs} is outside the run's ${epochs}`;
      case 'error':
        return undefined;
    }
  }
}

/**
 * The config fields a start changes. `engine` may differ: the worker trains
 * with its own engine, and the run records what it used.
 */
function changedFields(recorded: RunConfig, started: RunConfig): string[] {
  const keys = new Set([...Object.keys(recorded), ...Object.keys(started)]);
  keys.delete('engine');
  return [...keys]
    .filter((key) => canonicalJson(recorded[key as keyof RunConfig]) !== canonicalJson(started[key as keyof RunConfig]))
    .sort();
}
