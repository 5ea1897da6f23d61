import { defaultDatabasePath } from '../core/paths';
import { RunStore } from '../core/store/run-store';
import { ApiError } from '../api/api-error';
import { prepareRun } from '../service/prepare-run';
import type { PlanRunRequest } from '../shared/plans/experiment-plans';
import type { TrainingEvent } from '../shared/train/events';
import { QueueHub } from '../queue/queue-hub';
import { queueAddress } from './queue-commands';
import { UsageError } from './usage-error';

/**
 * `plans run ID --queue URL`: every run of the plan goes on the queue at
 * once, so each free worker takes the next; this process records them all.
 * Exit 0 when every run completed, else 1.
 */
export async function runPlanOnQueue(
  requests: PlanRunRequest[],
  options: { queue: string; db?: string; json: boolean; title: string; printEvent: (runId: string, event: TrainingEvent) => void },
): Promise<number> {
  if (requests.some((r) => r.config.initFrom !== undefined)) {
    throw new UsageError("this plan warm-starts runs from an earlier run's checkpoint, which a worker does not have: run it here, without --queue");
  }
  // Every run checked before any is queued, as `runs.startQueue` does; a plan's own run that fails is a bug, said as it is.
  const prepared = requests.map((r, i) => {
    try {
      return prepareRun(r, `runs.${i}.`);
    } catch (error) {
      if (error instanceof ApiError) throw new Error(`plan run ${i} (${r.config.model}): ${error.message}`);
      throw error;
    }
  });
  const configs = prepared.map((run) => run.config);
  const address = queueAddress(options.queue);
  const store = RunStore.open(options.db ?? defaultDatabasePath());
  let hub: QueueHub | undefined;
  const runIds: string[] = [];
  const onInterrupt = (): void => {
    for (const runId of runIds) void hub?.cancel(runId).catch(() => undefined);
  };
  process.once('SIGINT', onInterrupt);
  try {
    hub = await QueueHub.open(address, store, (line) => process.stderr.write(`${line}\n`));
    for (const [i, run] of prepared.entries()) {
      const { tags, notes, baseline } = requests[i]!;
      runIds.push(await hub.startRun(run, { tags, notes, baseline }));
    }
    const workers = await hub.workers();
    if (!options.json) {
      process.stdout.write(`Queued ${runIds.length} runs of ${options.title} on ${address.display} (${workers.length} worker(s) ready).\n`);
    }
    const h = hub;
    await Promise.all(
      runIds.map((runId) =>
        h.follow(runId, {
          onEvent: (event) => {
            if (options.json) process.stdout.write(`${JSON.stringify({ runId, event })}\n`);
            else options.printEvent(runId, event);
          },
        }),
      ),
    );
    const statuses = runIds.map((id) => store.requireRun(id).status);
    if (!options.json) {
      for (const [i, runId] of runIds.entries()) process.stdout.write(`${runId}  ${configs[i]!.model}  ${statuses[i]}\n`);
    }
    return statuses.every((s) => s === 'completed') ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    await hub?.close();
    store.close();
  }
}
