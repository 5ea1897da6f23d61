import { ApiError } from '../../api/api-error';
import type { ApiParsedRequest, ApiResult } from '../../api/methods';
import { busyElsewhere } from '../to-api-error';
import { epochsRecorded } from '../../shared/runs/run-figures';
import { checkedMemoryLimit, resumedConfig } from '../prepare-run';
import { datasetDirFor } from './start-runs';
import type { ServiceParts } from './service-parts';

/**
 * Continues a stopped run in place from its newest intact checkpoint: points
 * after that epoch are dropped and trained again, `epochs` may extend it, and
 * `engine`, `device`, `precision`, `threads` move it to another engine (one
 * checkpoint format for all). The config it resumes with is stored with the
 * run before it is queued; its start event then records the engine it got.
 */
export async function resumeRun(
  parts: ServiceParts,
  { runId, epochs, dataDir, memoryLimit: limitText, ...placement }: ApiParsedRequest<'runs.resume'>,
): Promise<ApiResult<'runs.resume'>> {
  const { store, hub, queue } = parts;
  const memoryLimit = checkedMemoryLimit(limitText);
  const run = store.requireRun(runId);
  if (queue.isActive(runId)) throw new ApiError('conflict', `run ${runId} is already ${run.status}`);
  if (run.status === 'queued' || run.status === 'running') throw busyElsewhere(run);
  // Checked before anything changes, as a start's config is: a refused engine leaves the run as it was.
  const config = resumedConfig(run.config, { epochs, ...placement });
  // Checked here, before anything changes: a bad file refuses the resume and the run's record stays true.
  const { checkpoint, skipped } = await store.intactCheckpoint(runId);
  const why = skipped.map((s) => `epoch ${s.epoch}: ${s.reason}`).join('; ');
  if (!checkpoint) {
    // The record may show epochs whose checkpoint was never finished (killed while writing it): say so, not "no epoch".
    const recorded = epochsRecorded(run);
    const because =
      recorded > 0
        ? `it recorded ${recorded} epoch(s), but no checkpoint of them was finished (stopped while writing one?), checkpoints were off, or it was imported without weights`
        : 'it finished no epoch, ran with checkpoints off, or was imported without weights';
    throw new ApiError(
      'conflict',
      skipped.length > 0 ? `run ${runId} has no intact checkpoint to resume from (${why})` : `run ${runId} has no checkpoint to resume from: ${because}`,
    );
  }
  if (queue.isActive(runId)) throw new ApiError('conflict', `run ${runId} was queued meanwhile`);
  if (config.epochs <= checkpoint.epoch + 1) {
    throw new ApiError(
      'invalid-request',
      `run ${runId} already trained ${checkpoint.epoch + 1} of its ${config.epochs} epochs: pass more epochs to go on`,
      { field: 'epochs' },
    );
  }
  const datasetDir = datasetDirFor(parts, { dataDir }, '');
  store.transaction(() => {
    store.discardAfterEpoch(runId, checkpoint.epoch);
    // Its record says how long and where it now trains, even before it starts (or if it never does).
    store.setResumedConfig(runId, config);
    store.requeue(runId);
  });
  hub.emit({ topic: 'runs', change: 'updated', runIds: [runId] });
  const resume = { path: checkpoint.path, epoch: checkpoint.epoch, sha256: checkpoint.sha256 };
  queue.enqueue([{ runId, name: run.name, model: run.model, config, datasetDir, resume, ...(memoryLimit === undefined ? {} : { memoryLimit }) }]);
  const notice =
    skipped.length > 0 ? `resuming from the checkpoint of epoch ${checkpoint.epoch}, the newest intact one (${why})` : undefined;
  return { run: store.requireRun(runId), ...(notice ? { notice } : {}) };
}
