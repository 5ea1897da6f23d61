import { BOOK_DENSE_UNITS } from '../models/vgg';
import { planRequests, type ExperimentPlan, type PlanRunRequest, type PlanSettings } from './experiment-plans';
import type { PlanAnswer } from './plan-answer';
import type { RunConfig } from '../train/run-config';

/** The seeds "Run again with 3 seeds" asks for: enough for a spread, few enough for a CPU. */
export const ANSWER_SEEDS: readonly number[] = [1, 2, 3];

/**
 * The settings the answer's runs trained with, as the Plans view edits them:
 * shared fields from any run, the image size and width from the plan's first
 * network (VGG-11 in every plan), the budget's defaults for what no run says.
 */
export function settingsOfRuns(plan: ExperimentPlan, configs: readonly RunConfig[]): PlanSettings {
  const defaults = plan.budgets.quick.defaults;
  const first = plan.runs(defaults)[0]?.model;
  const lead = configs.find((c) => c.model === first && c.initFrom === undefined) ?? configs[0];
  if (!lead) return { ...defaults };
  return {
    epochs: lead.epochs,
    batchSize: lead.batchSize,
    lr: lead.lr,
    momentum: lead.momentum,
    widthRatio: lead.widthRatio,
    denseUnits: lead.denseUnits ?? BOOK_DENSE_UNITS,
    resize: lead.resize,
    trainLimit: lead.trainLimit ?? defaults.trainLimit,
    testLimit: lead.testLimit ?? defaults.testLimit,
    seed: lead.seed,
    engine: lead.engine,
  };
}

/**
 * The plan again, once per seed that the answer lacks, as one queue for
 * `runs.startQueue`. A seed already finished for every row is not trained
 * twice. Warm starts (`#N`) point into their own seed's copy of the plan.
 */
export function seedRequests(
  plan: ExperimentPlan,
  settings: PlanSettings,
  answer: Pick<PlanAnswer, 'rows'>,
  seeds: readonly number[] = ANSWER_SEEDS,
  extraTags: readonly string[] = [],
): { seeds: number[]; requests: PlanRunRequest[] } {
  const recorded = (seed: number): boolean => answer.rows.length > 0 && answer.rows.every((row) => row.seeds.includes(seed));
  const missing = seeds.filter((seed) => !recorded(seed));
  const requests: PlanRunRequest[] = [];
  for (const seed of missing) {
    const offset = requests.length;
    for (const request of planRequests(plan, { ...settings, seed })) {
      const initFrom = request.config.initFrom;
      const shifted = initFrom?.startsWith('#') ? `#${Number(initFrom.slice(1)) + offset}` : initFrom;
      requests.push({
        ...request,
        config: { ...request.config, ...(shifted !== undefined ? { initFrom: shifted } : {}) },
        tags: [...request.tags, ...extraTags],
      });
    }
  }
  return { seeds: missing, requests };
}
