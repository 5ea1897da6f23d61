import type { Worker } from 'node:worker_threads';
import { startThread } from '../core/thread/start-thread';
import { fromWorkerSchema, type CheckpointWritten, type RunMessage } from './protocol';
import type { TrainingEvent } from '../shared/train/events';
import type { RunOutcome } from './execute-run';

export interface RunHandlers {
  onEvent(event: TrainingEvent): void;
  onCheckpoint?(checkpoint: CheckpointWritten): void;
}

interface PendingRun extends RunHandlers {
  runId: string;
  resolve(outcome: RunOutcome): void;
  reject(error: Error): void;
}

/** From source the worker is the .ts sibling; bundles (electron-vite) pass their own .js path. */
const defaultWorkerUrl = (): URL => new URL('./training-worker.entry.ts', import.meta.url);

/**
 * The main thread's handle on the one long-lived training worker, which
 * trains one run at a time: the service's RunQueue holds the others.
 */
export class TrainingWorkerHost {
  private readonly worker: Worker;
  private running: PendingRun | undefined;
  private failure: Error | undefined;

  constructor(workerPath: URL | string = defaultWorkerUrl()) {
    this.worker = startThread(workerPath);
    this.worker.on('message', (raw: unknown) => this.receive(raw));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`training worker exited with code ${code}`)));
  }

  /** Trains a run; resolves with its outcome once the worker has finished it. Refused while another one trains. */
  run(request: RunMessage, handlers: RunHandlers): Promise<RunOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.running) {
      return Promise.reject(new Error(`the training worker is training run ${this.running.runId}: queue run ${request.runId} in the service's RunQueue`));
    }
    return new Promise<RunOutcome>((resolve, reject) => {
      this.running = { ...handlers, runId: request.runId, resolve, reject };
      this.worker.postMessage(request);
    });
  }

  /** Cancels the running run: it stops within one batch. */
  cancel(runId: string): void {
    this.worker.postMessage({ type: 'cancel', runId });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('training worker closed');
    await this.worker.terminate();
  }

  private receive(raw: unknown): void {
    const parsed = fromWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      this.failAll(new Error(`invalid message from training worker: ${parsed.error.message}`));
      return;
    }
    const message = parsed.data;
    if (message.type === 'rejected') {
      this.failAll(new Error(message.message));
      return;
    }
    const run = this.running;
    if (!run || run.runId !== message.runId) return;
    switch (message.type) {
      case 'event':
        run.onEvent(message.event);
        break;
      case 'checkpoint':
        run.onCheckpoint?.(message.checkpoint);
        break;
      case 'finished':
        this.running = undefined;
        run.resolve({ status: message.status, epochsDone: message.epochsDone, confusion: message.confusion });
        break;
    }
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    this.running?.reject(error);
    this.running = undefined;
  }
}
