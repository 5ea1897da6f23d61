import type { NetworkSummary } from '../shared/models/summary';

/** 138357544 → "138,357,544". Done by hand so the output does not depend on the machine's locale. */
export function formatCount(n: number): string {
  const [whole = '', fraction] = String(Math.round(n * 100) / 100).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Bytes in binary units, one decimal: "527.8 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

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
    formatCount(layer.params),
    formatCount(layer.macs),
  ]);
  const total = ['Total', '', formatCount(summary.totalParams), formatCount(summary.totalMacs)];
  const rows = [header, ...body, total];
  const widths = header.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const numeric = [false, false, true, true];

  const line = (row: string[]): string =>
    row
      .map((cell, col) => {
        const width = widths[col] ?? 0;
        return numeric[col] === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');

  const [h, w, c] = summary.inputShape;
  return [
    `${summary.name}: input ${h}×${w}×${c}`,
    line(header),
    rule,
    ...body.map(line),
    rule,
    line(total),
    '',
    `Parameters:   ${formatCount(summary.totalParams)} (${formatBytes(summary.parameterBytes)} as float32)`,
    `MACs / image: ${formatCount(summary.totalMacs)} (${formatMagnitude(summary.totalMacs)})`,
    `Activations:  ${formatBytes(summary.activationBytes)} for a batch of ${formatCount(summary.batchSize)} ` +
      `(every layer output except flatten, float32, forward pass only)`,
  ].join('\n');
}
