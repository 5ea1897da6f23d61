import { getInstanceByDom, type EChartsType } from 'echarts/core';

/** A chart's series as ECharts holds them: what a test reads to check the charts really draw the data. */
export interface InspectedSeries {
  name: string;
  type: string;
  data: unknown[];
  /** The line's colour as drawn (a run's colour in Compare). */
  color: string | null;
  /** The line's opacity when set (Compare fades the runs the legend does not point at). */
  opacity: number | null;
}

export interface ChartInspector {
  series(container: Element): InspectedSeries[] | null;
  /** Where a series' point lies in the window (client pixels), so a test can hover it as a user would; null when not drawn. */
  pointAt(container: Element, seriesName: string, dataIndex: number): { x: number; y: number } | null;
}

function instanceIn(container: Element): EChartsType | undefined {
  const host = container.matches('.echarts-host') ? container : container.querySelector('.echarts-host');
  return host instanceof HTMLElement ? getInstanceByDom(host) : undefined;
}

interface HeldSeries {
  name?: string;
  type?: string;
  data?: unknown[];
  color?: unknown;
  lineStyle?: { color?: unknown; opacity?: unknown };
  itemStyle?: { color?: unknown };
}

function colorOf(series: HeldSeries): string | null {
  const color = series.lineStyle?.color ?? series.itemStyle?.color ?? series.color;
  return typeof color === 'string' ? color : null;
}

/**
 * Exposed as window.vggWorkbenchCharts: the end-to-end tests read the series
 * from the live ECharts instances instead of trusting screenshots. Read-only,
 * and only what a chart already shows.
 */
export const chartInspector: ChartInspector = {
  series(container) {
    const chart = instanceIn(container);
    if (!chart) return null;
    const option = chart.getOption() as { series?: HeldSeries[] };
    return (option.series ?? []).map((s) => ({ name: s.name ?? '', type: s.type ?? '', data: s.data ?? [], color: colorOf(s), opacity: typeof s.lineStyle?.opacity === 'number' ? s.lineStyle.opacity : null }));
  },
  pointAt(container, seriesName, dataIndex) {
    const chart = instanceIn(container);
    if (!chart) return null;
    const series = (chart.getOption() as { series?: HeldSeries[] }).series ?? [];
    const seriesIndex = series.findIndex((s) => s.name === seriesName);
    const point = series[seriesIndex]?.data?.[dataIndex];
    if (seriesIndex < 0 || !Array.isArray(point)) return null;
    const pixel = chart.convertToPixel({ seriesIndex }, point as number[]) as unknown;
    if (!Array.isArray(pixel)) return null;
    const box = chart.getDom().getBoundingClientRect();
    return { x: box.left + Number(pixel[0]), y: box.top + Number(pixel[1]) };
  },
};
