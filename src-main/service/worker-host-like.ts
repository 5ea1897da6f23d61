import type { RunOutcome } from '../worker/execute-run';
import type { RunMessage } from '../worker/protocol';
import type { RunHandlers } from '../worker/training-worker-host';

/** What the queue needs of the training worker's host; TrainingWorkerHost is one. */
export interface WorkerHostLike {
  run(request: RunMessage, handlers: RunHandlers): Promise<RunOutcome>;
  cancel(runId: string): void;
  close(): Promise<void>;
}
