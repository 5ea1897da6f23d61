import { getInstanceByDom } from 'echarts/core';

/** A chart's series as ECharts holds them: what a test reads to check the charts really draw the data. */
export interface InspectedSeries {
  name: string;
  type: string;
  data: unknown[];
}

export interface ChartInspector {
  series(container: Element): InspectedSeries[] | null;
}

/**
 * Exposed as window.vggWorkbenchCharts: the end-to-end tests read the series
 * from the live ECharts instances instead of trusting screenshots. Read-only,
 * and only what a chart already shows.
 */
export const chartInspector: ChartInspector = {
  series(container) {
    const host = container.matches('.echarts-host') ? container : container.querySelector('.echarts-host');
    const chart = host instanceof HTMLElement ? getInstanceByDom(host) : undefined;
    if (!chart) return null;
    const option = chart.getOption() as { series?: { name?: string; type?: string; data?: unknown[] }[] };
    return (option.series ?? []).map((s) => ({ name: s.name ?? '', type: s.type ?? '', data: s.data ?? [] }));
  },
};
