import type Database from 'better-sqlite3';
import { lowerIsBetter } from '../../shared/runs/metric-keys';
import type { MetricPoint, MetricSummary } from '../../shared/runs/run-entities';
import { fromSql, summaryFromRow, toSql, type MetricRow, type SummaryRow } from './run-rows';
import type { StoreContext } from './store-context';

/** The newest and the best point of one key within a chunk of points, for the summary upsert. */
function summarizeChunk(points: readonly MetricPoint[]) {
  const byKey = new Map<
    string,
    { count: number; last: MetricPoint; best: MetricPoint | null; lower: boolean }
  >();
  for (const point of points) {
    let entry = byKey.get(point.key);
    if (!entry) {
      entry = { count: 0, last: point, best: null, lower: lowerIsBetter(point.key) };
      byKey.set(point.key, entry);
    }
    entry.count += 1;
    entry.last = point;
    if (Number.isNaN(point.value)) continue;
    const best = entry.best;
    if (best === null || (entry.lower ? point.value < best.value : point.value > best.value)) {
      entry.best = point;
    }
  }
  return byKey;
}

/**
 * A run's metric log (one row per point, MLflow's `metrics` table) and its
 * summary (the newest and best of each key, MLflow's `latest_metrics`), kept
 * in step: every append folds its points into the summary in the same
 * transaction.
 */
export class MetricLog {
  private readonly insertMetric: Database.Statement<
    [string, string, number, number, number | null, number | null, number]
  >;
  private readonly upsertSummary: Database.Statement<[Record<string, unknown>]>;
  private readonly touchHeartbeat: Database.Statement<[number, string]>;

  constructor(private readonly ctx: StoreContext) {
    const { db } = ctx;
    this.insertMetric = db.prepare(
      `INSERT INTO metrics (run_id, key, step, epoch, batch, value, wall_time) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // SET expressions all read the old row, so the repeated condition sees the old best.
    const improves = `excluded.best_value IS NOT NULL AND (best_value IS NULL OR CASE WHEN lower_is_better
        THEN excluded.best_value < best_value ELSE excluded.best_value > best_value END)`;
    this.upsertSummary = db.prepare(`
      INSERT INTO metric_summary (run_id, key, count, lower_is_better, last_value, last_step,
        last_epoch, last_wall_time, best_value, best_step, best_epoch)
      VALUES (@run_id, @key, @count, @lower_is_better, @last_value, @last_step,
        @last_epoch, @last_wall_time, @best_value, @best_step, @best_epoch)
      ON CONFLICT (run_id, key) DO UPDATE SET
        count = count + excluded.count,
        last_value = excluded.last_value,
        last_step = excluded.last_step,
        last_epoch = excluded.last_epoch,
        last_wall_time = excluded.last_wall_time,
        best_value = CASE WHEN ${improves} THEN excluded.best_value ELSE best_value END,
        best_step = CASE WHEN ${improves} THEN excluded.best_step ELSE best_step END,
        best_epoch = CASE WHEN ${improves} THEN excluded.best_epoch ELSE best_epoch END`);
    this.touchHeartbeat = db.prepare(
      `UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`,
    );
  }

  /** Points in recorded order, optionally only some keys. */
  metrics(id: string, keys?: readonly string[]): MetricPoint[] {
    const sql =
      `SELECT key, step, epoch, batch, value, wall_time FROM metrics WHERE run_id = ? ` +
      (keys ? `AND key IN (SELECT value FROM json_each(?)) ` : '') +
      `ORDER BY id`;
    const params: unknown[] = keys ? [id, JSON.stringify(keys)] : [id];
    return this.ctx.db
      .prepare<unknown[], MetricRow>(sql)
      .all(...params)
      .map((row) => ({
        key: row.key,
        step: row.step,
        epoch: row.epoch,
        batch: row.batch,
        value: fromSql(row.value),
        wallTime: row.wall_time,
      }));
  }

  /**
   * Up to `limit` points recorded after the point with row id `afterId` (0:
   * from the first), in recorded order, each with its row id: a cursor that
   * pages through a run without holding all of it.
   */
  metricsPage(id: string, afterId: number, limit: number): { rowId: number; point: MetricPoint }[] {
    return this.ctx.db
      .prepare<[string, number, number], MetricRow & { id: number }>(
        `SELECT id, key, step, epoch, batch, value, wall_time FROM metrics WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?`,
      )
      .all(id, afterId, limit)
      .map((row) => ({
        rowId: row.id,
        point: { key: row.key, step: row.step, epoch: row.epoch, batch: row.batch, value: fromSql(row.value), wallTime: row.wall_time },
      }));
  }

  /** How many points the runs hold together (each id counted once), optionally only some keys. */
  countMetrics(ids: readonly string[], keys?: readonly string[]): number {
    const sql =
      `SELECT count(*) AS n FROM metrics WHERE run_id IN (SELECT DISTINCT value FROM json_each(?))` +
      (keys ? ` AND key IN (SELECT value FROM json_each(?))` : '');
    const params = keys ? [JSON.stringify(ids), JSON.stringify(keys)] : [JSON.stringify(ids)];
    return this.ctx.db.prepare<unknown[], { n: number }>(sql).get(...params)!.n;
  }

  metricSummary(id: string): Record<string, MetricSummary> {
    return this.summariesFor([id]).get(id) ?? {};
  }

  /**
   * Appends points and folds them into the summary in one transaction, so a
   * reader (or a crash) sees either all of them or none.
   */
  appendMetrics(runId: string, points: readonly MetricPoint[], heartbeatAt?: number): void {
    if (points.length === 0 && heartbeatAt === undefined) return;
    this.ctx.transaction(() => {
      for (const p of points) {
        this.insertMetric.run(runId, p.key, p.step, p.epoch, p.batch, toSql(p.value), p.wallTime);
      }
      for (const [key, chunk] of summarizeChunk(points)) {
        this.upsertSummary.run({
          run_id: runId,
          key,
          count: chunk.count,
          lower_is_better: chunk.lower ? 1 : 0,
          last_value: toSql(chunk.last.value),
          last_step: chunk.last.step,
          last_epoch: chunk.last.epoch,
          last_wall_time: chunk.last.wallTime,
          best_value: chunk.best?.value ?? null,
          best_step: chunk.best?.step ?? null,
          best_epoch: chunk.best?.epoch ?? null,
        });
      }
      if (heartbeatAt !== undefined) this.touchHeartbeat.run(heartbeatAt, runId);
    });
  }

  /** Forgets a run's points and summary; the caller replays the ones it keeps (discardAfterEpoch). */
  clear(runId: string): void {
    this.ctx.db.prepare(`DELETE FROM metrics WHERE run_id = ?`).run(runId);
    this.ctx.db.prepare(`DELETE FROM metric_summary WHERE run_id = ?`).run(runId);
  }

  /** Each run's summary by key, for a list of runs read at once. */
  summariesFor(ids: readonly string[]): Map<string, Record<string, MetricSummary>> {
    const rows = this.ctx.db
      .prepare<[string], SummaryRow>(
        `SELECT * FROM metric_summary WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY key`,
      )
      .all(JSON.stringify(ids));
    const byRun = new Map<string, Record<string, MetricSummary>>();
    for (const row of rows) {
      const summaries = byRun.get(row.run_id) ?? {};
      summaries[row.key] = summaryFromRow(row);
      byRun.set(row.run_id, summaries);
    }
    return byRun;
  }
}
