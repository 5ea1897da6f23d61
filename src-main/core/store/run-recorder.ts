import { hostname } from 'node:os';
import type { BatchEvent, EpochEvent, TrainingEvent } from '../../shared/train/events';
import { describeHost } from './host-info';
import { BATCH_METRICS, EPOCH_METRICS } from '../../shared/runs/metric-keys';
import type { HostInfo, MetricPoint } from '../../shared/runs/run-entities';
import type { MetricLog } from './metric-log';
import type { RunLifecycle } from './run-lifecycle';
import type { LayerStatsEvent, LayerStatsStore } from './layer-stats-store';
import { cutText } from '../../shared/cut-text';
import { ERROR_MAX_LENGTH } from '../../shared/runs/run-limits';

/**
 * The parts of the store a recorder writes to: the metric log, the run's
 * lifecycle, and the layer statistics written in the same transaction as the
 * points (a RunStore is all of them).
 */
export type RecordingStore = Pick<MetricLog, 'appendMetrics'> &
  Pick<RunLifecycle, 'markStarted' | 'heartbeat' | 'finishRun'> & {
    transaction<T>(fn: () => T): T;
    readonly layerStats: Pick<LayerStatsStore, 'append'>;
  };

/**
 * Batch events are buffered and written together: one transaction per
 * FLUSH_EVERY events (or per FLUSH_INTERVAL_MS, whichever comes first) keeps
 * the cost per event in microseconds, while a crash loses at most that window.
 */
export const DEFAULT_FLUSH_EVERY_EVENTS = 50;
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/** See DEFAULT_HEARTBEAT_TIMEOUT_MS in owner-liveness.ts. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

export interface RunRecorderOptions {
  flushEveryEvents?: number;
  flushIntervalMs?: number;
  heartbeatMs?: number;
  /** Defaults to this machine, with the GPU taken from the start event's engine. */
  host?: HostInfo;
  /** Defaults to this process. */
  owner?: { pid: number; hostname: string };
  /** A write that failed on a timer (the points stay buffered for the next try). Defaults to a warning on stderr. */
  onError?: (error: unknown) => void;
}

export function batchPoints(event: BatchEvent): MetricPoint[] {
  const at = { step: event.step, epoch: event.epoch, batch: event.batch, wallTime: event.time };
  return BATCH_METRICS.map(([field, key]) => ({ key, value: event[field], ...at }));
}

/** Epoch points use the epoch index as their step. */
export function epochPoints(event: EpochEvent): MetricPoint[] {
  const at = { step: event.epoch, epoch: event.epoch, batch: null, wallTime: event.time };
  return EPOCH_METRICS.map(([field, key]) => ({ key, value: event[field], ...at }));
}

/**
 * Writes one run's TrainingEvents into the store: start → running (engine,
 * host, owner), batch → buffered points, epoch → buffered + epoch points in
 * one transaction, done → completed/cancelled, error → failed. While running
 * it beats a heartbeat so other hosts can tell it is alive. Events after done
 * or error are ignored: the run's record is closed.
 */
export class RunRecorder {
  private buffer: MetricPoint[] = [];
  /** Layer statistics wait with the points and are written in the same transaction. */
  private layerBuffer: LayerStatsEvent[] = [];
  private bufferedEvents = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private readonly flushEveryEvents: number;
  private readonly flushIntervalMs: number;
  private readonly heartbeatMs: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly store: RecordingStore,
    readonly runId: string,
    private readonly options: RunRecorderOptions = {},
  ) {
    this.flushEveryEvents = options.flushEveryEvents ?? DEFAULT_FLUSH_EVERY_EVENTS;
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.onError =
      options.onError ??
      ((error) => console.warn(`run ${runId}: metrics not written yet, will retry:`, error));
  }

  /** Batch events not yet written. */
  get pendingEvents(): number {
    return this.bufferedEvents;
  }

  record(event: TrainingEvent): void {
    if (this.finished) return;
    switch (event.type) {
      case 'start':
        this.store.markStarted(
          this.runId,
          event,
          this.options.host ?? describeHost(event.engine),
          this.options.owner ?? { pid: process.pid, hostname: hostname() },
        );
        this.startHeartbeat();
        return;
      case 'batch':
        this.buffer.push(...batchPoints(event));
        this.bufferedEvents += 1;
        if (this.bufferedEvents >= this.flushEveryEvents) this.flush();
        else this.scheduleFlush();
        return;
      case 'epoch':
        this.buffer.push(...epochPoints(event));
        this.flush();
        return;
      case 'layerStep':
        // Rides with the batch points: no transaction of its own.
        this.layerBuffer.push(event);
        this.scheduleFlush();
        return;
      case 'layerEpoch':
        this.layerBuffer.push(event);
        this.flush();
        return;
      case 'done':
        this.flush();
        this.stop();
        this.store.finishRun(this.runId, {
          status: event.status,
          time: event.time,
          epochsCompleted: event.epochs,
          durationSeconds: event.seconds,
        });
        return;
      case 'error': {
        // The failure is what matters: record it even if the last points cannot be written.
        let flushError: unknown;
        try {
          this.flush();
        } catch (error) {
          flushError = error;
        }
        this.stop();
        // Within the import's limit, so the run's export imports again.
        this.store.finishRun(this.runId, { status: 'failed', time: event.time, error: cutText(event.message, ERROR_MAX_LENGTH) });
        if (flushError !== undefined) this.onError(flushError);
        return;
      }
    }
  }

  /** Writes the buffered points now, with a heartbeat, in one transaction. */
  flush(): void {
    this.clearFlushTimer();
    if (this.buffer.length === 0 && this.layerBuffer.length === 0) return;
    this.store.transaction(() => {
      this.store.appendMetrics(this.runId, this.buffer, Date.now());
      this.store.layerStats.append(this.runId, this.layerBuffer);
    });
    this.buffer = [];
    this.layerBuffer = [];
    this.bufferedEvents = 0;
  }

  /** Flushes and stops the timers; the run's status is left as it is. */
  close(): void {
    this.flush();
    this.stop();
  }

  private stop(): void {
    this.finished = true;
    this.clearFlushTimer();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      try {
        this.flush();
      } catch (error) {
        this.onError(error);
        this.scheduleFlush();
      }
    }, this.flushIntervalMs);
    // Never keeps the process alive on its own; done/close flush the rest.
    this.flushTimer.unref();
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => {
      try {
        this.store.heartbeat(this.runId, Date.now());
      } catch (error) {
        this.onError(error);
      }
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }
}
