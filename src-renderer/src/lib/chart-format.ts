import { formatAccuracy, formatDuration } from '../../../src-main/shared/format';

/**
 * How a chart's numbers read in its tooltip: as the tables write them, never
 * the float ECharts holds ("0.607061036793391", "70.33657033699998").
 */
export type ValueKind = 'accuracy' | 'loss' | 'seconds';
/** What the x axis counts: epochs (from 1, as people count them), batch steps, or seconds since the start. */
export type AxisKind = 'epoch' | 'step' | 'time';

/** A loss to 3 significant digits: 2.3026, 0.607061 → "2.30", "0.607"; never exponent notation for ordinary values. */
export function formatLoss(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return digits > 8 ? value.toPrecision(3) : value.toFixed(digits);
}

/** One value of a series, in its kind's format. */
export function formatValue(kind: ValueKind, value: number | null | undefined): string {
  if (kind === 'accuracy') return formatAccuracy(value);
  if (kind === 'loss') return formatLoss(value);
  return formatDuration(value);
}

/** The tooltip's header for a point of the x axis: "Epoch 5", "Step 120", "1 min 10 s". */
export function formatAxisValue(axis: AxisKind, value: number): string {
  if (axis === 'epoch') return `Epoch ${Math.round(value)}`;
  if (axis === 'step') return `Step ${Math.round(value)}`;
  return formatDuration(value);
}

/** Run names are the user's text: escaped before ECharts writes the tooltip as HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** What ECharts hands an axis tooltip's formatter per series (the fields used here). */
export interface AxisTooltipItem {
  marker?: unknown;
  seriesName?: string;
  axisValue?: unknown;
  value?: unknown;
}

function yOf(value: unknown): number | null {
  const y = Array.isArray(value) ? value[1] : value;
  return typeof y === 'number' && Number.isFinite(y) ? y : null;
}

/**
 * An axis tooltip's formatter: the x value as a header in words, then each
 * series with its value formatted. `kindOf` says each series' kind (a loss
 * chart holds losses, an accuracy chart accuracies...); a series without one
 * (the published bands) is left out.
 */
export function axisTooltipFormatter(axis: AxisKind, kindOf: (seriesName: string) => ValueKind | null) {
  return (params: AxisTooltipItem | AxisTooltipItem[]): string => {
    const items = Array.isArray(params) ? params : [params];
    const x = Number(items[0]?.axisValue);
    const header = Number.isFinite(x) ? formatAxisValue(axis, x) : '';
    const lines = items.flatMap((item) => {
      const name = item.seriesName ?? '';
      const kind = kindOf(name);
      const y = yOf(item.value);
      if (kind === null || y === null) return [];
      const marker = typeof item.marker === 'string' ? item.marker : '';
      return [`${marker}${escapeHtml(name)}: <b>${formatValue(kind, y)}</b>`];
    });
    return [escapeHtml(header), ...lines].join('<br/>');
  };
}

/** A long label cut to `max` characters at a word, with an ellipsis; the full text goes in its own tooltip. */
export function shortLabel(text: string, max = 32): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,:;(–-]+$/, '')}…`;
}
