import type Database from 'better-sqlite3';
import { z } from 'zod';
import {
  layerEpochEventSchema,
  layerStepEventSchema,
  type LayerEpochEvent,
  type LayerStepEvent,
} from '../../shared/train/layer-stats';

/** A run's layer statistics: the events as the trainer emitted them. */
export type LayerStatsEvent = LayerStepEvent | LayerEpochEvent;

export const layerStatsEventSchema = z.discriminatedUnion('type', [layerStepEventSchema, layerEpochEventSchema]);

/** At most this many layer events per run in an import: 1000 epochs × 51 is far below. */
export const LAYER_EVENTS_MAX = 200_000;

/** The fields that hold measured floats: only these turn "NaN"/"Infinity" back into numbers (a layer may be named NaN). */
const MEASURED_KEYS = new Set(['gradNorm', 'weightNorm', 'updateRatio', 'min', 'max', 'fraction']);
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** JSON has no NaN or Infinity (an exploding gradient has them): they travel as strings, as the metric export does. */
export function encodeLayerEvent(event: LayerStatsEvent): string {
  return JSON.stringify(event, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
}

/** Undoes encodeLayerEvent on parsed JSON, then validates the event; the error names the field. */
export function decodeLayerEvent(json: unknown): LayerStatsEvent {
  const revived = JSON.parse(JSON.stringify(json), (key, value: unknown) =>
    MEASURED_KEYS.has(key) && typeof value === 'string' && NON_FINITE.has(value) ? Number(value) : value,
  ) as unknown;
  return layerStatsEventSchema.parse(revived);
}

interface LayerStatsRow {
  stats_json: string;
}

/**
 * The layer_stats table (migration 7): one row per layer event, keyed by
 * (run, kind, step) with an epoch event's step its epoch, so a message the
 * queue delivers twice writes the same row again. Kept apart from the metric
 * points: one event holds a row per layer, and no run list summarises them.
 */
export class LayerStatsStore {
  private readonly insert: Database.Statement<[string, string, number, number, number, string]>;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO layer_stats (run_id, kind, step, epoch, wall_time, stats_json) VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Writes the events in one transaction (a nested call becomes a savepoint). */
  append(runId: string, events: readonly LayerStatsEvent[]): void {
    if (events.length === 0) return;
    this.db.transaction(() => {
      for (const event of events) {
        const [kind, step] = event.type === 'layerStep' ? ['step', event.step] : ['epoch', event.epoch];
        this.insert.run(runId, kind, step, event.epoch, event.time, encodeLayerEvent(event));
      }
    })();
  }

  /** The run's layer events: step events by step, then epoch events by epoch. */
  events(runId: string): LayerStatsEvent[] {
    return this.db
      .prepare<[string], LayerStatsRow>(`SELECT stats_json FROM layer_stats WHERE run_id = ? ORDER BY kind DESC, step`)
      .all(runId)
      .map((row) => decodeLayerEvent(JSON.parse(row.stats_json)));
  }

  /** A resumed run trains the epochs after `epoch` again: their statistics go with their points. */
  discardAfterEpoch(runId: string, epoch: number): void {
    this.db.prepare(`DELETE FROM layer_stats WHERE run_id = ? AND epoch > ?`).run(runId, epoch);
  }
}
