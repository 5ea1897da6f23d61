import { runConfigSchema } from '../../shared/train/run-config';
import type { RunSnapshot } from '../../shared/runs/run-entities';
import { snapshotColumns } from './run-rows';
import type { RunStore } from './run-store';

/** What importing one snapshot wrote. */
export interface ImportedSnapshot {
  id: string;
  /** Checkpoints the snapshot listed and this store did not take: their files are not ours. */
  checkpointsDropped: number;
}

/**
 * A run caught `running` or waiting `queued` where it was exported: here no
 * process will ever train or finish it (an import has no owner, and a queue
 * lives in one process), so it arrives `interrupted`, saying why; `runs
 * resume` (or the GUI) can continue it like any stopped run.
 */
function importedStatus(run: RunSnapshot['run']): Pick<RunSnapshot['run'], 'status' | 'error' | 'finishedAt'> {
  if (run.status !== 'running' && run.status !== 'queued') return run;
  return {
    status: 'interrupted',
    error: run.error ?? `imported while ${run.status}: nothing here was training it; resume it to continue`,
    finishedAt: run.finishedAt ?? run.startedAt ?? run.createdAt,
  };
}

/**
 * Writes a snapshot as a run under its own id, in one transaction. A snapshot
 * caught `running` or `queued` becomes `interrupted` (importedStatus).
 * Its checkpoints are not recorded: a snapshot carries paths, not weights, and
 * a path from elsewhere names a file this store does not own.
 */
export function importSnapshot(store: RunStore, snapshot: RunSnapshot): ImportedSnapshot {
  const { run } = snapshot;
  const config = runConfigSchema.parse(run.config);
  return store.transaction(() => {
    if (store.hasRun(run.id)) throw new Error(`run id ${run.id} is already in this database`);
    store.insertRun(
      snapshotColumns({ ...run, ...importedStatus(run) }, config),
    );
    store.updateTags(run.id, { add: run.tags });
    store.appendMetrics(run.id, snapshot.metrics);
    if (snapshot.confusion) store.setConfusion(run.id, snapshot.confusion);
    return { id: run.id, checkpointsDropped: snapshot.checkpoints.length };
  });
}
