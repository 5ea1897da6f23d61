import type Database from 'better-sqlite3';
import { isOwnerAlive, isProcessAlive, type LivenessContext } from './owner-liveness';
import { ownerFromRow, type RunRow } from './run-rows';
import { NOT_QUEUE_OWNED } from './queue-ownership';

/**
 * Liveness reaping, apart from the store's CRUD: runs whose recording process
 * is gone are marked so, and never a run whose owner may be alive.
 */

/**
 * Marks `running` runs whose recording process is gone as `interrupted`,
 * finished at their last heartbeat, then cancels queued runs orphaned by a
 * dead process. Returns the ids changed.
 */
export function reapInterrupted(db: Database.Database, context: LivenessContext): string[] {
  const running = db
    .prepare<[], Pick<RunRow, 'id' | 'owner_pid' | 'owner_host' | 'heartbeat_at'>>(
      // A run on a Redis queue trains on a worker, whoever queued it: only its hub ends it.
      `SELECT id, owner_pid, owner_host, heartbeat_at FROM runs WHERE status = 'running' AND ${NOT_QUEUE_OWNED}`,
    )
    .all();
  const mark = db.prepare(
    `UPDATE runs SET status = 'interrupted',
      finished_at = COALESCE(heartbeat_at, started_at, created_at), error = ?
    WHERE id = ? AND status = 'running' AND owner_pid IS ? AND owner_host IS ?`,
  );
  const reaped: string[] = [];
  for (const row of running) {
    const owner = ownerFromRow(row);
    if (isOwnerAlive(owner, context)) continue;
    const why = owner
      ? `interrupted: process ${owner.pid} on ${owner.hostname} stopped without finishing the run`
      : 'interrupted: no process was recording the run';
    // The WHERE re-checks the owner, so a run re-claimed meanwhile is left alone.
    if (mark.run(why, row.id, row.owner_pid, row.owner_host).changes > 0) reaped.push(row.id);
  }
  return [...reaped, ...reapOrphanedQueue(db, context)];
}

/**
 * Runs left `queued` by a process that died before starting them are
 * cancelled, unless they wait on a Redis queue (queue-ownership.ts). Queued runs beat no heartbeat, so only owners on this host
 * (where the pid can be checked) are judged.
 */
function reapOrphanedQueue(db: Database.Database, context: LivenessContext): string[] {
  const queued = db
    .prepare<[string], Pick<RunRow, 'id' | 'owner_pid' | 'owner_host'>>(
      `SELECT id, owner_pid, owner_host FROM runs WHERE status = 'queued' AND owner_host = ? AND ${NOT_QUEUE_OWNED}`,
    )
    .all(context.hostname);
  const cancel = db.prepare(
    `UPDATE runs SET status = 'cancelled', finished_at = ?, error = ?
     WHERE id = ? AND status = 'queued' AND owner_pid IS ?`,
  );
  return queued
    .filter((row) => row.owner_pid !== null && !isProcessAlive(row.owner_pid))
    .filter(
      (row) =>
        cancel.run(context.now, `cancelled: process ${row.owner_pid} that queued it stopped first`, row.id, row.owner_pid)
          .changes > 0,
    )
    .map((row) => row.id);
}
