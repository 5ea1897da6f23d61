import type Database from 'better-sqlite3';
import { EPOCH_METRIC_KEYS } from '../../shared/runs/metric-keys';
import { RUN_STATUSES, type RunStatus } from '../../shared/runs/run-entities';
import type { SweepFilter, SweepRow } from '../../shared/runs/sweep-row';

/** The columns one sweep row is read from: runs, two summary rows, and the layer count of its architecture. */
interface SweepSqlRow {
  id: string;
  name: string;
  status: string;
  model: string;
  depth: number | null;
  input_size: number;
  learning_rate: number;
  batch_size: number;
  width_ratio: number;
  epochs: number;
  engine: string;
  seed: number;
  baseline: number;
  params: number | null;
  macs: number | null;
  duration_seconds: number | null;
  epochs_completed: number | null;
  last_epoch_seconds: number | null;
  final_test_acc: number | null;
  best_test_acc: number | null;
  created_at: number;
}

/**
 * Every run of a sweep in one query: the settings from `runs`' own columns,
 * the outcomes from `metric_summary` (MLflow's latest_metrics), so the page
 * never reads a run's metric points. Newest first.
 */
const SWEEP_SQL = `
  SELECT r.id, r.name, r.status, r.model, r.input_size, r.learning_rate, r.batch_size, r.width_ratio, r.epochs,
         COALESCE(r.engine_id, r.engine_choice) AS engine, r.seed, r.baseline, r.params, r.macs,
         r.duration_seconds, r.epochs_completed, r.created_at,
         CASE WHEN r.architecture_json IS NULL OR NOT json_valid(r.architecture_json) THEN NULL ELSE
           (SELECT count(*) FROM json_each(r.architecture_json) WHERE json_extract(value, '$.kind') IN ('conv', 'dense')) END AS depth,
         acc.last_value AS final_test_acc, acc.best_value AS best_test_acc, sec.last_value AS last_epoch_seconds
    FROM runs r
    LEFT JOIN metric_summary acc ON acc.run_id = r.id AND acc.key = @accKey
    LEFT JOIN metric_summary sec ON sec.run_id = r.id AND sec.key = @secondsKey
   WHERE (@ids IS NULL OR r.id IN (SELECT value FROM json_each(@ids)))
     AND (@tag IS NULL OR r.id IN (SELECT run_id FROM run_tags WHERE tag = @tag))
   ORDER BY r.created_at DESC, r.rowid DESC`;

const isStatus = (value: string): value is RunStatus => (RUN_STATUSES as readonly string[]).includes(value);

/** The sweep view's rows; a row whose status this version does not know is left out rather than mislabelled. */
export function sweepRows(db: Database.Database, filter: SweepFilter = {}): SweepRow[] {
  const rows = db.prepare<[Record<string, unknown>], SweepSqlRow>(SWEEP_SQL).all({
    accKey: EPOCH_METRIC_KEYS.testAcc,
    secondsKey: EPOCH_METRIC_KEYS.seconds,
    ids: filter.runIds ? JSON.stringify(filter.runIds) : null,
    tag: filter.tag ?? null,
  });
  const result: SweepRow[] = [];
  for (const row of rows) {
    if (!isStatus(row.status)) continue;
    const epochs = row.epochs_completed ?? 0;
    result.push({
      id: row.id,
      name: row.name,
      status: row.status,
      model: row.model,
      depth: row.depth,
      resize: row.input_size,
      lr: row.learning_rate,
      batchSize: row.batch_size,
      widthRatio: row.width_ratio,
      epochs: row.epochs,
      engine: row.engine,
      seed: row.seed,
      baseline: row.baseline === 1,
      params: row.params,
      macs: row.macs,
      // The rule of run-figures.ts's secondsPerEpoch, on columns instead of a record.
      secondsPerEpoch: row.duration_seconds !== null && epochs > 0 ? row.duration_seconds / epochs : row.last_epoch_seconds,
      finalTestAcc: row.final_test_acc,
      bestTestAcc: row.best_test_acc,
      createdAt: row.created_at,
    });
  }
  return result;
}
