import { findPreset } from '../models/presets';
import { formatAccuracy } from '../format';
import { EPOCH_METRIC_KEYS } from '../runs/metric-keys';
import { referenceBandsFor, type ReferenceBand } from '../runs/reference-bands';
import { isNearChance, secondsPerEpoch } from '../runs/run-figures';
import type { RunRecord } from '../runs/run-entities';
import type { ExperimentPlan } from './experiment-plans';

/**
 * A plan's measured answer: its runs grouped by what the plan varies, and one
 * sentence saying who won, by how much, at what cost, and whether seed noise
 * could explain it. One function for the Plans view and `plans show`, so both
 * print the same numbers.
 */

/** What a plan varies between its runs: the Plans view's first column. */
export type PlanVariable = 'network' | 'depth' | 'image size';

/** The settings every run of one answer shares: runs of another recipe answer another question. */
export interface PlanRecipe {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  trainLimit: number | null;
  testLimit: number | null;
}

/** The subset of a run the answer reads: RunRecord, or anything shaped like it. */
export type AnswerRun = Pick<
  RunRecord,
  'id' | 'status' | 'createdAt' | 'config' | 'model' | 'baseline' | 'params' | 'durationSeconds' | 'epochsCompleted' | 'summary'
>;

/** One value of the plan's variable, over the seeds it ran with. */
export interface PlanAnswerRow {
  /** `VGG-11`, `VGG-16 (warm start)`, `96 px`. */
  label: string;
  model: string;
  resize: number;
  warmStart: boolean;
  baseline: boolean;
  /** The runs counted: per seed the newest finished one, else the newest. */
  runIds: string[];
  /** Seeds of the finished runs, ascending. */
  seeds: number[];
  /** Runs counted that are queued or training. */
  pending: number;
  /** Runs counted that stopped without finishing (failed, cancelled, interrupted). */
  unfinished: number;
  /** Mean over the finished seeds; null until one finishes. */
  finalTestAcc: number | null;
  /** Lowest and highest final test accuracy over the seeds (equal with one seed). */
  finalTestAccRange: [number, number] | null;
  bestTestAcc: number | null;
  secondsPerEpoch: number | null;
  params: number | null;
  /** Every finished seed ended no better than guessing. */
  nearChance: boolean;
}

export interface PlanAnswer {
  planId: string;
  title: string;
  variable: PlanVariable;
  /** The recipe answered: the newest run's; null without runs. */
  recipe: PlanRecipe | null;
  rows: PlanAnswerRow[];
  /** Every row has a finished run. */
  complete: boolean;
  /** Fewest finished seeds of any row: 1 means no error bars yet. */
  seedsPerRow: number;
  /** Runs of this plan trained with another recipe, left out of this answer. */
  otherRecipeRuns: number;
  /** The literature's test accuracy where one of the runs trained its recipe. */
  referenceBands: ReferenceBand[];
  sentence: string;
}

/** The share of test images, said in percentage points. */
const points = (gap: number): string => (gap * 100).toFixed(1);
const ratioText = (ratio: number): string => `${ratio >= 1 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;

/** "VGG-11 (config A)" → "VGG-11": the name a sentence uses. */
function networkName(model: string): string {
  try {
    return findPreset(model).label.replace(/\s*\(.*\)$/, '');
  } catch {
    return model;
  }
}

/** Depth where every planned network is a VGG, image size where the plan sets its own sizes, else network. */
export function planVariable(plan: ExperimentPlan): PlanVariable {
  if (!plan.sharedResize) return 'image size';
  const planned = plan.runs(plan.budgets.quick.defaults);
  return planned.every((run) => findPreset(run.model).family === 'vgg') ? 'depth' : 'network';
}

function recipeOf(run: AnswerRun): PlanRecipe {
  const c = run.config;
  return { epochs: c.epochs, batchSize: c.batchSize, lr: c.lr, momentum: c.momentum, trainLimit: c.trainLimit ?? null, testLimit: c.testLimit ?? null };
}
const sameRecipe = (a: PlanRecipe, b: PlanRecipe): boolean =>
  (Object.keys(a) as (keyof PlanRecipe)[]).every((key) => a[key] === b[key]);

interface GroupKey {
  key: string;
  label: string;
  model: string;
  resize: number;
  warmStart: boolean;
}
function groupKey(variable: PlanVariable, run: { model: string; resize: number; warmStart: boolean }): GroupKey {
  const { model, resize, warmStart } = run;
  if (variable === 'image size') return { key: `${model}@${resize}`, label: `${resize} px`, model, resize, warmStart };
  return { key: `${model}${warmStart ? '+warm' : ''}`, label: `${networkName(model)}${warmStart ? ' (warm start)' : ''}`, model, resize, warmStart };
}

const finalOf = (run: AnswerRun): number | null => run.summary[EPOCH_METRIC_KEYS.testAcc]?.last.value ?? null;
const bestOf = (run: AnswerRun): number | null => run.summary[EPOCH_METRIC_KEYS.testAcc]?.best?.value ?? null;
const isPending = (run: AnswerRun): boolean => run.status === 'queued' || run.status === 'running';
/** A run whose test accuracy counts: it trained to its end. */
const isFinished = (run: AnswerRun): boolean => run.status === 'completed' && finalOf(run) !== null;
const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;

function answerRow(group: GroupKey, runs: readonly AnswerRun[]): PlanAnswerRow {
  // Per seed one run: the newest finished, else the newest (a re-run replaces, it does not double-count).
  const bySeed = new Map<number, AnswerRun>();
  for (const run of [...runs].sort((a, b) => b.createdAt - a.createdAt)) {
    const held = bySeed.get(run.config.seed);
    if (!held || (!isFinished(held) && isFinished(run))) bySeed.set(run.config.seed, run);
  }
  const counted = [...bySeed.values()];
  const finished = counted.filter(isFinished).sort((a, b) => a.config.seed - b.config.seed);
  const finals = finished.map((run) => finalOf(run)!);
  const bests = finished.map(bestOf).filter((v): v is number => v !== null);
  const seconds = finished.map((run) => secondsPerEpoch(run)).filter((v): v is number => v !== null);
  return {
    label: group.label,
    model: group.model,
    resize: group.resize,
    warmStart: group.warmStart,
    baseline: counted.some((run) => run.baseline),
    runIds: counted.map((run) => run.id),
    seeds: finished.map((run) => run.config.seed),
    pending: counted.filter(isPending).length,
    unfinished: counted.filter((run) => !isPending(run) && !isFinished(run)).length,
    finalTestAcc: mean(finals),
    finalTestAccRange: finals.length ? [Math.min(...finals), Math.max(...finals)] : null,
    bestTestAcc: mean(bests),
    secondsPerEpoch: mean(seconds),
    params: counted.find((run) => run.params !== null)?.params ?? null,
    nearChance: finals.length > 0 && finals.every(isNearChance),
  };
}

/** The plan's answer from its runs (those tagged `plan:ID`, in any order). */
export function planAnswer(plan: ExperimentPlan, runs: readonly AnswerRun[]): PlanAnswer {
  const variable = planVariable(plan);
  const newest = [...runs].sort((a, b) => b.createdAt - a.createdAt)[0];
  const recipe = newest ? recipeOf(newest) : null;
  const answered = recipe ? runs.filter((run) => sameRecipe(recipeOf(run), recipe)) : [];

  // Rows in the plan's own order, then any network the plan no longer lists.
  const order = plan
    .runs(plan.budgets.quick.defaults)
    .map((planned) => groupKey(variable, { ...planned, warmStart: planned.initFrom !== undefined }).key);
  const groups = new Map<string, { group: GroupKey; runs: AnswerRun[] }>();
  for (const run of answered) {
    const group = groupKey(variable, { model: run.config.model, resize: run.config.resize, warmStart: run.config.initFrom !== undefined });
    const entry = groups.get(group.key) ?? { group, runs: [] };
    entry.runs.push(run);
    groups.set(group.key, entry);
  }
  const rank = (key: string): number => (order.includes(key) ? order.indexOf(key) : order.length);
  const rows = [...groups.values()]
    .sort((a, b) => rank(a.group.key) - rank(b.group.key))
    .map(({ group, runs: groupRuns }) => answerRow(group, groupRuns));

  const complete = rows.length > 0 && rows.every((row) => row.finalTestAcc !== null);
  const seedsPerRow = rows.length ? Math.min(...rows.map((row) => row.seeds.length)) : 0;
  return {
    planId: plan.id,
    title: plan.title,
    variable,
    recipe,
    rows,
    complete,
    seedsPerRow,
    otherRecipeRuns: runs.length - answered.length,
    referenceBands: referenceBandsFor(answered.filter(isFinished).map((run) => run.config), 'testAcc'),
    sentence: answerSentence(plan, variable, rows),
  };
}

/** "VGG-11 and AlexNet", "LeNet, VGG-11 and AlexNet". */
function listed(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
const plural = (variable: PlanVariable): string => (variable === 'depth' ? 'depths' : `${variable}s`);

/** The one sentence: the measured answer, or why there is none yet. */
export function answerSentence(plan: Pick<ExperimentPlan, 'title'>, variable: PlanVariable, rows: readonly PlanAnswerRow[]): string {
  if (rows.length === 0) return `No runs of “${plan.title}” yet: queue the plan and its answer appears here.`;
  const done = rows.filter((row) => row.finalTestAcc !== null);
  if (done.length < rows.length) {
    const waiting = rows.filter((row) => row.finalTestAcc === null && row.pending > 0).map((row) => row.label);
    const stopped = rows.filter((row) => row.finalTestAcc === null && row.pending === 0).map((row) => row.label);
    const so = done.length ? ` (${done.map((row) => `${row.label} ${formatAccuracy(row.finalTestAcc)}`).join(', ')})` : '';
    const parts = [
      waiting.length ? `${listed(waiting)} ${waiting.length === 1 ? 'is' : 'are'} still queued or training` : '',
      stopped.length ? `${listed(stopped)} stopped without finishing: queue ${stopped.length === 1 ? 'it' : 'them'} again` : '',
    ].filter(Boolean);
    return `No answer yet: ${done.length} of ${rows.length} ${plural(variable)} finished${so}; ${parts.join('; ')}.`;
  }
  if (rows.length === 1) return `Only ${rows[0]!.label} ran (${formatAccuracy(rows[0]!.finalTestAcc)}): there is nothing to compare it with.`;
  const ranked = [...rows].sort((a, b) => b.finalTestAcc! - a.finalTestAcc!);
  if (ranked.every((row) => row.nearChance)) {
    return `Nothing learned: every ${variable === 'image size' ? 'size' : 'network'} ended near chance (best ${formatAccuracy(ranked[0]!.finalTestAcc)}), so these settings cannot answer the question.`;
  }
  const [winner, second] = ranked as [PlanAnswerRow, PlanAnswerRow, ...PlanAnswerRow[]];
  const a = winner.finalTestAcc!;
  const b = second.finalTestAcc!;
  const gap = a - b;
  const time =
    winner.secondsPerEpoch !== null && second.secondsPerEpoch !== null && second.secondsPerEpoch > 0
      ? ratioText(winner.secondsPerEpoch / second.secondsPerEpoch)
      : null;
  const rest = ranked.slice(2).map((row) => `${row.label} ${formatAccuracy(row.finalTestAcc)}`);
  const then = rest.length ? `; then ${rest.join(', ')}` : '';
  const seeds = Math.min(winner.seeds.length, second.seeds.length);
  const spreadOf = (row: PlanAnswerRow): number => (row.finalTestAccRange ? row.finalTestAccRange[1] - row.finalTestAccRange[0] : 0);
  const spread = Math.max(spreadOf(winner), spreadOf(second));

  // Seeds still training change the answer when they land: say so rather than ask for more.
  const pending = rows.reduce((sum, row) => sum + row.pending, 0);
  const coming = pending ? `; ${pending} more ${pending === 1 ? 'run is' : 'runs are'} queued or training` : '';
  if (seeds >= 2 && gap <= spread) {
    const cost = time ? `; ${winner.label} takes ${time} the time per epoch` : '';
    return `${winner.label} and ${second.label} are level within seed noise: ${formatAccuracy(a)} vs ${formatAccuracy(b)} (means of ${seeds} seeds), a ${points(gap)}-point gap inside a ${points(spread)}-point spread between seeds${cost}${then}${coming}.`;
  }
  const lead = `${winner.label} beat ${second.label} by ${points(gap)} points (${formatAccuracy(a)} vs ${formatAccuracy(b)})${time ? ` at ${time} the time per epoch` : ''}`;
  const noise =
    seeds >= 2
      ? `, beyond the ${points(spread)}-point spread of ${seeds} seeds`
      : pending
        ? ', but with one seed a gap this size cannot be told from seed noise'
        : ', but with one seed a gap this size cannot be told from seed noise: run again with 3 seeds';
  return `${lead}${noise}${then}${coming}.`;
}
