import { ApiError } from '../../api/api-error';
import { recordedEvents } from '../../core/store/recorded-events';
import type { ApiHandlers } from '../dispatch';
import { prepareRun } from '../prepare-run';
import { checkPointBudget } from '../point-budget';
import { resumeRun } from './resume-run';
import { datasetDirFor, startRuns } from './start-runs';
import { startOnWorkers } from './start-on-workers';
import type { ServiceParts } from './service-parts';
import type { TrainingEvent } from '../../shared/train/events';

type RunTrainingMethods = 'runs.start' | 'runs.startQueue' | 'runs.resume' | 'runs.cancel' | 'runs.queue' | 'runs.events';

/** Runs: training (methods.ts's section of the same name). */
export function runHandlers(parts: ServiceParts): Pick<ApiHandlers, RunTrainingMethods> {
  const { store, hub, queue } = parts;
  return {
    'runs.start': async (request) => {
      if (request.on === 'workers') return { run: (await startOnWorkers(parts, [{ run: prepareRun(request), request }], () => ''))[0]! };
      const run = prepareRun(request);
      const datasetDir = datasetDirFor(parts, request, '');
      return { run: startRuns(parts, [{ run, request, datasetDir }])[0]! };
    },
    'runs.startQueue': async ({ runs }) => {
      if (runs.some((request) => request.on === 'workers')) {
        if (!runs.every((request) => request.on === 'workers')) {
          throw new ApiError('invalid-request', 'a queue of runs trains in one place: give every run the same "on"', { field: 'runs.0.on' });
        }
        return { runs: await startOnWorkers(parts, runs.map((request, i) => ({ run: prepareRun(request, `runs.${i}.`), request })), (i) => `runs.${i}.`) };
      }
      // All checked before any is created: one bad request refuses the lot.
      const prepared = runs.map((request, i) => {
        const run = prepareRun(request, `runs.${i}.`);
        const datasetDir = datasetDirFor(parts, request, `runs.${i}.`);
        return { run, request, datasetDir };
      });
      return { runs: startRuns(parts, prepared) };
    },
    'runs.resume': (request) => resumeRun(parts, request),
    'runs.cancel': async ({ runId }) => {
      const was = queue.cancel(runId);
      if (!was && parts.queueLink && store.queueOwnership(runId)) {
        // On the Redis queue: waiting for a worker, or training on one (it stops within a batch or two).
        const status = store.requireRun(runId).status;
        await parts.queueLink.cancel(runId);
        return { runId, was: status === 'running' ? 'running' : 'queued' };
      }
      const onQueue = !was ? store.queueOwnership(runId) : undefined;
      if (onQueue) {
        throw new ApiError('conflict', `run ${runId} is on the Redis queue ${onQueue.queue}: start the workbench with --queue ${onQueue.queue} to cancel it there`);
      }
      if (!was) {
        const run = store.requireRun(runId);
        throw new ApiError('conflict', `run ${runId} is ${run.status}, not queued or training here`);
      }
      return { runId, was };
    },
    'runs.queue': () => queue.state(),
    'runs.events': ({ runId, whole }) => {
      store.requireRun(runId);
      const live = queue.eventsSoFar(runId);
      const resumedAfter = whole ? queue.resumedAfter(runId) : undefined;
      if (!live || resumedAfter !== undefined) checkPointBudget(store, runId, 'runs.events');
      const events = live === undefined ? recordedEvents(store, runId) : resumedAfter === undefined ? live : [...historyUpTo(store, runId, resumedAfter), ...live];
      return { events, seq: hub.lastSeq };
    },
  };
}

/**
 * A resumed run's own events begin at its checkpoint: before them, for a
 * `whole` request, come its recorded start and every point up to that epoch
 * (the resume kept those and dropped the rest), so a view opened now draws
 * the whole run, as it would have watching from the first epoch. Points the
 * resumed run has recorded since are in its live events.
 */
function historyUpTo(store: ServiceParts['store'], runId: string, epoch: number): TrainingEvent[] {
  return recordedEvents(store, runId).filter((event) => event.type === 'start' || ('epoch' in event && event.epoch <= epoch));
}
