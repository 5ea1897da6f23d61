import type Database from 'better-sqlite3';

/**
 * Which runs belong to a Redis queue rather than to the process that put them
 * there (table `queue_runs`, migration 6). Such a run waits for, or trains
 * on, a worker whatever happens to the process that queued it, so the reaper
 * leaves it alone: only its hub recording the end it streams (or a user's
 * cancel) ends it. The row goes when the hub has recorded that end.
 */
export interface QueueOwnership {
  runId: string;
  /** The queueing hub's id (queue-hub.ts): the consumer that reads the run's stream. */
  hubId: string;
  /** The queue's URL without its password. */
  queue: string;
  queuedAt: number;
}

interface QueueRunRow {
  run_id: string;
  hub_id: string;
  queue: string;
  queued_at: number;
}

const fromRow = (row: QueueRunRow): QueueOwnership => ({ runId: row.run_id, hubId: row.hub_id, queue: row.queue, queuedAt: row.queued_at });

/** A second mark of the same run (a resubmit) keeps the first time it was queued. */
export function markQueueOwned(db: Database.Database, ownership: QueueOwnership): void {
  db.prepare(
    `INSERT INTO queue_runs (run_id, hub_id, queue, queued_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id) DO UPDATE SET hub_id = excluded.hub_id, queue = excluded.queue`,
  ).run(ownership.runId, ownership.hubId, ownership.queue, ownership.queuedAt);
}

export function releaseQueueOwned(db: Database.Database, runId: string): void {
  db.prepare(`DELETE FROM queue_runs WHERE run_id = ?`).run(runId);
}

export function queueOwnership(db: Database.Database, runId: string): QueueOwnership | undefined {
  const row = db.prepare<[string], QueueRunRow>(`SELECT * FROM queue_runs WHERE run_id = ?`).get(runId);
  return row ? fromRow(row) : undefined;
}

/** The runs on a queue, oldest first: what a hub catches up with. */
export function queueOwnedRuns(db: Database.Database): QueueOwnership[] {
  return db.prepare<[], QueueRunRow>(`SELECT * FROM queue_runs ORDER BY queued_at, run_id`).all().map(fromRow);
}

/** SQL that keeps a reaper's SELECT off queue-owned runs. */
export const NOT_QUEUE_OWNED = `id NOT IN (SELECT run_id FROM queue_runs)`;
