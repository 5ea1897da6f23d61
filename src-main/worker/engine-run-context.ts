import { fashionMnistDataFiles, findFashionMnistFiles } from '../core/data/fashion-mnist';
import type { EngineRunContext } from '../core/engine/engine-row';
import { estimateRunMemory } from '../core/engine/run-memory';
import { checkpointTemplate } from '../core/train/checkpoint-template';
import { checkEngineFits } from '../core/train/memory-estimate';
import type { EngineInfo } from '../shared/train/events';
import type { FromWorker, RunMessage } from './protocol';

/**
 * What an engine that runs its runs itself (EngineRow.run) needs from this
 * worker: the data files the service located, the checkpoint header of the
 * same network built by tfjs, the checkpoints to read, and the memory rule.
 * The worker computes each, so the engine's folder imports no tfjs and no data code.
 */
export function engineRunContext(
  request: RunMessage,
  engine: EngineInfo,
  signal: AbortSignal,
  post: (message: FromWorker) => void,
): EngineRunContext {
  const { runId, config, checkpoint, resume, warmStart, datasetDir } = request;
  const { paths, missing } = findFashionMnistFiles(datasetDir);
  const data = fashionMnistDataFiles(paths);
  if (!data) throw new Error(`the Fashion-MNIST folder ${datasetDir} lacks ${missing.join(', ')}`);
  if (config.initFrom !== undefined && !resume && !warmStart) {
    throw new Error(
      `run ${config.initFrom} has no checkpoint to initialise from: it finished no epoch, ran with checkpoints off, or is not in this database`,
    );
  }
  return {
    runId,
    config,
    engine,
    signal,
    emit: (event) => post({ type: 'event', runId, event }),
    checkpointWritten: (written) => post({ type: 'checkpoint', runId, checkpoint: written }),
    data,
    ...(checkpoint ? { checkpoint: { ...checkpoint, template: () => checkpointTemplate(config) } } : {}),
    ...(resume ? { resume } : {}),
    ...(warmStart ? { warmStart } : {}),
    estimatedBytes: estimateRunMemory(config).totalBytes,
    checkMemory: () => void checkEngineFits(config, engine),
  };
}
