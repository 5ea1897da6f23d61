import type { BatchEvent, EpochEvent, TrainingEvent } from '../../shared/train/events';
import { batchFieldOf, epochFieldOf } from '../../shared/runs/metric-keys';
import type { MetricPoint } from '../../shared/runs/run-entities';
import type { MetricLog } from './metric-log';
import type { RunTable } from './run-table';
import { parseWarmStartNote } from '../../shared/train/warm-start-note';
import { withLayerEvents } from './layer-stats-replay';
import type { LayerStatsStore } from './layer-stats-store';

/**
 * Rebuilds the TrainingEvent stream a run emitted live, from its rows: the
 * start event from the run, one batch event per recorded step, one epoch event
 * per recorded epoch, in the order the points were written (which is the
 * order the events arrived), then done or error where the run ended so.
 * An interrupted run's stream just stops; a run that never started has none.
 */
export function recordedEvents(
  store: Pick<RunTable, 'requireRun'> & Pick<MetricLog, 'metrics'> & { readonly layerStats: Pick<LayerStatsStore, 'events'> },
  runId: string,
): TrainingEvent[] {
  const run = store.requireRun(runId);
  const { startedAt, engine, params, macs, shape } = run;
  if (startedAt === null || engine === null || params === null || macs === null || shape === null) {
    return [];
  }
  // The warm start lives in the notes (no column): replayed, the run lists its copied layers as it did live.
  const warmStart = run.config.initFrom !== undefined ? parseWarmStartNote(run.notes) : undefined;
  const events: TrainingEvent[] = [
    { type: 'start', time: startedAt, config: run.config, engine, params, macs, ...shape, ...(warmStart ? { warmStart } : {}) },
  ];
  const batches = new Map<string, BatchEvent>();
  const epochs = new Map<number, EpochEvent>();
  const batchAt = (p: MetricPoint): BatchEvent => {
    const id = `${p.epoch}:${p.step}`;
    let event = batches.get(id);
    if (!event) {
      event = {
        type: 'batch',
        time: p.wallTime,
        epoch: p.epoch,
        step: p.step,
        batch: p.batch ?? 0,
        loss: Number.NaN,
        accuracy: Number.NaN,
        imagesPerSec: Number.NaN,
      };
      batches.set(id, event);
      events.push(event);
    }
    return event;
  };
  const epochAt = (p: MetricPoint): EpochEvent => {
    let event = epochs.get(p.epoch);
    if (!event) {
      event = {
        type: 'epoch',
        time: p.wallTime,
        epoch: p.epoch,
        loss: Number.NaN,
        trainAcc: Number.NaN,
        testAcc: Number.NaN,
        seconds: Number.NaN,
        imagesPerSec: Number.NaN,
      };
      epochs.set(p.epoch, event);
      events.push(event);
    }
    return event;
  };
  for (const p of store.metrics(runId)) {
    const batchField = batchFieldOf(p.key);
    const epochField = epochFieldOf(p.key);
    if (batchField) batchAt(p)[batchField] = p.value;
    else if (epochField) epochAt(p)[epochField] = p.value;
    // Keys no event carries (added by other tools) are not part of the stream.
  }
  const stream = withLayerEvents(events, store.layerStats.events(runId));
  const lastTime = stream[stream.length - 1]!.time;
  const endTime = run.finishedAt ?? lastTime;
  if (run.status === 'completed' || run.status === 'cancelled') {
    stream.push({
      type: 'done',
      time: endTime,
      status: run.status,
      epochs: run.epochsCompleted ?? epochs.size,
      seconds: run.durationSeconds ?? (endTime - startedAt) / 1000,
    });
  } else if (run.status === 'failed') {
    stream.push({ type: 'error', time: endTime, message: run.error ?? 'failed' });
  }
  return stream;
}

