import { use, type ComposeOption } from 'echarts/core';
import { ParallelChart, type ParallelSeriesOption } from 'echarts/charts';
import { ParallelComponent, TooltipComponent, type ParallelComponentOption, type TooltipComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * Parallel coordinates for the sweep view, apart from echarts-setup.ts: a
 * parallel axis option does not compose with the cartesian charts' option type.
 */
use([ParallelChart, ParallelComponent, TooltipComponent, CanvasRenderer]);

export type ParallelChartOption = ComposeOption<ParallelSeriesOption | ParallelComponentOption | TooltipComponentOption>;
