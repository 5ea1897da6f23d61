import type { PlanAnswer } from '../../../src-main/shared/plans/plan-answer';
import type { ChartOption } from '../components/charts/echarts-setup';

/** Baselines are drawn paler than the networks the plan asks about: the reference, not the subject. */
const BASELINE_OPACITY = 0.45;
const BAND_FILL = 'rgba(120, 120, 120, 0.15)';

/** The lowest accuracy drawn: a little under the lowest point, so gaps between networks stay visible. */
function axisFloor(answer: PlanAnswer): number {
  const values = answer.rows.flatMap((row) => [row.finalTestAccRange?.[0], row.bestTestAcc]).filter((v): v is number => v !== null && v !== undefined);
  const bands = answer.referenceBands.map((band) => band.low);
  const lowest = Math.min(...values, ...bands);
  return Number.isFinite(lowest) ? Math.max(0, Math.floor((lowest - 0.05) * 20) / 20) : 0;
}

/**
 * The answer as a chart: a bar of mean final test accuracy per row (baselines
 * paler), best test accuracy and each seed as points, and the literature's
 * band or value where one of the runs trained its recipe.
 */
export function answerChartOption(answer: PlanAnswer): ChartOption {
  const labels = answer.rows.map((row) => (row.baseline ? `${row.label}\n(baseline)` : row.label));
  const seeds = answer.rows.flatMap((row, index) =>
    row.seeds.length > 1 && row.finalTestAccRange ? [[index, row.finalTestAccRange[0]], [index, row.finalTestAccRange[1]]] : [],
  );
  const bands = answer.referenceBands;
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 48 },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', name: 'test accuracy', min: axisFloor(answer), max: 1 },
    series: [
      {
        name: 'Final test accuracy',
        type: 'bar',
        data: answer.rows.map((row) => ({ value: row.finalTestAcc ?? '-', itemStyle: { opacity: row.baseline ? BASELINE_OPACITY : 1 } })),
        label: { show: true, position: 'top', formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? p.value.toFixed(3) : '') },
        markArea: {
          itemStyle: { color: BAND_FILL },
          label: { position: 'insideTopLeft', fontSize: 10 },
          data: bands.filter((b) => b.low < b.high).map((b) => [{ name: `${b.low}–${b.high}: ${b.recipe}`, yAxis: b.low }, { yAxis: b.high }] as [{ name: string; yAxis: number }, { yAxis: number }]),
        },
        markLine: {
          symbol: 'none',
          lineStyle: { color: '#777', type: 'dotted' },
          label: { position: 'insideStartTop', fontSize: 10, formatter: '{b}' },
          data: bands.filter((b) => b.low === b.high).map((b) => ({ name: `${b.low}: ${b.recipe}`, yAxis: b.low })),
        },
      },
      { name: 'Best test accuracy', type: 'scatter', symbol: 'diamond', symbolSize: 10, data: answer.rows.map((row) => row.bestTestAcc ?? '-') },
      ...(seeds.length ? [{ name: 'Lowest and highest seed', type: 'scatter' as const, symbol: 'line', symbolSize: [18, 2], data: seeds }] : []),
    ],
  };
}
