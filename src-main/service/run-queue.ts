import type { QueueState } from '../api/entities';
import { warmStartNote } from '../shared/train/warm-start-note';
import { RunRecorder } from '../core/store/run-recorder';
import type { RunStore } from '../core/store/run-store';
import type { StartEvent, TrainingEvent } from '../shared/train/events';
import type { RunConfig } from '../shared/train/run-config';
import type { RunOutcome } from '../worker/execute-run';
import type { RunMessage } from '../worker/protocol';
import type { EventHub } from './event-hub';
import type { WorkerHostLike } from './worker-host-like';
import { errorMessage } from '../shared/error-message';

export interface QueuedRun {
  runId: string;
  name: string;
  model: string;
  config: RunConfig;
  /** The Fashion-MNIST folder, located when the run was queued (DatasetManager.folderForRun). */
  datasetDir: string;
  /** The request's memory limit (prepare-run.ts), handed to the worker as RunMessage.memoryLimit. */
  memoryLimit?: string;
  /** Continue from this checkpoint (written at the end of `epoch`). */
  resume?: RunMessage['resume'];
}

export type CheckpointPolicy = 'every' | 'last' | 'none';

export interface RunQueueOptions {
  store: RunStore;
  hub: EventHub;
  /** Called for the first run, and again after a worker died. */
  createHost: () => WorkerHostLike;
  checkpointPolicy: CheckpointPolicy;
  /** A store write that failed; the run goes on and its events still go out. */
  onError: (error: unknown) => void;
}

/** How long close() waits for a cancelled run to report its end before the worker is stopped. */
const CLOSE_GRACE_MS = 10_000;

/**
 * The experiment queue: runs train one at a time in the one long-lived
 * training worker, in the order they were queued. Every event is recorded
 * by a RunRecorder first and then announced, so a subscriber that reacts to
 * an event finds it in the store. A run's last event (done or error) is held
 * back until the worker has handed over everything (the confusion matrix),
 * so "done" means the record is complete.
 */
export class RunQueue {
  private readonly waiting: QueuedRun[] = [];
  private current: { run: QueuedRun; finished: Promise<void>; events: TrainingEvent[] } | undefined;
  private host: WorkerHostLike | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: RunQueueOptions) {}

  enqueue(runs: readonly QueuedRun[]): void {
    if (this.closed) throw new Error('the experiment queue is closed');
    this.waiting.push(...runs);
    this.announceQueue();
    this.pump();
  }

  /** 'queued': it will not run; 'running': it stops within a batch; undefined: not ours to cancel. */
  cancel(runId: string): 'queued' | 'running' | undefined {
    const index = this.waiting.findIndex((run) => run.runId === runId);
    if (index >= 0) {
      const [run] = this.waiting.splice(index, 1);
      this.finishUnstarted(run!);
      this.announceQueue();
      this.settleIdle();
      return 'queued';
    }
    if (this.current?.run.runId === runId) {
      this.host?.cancel(runId);
      return 'running';
    }
    return undefined;
  }

  /**
   * The events announced so far for a queued or training run (none while it
   * waits); undefined for any other run. Announcing is synchronous, so this
   * is every event of the run up to the hub's current seq.
   */
  eventsSoFar(runId: string): TrainingEvent[] | undefined {
    if (this.current?.run.runId === runId) return [...this.current.events];
    return this.waiting.some((run) => run.runId === runId) ? [] : undefined;
  }

  /** The epoch whose checkpoint a queued or training run resumes from; undefined for a fresh run or any other. */
  resumedAfter(runId: string): number | undefined {
    const run = this.current?.run.runId === runId ? this.current.run : this.waiting.find((waiting) => waiting.runId === runId);
    return run?.resume?.epoch;
  }

  isActive(runId: string): boolean {
    return this.current?.run.runId === runId || this.waiting.some((run) => run.runId === runId);
  }

  state(): QueueState {
    const entry = ({ runId, name, model }: QueuedRun) => ({ runId, name, model });
    return { running: this.current ? entry(this.current.run) : null, queued: this.waiting.map(entry) };
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.current && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Cancels what is queued, asks the running run to stop and waits a little
   * for it, then stops the worker. A run still going after that is left
   * `running` for the store to mark interrupted at the next start.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const run of this.waiting.splice(0)) this.finishUnstarted(run);
    const current = this.current;
    if (current) {
      this.host?.cancel(current.run.runId);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        current.finished,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
      ]);
      clearTimeout(timer);
    }
    await this.host?.close();
    this.host = undefined;
    this.settleIdle();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const run = this.waiting.shift();
    if (!run) {
      this.settleIdle();
      return;
    }
    const events: TrainingEvent[] = [];
    const finished = this.train(run, events)
      .catch(this.options.onError)
      .finally(() => {
      this.current = undefined;
      this.announceQueue();
      this.pump();
    });
    this.current = { run, finished, events };
    this.announceQueue();
  }

  private async train(run: QueuedRun, announced: TrainingEvent[]): Promise<void> {
    const { store, hub, onError } = this.options;
    const { runId } = run;
    const announce = (event: TrainingEvent): void => {
      announced.push(event);
      hub.emit({ topic: 'run', runId, event });
    };
    const recorder = new RunRecorder(store, runId, { onError });
    const record = (event: TrainingEvent): void => {
      try {
        recorder.record(event);
      } catch (error) {
        onError(error);
      }
    };
    // The run's row has no column for it: its notes keep which layers a warm start copied, for later readers.
    const noteWarmStart = (warm: NonNullable<StartEvent['warmStart']>): void => {
      try {
        const line = warmStartNote(warm);
        const notes = store.requireRun(runId).notes;
        store.setNotes(runId, notes ? `${notes}\n${line}` : line);
      } catch (error) {
        onError(error);
      }
    };
    let last: TrainingEvent | undefined;
    let outcome: RunOutcome | undefined;
    let failure: string | undefined;
    let host: WorkerHostLike | undefined;
    try {
      host = this.host ??= this.options.createHost();
      outcome = await host.run(this.request(run), {
        onEvent: (event) => {
          record(event);
          if (event.type === 'start' && event.warmStart) noteWarmStart(event.warmStart);
          if (event.type === 'done' || event.type === 'error') last = event;
          else announce(event);
        },
        onCheckpoint: (checkpoint) => {
          try {
            store.addCheckpoint(runId, checkpoint);
          } catch (error) {
            onError(error);
          }
        },
      });
    } catch (error) {
      // The worker is gone (crashed, or closed under us): the next run gets a fresh one.
      failure = `the training worker stopped: ${errorMessage(error)}`;
      if (host && this.host === host) this.host = undefined;
      host?.close().catch(onError);
    }
    if (outcome?.confusion) {
      try {
        store.setConfusion(runId, outcome.confusion);
      } catch (error) {
        onError(error);
      }
    }
    if (!last) {
      // Ended without a word from the trainer: cancelled before it began, or the worker died.
      last = this.endEvent(outcome, failure);
      record(last);
    }
    recorder.close();
    announce(last);
  }

  private request(run: QueuedRun): RunMessage {
    const { checkpointPolicy, store } = this.options;
    return {
      type: 'run',
      runId: run.runId,
      config: run.config,
      datasetDir: run.datasetDir,
      ...(run.memoryLimit === undefined ? {} : { memoryLimit: run.memoryLimit }),
      ...(run.resume ? { resume: run.resume } : {}),
      ...(run.resume ? {} : this.warmStart(run.config)),
      ...(checkpointPolicy === 'none'
        ? {}
        : { checkpoint: { dir: store.checkpointFolder.runDir(run.runId), policy: checkpointPolicy } }),
    };
  }

  /**
   * The source checkpoint of a warm start, looked up when the run starts (its
   * source may be an earlier run of the same queue). None found: the worker
   * fails the run, saying so. Its hash is checked as the worker loads it.
   */
  private warmStart(config: RunConfig): Pick<RunMessage, 'warmStart'> {
    if (config.initFrom === undefined) return {};
    const { store } = this.options;
    const checkpoint = store.latestCheckpoint(config.initFrom);
    const path = checkpoint && store.checkpointFolder.owned(checkpoint.path);
    if (!checkpoint || path === undefined) return {};
    return { warmStart: { runId: config.initFrom, path, epoch: checkpoint.epoch, sha256: checkpoint.sha256 } };
  }

  private endEvent(outcome: RunOutcome | undefined, failure: string | undefined): TrainingEvent {
    const time = Date.now();
    if (outcome && outcome.status !== 'failed') {
      return { type: 'done', time, status: outcome.status, epochs: outcome.epochsDone, seconds: 0 };
    }
    return { type: 'error', time, message: failure ?? 'the run failed without saying why' };
  }

  /** A run cancelled before the worker saw it: recorded and announced like any other end. */
  private finishUnstarted(run: QueuedRun): void {
    const event: TrainingEvent = { type: 'done', time: Date.now(), status: 'cancelled', epochs: 0, seconds: 0 };
    try {
      this.options.store.finishRun(run.runId, {
        status: 'cancelled',
        time: event.time,
        epochsCompleted: 0,
        durationSeconds: 0,
      });
    } catch (error) {
      this.options.onError(error);
    }
    this.options.hub.emit({ topic: 'run', runId: run.runId, event });
  }

  private announceQueue(): void {
    this.options.hub.emit({ topic: 'queue', queue: this.state() });
  }

  private settleIdle(): void {
    if (this.current || this.waiting.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
