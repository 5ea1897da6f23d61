import { FASHION_MNIST_SPLIT_SIZES } from '../../shared/data/fashion-mnist-facts';
import { layerStatsInterval } from '../../shared/train/layer-stats';
import type { BenchWorkload } from './workloads';

/**
 * `bench --layer-stats [n]`: the rigs measure each workload with the
 * trainer's per-layer statistics on (every n steps, or the interval a run of
 * that batch size gets on the full training set), so the two runs of the bench
 * give their cost. It travels to the measuring children in the environment,
 * which they inherit, so neither the child's argv nor the bench's table changes.
 */
export const BENCH_LAYER_STATS_ENV = 'VGG_WORKBENCH_BENCH_LAYER_STATS';

/** Steps between two measured steps for this workload, or undefined when the bench measures without them. */
export function benchLayerStatsEvery(workload: Pick<BenchWorkload, 'batchSize'>, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env[BENCH_LAYER_STATS_ENV];
  if (value === undefined || value === '' || value === 'off') return undefined;
  if (value === 'default') return layerStatsInterval(undefined, Math.ceil(FASHION_MNIST_SPLIT_SIZES.train / workload.batchSize));
  const every = Number(value);
  if (!Number.isInteger(every) || every < 1) throw new Error(`${BENCH_LAYER_STATS_ENV}=${value}: expected a whole number of steps, 'default' or 'off'`);
  return every;
}
