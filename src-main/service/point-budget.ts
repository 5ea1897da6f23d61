import { ApiError } from '../api/api-error';
import type { MetricLog } from '../core/store/metric-log';
import { REQUEST_MAX_POINTS } from '../shared/runs/run-limits';

/**
 * Refuses, before reading them, a request for more of a run's points than
 * one answer may carry (REQUEST_MAX_POINTS): building, checking and sending
 * them would hold every other request for seconds. Counting uses the
 * (run, key, step) index and costs milliseconds.
 */
export function checkPointBudget(store: Pick<MetricLog, 'countMetrics'>, runId: string, what: string, keys?: readonly string[]): void {
  const points = store.countMetrics([runId], keys);
  if (points <= REQUEST_MAX_POINTS) return;
  throw new ApiError(
    'too-large',
    `run ${runId} has ${points.toLocaleString('en-US')} ${keys ? 'points of those keys' : 'metric points'}, more than ${what} answers at once (${REQUEST_MAX_POINTS.toLocaleString('en-US')}): ${keys ? 'ask for fewer keys, or ' : ''}export the run (runs.export pages through any size)`,
    keys ? { field: 'keys' } : {},
  );
}
