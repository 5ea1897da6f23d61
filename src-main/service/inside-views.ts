import type { InsideAnswer } from '../api/inside-schemas';
import { FASHION_MNIST_CLASSES } from '../core/data/fashion-mnist';
import type { RunStore } from '../core/store/run-store';
import { base64ToBytes } from '../api/pixels';
import { errorMessage } from '../shared/error-message';
import type { DatasetManager } from './dataset-manager';
import type { PredictionSource } from './prediction-protocol';

/** The five likeliest classes. */
const TOP = 5;

export interface InsideRequest {
  runId: string;
  testIndex?: number;
  pixels?: number[];
}

/**
 * `runs.inside`: a completed run's final checkpoint looked into with one
 * image, in the prediction worker. The image is a test image (by index, or
 * the first the run got wrong) or the user's own 28×28 grey levels. Where the
 * run cannot be looked into, the answer says why instead of failing.
 */
export async function lookInsideRun(
  store: Pick<RunStore, 'requireRun' | 'intactCheckpoint'>,
  dataset: DatasetManager,
  source: PredictionSource,
  firstWrong: (runId: string) => Promise<number | undefined>,
  request: InsideRequest,
): Promise<InsideAnswer> {
  const run = store.requireRun(request.runId);
  if (!source.inside) return unavailable('this service cannot run a model on single images');
  if (run.status !== 'completed') return unavailable(`run ${run.id} is ${run.status}; the view inside uses a completed run's final model`);
  const { checkpoint, skipped } = await store.intactCheckpoint(run.id);
  if (skipped.length > 0) return unavailable(`run ${run.id}'s final checkpoint cannot be used: ${skipped[0]!.reason}`);
  if (!checkpoint) return unavailable(`run ${run.id} has no checkpoint here (it saved none, or was imported without weights)`);

  let pixels: Uint8Array<ArrayBuffer>;
  let image: Extract<InsideAnswer, { available: true }>['image'];
  if (request.pixels) {
    pixels = Uint8Array.from(request.pixels);
    image = { picture: { side: 28, pixels: request.pixels } };
  } else {
    let datasetDir: string;
    try {
      datasetDir = dataset.requireFolder();
    } catch (error) {
      return unavailable(errorMessage(error));
    }
    const index = request.testIndex ?? (await firstWrong(run.id)) ?? 0;
    const [wire] = await dataset.testImages(datasetDir, [index]);
    if (!wire) return unavailable(`no test image ${index}`);
    pixels = Uint8Array.from(base64ToBytes(wire.pixels));
    image = { index, label: wire.label, picture: { side: wire.rows, pixels: Array.from(pixels) } };
  }
  try {
    const view = await source.inside({ checkpointPath: checkpoint.path, sha256: checkpoint.sha256, resize: run.config.resize, pixels });
    const top = view.probabilities
      .map((probability, classIndex) => ({ classIndex, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, TOP);
    return { available: true, classes: [...FASHION_MNIST_CLASSES], image, top, filters: view.filters, blocks: view.blocks };
  } catch (error) {
    return unavailable(`looking inside with ${checkpoint.path} failed: ${errorMessage(error)}`);
  }
}

const unavailable = (reason: string): InsideAnswer => ({ available: false, reason });
