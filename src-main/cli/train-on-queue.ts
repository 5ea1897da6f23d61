import { defaultDatabasePath } from '../core/paths';
import { RunStore } from '../core/store/run-store';
import type { PreparedRun } from '../shared/train/prepared-run';
import type { TrainingEvent } from '../shared/train/events';
import { QueueHub } from '../queue/queue-hub';
import { queueAddress } from './queue-commands';

/**
 * `train … --queue URL`: this process is the run's hub. It records the run in
 * its database, puts it on the queue, and records and prints every event a
 * worker streams back, with the same lines (or --json events) as a local run.
 * Exit codes as a local run: 0 completed, 130 cancelled, 1 failed.
 */
export async function trainOnQueue(
  run: PreparedRun,
  options: { queue: string; db?: string; checkpointTransferMaxBytes?: number; view: (runId: string) => (event: TrainingEvent) => void },
): Promise<number> {
  const address = queueAddress(options.queue);
  const store = RunStore.open(options.db ?? defaultDatabasePath());
  let hub: QueueHub | undefined;
  let runId: string | undefined;
  const onInterrupt = (): void => {
    if (hub && runId) void hub.cancel(runId).catch(() => undefined);
  };
  process.once('SIGINT', onInterrupt);
  try {
    hub = await QueueHub.open(address, store, (line) => process.stderr.write(`${line}\n`), {
      checkpointTransferMaxBytes: options.checkpointTransferMaxBytes,
    });
    runId = await hub.startRun(run);
    await hub.follow(runId, { onEvent: options.view(runId) });
    // From the store: another process of this hub (the app) may have recorded the end this one watched.
    const status = store.getRun(runId)?.status;
    return status === 'completed' ? 0 : status === 'cancelled' ? 130 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    await hub?.close();
    store.close();
  }
}
