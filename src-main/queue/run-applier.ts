import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RunRecorder } from '../core/store/run-recorder';
import type { RunStore } from '../core/store/run-store';
import { BATCH_METRICS, EPOCH_METRICS } from '../shared/runs/metric-keys';
import type { TrainingEvent } from '../shared/train/events';
import { formatBytes } from '../shared/format';
import type { StreamMessage } from './queue-messages';

/** Reads a checkpoint's chunks from Redis (the hub's side of the transfer). */
export type ChunkReader = (epoch: number, chunks: number, bytes: number) => Promise<Buffer | undefined>;

/**
 * Applies one run's stream messages to the hub's store through the same
 * RunRecorder as a local run, so that applying a message twice changes
 * nothing. A replay happens when the hub died after its SQLite commit and
 * before its XACK: the consumer group hands the entry out again.
 *
 * - A batch or epoch point whose step is not past the last recorded one of its
 *   key is skipped: within one take of the run, steps only grow.
 * - A start message begins a take: the points after the epoch it starts from
 *   are discarded (a takeover trains them again). Every entry after a
 *   replayed start is replayed too (acks go in order), so they come back.
 * - Messages of an older take than the newest start are dropped (a worker
 *   that lost its lock but still sends).
 */
export class RunApplier {
  private recorder: RunRecorder | undefined;
  private attempt = 0;
  private lastStep = new Map<string, number>();
  private ended = false;
  private readonly batchKey = BATCH_METRICS[0][1];
  private readonly epochKey = EPOCH_METRICS[0][1];

  constructor(
    private readonly store: RunStore,
    readonly runId: string,
    private readonly readChunks: ChunkReader,
    private readonly onError: (error: unknown) => void,
  ) {
    this.loadLastSteps();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * A hub that opens while the run trains elsewhere: it owns the record from
   * now on (the newest start marks the run running, owned by this process),
   * without discarding anything.
   */
  attach(start: StreamMessage | undefined): void {
    const run = this.store.getRun(this.runId);
    if (!run) return;
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') {
      this.ended = true;
      return;
    }
    if (start?.type === 'event' && start.event.type === 'start') {
      this.attempt = start.attempt;
      this.recorder = this.newRecorder(start);
      this.recorder.record(start.event);
    } else if (run.status === 'interrupted') {
      // Reaped while its hub was away, but still waiting for a worker.
      this.store.requeue(this.runId);
    }
  }

  /** Applies one message; returns the training event it recorded (for a live view), if any. */
  async apply(message: StreamMessage): Promise<TrainingEvent | undefined> {
    if (this.ended) return undefined;
    if (message.attempt < this.attempt && !(message.type === 'event' && message.event.type === 'start')) return undefined;
    switch (message.type) {
      case 'event':
        return this.applyEvent(message);
      case 'checkpoint':
        await this.applyCheckpoint(message);
        return undefined;
      case 'checkpoint-kept':
        this.note(
          `The checkpoint of epoch ${message.epoch} (${formatBytes(message.bytes)}) stays on worker ${message.worker}: it is larger than --checkpoint-transfer-max.`,
        );
        return undefined;
      case 'confusion':
        this.store.setConfusion(this.runId, message.matrix);
        return undefined;
      case 'takeover':
        this.note(
          message.resumedFromEpoch === null
            ? `Take ${message.attempt}: worker ${message.worker} took the run over and started it over (the hub held no checkpoint).`
            : `Take ${message.attempt}: worker ${message.worker} took the run over and continued from the checkpoint of epoch ${message.resumedFromEpoch}.`,
        );
        return undefined;
    }
  }

  /** Commits what the recorder buffers: called before the hub acknowledges the entries. */
  flush(): void {
    this.recorder?.flush();
  }

  close(): void {
    this.recorder?.close();
  }

  private applyEvent(message: Extract<StreamMessage, { type: 'event' }>): TrainingEvent | undefined {
    const { event } = message;
    switch (event.type) {
      case 'start': {
        if (message.attempt < this.attempt) return undefined;
        this.attempt = message.attempt;
        this.recorder?.close();
        this.store.discardAfterEpoch(this.runId, event.firstEpoch - 1);
        this.loadLastSteps();
        this.recorder = this.newRecorder(message);
        this.recorder.record(event);
        if (message.host) this.note(`Take ${message.attempt}: trained by worker ${message.worker} on ${message.host.name}.`);
        return event;
      }
      case 'batch':
        if (!this.advance(this.batchKey, event.step)) return undefined;
        break;
      case 'epoch':
        if (!this.advance(this.epochKey, event.epoch)) return undefined;
        break;
      case 'done':
      case 'error':
        this.ended = true;
        break;
    }
    (this.recorder ??= new RunRecorder(this.store, this.runId, { onError: this.onError })).record(event);
    return event;
  }

  private advance(key: string, step: number): boolean {
    const last = this.lastStep.get(key);
    if (last !== undefined && step <= last) return false;
    this.lastStep.set(key, step);
    return true;
  }

  private loadLastSteps(): void {
    this.lastStep.clear();
    for (const [key, summary] of Object.entries(this.store.metricSummary(this.runId))) this.lastStep.set(key, summary.last.step);
  }

  private newRecorder(message: Extract<StreamMessage, { type: 'event' }>): RunRecorder {
    const host = message.host ? { os: message.host.os, cpu: message.host.cpu, gpu: message.host.gpu, name: message.host.name } : undefined;
    return new RunRecorder(this.store, this.runId, { onError: this.onError, ...(host ? { host } : {}) });
  }

  private async applyCheckpoint(message: Extract<StreamMessage, { type: 'checkpoint' }>): Promise<void> {
    if (this.store.checkpoints(this.runId).some((c) => c.epoch === message.epoch)) return;
    const bytes = await this.readChunks(message.epoch, message.chunks, message.bytes);
    if (!bytes) {
      // A newer checkpoint replaced it in Redis; that one's own message follows.
      return;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== message.sha256 || bytes.length !== message.bytes) {
      this.onError(new Error(`run ${this.runId}: the checkpoint of epoch ${message.epoch} arrived damaged (sha256 differs); not kept`));
      return;
    }
    const path = this.store.checkpointFolder.pathFor(this.runId, message.epoch);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    this.store.addCheckpoint(this.runId, { epoch: message.epoch, path, bytes: bytes.length, sha256 });
  }

  /** A line in the run's notes, once: a replayed message finds it there. */
  private note(line: string): void {
    const notes = this.store.requireRun(this.runId).notes;
    if (notes.split('\n').includes(line)) return;
    this.store.setNotes(this.runId, notes ? `${notes}\n${line}` : line);
  }
}
