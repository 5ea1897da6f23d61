import type { RunOutcome } from '../worker/execute-run';
import type { RunRequest } from '../worker/protocol';
import type { RunHandlers } from '../worker/training-worker-host';

/** What the queue needs of the training worker's host; TrainingWorkerHost is one. */
export interface WorkerHostLike {
  run(request: RunRequest, handlers: RunHandlers): Promise<RunOutcome>;
  cancel(runId: string): void;
  close(): Promise<void>;
}
