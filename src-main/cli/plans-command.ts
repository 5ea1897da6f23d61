import { Command, Option } from 'commander';
import { ENGINE_IDS, type EngineChoice } from '../shared/train/run-config';
import { resolveNetwork } from '../shared/models/presets';
import {
  EXPERIMENT_PLANS,
  PLAN_BUDGETS,
  PLAN_IDS,
  findPlan,
  planRequests,
  type ExperimentPlan,
  type PlanBudget,
  type PlanSettings,
} from '../shared/plans/experiment-plans';
import { formatDuration, type EngineSpeed } from '../shared/plans/plan-estimate';
import { estimatePlan } from '../shared/plans/plan-cost';
import type { TrainingEvent } from '../shared/train/events';
import { bookLine } from '../shared/train/book-line';
import { ensureFashionMnist } from './ensure-dataset';
import { positiveInt } from './option-parsers';
import { userPath } from './user-path';
import { UsageError } from './usage-error';
import { warmStartLines } from './train-command';
import { errorMessage } from '../shared/error-message';
import { epochCount } from '../shared/format';
import { openCliService } from './open-cli-service';
import { registerPlanShow } from './plans-show';
import { queueCaOption } from './queue-commands';

interface ListFlags {
  json?: boolean;
  engine: EngineChoice;
}

interface RunFlags {
  budget: PlanBudget;
  engine?: EngineChoice;
  epochs?: number;
  trainLimit?: number;
  testLimit?: number;
  json?: boolean;
  db?: string;
  checkpoints: 'every' | 'last' | 'none';
  queue?: string;
}

export function registerPlansCommands(program: Command): void {
  const plans = program
    .command('plans')
    .description("The chapter's three exercises and the paper's warm start as queues of runs, each with a quick (CPU) and a book (GPU) budget.")
    .option('--json', 'print JSON: every plan with both budgets, its runs and estimated seconds')
    .addOption(new Option('--engine <engine>', 'engine whose speed the estimates use').choices(['auto', ...ENGINE_IDS]).default('auto'))
    .action(async (flags: ListFlags) => {
      await listPlans(flags);
    });
  plans
    .command('run')
    .description("Queue a plan's runs, recorded and tagged plan:ID as the app's Plans view does, and train them here.")
    .argument('<id>', `plan: ${PLAN_IDS.join(', ')}`)
    .addOption(new Option('--budget <budget>', 'quick fits a 2-core CPU; book is the chapter’s settings, for a GPU').choices([...PLAN_BUDGETS]).default('quick'))
    .addOption(new Option('--engine <engine>', 'TensorFlow.js engine (default: the budget’s)').choices(['auto', ...ENGINE_IDS]))
    .option('--epochs <n>', 'epochs for every run (default: the budget’s)', positiveInt)
    .option('--train-limit <n>', 'train every run on the first N training images (default: the budget’s)', positiveInt)
    .option('--test-limit <n>', 'evaluate every run on the first N test images (default: the budget’s)', positiveInt)
    .option('--json', 'print one JSON object per event: {runId, event}')
    .option('--db <file>', 'record the runs in this database (default: the app’s)', userPath)
    .addOption(
      new Option('--checkpoints <when>', 'save weights after every epoch, the last only, or never (a warm start needs its source’s)')
        .choices(['every', 'last', 'none'])
        .default('last'),
    )
    .option('--queue <url>', "spread the plan's runs over the workers of this Redis queue, recording them here")
    .addOption(queueCaOption())
    .action(async (id: string, flags: RunFlags) => {
      process.exitCode = await runPlan(id, flags);
    });
  registerPlanShow(plans);
}

/** The engine's speed on the quick budgets' VGG-11 (width 1/8, 32 px, batch 64): a few timed steps. */
async function measureSpeed(engine: EngineChoice): Promise<{ speed: EngineSpeed; engineId: string }> {
  const { measureEngineSpeed } = await import('../core/bench/engine-speed');
  return measureEngineSpeed(engine);
}

async function listPlans(flags: ListFlags): Promise<void> {
  const { speed, engineId } = await measureSpeed(flags.engine);
  const plans = EXPERIMENT_PLANS.map((plan) => ({
    id: plan.id,
    title: plan.title,
    question: plan.question,
    budgets: Object.fromEntries(
      PLAN_BUDGETS.map((budget) => {
        const { defaults, note, caveat } = plan.budgets[budget];
        const runs = estimatePlan(plan, defaults, speed);
        return [budget, { settings: defaults, note, ...(caveat ? { caveat } : {}), runs, estimatedSeconds: runs.reduce((sum, r) => sum + r.seconds, 0) }];
      }),
    ),
  }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ engine: engineId, speed, plans }, null, 2)}\n`);
    return;
  }
  const lines = [`Estimated on engine ${engineId} (${Math.round(speed.imagesPerSec)} img/s on VGG-11/8 at 32 px, scaled by MACs):`, ''];
  for (const plan of plans) {
    lines.push(`${plan.id}: ${plan.title}`);
    for (const budget of PLAN_BUDGETS) {
      const row = plan.budgets[budget]!;
      const s = row.settings;
      lines.push(
        `  ${budget}: ${row.runs.length} runs, ${epochCount(s.epochs)}, ${s.trainLimit} images, batch ${s.batchSize}, lr ${s.lr}, momentum ${s.momentum} — about ${formatDuration(row.estimatedSeconds)}`,
      );
      if (row.caveat) lines.push(`    Note: ${row.caveat}`);
      for (const run of row.runs) {
        const warm = run.initFrom !== undefined ? ` (initialised from run ${run.initFrom + 1})` : '';
        lines.push(`    ${run.model} at ${run.resize} px${warm}: ${formatDuration(run.seconds)}`);
      }
    }
    lines.push('');
  }
  lines.push('Run one with `vgg-workbench plans run ID [--budget quick|book]`.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Queues the plan's runs through the service the app uses, prints their epochs, then one line per run. */
async function runPlan(id: string, flags: RunFlags): Promise<number> {
  let plan: ExperimentPlan;
  try {
    plan = findPlan(id);
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const defaults = plan.budgets[flags.budget].defaults;
  const settings: PlanSettings = {
    ...defaults,
    ...(flags.engine ? { engine: flags.engine } : {}),
    ...(flags.epochs ? { epochs: flags.epochs } : {}),
    ...(flags.trainLimit ? { trainLimit: flags.trainLimit } : {}),
    ...(flags.testLimit ? { testLimit: flags.testLimit } : {}),
  };
  if (flags.checkpoints === 'none' && plan.runs(settings).some((run) => run.initFrom !== undefined)) {
    throw new UsageError(`plan ${plan.id} warm-starts runs from an earlier run's checkpoint: use --checkpoints last or every`);
  }
  const json = flags.json === true;
  if (flags.queue !== undefined) {
    const { runPlanOnQueue } = await import('./plan-on-queue');
    const requests = planRequests(plan, settings).map((r) => ({ ...r, tags: [...r.tags, `budget:${flags.budget}`] }));
    return runPlanOnQueue(requests, { queue: flags.queue, db: flags.db, json, printEvent, title: `${plan.id} (${flags.budget})` });
  }
  // Found or fetched here, with progress bars; the service then locates the same folder.
  await ensureFashionMnist(undefined, { quiet: json });
  const service = await openCliService({ db: flags.db, checkpoints: flags.checkpoints });
  const last = new Map<string, { model: string; seconds: number[]; testAcc?: number; status?: string }>();
  const unsubscribe = service.subscribe((message) => {
    if (message.topic !== 'run') return;
    const { runId, event } = message;
    if (json) process.stdout.write(`${JSON.stringify({ runId, event })}\n`);
    else printEvent(runId, event);
    const row = last.get(runId);
    if (!row) return;
    if (event.type === 'epoch') {
      row.seconds.push(event.seconds);
      row.testAcc = event.testAcc;
    }
    if (event.type === 'done') row.status = event.status;
    if (event.type === 'error') row.status = 'failed';
  });
  const onInterrupt = (): void => {
    for (const runId of last.keys()) void service.call('runs.cancel', { runId }).catch(() => undefined);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const requests = planRequests(plan, settings).map((r) => ({ ...r, tags: [...r.tags, `budget:${flags.budget}`] }));
    const { runs } = await service.call('runs.startQueue', { runs: requests });
    for (const run of runs) {
      const network = resolveNetwork(run.config).name;
      last.set(run.id, { model: `${network}, ${run.config.resize} px${run.config.initFrom ? ', warm' : ''}`, seconds: [] });
    }
    if (!json) process.stdout.write(`Queued ${runs.length} runs of ${plan.id} (${flags.budget}), tagged plan:${plan.id}.\n`);
    await service.idle();
    if (!json) {
      process.stdout.write(`\n${'run'.padEnd(8)}  ${'network'.padEnd(40)} sec/epoch  last test acc  status\n`);
      for (const [runId, row] of last) {
        const perEpoch = row.seconds.length > 0 ? (row.seconds.reduce((a, b) => a + b, 0) / row.seconds.length).toFixed(1) : '-';
        process.stdout.write(
          `${runId.slice(0, 8)}  ${row.model.padEnd(40)} ${perEpoch.padStart(9)}  ${(row.testAcc?.toFixed(3) ?? '-').padStart(13)}  ${row.status ?? '?'}\n`,
        );
      }
    }
    return [...last.values()].every((row) => row.status === 'completed') ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
    await service.close();
  }
}

function printEvent(runId: string, event: TrainingEvent): void {
  const id = runId.slice(0, 8);
  switch (event.type) {
    case 'start':
      process.stdout.write(`[${id}] ${event.config.model} on ${event.config.resize} px, engine ${event.engine.id}, ${event.trainSize} train images\n`);
      if (event.warmStart) process.stdout.write(`${warmStartLines(event.warmStart).replace(/^/gm, `[${id}] `)}\n`);
      break;
    case 'epoch':
      process.stdout.write(`[${id}] ${bookLine(event)}\n`);
      break;
    case 'error':
      process.stderr.write(`[${id}] error: ${event.message}\n`);
      break;
    default:
      break;
  }
}
