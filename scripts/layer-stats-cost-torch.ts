/**
 * The pytorch engine's cost of per-layer statistics at the default interval,
 * per bench workload: each workload's job built as the runner builds it
 * (core/engine/pytorch/trainer-job.ts), measured by
 * scripts/layer-stats-cost-torch.py in one Python process (why: see that file
 * and scripts/layer-stats-cost.ts).
 *
 *   npx tsx scripts/layer-stats-cost-torch.ts [workload ...] [--pairs 40] [--threads 2]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fashionMnistDataFiles, findFashionMnistFiles, SYSTEM_FASHION_MNIST_DIR } from '../src-main/core/data/fashion-mnist';
import { discoverTorchOnce } from '../src-main/core/engine/pytorch/discover-torch';
import { detachedRunContext } from '../src-main/core/engine/detached-run-context';
import { trainerJob } from '../src-main/core/engine/pytorch/trainer-job';
import { benchLayerStatsEvery } from '../src-main/core/bench/bench-layer-stats';
import { BENCH_LR, DEFAULT_WORKLOAD_NAMES, findWorkload } from '../src-main/core/bench/workloads';
import { FASHION_MNIST_SPLIT_SIZES } from '../src-main/shared/data/fashion-mnist-facts';
import { runConfigSchema } from '../src-main/shared/train/run-config';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args.splice(at, 2)[1]) : fallback;
};
const pairs = option('--pairs', 40);
const threads = option('--threads', availableParallelism());
const names = args.length > 0 ? args : [...DEFAULT_WORKLOAD_NAMES];
const measurer = fileURLToPath(new URL('layer-stats-cost-torch.py', import.meta.url));
const torch = await discoverTorchOnce();
const data = fashionMnistDataFiles(findFashionMnistFiles(SYSTEM_FASHION_MNIST_DIR).paths);
if (!data) throw new Error(`${SYSTEM_FASHION_MNIST_DIR} lacks the Fashion-MNIST files: apt-get install dataset-fashion-mnist`);

for (const name of names) {
  const workload = findWorkload(name);
  const config = runConfigSchema.parse({ ...workload.network, resize: workload.side, batchSize: workload.batchSize, epochs: 1, lr: BENCH_LR, engine: 'pytorch', threads });
  const job = await trainerJob(detachedRunContext({ runId: 'cost', config, engine: { id: 'pytorch', backend: 'cpu', version: torch.probe.torch }, data }), 0);
  const stepsPerEpoch = Math.ceil(FASHION_MNIST_SPLIT_SIZES.train / workload.batchSize);
  const every = benchLayerStatsEvery(workload, { VGG_WORKBENCH_BENCH_LAYER_STATS: 'default' })!;
  const result = spawnSync(torch.python.command, [...torch.python.args, measurer, torch.script, String(stepsPerEpoch), String(every), String(pairs)], {
    input: `${JSON.stringify(job)}\n`,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${name}: ${result.stderr}`);
  const measured = JSON.parse(result.stdout.trim()) as { plainStepMs: number; measuredStepMs: number; epochPartMs: number; costPercent: number };
  console.log(
    `${name} (pytorch, ${threads} threads, every ${every} steps): plain ${measured.plainStepMs.toFixed(2)} ms, measured ${measured.measuredStepMs.toFixed(2)} ms, ` +
      `epoch part ${measured.epochPartMs.toFixed(1)} ms → ${measured.costPercent.toFixed(2)} % of step time`,
  );
}
