import { ApiError } from '../../api/api-error';
import type { ApiParsedRequest, ApiResult } from '../../api/methods';
import { busyElsewhere } from '../to-api-error';
import { checkedMemoryLimit } from '../prepare-run';
import { datasetDirFor } from './start-runs';
import type { ServiceParts } from './service-parts';

/**
 * Continues a stopped run in place from its newest intact checkpoint: points
 * after that epoch are dropped and trained again, `epochs` may extend it.
 */
export async function resumeRun(
  parts: ServiceParts,
  { runId, epochs, dataDir, memoryLimit: limitText }: ApiParsedRequest<'runs.resume'>,
): Promise<ApiResult<'runs.resume'>> {
  const { store, hub, queue } = parts;
  const memoryLimit = checkedMemoryLimit(limitText);
  const run = store.requireRun(runId);
  if (queue.isActive(runId)) throw new ApiError('conflict', `run ${runId} is already ${run.status}`);
  if (run.status === 'queued' || run.status === 'running') throw busyElsewhere(run);
  // Checked here, before anything changes: a bad file refuses the resume and the run's record stays true.
  const { checkpoint, skipped } = await store.intactCheckpoint(runId);
  const why = skipped.map((s) => `epoch ${s.epoch}: ${s.reason}`).join('; ');
  if (!checkpoint) {
    // The record may show epochs whose checkpoint was never finished (killed while writing it): say so, not "no epoch".
    const epochsRecorded = run.summary['epoch.test_acc']?.count ?? run.epochsCompleted ?? 0;
    const because =
      epochsRecorded > 0
        ? `it recorded ${epochsRecorded} epoch(s), but no checkpoint of them was finished (stopped while writing one?), checkpoints were off, or it was imported without weights`
        : 'it finished no epoch, ran with checkpoints off, or was imported without weights';
    throw new ApiError(
      'conflict',
      skipped.length > 0 ? `run ${runId} has no intact checkpoint to resume from (${why})` : `run ${runId} has no checkpoint to resume from: ${because}`,
    );
  }
  if (queue.isActive(runId)) throw new ApiError('conflict', `run ${runId} was queued meanwhile`);
  const config = { ...run.config, epochs: epochs ?? run.config.epochs };
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
    store.requeue(runId);
  });
  hub.emit({ topic: 'runs', change: 'updated', runIds: [runId] });
  const resume = { path: checkpoint.path, epoch: checkpoint.epoch, sha256: checkpoint.sha256 };
  queue.enqueue([{ runId, name: run.name, model: run.model, config, datasetDir, resume, ...(memoryLimit === undefined ? {} : { memoryLimit }) }]);
  const notice =
    skipped.length > 0 ? `resuming from the checkpoint of epoch ${checkpoint.epoch}, the newest intact one (${why})` : undefined;
  return { run: store.requireRun(runId), ...(notice ? { notice } : {}) };
}
