/** One legend entry of a saved picture: a run or a metric, its colour, and whether it is a baseline's dashed line. */
export interface PictureLegendEntry {
  name: string;
  color: string;
  dashed: boolean;
}

interface HeldSeries {
  name?: unknown;
  data?: unknown;
  color?: unknown;
  lineStyle?: { color?: unknown; type?: unknown };
  itemStyle?: { color?: unknown };
}

/** The drawn series of a chart option as legend entries: those with data and a name (the published bands have neither data nor a line). */
export function legendEntries(series: unknown): PictureLegendEntry[] {
  const list: HeldSeries[] = Array.isArray(series) ? series : series ? [series as HeldSeries] : [];
  return list.flatMap((s) => {
    const color = s.lineStyle?.color ?? s.itemStyle?.color ?? s.color;
    if (typeof s.name !== 'string' || typeof color !== 'string' || !Array.isArray(s.data) || s.data.length === 0) return [];
    return [{ name: s.name, color, dashed: s.lineStyle?.type === 'dashed' }];
  });
}

const PAD = 12;
const TITLE_SIZE = 16;
const LEGEND_SIZE = 12;
const SWATCH = 22;

/**
 * A chart as a picture that stands on its own (TensorBoard's and W&B's
 * downloads): its title above, then its legend, then the chart with its axis
 * names, on the panel's background. `chart` is ECharts' own rendering at
 * `scale` (its pixelRatio); the text is drawn at the same scale.
 */
export function composeChartPicture(
  chart: HTMLCanvasElement,
  options: { title: string; legend: PictureLegendEntry[]; scale: number; background: string; text: string; font: string },
): HTMLCanvasElement {
  const { scale, legend } = options;
  const measure = document.createElement('canvas').getContext('2d');
  if (!measure) throw new Error('this browser cannot draw on a canvas');
  const width = chart.width;
  // Lay the legend out in rows that fit the chart's width.
  measure.font = `${LEGEND_SIZE * scale}px ${options.font}`;
  const rows: { entry: PictureLegendEntry; x: number }[][] = [[]];
  let x = PAD * scale;
  for (const entry of legend) {
    const entryWidth = (SWATCH + 6) * scale + measure.measureText(entry.name).width + 16 * scale;
    if (x + entryWidth > width - PAD * scale && rows[rows.length - 1]!.length > 0) {
      rows.push([]);
      x = PAD * scale;
    }
    rows[rows.length - 1]!.push({ entry, x });
    x += entryWidth;
  }
  const legendRows = legend.length === 0 ? 0 : rows.length;
  const rowHeight = (LEGEND_SIZE + 8) * scale;
  const header = (PAD + TITLE_SIZE + 8) * scale + legendRows * rowHeight;

  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = header + chart.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser cannot draw on a canvas');
  context.fillStyle = options.background;
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = options.text;
  context.textBaseline = 'top';
  context.font = `600 ${TITLE_SIZE * scale}px ${options.font}`;
  context.fillText(options.title, PAD * scale, PAD * scale);
  context.font = `${LEGEND_SIZE * scale}px ${options.font}`;
  context.textBaseline = 'middle';
  rows.forEach((row, i) => {
    const y = (PAD + TITLE_SIZE + 8) * scale + i * rowHeight + rowHeight / 2;
    for (const { entry, x: left } of row) {
      context.strokeStyle = entry.color;
      context.lineWidth = 3 * scale;
      context.setLineDash(entry.dashed ? [5 * scale, 3 * scale] : []);
      context.beginPath();
      context.moveTo(left, y);
      context.lineTo(left + SWATCH * scale, y);
      context.stroke();
      context.fillText(entry.name, left + (SWATCH + 6) * scale, y);
    }
  });
  context.drawImage(chart, 0, header);
  return canvas;
}
