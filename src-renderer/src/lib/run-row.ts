import type { RunRecord } from '../../../src-main/shared/runs/run-entities';
import { EPOCH_METRIC_KEYS } from '../../../src-main/shared/runs/metric-keys';
import { secondsPerEpoch } from '../../../src-main/shared/runs/run-figures';

/** A run as the Runs table shows and sorts it. */
export interface RunRow {
  run: RunRecord;
  name: string;
  status: string;
  model: string;
  size: number;
  engine: string;
  /** The machine it trained on (a worker's, for a queued run); null on older records. */
  host: string | null;
  bestTestAcc: number | null;
  lastTestAcc: number | null;
  secondsPerEpoch: number | null;
  params: number | null;
  createdAt: number;
}

export type RunColumn = Exclude<keyof RunRow, 'run'>;

export function runRow(run: RunRecord): RunRow {
  const test = run.summary[EPOCH_METRIC_KEYS.testAcc];
  return {
    run,
    name: run.name,
    status: run.status,
    model: run.model,
    size: run.config.resize,
    engine: run.engine?.id ?? run.config.engine,
    host: run.host?.name ?? null,
    bestTestAcc: test?.best?.value ?? null,
    lastTestAcc: test?.last.value ?? null,
    secondsPerEpoch: secondsPerEpoch(run),
    params: run.params,
    createdAt: run.createdAt,
  };
}

/** Sorts with missing values last whatever the direction. */
export function sortRows<R extends RunRow>(rows: R[], column: RunColumn, descending: boolean): R[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[column];
    const y = b[column];
    if (x === null || (typeof x === 'number' && Number.isNaN(x))) return 1;
    if (y === null || (typeof y === 'number' && Number.isNaN(y))) return -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}

/** Whether a run matches the filter text: in its name, model, id or tags. */
export function matchesText(run: RunRecord, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  return [run.name, run.model, run.id, ...run.tags].some((field) => field.toLowerCase().includes(needle));
}
