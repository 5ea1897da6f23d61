import { ApiError } from '../../api/api-error';
import { FASHION_MNIST_CLASSES } from '../../core/data/fashion-mnist';
import { uniqueIds, WITHOUT_WEIGHTS_NOTICE } from '../../core/store/export-import';
import type { ApiHandlers } from '../dispatch';
import { exportFile } from './export-file';
import { importRunsOffThread } from '../import-off-thread';
import { checkPointBudget } from '../point-budget';
import type { ServiceParts } from './service-parts';

type RunRecordMethods =
  | 'runs.list'
  | 'runs.get'
  | 'runs.metrics'
  | 'runs.tag'
  | 'runs.rename'
  | 'runs.delete'
  | 'runs.export'
  | 'runs.import'
  | 'runs.confusion'
  | 'runs.misclassified'
  | 'runs.inside';

/** Runs: the record (methods.ts's section of the same name), and what a finished run's results show. */
export function runRecordHandlers({ store, hub, queue, misclassified, importWorkerPath }: ServiceParts): Pick<ApiHandlers, RunRecordMethods> {
  const runUpdated = (runId: string) => {
    hub.emit({ topic: 'runs', change: 'updated', runIds: [runId] });
    return { run: store.requireRun(runId) };
  };
  return {
    'runs.list': ({ filter }) => ({ runs: store.listRuns(filter) }),
    'runs.get': ({ runId }) => ({
      run: store.requireRun(runId),
      checkpoints: store.checkpoints(runId),
      hasConfusion: store.getConfusion(runId) !== null,
    }),
    'runs.metrics': ({ runId, keys }) => {
      store.requireRun(runId);
      checkPointBudget(store, runId, 'runs.metrics', keys);
      return { points: store.metrics(runId, keys) };
    },
    'runs.tag': ({ runId, add = [], remove = [] }) => {
      store.updateTags(runId, { add, remove });
      return runUpdated(runId);
    },
    'runs.rename': ({ runId, name }) => {
      store.renameRun(runId, name);
      return runUpdated(runId);
    },
    'runs.delete': ({ runId }) => {
      if (queue.isActive(runId)) {
        throw new ApiError('conflict', `run ${runId} is queued or training: cancel it first`);
      }
      const result = store.deleteRun(runId);
      misclassified.forget(runId);
      hub.emit({ topic: 'runs', change: 'deleted', runIds: [runId] });
      return result;
    },
    'runs.export': ({ runIds, format, cursor }) => exportFile(store, uniqueIds(runIds), format, cursor),
    'runs.import': async ({ content }) => {
      const runs = await importRunsOffThread(store, content, importWorkerPath);
      hub.emit({ topic: 'runs', change: 'created', runIds: runs.map((run) => run.id) });
      return { runs, ...(runs.some((run) => run.withoutWeights) ? { notice: WITHOUT_WEIGHTS_NOTICE } : {}) };
    },

    'runs.confusion': ({ runId }) => {
      const run = store.requireRun(runId);
      const matrix = store.getConfusion(runId);
      if (!matrix) {
        throw new ApiError(
          'unavailable',
          `run ${runId} has no confusion matrix: it is ${run.status} and finished no epoch it could report`,
        );
      }
      return { classes: [...FASHION_MNIST_CLASSES], matrix };
    },
    'runs.misclassified': ({ runId, limit }) => misclassified.find(runId, limit),
    'runs.inside': (request) => misclassified.inside(request),
  };
}
