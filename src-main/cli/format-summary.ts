import { formatBytes, formatInteger } from '../shared/format';
import type { NetworkSummary } from '../shared/models/summary';
import { alignColumns, columnWidths } from './text-table';


/** Decimal prefixes as FLOP counts are quoted: 15470264320 → "15.47 G". */
export function formatMagnitude(n: number): string {
  const prefixes: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, prefix] of prefixes) {
    if (n >= size) return `${(n / size).toFixed(2)} ${prefix}`;
  }
  return String(n);
}

function shapeText(shape: readonly number[]): string {
  return shape.join('×');
}

/**
 * The `models` command's table: one row per layer (name, output shape, params,
 * MACs per image), a totals row, then parameter and activation memory. Columns
 * are sized to their widest cell; numbers are right-aligned with thousands separators.
 */
export function formatSummary(summary: NetworkSummary): string {
  const header = ['Layer', 'Output shape', 'Params', 'MACs'];
  const body = summary.layers.map((layer) => [
    layer.name,
    shapeText(layer.outputShape),
    formatInteger(layer.params),
    formatInteger(layer.macs),
  ]);
  const total = ['Total', '', formatInteger(summary.totalParams), formatInteger(summary.totalMacs)];
  const rows = [header, ...body, total];
  const [headerLine, ...lines] = alignColumns(rows, [false, false, true, true]);
  const totalLine = lines.pop();
  const rule = columnWidths(rows)
    .map((w) => '-'.repeat(w))
    .join('  ');

  const [h, w, c] = summary.inputShape;
  return [
    `${summary.name}: input ${h}×${w}×${c}`,
    headerLine,
    rule,
    ...lines,
    rule,
    totalLine,
    '',
    `Parameters:   ${formatInteger(summary.totalParams)} (${formatBytes(summary.parameterBytes)} as float32)`,
    `MACs / image: ${formatInteger(summary.totalMacs)} (${formatMagnitude(summary.totalMacs)})`,
    `Activations:  ${formatBytes(summary.activationBytes)} for a batch of ${formatInteger(summary.batchSize)} ` +
      `(every layer output except flatten, float32, forward pass only)`,
  ].join('\n');
}
