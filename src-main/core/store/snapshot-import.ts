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
 * Writes a snapshot as a run under its own id, in one transaction. A snapshot
 * caught `running` becomes `interrupted`: no process here will ever finish it.
 * Its checkpoints are not recorded: a snapshot carries paths, not weights, and
 * a path from elsewhere names a file this store does not own.
 */
export function importSnapshot(store: RunStore, snapshot: RunSnapshot): ImportedSnapshot {
  const { run } = snapshot;
  const config = runConfigSchema.parse(run.config);
  return store.transaction(() => {
    if (store.getRun(run.id)) throw new Error(`run id ${run.id} is already in this database`);
    store.insertRun(
      snapshotColumns({ ...run, status: run.status === 'running' ? 'interrupted' : run.status }, config),
    );
    store.updateTags(run.id, { add: run.tags });
    store.appendMetrics(run.id, snapshot.metrics);
    if (snapshot.confusion) store.setConfusion(run.id, snapshot.confusion);
    return { id: run.id, checkpointsDropped: snapshot.checkpoints.length };
  });
}
