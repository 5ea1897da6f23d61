import { ApiError } from '../../api/api-error';
import { recordedEvents } from '../../core/store/recorded-events';
import type { ApiHandlers } from '../dispatch';
import { prepareRun } from '../prepare-run';
import { checkPointBudget } from '../point-budget';
import { resumeRun } from './resume-run';
import { datasetDirFor, startRuns } from './start-runs';
import type { ServiceParts } from './service-parts';

type RunTrainingMethods = 'runs.start' | 'runs.startQueue' | 'runs.resume' | 'runs.cancel' | 'runs.queue' | 'runs.events';

/** Runs: training (methods.ts's section of the same name). */
export function runHandlers(parts: ServiceParts): Pick<ApiHandlers, RunTrainingMethods> {
  const { store, hub, queue } = parts;
  return {
    'runs.start': (request) => {
      const run = prepareRun(request);
      const datasetDir = datasetDirFor(parts, request, '');
      return { run: startRuns(parts, [{ run, request, datasetDir }])[0]! };
    },
    'runs.startQueue': ({ runs }) => {
      // All checked before any is created: one bad request refuses the lot.
      const prepared = runs.map((request, i) => {
        const run = prepareRun(request, `runs.${i}.`);
        const datasetDir = datasetDirFor(parts, request, `runs.${i}.`);
        return { run, request, datasetDir };
      });
      return { runs: startRuns(parts, prepared) };
    },
    'runs.resume': (request) => resumeRun(parts, request),
    'runs.cancel': ({ runId }) => {
      const was = queue.cancel(runId);
      if (!was) {
        const run = store.requireRun(runId);
        throw new ApiError('conflict', `run ${runId} is ${run.status}, not queued or training here`);
      }
      return { runId, was };
    },
    'runs.queue': () => queue.state(),
    'runs.events': ({ runId }) => {
      store.requireRun(runId);
      const live = queue.eventsSoFar(runId);
      if (!live) checkPointBudget(store, runId, 'runs.events');
      const events = live ?? recordedEvents(store, runId);
      return { events, seq: hub.lastSeq };
    },
  };
}
