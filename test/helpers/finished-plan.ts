import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { importRuns } from '../../src-main/core/store/export-import';
import type { RunStore } from '../../src-main/core/store/run-store';
import { defaultExampleRunsFile } from '../../src-main/service/example-runs';

/**
 * The shipped example runs hold plan 1's quick budget (VGG-11, LeNet, AlexNet),
 * tagged `plan:vgg-vs-baselines` as `plans run vgg-vs-baselines` tags its runs:
 * opened, they are a finished quick plan.
 */
export const FINISHED_PLAN_RUNS = ['7a93d83d', 'c95f05c7', '3bea516b'] as const;

/** The shipped example set as a `runs.import` file. */
export function exampleRunsText(): string {
  const file = defaultExampleRunsFile();
  if (!file) throw new Error('resources/examples/example-runs.json.gz is missing: the finished plan is built from it');
  return gunzipSync(readFileSync(file)).toString('utf8');
}

/** Imports the examples into `store`; returns every imported id. */
export function importFinishedPlan(store: RunStore): string[] {
  return importRuns(store, exampleRunsText()).map((run) => run.id);
}
