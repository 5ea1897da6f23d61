import { ApiError } from '../../api/api-error';
import type { RunRecord } from '../../shared/runs/run-entities';
import type { RunToStart } from './start-runs';
import type { ServiceParts } from './service-parts';
import { NO_QUEUE_REASON } from './workers';

/**
 * Runs launched with "Run on: GPU workers": put on the service's Redis queue,
 * in order, and recorded here as they train on the workers (queue-link.ts).
 * Checked before any is queued: a bad request refuses the lot.
 */
export async function startOnWorkers({ store, hub, queueLink }: ServiceParts, prepared: Omit<RunToStart, 'datasetDir'>[], fieldPrefix: (i: number) => string): Promise<RunRecord[]> {
  if (!queueLink) throw new ApiError('invalid-request', `on: ${NO_QUEUE_REASON}`, { field: `${fieldPrefix(0)}on` });
  prepared.forEach(({ run }, i) => {
    if (run.config.initFrom !== undefined) {
      throw new ApiError('invalid-request', "a warm start from another run's checkpoint cannot train on a worker (the checkpoint is here): run it on this machine", {
        field: `${fieldPrefix(i)}config.initFrom`,
      });
    }
  });
  const ids: string[] = [];
  for (const { run, request } of prepared) {
    ids.push(await queueLink.startRun(run, { tags: request.tags, notes: request.notes, baseline: request.baseline }));
  }
  hub.emit({ topic: 'runs', change: 'created', runIds: ids });
  return ids.map((id) => store.requireRun(id));
}
