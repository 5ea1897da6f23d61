import type { ApiResult } from '../api/methods';
import { FASHION_MNIST_CLASSES } from '../core/data/fashion-mnist';
import type { CheckpointRecords } from '../core/store/checkpoint-records';
import type { RunTable } from '../core/store/run-table';
import type { DatasetManager } from './dataset-manager';
import type { PredictionSource } from './prediction-protocol';
import { PredictionWorkerSource } from './prediction-worker-source';
import { errorMessage } from '../shared/error-message';
import { lookInsideRun, type InsideRequest } from './inside-views';
import type { InsideAnswer } from '../api/inside-schemas';

export const DEFAULT_MISCLASSIFIED_LIMIT = 50;

type Answer = ApiResult<'runs.misclassified'>;

/**
 * The test images a finished run gets wrong, from a cache of its predictions. The store keeps only the
 * confusion counts, so the predictions are computed from the run's last
 * checkpoint (once per run, then kept in memory); where that cannot be done,
 * the answer says what is missing instead of guessing.
 */
export class PredictionCache {
  private readonly source: PredictionSource;
  private readonly cache = new Map<string, Promise<Uint8Array>>();

  constructor(
    /** The run and its intact checkpoint: all the cache reads of the store. */
    private readonly store: Pick<RunTable, 'requireRun'> & Pick<CheckpointRecords, 'intactCheckpoint'>,
    private readonly dataset: DatasetManager,
    source?: PredictionSource,
  ) {
    this.source = source ?? new PredictionWorkerSource();
  }

  async find(runId: string, limit = DEFAULT_MISCLASSIFIED_LIMIT): Promise<Answer> {
    const run = this.store.requireRun(runId);
    if (run.status !== 'completed') {
      return unavailable(`run ${runId} is ${run.status}; misclassified images come from a completed run's final model`);
    }
    // Only a file the store owns, of the recorded size and hash, reaches the prediction worker.
    const { checkpoint, skipped } = await this.store.intactCheckpoint(runId);
    if (skipped.length > 0) {
      return unavailable(`run ${runId}'s final checkpoint cannot be used: ${skipped[0]!.reason}`);
    }
    if (!checkpoint) {
      return unavailable(
        `run ${runId} has no checkpoint here (it saved none, or was imported without weights), so its final ` +
          'model cannot be asked about single images; the confusion matrix recorded with the run has the counts',
      );
    }
    let datasetDir: string;
    try {
      datasetDir = this.dataset.requireFolder();
    } catch (error) {
      return unavailable(errorMessage(error));
    }

    let predictions = this.cache.get(runId);
    if (!predictions) {
      predictions = this.source.predict({
        checkpointPath: checkpoint.path,
        sha256: checkpoint.sha256,
        resize: run.config.resize,
        testLimit: run.config.testLimit,
        datasetDir,
      });
      this.cache.set(runId, predictions);
      predictions.catch(() => this.cache.delete(runId));
    }
    let predicted: Uint8Array;
    try {
      predicted = await predictions;
    } catch (error) {
      return unavailable(`predicting with ${checkpoint.path} failed: ${errorMessage(error)}`);
    }
    const labels = await this.dataset.testLabels(datasetDir);
    const wrong: number[] = [];
    predicted.forEach((guess, index) => {
      if (guess !== labels[index]) wrong.push(index);
    });
    const shown = wrong.slice(0, limit);
    const images = await this.dataset.testImages(datasetDir, shown);
    return {
      available: true,
      classes: [...FASHION_MNIST_CLASSES],
      evaluated: predicted.length,
      wrong: wrong.length,
      images: images.map((image, i) => ({ ...image, predicted: predicted[shown[i]!]! })),
    };
  }

  /** runs.inside (inside-views.ts), in the same worker; the first misclassified image by default. */
  inside(request: InsideRequest): Promise<InsideAnswer> {
    return lookInsideRun(this.store, this.dataset, this.source, async (runId) => {
      const wrong = await this.find(runId, 1);
      return wrong.available ? wrong.images[0]?.index : undefined;
    }, request);
  }

  forget(runId: string): void {
    this.cache.delete(runId);
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }
}

const unavailable = (reason: string): Answer => ({ available: false, reason });
