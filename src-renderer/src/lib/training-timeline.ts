import type { DoneEvent, ErrorEvent, StartEvent, TrainingEvent } from '../../../src-main/shared/train/events';
import { bookLine } from '../../../src-main/shared/train/book-line';
import type { LayerEpochEvent, LayerStepEvent } from '../../../src-main/shared/train/layer-stats';

export interface BatchPoint {
  step: number;
  epoch: number;
  batch: number;
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  time: number;
}

export interface EpochPoint {
  epoch: number;
  loss: number;
  trainAcc: number;
  testAcc: number;
  seconds: number;
  imagesPerSec: number;
  time: number;
  /** Global step of the epoch's last batch, to draw epoch points on a step axis. */
  step: number;
}

export interface TrainingProgress {
  /** Epoch being trained (or the last one, once the run ended). */
  epoch: number;
  /** Epochs the run is configured for. */
  epochs: number;
  /** 0..1 of the current epoch's batches. */
  epochFraction: number;
  /** 0..1 of all the epochs this run trains (a resumed run counts from its first). */
  overallFraction: number;
  epochEtaSeconds: number | null;
  overallEtaSeconds: number | null;
  elapsedSeconds: number;
  /** Mean over the last few batches: one batch's figure jitters too much to read. */
  imagesPerSec: number | null;
}

/** Array.prototype.findLast is ES2023; the renderer targets ES2022. */
function lastWhere<T>(items: readonly T[], match: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (match(items[i]!)) return items[i];
  return undefined;
}

/** Batches averaged for the images/s figure. */
const THROUGHPUT_WINDOW = 20;

/**
 * A run's trainer events folded into what the live and replay views draw:
 * batch and epoch points, progress and the book's epoch lines. Live events,
 * a catch-up from `runs.events` and a replay all go through `apply`, so the
 * three views cannot disagree. Plain data (not reactive): a store wraps it.
 */
export class TrainingTimeline {
  start: StartEvent | null = null;
  readonly batches: BatchPoint[] = [];
  readonly epochs: EpochPoint[] = [];
  /** Per-layer statistics, as recorded (the Layers tab draws them). */
  readonly layerSteps: LayerStepEvent[] = [];
  readonly layerEpochs: LayerEpochEvent[] = [];
  end: DoneEvent | ErrorEvent | null = null;

  apply(event: TrainingEvent): void {
    switch (event.type) {
      case 'start':
        // A resumed run starts again: drop what the resume discards (epochs from firstEpoch on).
        this.start = event;
        this.end = null;
        this.dropFromEpoch(event.firstEpoch);
        break;
      case 'batch':
        this.batches.push({
          step: event.step,
          epoch: event.epoch,
          batch: event.batch,
          loss: event.loss,
          accuracy: event.accuracy,
          imagesPerSec: event.imagesPerSec,
          time: event.time,
        });
        break;
      case 'epoch': {
        const lastOfEpoch = lastWhere(this.batches, (b) => b.epoch === event.epoch);
        this.epochs.push({
          epoch: event.epoch,
          loss: event.loss,
          trainAcc: event.trainAcc,
          testAcc: event.testAcc,
          seconds: event.seconds,
          imagesPerSec: event.imagesPerSec,
          time: event.time,
          step: lastOfEpoch?.step ?? (event.epoch + 1) * this.stepsPerEpoch - 1,
        });
        break;
      }
      case 'layerStep':
        this.layerSteps.push(event);
        break;
      case 'layerEpoch':
        this.layerEpochs.push(event);
        break;
      case 'done':
      case 'error':
        this.end = event;
        break;
    }
  }

  clear(): void {
    this.start = null;
    this.end = null;
    this.batches.length = 0;
    this.epochs.length = 0;
    this.layerSteps.length = 0;
    this.layerEpochs.length = 0;
  }

  get stepsPerEpoch(): number {
    return Math.max(1, this.start?.stepsPerEpoch ?? 1);
  }

  /** The chapter's line for every finished epoch, in order. */
  bookLines(): string[] {
    return this.epochs.map((epoch) => bookLine(epoch));
  }

  progress(): TrainingProgress | null {
    const start = this.start;
    if (!start) return null;
    const epochs = start.config.epochs;
    const firstEpoch = start.firstEpoch;
    const lastBatch = this.batches[this.batches.length - 1];
    const lastEpoch = this.epochs[this.epochs.length - 1];
    const lastTime = Math.max(start.time, lastBatch?.time ?? 0, lastEpoch?.time ?? 0, this.end?.time ?? 0);
    const elapsedSeconds = (lastTime - start.time) / 1000;

    let epoch: number;
    let epochFraction: number;
    if (lastBatch && (!lastEpoch || lastBatch.epoch > lastEpoch.epoch)) {
      epoch = lastBatch.epoch;
      epochFraction = Math.min(1, (lastBatch.batch + 1) / this.stepsPerEpoch);
    } else if (lastEpoch) {
      const ended = this.end !== null || lastEpoch.epoch + 1 >= epochs;
      epoch = ended ? lastEpoch.epoch : lastEpoch.epoch + 1;
      epochFraction = ended ? 1 : 0;
    } else {
      epoch = firstEpoch;
      epochFraction = 0;
    }
    const total = Math.max(1, epochs - firstEpoch);
    const completed = this.end?.type === 'done' && this.end.status === 'completed';
    const overallFraction = completed ? 1 : Math.min(1, (epoch - firstEpoch + epochFraction) / total);

    const epochStartTime =
      lastWhere(this.epochs, (e) => e.epoch < epoch)?.time ?? (epoch === firstEpoch ? start.time : null);
    let epochEtaSeconds: number | null = null;
    let overallEtaSeconds: number | null = null;
    if (this.end === null && epochStartTime !== null && epochFraction > 0) {
      const inEpoch = (lastTime - epochStartTime) / 1000;
      epochEtaSeconds = (inEpoch / epochFraction) * (1 - epochFraction);
    }
    if (this.end === null && overallFraction > 0) {
      overallEtaSeconds = (elapsedSeconds / overallFraction) * (1 - overallFraction);
    }

    const recent = this.batches.slice(-THROUGHPUT_WINDOW).map((b) => b.imagesPerSec).filter(Number.isFinite);
    const imagesPerSec = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : null;
    return { epoch, epochs, epochFraction, overallFraction, epochEtaSeconds, overallEtaSeconds, elapsedSeconds, imagesPerSec };
  }

  private dropFromEpoch(epoch: number): void {
    const keepBatches = this.batches.filter((b) => b.epoch < epoch);
    const keepEpochs = this.epochs.filter((e) => e.epoch < epoch);
    this.batches.splice(0, this.batches.length, ...keepBatches);
    this.epochs.splice(0, this.epochs.length, ...keepEpochs);
    const keepSteps = this.layerSteps.filter((e) => e.epoch < epoch);
    const keepLayerEpochs = this.layerEpochs.filter((e) => e.epoch < epoch);
    this.layerSteps.splice(0, this.layerSteps.length, ...keepSteps);
    this.layerEpochs.splice(0, this.layerEpochs.length, ...keepLayerEpochs);
  }
}
