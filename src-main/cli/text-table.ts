import { terminalSafe } from './terminal-safe';

/** Each column as wide as its widest cell. */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  return Array.from({ length: columns }, (_, col) => Math.max(0, ...rows.map((row) => (row[col] ?? '').length)));
}

/**
 * Rows as lines of a plain-text table: columns two spaces apart, text padded
 * on the right, the columns marked in `rightAligned` (numbers) on the left;
 * no trailing spaces, control characters escaped. The one table layout of the CLI's outputs.
 */
export function alignColumns(rawRows: readonly (readonly string[])[], rightAligned: readonly boolean[] = []): string[] {
  // Cells may hold a run's name or tags: control characters are shown escaped, never obeyed.
  const rows = rawRows.map((row) => row.map((cell) => terminalSafe(cell, { oneLine: true })));
  const widths = columnWidths(rows);
  return rows.map((row) =>
    row
      .map((cell, col) => (rightAligned[col] === true ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
