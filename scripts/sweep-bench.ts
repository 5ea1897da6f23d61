/**
 * How long the sweep view takes to open over 1,000 runs: `npm run bench:sweep`
 * (or `tsx scripts/sweep-bench.ts [runs]`). A benchmark to quote, not a timed
 * test: the figure depends on the machine and its load.
 *
 * The runs are the shipped example runs cloned with varied settings (all their
 * metric points kept, so the database is as heavy as 1,000 real runs), imported
 * into a temporary database. It prints the summary query's time in the store,
 * `runs.sweep` against `runs.list` over the API, and the page's open time in
 * Chromium, from navigation to 1,000 lines drawn.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { importRuns } from '../src-main/core/store/export-import';
import { defaultExampleRunsFile } from '../src-main/service/example-runs';
import { chartSeries, eventually, openWorkbench } from '../test/e2e/workbench-harness';

const RUNS = Number(process.argv[2] ?? 1000);
const BATCH = 50;
const REPEATS = 5;

interface ExportedRun {
  id: string;
  name: string;
  createdAt: number;
  config: Record<string, unknown> & { lr: number; seed: number };
  tags: string[];
  [key: string]: unknown;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
async function timed(what: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i += 1) {
    const start = performance.now();
    await what();
    times.push(performance.now() - start);
  }
  return median(times);
}

const file = JSON.parse(gunzipSync(readFileSync(defaultExampleRunsFile()!)).toString('utf8')) as { runs: ExportedRun[] } & Record<string, unknown>;
const LRS = [0.005, 0.01, 0.02, 0.05, 0.1];
const BATCHES = [32, 64, 128];
function clone(index: number): ExportedRun {
  const source = file.runs[index % file.runs.length]!;
  return {
    ...source,
    id: index.toString(16).padStart(8, '0'),
    name: `${source.name} #${index}`,
    createdAt: source.createdAt + index,
    config: { ...source.config, lr: LRS[index % LRS.length]!, batchSize: BATCHES[index % BATCHES.length]!, seed: index % 7 },
    tags: [`bench-${index % 10}`],
    checkpoints: [],
  };
}

const workbench = await openWorkbench();
try {
  const { service, page } = workbench;
  const importStart = performance.now();
  for (let first = 0; first < RUNS; first += BATCH) {
    const runs = Array.from({ length: Math.min(BATCH, RUNS - first) }, (_, i) => clone(first + i));
    importRuns(service.store, JSON.stringify({ ...file, runs }));
  }
  const points = service.store.countMetrics(service.store.listRuns().map((r) => r.id));
  console.log(`imported ${RUNS} runs (${points.toLocaleString('en-US')} metric points) in ${((performance.now() - importStart) / 1000).toFixed(1)} s`);

  console.log(`store.sweepRows(), one summary query:      ${(await timed(() => service.store.sweepRows())).toFixed(1)} ms (median of ${REPEATS})`);
  console.log(`runs.sweep through the service:             ${(await timed(() => service.call('runs.sweep', {}))).toFixed(1)} ms`);
  console.log(`runs.list (full records) for comparison:     ${(await timed(() => service.call('runs.list', {}))).toFixed(1)} ms`);

  const opens: number[] = [];
  for (let i = 0; i < REPEATS; i += 1) {
    await page.goto(`${new URL(page.url()).origin}/#/runs`);
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    const start = performance.now();
    await page.goto(`${new URL(page.url()).origin}/#/sweep`);
    await eventually(async () => ((await chartSeries(page, 'sweep-parallel'))?.[0]?.data.length === RUNS ? true : undefined), `${RUNS} lines`, 120_000);
    opens.push(performance.now() - start);
  }
  const shown = await page.getByTestId('sweep-count').textContent();
  console.log(`#/sweep in Chromium, navigation to ${RUNS} lines drawn: median ${median(opens).toFixed(0)} ms (${opens.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`the page's own figure: ${shown?.trim()}`);
} finally {
  await workbench.close();
}
