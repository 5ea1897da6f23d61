import type { SweepRow } from '../../../src-main/shared/runs/sweep-row';

/** A field of a sweep row that the view can put on an axis. */
export type SweepField =
  | 'model'
  | 'depth'
  | 'resize'
  | 'lr'
  | 'batchSize'
  | 'widthRatio'
  | 'epochs'
  | 'engine'
  | 'seed'
  | 'params'
  | 'macs'
  | 'secondsPerEpoch'
  | 'finalTestAcc'
  | 'bestTestAcc';

export interface SweepFieldInfo {
  id: SweepField;
  label: string;
  /** Names, not quantities: drawn as categories. */
  category: boolean;
}

export const SWEEP_FIELDS: Record<SweepField, SweepFieldInfo> = {
  model: { id: 'model', label: 'Model', category: true },
  depth: { id: 'depth', label: 'Depth', category: false },
  resize: { id: 'resize', label: 'Image size', category: false },
  lr: { id: 'lr', label: 'Learning rate', category: false },
  batchSize: { id: 'batchSize', label: 'Batch', category: false },
  widthRatio: { id: 'widthRatio', label: 'Width ratio', category: false },
  epochs: { id: 'epochs', label: 'Epochs', category: false },
  engine: { id: 'engine', label: 'Engine', category: true },
  seed: { id: 'seed', label: 'Seed', category: false },
  params: { id: 'params', label: 'Parameters', category: false },
  macs: { id: 'macs', label: 'MACs per image', category: false },
  secondsPerEpoch: { id: 'secondsPerEpoch', label: 'Seconds per epoch', category: false },
  finalTestAcc: { id: 'finalTestAcc', label: 'Final test accuracy', category: false },
  bestTestAcc: { id: 'bestTestAcc', label: 'Best test accuracy', category: false },
};

/** The parallel coordinates' axes, left to right: the settings, then what they led to. */
export const PARALLEL_AXES: readonly SweepField[] = ['model', 'depth', 'resize', 'lr', 'batchSize', 'widthRatio', 'epochs', 'engine', 'finalTestAcc', 'secondsPerEpoch'];
/** Where the parallel axes sit in their chart, in pixels: the component draws with it, the e2e test brushes by it. */
export const PARALLEL_GRID = { left: 70, right: 110, top: 48, bottom: 28 } as const;
/** What the scatter's horizontal axis may show: a setting or a cost. */
export const SCATTER_X: readonly SweepField[] = ['depth', 'resize', 'lr', 'batchSize', 'widthRatio', 'epochs', 'seed', 'params', 'macs', 'secondsPerEpoch'];
/** What the scatter's vertical axis and the table's order may be: an outcome. */
export const OUTCOMES: readonly SweepField[] = ['finalTestAcc', 'bestTestAcc'];

export function fieldValue(row: SweepRow, field: SweepField): number | string | null {
  return row[field];
}

/** One axis of the parallel chart: categories hold the names a category axis numbers from 0. */
export interface ParallelAxis {
  field: SweepField;
  categories: string[] | null;
}

export interface ParallelModel {
  axes: ParallelAxis[];
  /** One line per row, in the rows' order: a number per axis (a category's index), null where unknown. */
  lines: (number | null)[][];
}

/** Rows as lines through the axes; categories sorted, so the same runs draw the same way every time. */
export function parallelModel(rows: readonly SweepRow[], fields: readonly SweepField[] = PARALLEL_AXES): ParallelModel {
  const axes = fields.map((field) => ({
    field,
    categories: SWEEP_FIELDS[field].category ? [...new Set(rows.map((row) => String(fieldValue(row, field))))].sort() : null,
  }));
  const lines = rows.map((row) =>
    axes.map(({ field, categories }) => {
      const value = fieldValue(row, field);
      if (value === null) return null;
      if (categories) return categories.indexOf(String(value));
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    }),
  );
  return { axes, lines };
}

/** A brush on each axis: the intervals ECharts reports in its `axisareaselected` event, in axis values. */
export type AxisIntervals = Partial<Record<SweepField, readonly (readonly [number, number])[]>>;

/**
 * The ids of the rows inside every brushed axis, by the rule ECharts draws
 * them active with (ParallelAxisModel.getActiveState): an axis without a
 * brush passes every line, an unknown value never passes a brushed axis.
 */
export function brushedIds(rows: readonly SweepRow[], model: ParallelModel, intervals: AxisIntervals): string[] {
  const brushed = model.axes
    .map((axis, index) => ({ index, list: intervals[axis.field] ?? [] }))
    .filter((axis) => axis.list.length > 0);
  return rows
    .filter((_, row) =>
      brushed.every(({ index, list }) => {
        const value = model.lines[row]![index];
        return value !== null && value !== undefined && list.some(([a, b]) => Math.min(a, b) <= value && value <= Math.max(a, b));
      }),
    )
    .map((row) => row.id);
}

/** Rows by an outcome, best first; runs without one last, newest first among equals. */
export function byOutcome(rows: readonly SweepRow[], outcome: SweepField): SweepRow[] {
  const score = (row: SweepRow): number => {
    const value = fieldValue(row, outcome);
    return typeof value === 'number' && Number.isFinite(value) ? value : Number.NEGATIVE_INFINITY;
  };
  return [...rows].sort((a, b) => score(b) - score(a) || b.createdAt - a.createdAt);
}
