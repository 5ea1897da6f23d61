import type { StartEvent } from '../../shared/train/events';
import type { HostInfo, RunOutcome, RunRecord } from '../../shared/runs/run-entities';
import type { CheckpointRecords } from './checkpoint-records';
import type { MetricLog } from './metric-log';
import type { LivenessContext } from './owner-liveness';
import { reapInterrupted } from './run-reaper';
import { ownerColumns, startColumns } from './run-rows';
import { assertColumns, type StoreContext } from './store-context';
import { RunBusyError, RunNotFoundError } from './store-errors';

/**
 * A run's recording lifecycle, as its status column moves: queued → running
 * (owned by the recording process, which beats a heartbeat) → completed,
 * cancelled, failed, or interrupted when its process died; and back to queued
 * when a stopped run is resumed from an epoch.
 */
export class RunLifecycle {
  constructor(
    private readonly ctx: StoreContext,
    private readonly metricLog: Pick<MetricLog, 'metrics' | 'appendMetrics' | 'clear'>,
    private readonly checkpointRecords: Pick<CheckpointRecords, 'discardAfterEpoch' | 'unnamedPaths' | 'removeFiles'>,
    private readonly requireRun: (runId: string) => RunRecord,
  ) {}

  /** The start event: the run is now running, owned by the calling process. */
  markStarted(
    runId: string,
    start: StartEvent,
    host: HostInfo,
    owner: { pid: number; hostname: string },
  ): void {
    const values = { ...startColumns(start, host), ...ownerColumns(owner) };
    const assignments = assertColumns(values).map((column) => `${column} = @${column}`);
    const result = this.ctx.db
      .prepare(
        `UPDATE runs SET status = 'running', started_at = COALESCE(started_at, @time),
          finished_at = NULL, error = NULL, heartbeat_at = @time, ${assignments.join(', ')}
        WHERE id = @id`,
      )
      .run({ ...values, id: runId, time: start.time });
    if (result.changes === 0) throw new RunNotFoundError(runId);
  }

  heartbeat(runId: string, time: number = Date.now()): void {
    this.ctx.db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`).run(time, runId);
  }

  finishRun(runId: string, outcome: RunOutcome): void {
    const { db } = this.ctx;
    const result =
      outcome.status === 'failed'
        ? db
            .prepare(
              `UPDATE runs SET status = 'failed', finished_at = ?, heartbeat_at = ?, error = ? WHERE id = ?`,
            )
            .run(outcome.time, outcome.time, outcome.error, runId)
        : db
            .prepare(
              `UPDATE runs SET status = ?, finished_at = ?, heartbeat_at = ?, error = NULL,
                epochs_completed = ?, duration_seconds = ? WHERE id = ?`,
            )
            .run(
              outcome.status,
              outcome.time,
              outcome.time,
              outcome.epochsCompleted,
              outcome.durationSeconds,
              runId,
            );
    if (result.changes === 0) throw new RunNotFoundError(runId);
  }

  /** Marks runs whose recording process is gone as interrupted (see run-reaper.ts); returns their ids. */
  reapInterrupted(context: LivenessContext = this.ctx.livenessContext()): string[] {
    return reapInterrupted(this.ctx.db, context);
  }

  /** A stopped run goes back in the queue (to be resumed); a queued or running one is refused. */
  requeue(runId: string): void {
    const result = this.ctx.db
      .prepare(
        `UPDATE runs SET status = 'queued', finished_at = NULL, error = NULL
         WHERE id = ? AND status IN ('interrupted', 'cancelled', 'failed', 'completed')`,
      )
      .run(runId);
    if (result.changes === 0) {
      throw new RunBusyError(`run ${runId} is ${this.requireRun(runId).status}: only a stopped run can be resumed`);
    }
  }

  /**
   * Forgets every point recorded after `epoch`, and any checkpoint past it: a
   * run resumed from its epoch-`epoch` checkpoint trains those batches again.
   * The summary is rebuilt by replaying the kept points through appendMetrics,
   * so it follows exactly the rule live writes follow.
   */
  discardAfterEpoch(runId: string, epoch: number, alsoDiscard?: () => void): void {
    this.requireRun(runId);
    const discarded = this.ctx.transaction(() => {
      const kept = this.metricLog.metrics(runId).filter((point) => point.epoch <= epoch);
      this.metricLog.clear(runId);
      // What other parts recorded past the epoch (layer statistics) goes in the same transaction.
      alsoDiscard?.();
      const later = this.checkpointRecords.discardAfterEpoch(runId, epoch);
      this.metricLog.appendMetrics(runId, kept);
      return later;
    });
    // Their files go too: left behind, they would look like crash orphans and be adopted back.
    this.checkpointRecords.removeFiles(this.checkpointRecords.unnamedPaths(discarded.map(({ path }) => path)));
  }
}
