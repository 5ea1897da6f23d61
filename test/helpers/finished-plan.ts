import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { importRuns } from '../../src-main/core/store/export-import';
import type { RunStore } from '../../src-main/core/store/run-store';
import { defaultExampleRunsFile } from '../../src-main/service/example-runs';

/**
 * The shipped example runs are the quick budget of plan 1 (VGG-11, LeNet,
 * AlexNet): imported and tagged `plan:vgg-vs-baselines`, they are a finished
 * quick plan, as `plans run vgg-vs-baselines` would have left it.
 */
export const FINISHED_PLAN_RUNS = ['7a93d83d', 'c95f05c7', '3bea516b'] as const;

/** Imports the examples into `store` and tags the plan's three; returns every imported id. */
export function importFinishedPlan(store: RunStore): string[] {
  const file = defaultExampleRunsFile();
  if (!file) throw new Error('resources/examples/example-runs.json.gz is missing: the finished plan is built from it');
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const imported = importRuns(store, text).map((run) => run.id);
  for (const id of FINISHED_PLAN_RUNS) store.updateTags(id, { add: ['plan:vgg-vs-baselines'] });
  return imported;
}
