import { use, type ComposeOption, type EChartsCoreOption } from 'echarts/core';
import { ParallelChart, type ParallelSeriesOption } from 'echarts/charts';
import {
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent,
  type ParallelComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * Parallel coordinates for the sweep view, apart from echarts-setup.ts: a
 * parallel axis option does not compose with the cartesian charts' option type.
 */
use([ParallelChart, ParallelComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/** The parallel axes, typed as ECharts types them when nothing else is composed with them. */
export type ParallelAxesOption = NonNullable<ComposeOption<ParallelSeriesOption | ParallelComponentOption>['parallelAxis']>;

/**
 * The chart's option, part by part: ECharts' ComposeOption cannot hold parallel
 * axes beside a visual map (its index signature wants every key to be an axis),
 * so each part is typed on its own and the whole is ECharts' core option.
 */
export interface ParallelChartOption extends EChartsCoreOption {
  parallel: ParallelComponentOption;
  parallelAxis: ParallelAxesOption;
  visualMap?: VisualMapComponentOption;
  tooltip?: TooltipComponentOption;
  series: ParallelSeriesOption[];
}
