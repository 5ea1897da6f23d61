import type { LayerEpochEvent, LayerStepEvent, LayerStepStat } from '../../../src-main/shared/train/layer-stats';

/**
 * The Layers tab's numbers, drawn from a run's layer events: a heatmap of
 * log₁₀ gradient norm (layers input to output × recorded steps), lines for
 * picked layers, weight histograms per epoch and dead ReLU fractions per
 * block. Pure, so tests read the same text the charts show.
 */

export interface GradientGrid {
  /** Rows, input to output. */
  layers: string[];
  /** Columns: the recorded steps, in order. */
  steps: number[];
  /** [column, row, log₁₀ ‖g‖]; '-' where the norm is 0, NaN or infinite (ECharts leaves it blank; the tooltip says why). */
  cells: [number, number, number | '-'][];
  /** The finite range of the log values, for the colour scale; null with none. */
  range: { min: number; max: number } | null;
}

export function gradientGrid(events: readonly LayerStepEvent[]): GradientGrid {
  const layers = events[0]?.layers.map((l) => l.layer) ?? [];
  const rowOf = new Map(layers.map((name, i) => [name, i]));
  const cells: GradientGrid['cells'] = [];
  let min = Infinity;
  let max = -Infinity;
  events.forEach((event, column) => {
    for (const stat of event.layers) {
      const row = rowOf.get(stat.layer);
      if (row === undefined) continue;
      const value = logNorm(stat.gradNorm);
      if (value !== '-') {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      cells.push([column, row, value]);
    }
  });
  return { layers, steps: events.map((e) => e.step), cells, range: Number.isFinite(min) ? { min, max } : null };
}

function logNorm(norm: number): number | '-' {
  return Number.isFinite(norm) && norm > 0 ? Math.log10(norm) : '-';
}

/** One range over several grids (Compare: the same colour means the same norm in both runs). */
export function sharedRange(grids: readonly GradientGrid[]): { min: number; max: number } | null {
  const ranges = grids.flatMap((g) => (g.range ? [g.range] : []));
  if (ranges.length === 0) return null;
  return { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)) };
}

/** A number as a person reads a norm: 3 significant digits, exponent form when tiny or huge; NaN and Infinity spelled out. */
export function formatNorm(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs < 1e-3 || abs >= 1e4 ? value.toExponential(2) : value.toPrecision(3);
}

/** The heatmap cell's tooltip lines: layer, step, the three numbers, and what a tiny or huge gradient means. */
export function cellTooltip(events: readonly LayerStepEvent[], column: number, layer: string): string[] {
  const event = events[column];
  const stat: LayerStepStat | undefined = event?.layers.find((l) => l.layer === layer);
  if (!event || !stat) return [];
  return [
    `${layer}, step ${event.step} (epoch ${event.epoch + 1})`,
    `gradient norm ${formatNorm(stat.gradNorm)}`,
    `weight norm ${formatNorm(stat.weightNorm)}`,
    `update ratio lr·‖g‖/‖w‖ ${formatNorm(stat.updateRatio)}${ratioNote(stat.updateRatio)}`,
  ];
}

/** Karpathy's rule of thumb: updates near 1e-3 of the weights learn; far below, the layer barely moves. */
function ratioNote(ratio: number): string {
  if (!Number.isFinite(ratio)) return ' (diverged)';
  if (ratio < 1e-5) return ' (barely moving)';
  if (ratio > 1e-1) return ' (too large a step)';
  return '';
}

export type LayerField = 'gradNorm' | 'weightNorm' | 'updateRatio';
export const LAYER_FIELDS: { field: LayerField; label: string }[] = [
  { field: 'gradNorm', label: 'Gradient norm' },
  { field: 'weightNorm', label: 'Weight norm' },
  { field: 'updateRatio', label: 'Update ratio' },
];

/** [step, value] of one layer's field; non-finite values leave a gap. */
export function layerLine(events: readonly LayerStepEvent[], layer: string, field: LayerField): [number, number | null][] {
  return events.flatMap((event) => {
    const stat = event.layers.find((l) => l.layer === layer);
    if (!stat) return [];
    const value = stat[field];
    return [[event.step, Number.isFinite(value) && value > 0 ? value : null]];
  });
}

/** One epoch's histogram of a layer as [bin centre, share of weights], the shares summing to 1. */
export function histogramLine(event: LayerEpochEvent, layer: string): [number, number][] {
  const histogram = event.histograms.find((h) => h.layer === layer);
  if (!histogram) return [];
  const total = histogram.counts.reduce((a, b) => a + b, 0) || 1;
  const width = (histogram.max - histogram.min) / histogram.counts.length;
  return histogram.counts.map((count, i) => [histogram.min + (i + 0.5) * width, count / total]);
}

/** Per block, [epoch (1-based, as the book counts), fraction of ReLU outputs at zero]. */
export function deadUnitLines(events: readonly LayerEpochEvent[]): { block: string; points: [number, number][] }[] {
  const blocks = new Map<string, [number, number][]>();
  for (const event of events) {
    for (const { block, fraction } of event.dead) {
      const points = blocks.get(block) ?? [];
      points.push([event.epoch + 1, fraction]);
      blocks.set(block, points);
    }
  }
  return [...blocks.entries()].map(([block, points]) => ({ block, points }));
}
