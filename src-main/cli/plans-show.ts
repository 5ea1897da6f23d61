import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { defaultDatabasePath } from '../core/paths';
import { RunStore } from '../core/store/run-store';
import { findPlan, PLAN_IDS } from '../shared/plans/experiment-plans';
import { planAnswer, type PlanAnswer } from '../shared/plans/plan-answer';
import { answerColumns } from '../shared/plans/plan-answer-table';
import { errorMessage } from '../shared/error-message';
import { countOf } from '../shared/format';
import { alignColumns } from './text-table';
import { terminalSafe, terminalSafeJson } from './terminal-safe';
import { UsageError } from './usage-error';
import { userPath } from './user-path';

interface ShowFlags {
  json?: boolean;
  db?: string;
}

/** `plans show ID`: the plan's answer from its recorded runs, the table and sentence of the Plans view. */
export function registerPlanShow(plans: Command, write: (text: string) => void = (text) => process.stdout.write(text)): void {
  plans
    .command('show')
    .description("A plan's measured answer: each network (depth, image size) against test accuracy and time, and one sentence.")
    .argument('<id>', `plan: ${PLAN_IDS.join(', ')}`)
    .option('--json', 'print the answer as JSON: its rows, recipe, reference bands and sentence')
    .option('--db <file>', 'read the runs from this database (default: the app’s)', userPath)
    .action((id: string, _flags: ShowFlags, command: Command) => {
      // `plans` itself takes --json, and commander gives it to the parent when both do: read both.
      write(showPlan(id, command.optsWithGlobals<ShowFlags>()));
    });
}

function showPlan(id: string, flags: ShowFlags): string {
  let plan;
  try {
    plan = findPlan(id);
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const path = flags.db ?? defaultDatabasePath();
  // A read-only look creates nothing: a missing database is a plan with no runs yet.
  const runs = existsSync(path) ? readPlanRuns(path, plan.id) : [];
  const answer = planAnswer(plan, runs);
  return flags.json ? `${terminalSafeJson(JSON.stringify(answer, null, 2))}\n` : answerText(answer);
}

function readPlanRuns(path: string, planId: string) {
  const store = RunStore.open(path);
  try {
    return store.listRuns({ tag: `plan:${planId}` });
  } finally {
    store.close();
  }
}

function answerText(answer: PlanAnswer): string {
  const lines = [`${answer.planId}: ${answer.title}`];
  if (answer.rows.length > 0) {
    const columns = answerColumns(answer);
    const table = alignColumns(
      [columns.map((c) => c.heading), ...answer.rows.map((row) => columns.map((c) => c.cell(row)))],
      columns.map((c) => c.numeric),
    );
    lines.push('', ...table);
  }
  for (const band of answer.referenceBands) {
    lines.push(`Literature: ${band.recipe}: test accuracy ${band.low === band.high ? band.low : `${band.low}–${band.high}`} (${band.source}).`);
  }
  const other = answer.otherRecipeRuns;
  if (other > 0) lines.push(`${countOf(other, 'earlier run')} of this plan with other settings ${other === 1 ? 'is' : 'are'} left out.`);
  lines.push('', terminalSafe(answer.sentence));
  return `${lines.join('\n')}\n`;
}
