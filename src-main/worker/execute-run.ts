import { join } from 'node:path';
import { train, type TrainerHooks } from '../core/train/trainer';
import { restoreCheckpoint } from '../core/train/checkpoint-weights';
import { warmStartFrom } from '../core/train/warm-start';
import { saveCheckpoint } from '../core/checkpoint/checkpoint-io';
import { selectRunEngine } from '../core/train/run-engine';
import { machineMemoryLimit } from '../core/engine/memory-limit';
import { ENGINE_ROWS } from '../core/engine/engines';
import { engineRunContext } from './engine-run-context';
import { suggestionsOf } from '../shared/refusal';
import type { EngineInfo } from '../shared/train/events';
import { loadFashionMnist, type FashionMnist } from '../core/data/fashion-mnist';
import type { FromWorker, RunMessage } from './protocol';
import { errorMessage } from '../shared/error-message';

// Decoding 47 MB of IDX takes a second and the worker outlives many runs, so
// each folder is loaded once. Engines are selected per run (a self-check of a
// few milliseconds), since runs may ask for different ones.
const datasets = new Map<string, FashionMnist>();

async function loadDatasetOnce(dir: string): Promise<FashionMnist> {
  const cached = datasets.get(dir);
  if (cached) return cached;
  const dataset = await loadFashionMnist(dir);
  datasets.set(dir, dataset);
  return dataset;
}

export interface RunOutcome {
  status: 'completed' | 'cancelled' | 'failed';
  epochsDone: number;
  confusion?: number[][];
}

/** Runs one request to its end, reporting every event; never throws. */
export async function executeRun(
  request: RunMessage,
  signal: AbortSignal,
  post: (message: FromWorker) => void,
): Promise<RunOutcome> {
  const { runId, config } = request;
  const emit = (event: Extract<FromWorker, { type: 'event' }>['event']): void =>
    post({ type: 'event', runId, event });
  let engine: EngineInfo;
  let dataset: FashionMnist;
  try {
    // Each engine's row plans the run to fit the machine's memory (the request's --memory-limit first); what cannot fit is refused here.
    engine = await selectRunEngine(config, request.memoryLimit === undefined ? {} : { limit: machineMemoryLimit({ flag: request.memoryLimit }) });
    // An engine that runs its runs itself (pytorch) reads the data files on its own.
    const runner = ENGINE_ROWS[engine.id].run;
    if (runner) return await runner(engineRunContext(request, engine, signal, post));
    dataset = await loadDatasetOnce(request.datasetDir);
  } catch (error) {
    const suggestions = suggestionsOf(error);
    emit({ type: 'error', time: Date.now(), message: errorMessage(error), ...(suggestions.length > 0 ? { suggestions } : {}) });
    return { status: 'failed', epochsDone: 0 };
  }
  const result = await train({ config, dataset, engine, signal, onEvent: emit, hooks: checkpointHooks(request, post) });
  return {
    status: result.status,
    epochsDone: result.epochsDone,
    confusion: result.lastEvaluation?.confusion,
  };
}

/** Writing checkpoints and resuming from one: files here, rows in the main thread (one writer). */
function checkpointHooks(request: RunMessage, post: (message: FromWorker) => void): TrainerHooks {
  const { runId, resume, checkpoint, warmStart, config } = request;
  return {
    // A resumed run has its own weights; only a new run is initialised from another's.
    warmStart:
      resume || config.initFrom === undefined
        ? undefined
        : async (model) => {
            if (!warmStart) {
              throw new Error(
                `run ${config.initFrom} has no checkpoint to initialise from: it finished no epoch, ran with checkpoints off, or is not in this database`,
              );
            }
            const layers = await warmStartFrom(model, warmStart.path, warmStart.sha256);
            return { fromRun: warmStart.runId, epoch: warmStart.epoch, ...layers };
          },
    restore: resume
      ? async (model, optimizer) => {
          await restoreCheckpoint(model, optimizer, resume.path, resume.sha256);
          return resume.epoch + 1;
        }
      : undefined,
    afterEpoch: checkpoint
      ? async (model, epoch, isLast) => {
          if (checkpoint.policy === 'last' && !isLast) return;
          const file = await saveCheckpoint(model, join(checkpoint.dir, `epoch-${epoch}.ckpt`));
          post({ type: 'checkpoint', runId, checkpoint: { epoch, ...file } });
        }
      : undefined,
  };
}
