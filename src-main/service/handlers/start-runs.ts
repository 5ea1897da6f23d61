import { ApiError } from '../../api/api-error';
import type { ApiParsedRequest } from '../../api/methods';
import type { RunRecord } from '../../shared/runs/run-entities';
import type { RunConfig } from '../../shared/train/run-config';
import type { PreparedRun } from '../prepare-run';
import type { ServiceParts } from './service-parts';

export interface RunToStart {
  run: PreparedRun;
  request: ApiParsedRequest<'runs.start'>;
  /** Located as the run is queued (datasetDirFor). */
  datasetDir: string;
}

/** Records the runs, all or none, announces them, and queues them in order. */
export function startRuns({ store, hub, queue }: ServiceParts, prepared: RunToStart[]): RunRecord[] {
  prepared.forEach(({ run }, i) => checkInitFrom(store, run.config, i, prepared.length > 1 ? `runs.${i}.` : ''));
  const configs: RunConfig[] = [];
  const ids = store.transaction(() => {
    const created: string[] = [];
    for (const { run, request } of prepared) {
      // `#N` names an earlier run of this queue, whose id exists only now.
      const initFrom = run.config.initFrom;
      const config = initFrom?.startsWith('#') ? { ...run.config, initFrom: created[Number(initFrom.slice(1))]! } : run.config;
      configs.push(config);
      created.push(
        store.createRun(config, {
          architecture: run.architecture,
          tags: request.tags,
          notes: request.notes,
          baseline: request.baseline,
        }),
      );
    }
    return created;
  });
  const records = ids.map((id) => store.requireRun(id));
  hub.emit({ topic: 'runs', change: 'created', runIds: ids });
  // Queued from the prepared config (with `#N` resolved), not from the rows just written.
  queue.enqueue(
    records.map((r, i) => {
      const { run, datasetDir } = prepared[i]!;
      return {
        runId: r.id,
        name: r.name,
        model: run.config.model,
        config: configs[i]!,
        datasetDir,
        ...(run.memoryLimit === undefined ? {} : { memoryLimit: run.memoryLimit }),
      };
    }),
  );
  return records;
}

/**
 * A warm start's source must be an earlier run of the same queue (`#N`) or a
 * recorded run with a checkpoint; anything else is refused before a run exists.
 */
function checkInitFrom(store: ServiceParts['store'], config: RunConfig, index: number, fieldPrefix: string): void {
  const source = config.initFrom;
  if (source === undefined) return;
  const field = `${fieldPrefix}config.initFrom`;
  const queued = /^#(\d+)$/.exec(source);
  if (queued) {
    if (Number(queued[1]) >= index) {
      throw new ApiError('invalid-request', `initFrom ${source} must name an earlier run of this queue (0 to ${index - 1})`, { field });
    }
    return;
  }
  if (!store.getRun(source)) throw new ApiError('invalid-request', `initFrom: no run ${source} in this database`, { field });
  if (!store.latestCheckpoint(source)) {
    throw new ApiError(
      'invalid-request',
      `initFrom: run ${source} has no checkpoint to initialise from (it finished no epoch, ran with checkpoints off, or was imported without weights)`,
      { field },
    );
  }
}

/** The dataset folder of a run being queued; refuses a run the worker could only fail (no dataset here, or a named folder that is not one). */
export function datasetDirFor({ dataset }: ServiceParts, request: { dataDir?: string }, fieldPrefix: string): string {
  return dataset.folderForRun(request.dataDir, `${fieldPrefix}dataDir`);
}
