import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ApiError } from '../api/api-error';
import { followRun } from '../api/follow-run';
import type { RunRecord } from '../shared/runs/run-entities';
import { PLACEMENT_FIELDS, type PlacementField, type RunConfig } from '../shared/train/run-config';
import type { ApiRequest } from '../api/methods';
import type { StartEvent, TrainingEvent } from '../shared/train/events';
import type { ExperimentService } from '../service/experiment-service';
import { ensureFashionMnist } from './ensure-dataset';
import { bookLine } from '../shared/train/book-line';
import { userPath } from './user-path';
import { messageWithFlags } from './flag-advice';
import { UsageError } from './usage-error';
import { errorMessage } from '../shared/error-message';
import { epochCount } from '../shared/format';
import { openCliService } from './open-cli-service';
import { runIdOrPrefix } from './option-parsers';
import { terminalSafe } from './terminal-safe';
import { requireExistingDatabase } from './existing-database';
import { defaultDatabasePath } from '../core/paths';
import { addRunFlags, givenRunFields, refusalAsUsage, runRequestFromFlags } from './run-flags';
import { flagForField } from './run-flag-table';
import { MEMORY_LIMIT_ENV } from '../core/engine/memory-limit';
import { prepareRun } from '../service/prepare-run';
import type { PreparedRun } from '../shared/train/prepared-run';
import { addPythonFlag } from './python-flag';
import { checkpointTransferMaxOption, queueCaOption } from './queue-commands';

/** The run flags `--resume` takes: how long the run trains, and where (`runs.resume`'s fields). */
const RESUME_FLAG_FIELDS: readonly string[] = ['epochs', ...PLACEMENT_FIELDS];

interface TrainFlags {
  data?: string;
  json?: boolean;
  db?: string;
  resume?: string;
  checkpoints: 'every' | 'last' | 'none';
  memoryLimit?: string;
  queue?: string;
  checkpointTransferMax: number;
}

export function registerTrainCommand(program: Command): void {
  const train = program
    .command('train')
    .description("Train a network on Fashion-MNIST, printing the book's line after each epoch.");
  addRunFlags(train)
    .option('--data <dir>', 'folder holding the four Fashion-MNIST IDX files (.gz or not)', userPath)
    .option('--json', 'print one JSON object per event instead of progress bars')
    .option('--db <file>', 'record the run in this database (default: the app’s, shared with the desktop app)', userPath)
    .option('--resume <run>', 'continue a stopped run from its newest intact checkpoint (add --epochs to train it longer)', runIdOrPrefix)
    .addOption(
      new Option('--checkpoints <when>', 'save weights after every epoch (resumable), the last only, or never')
        .choices(['every', 'last', 'none'])
        .default('every'),
    )
    .option('--memory-limit <size>', `memory the run may plan for, like 6GB or 60% (default: ${MEMORY_LIMIT_ENV}, else 70% of RAM)`)
    .option('--queue <url>', 'train on a worker of this Redis queue (redis://[:password@]HOST:PORT[/DB]), recording here')
    .addOption(queueCaOption())
    .addOption(checkpointTransferMaxOption('with --queue: larger checkpoints from the worker are not taken'));
  addPythonFlag(train)
    .action(async (flags: TrainFlags, command: Command) => {
      process.exitCode = await runTrain(flags, command);
    });
}

/**
 * Trains through the same ExperimentService the desktop app uses, so the run
 * is recorded (config, engine, every metric, checkpoints, confusion matrix) in
 * the shared database and shows up in the app's run list. The flags become an
 * API request as they are; the service alone checks it, and its refusal is
 * told back in flags.
 */
async function runTrain(flags: TrainFlags, command: Command): Promise<number> {
  const json = flags.json === true;
  if (flags.resume) {
    // With --resume the run's recorded network and recipe stand; --epochs extends it, and the flags of where it trains may move it.
    const clashing = givenRunFields(command).filter((field) => !RESUME_FLAG_FIELDS.includes(field));
    if (clashing.length > 0) {
      throw new UsageError(
        `--resume continues a recorded run with its own settings; drop ${clashing.map((f) => flagForField(`config.${f}`)).join(', ')} ` +
          `(only ${RESUME_FLAG_FIELDS.map((f) => flagForField(`config.${f}`)).join(', ')} may change: how long and where it trains).`,
      );
    }
  }
  // A resume reads a recorded run: a mistyped --db must not create an empty database to look in.
  if (flags.resume !== undefined) requireExistingDatabase(flags.db ?? defaultDatabasePath());
  if (flags.queue !== undefined) {
    if (flags.resume !== undefined) throw new UsageError('--queue trains a new run; --resume continues one on this machine');
    if (flags.memoryLimit !== undefined) {
      throw new UsageError(`--memory-limit plans this machine's memory; a queue worker plans for its own (set ${MEMORY_LIMIT_ENV} where it runs)`);
    }
    let run: PreparedRun;
    try {
      run = prepareRun({ config: runRequestFromFlags(command) });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid-request') throw refusalAsUsage(error);
      throw error;
    }
    const { config } = run;
    const { trainOnQueue } = await import('./train-on-queue');
    return trainOnQueue(run, { queue: flags.queue, db: flags.db, checkpointTransferMaxBytes: flags.checkpointTransferMax, view: (runId) => (json ? jsonView() : humanView(config, runId, false)) });
  }
  const service = await openCliService({ db: flags.db, checkpoints: flags.checkpoints });
  let runId: string | undefined;
  const onInterrupt = (): void => {
    if (runId) void service.call('runs.cancel', { runId }).catch(() => undefined);
  };
  process.once('SIGINT', onInterrupt);
  let unsubscribe = (): void => undefined;
  try {
    const started = await withDataset(service, () => startRun(service, flags, command), { named: flags.data !== undefined, json });
    const { run } = started;
    if ('notice' in started && started.notice) process.stderr.write(`note: ${terminalSafe(String(started.notice))}\n`);
    runId = run.id;
    const view = json ? jsonView() : humanView(run.config, run.id, flags.resume !== undefined);
    let finish: (code: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (finish = resolve));
    unsubscribe = await followRun(service, run.id, (event) => {
      view(event);
      if (event.type === 'done') finish(event.status === 'completed' ? 0 : 130);
      if (event.type === 'error') finish(1);
    });
    return await finished;
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
    await service.close();
  }
}

/** The start or resume request; a refusal of it comes back naming the flag. */
async function startRun(
  service: ExperimentService,
  flags: TrainFlags,
  command: Command,
): Promise<{ run: RunRecord; notice?: string }> {
  // A field of the request, checked by the service with the rest (prepare-run.ts) and handed to the worker.
  const memoryLimit = flags.memoryLimit === undefined ? {} : { memoryLimit: flags.memoryLimit };
  try {
    if (flags.resume) {
      // Only what was typed: a flag left out keeps the run's own setting.
      const given = runRequestFromFlags(command);
      // The flags left after the clash check above: epochs and the placement fields, each as the service's schema checks it.
      const changes = Object.fromEntries(givenRunFields(command).map((field) => [field, given[field]])) as Pick<ApiRequest<'runs.resume'>, 'epochs' | PlacementField>;
      return await service.call('runs.resume', {
        runId: service.store.resolveRunId(flags.resume),
        ...changes,
        ...(flags.data !== undefined ? { dataDir: flags.data } : {}),
        ...memoryLimit,
      });
    }
    const config = runRequestFromFlags(command);
    if (config.initFrom !== undefined) config.initFrom = resolveInitFrom(service.store, config.initFrom);
    return await service.call('runs.start', { config, ...(flags.data !== undefined ? { dataDir: flags.data } : {}), ...memoryLimit });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'invalid-request') throw error;
    const worded = refusalAsUsage(error);
    // A resume is refused for the recorded run's sake (nothing left to train), not for a mistyped flag: status 1.
    const flagAtFault = error.field === 'memoryLimit' || PLACEMENT_FIELDS.some((field) => field === error.field);
    throw flags.resume && !flagAtFault ? new Error(worded.message) : worded;
  }
}

/**
 * Asks the service; when it refuses because Fashion-MNIST is not here,
 * downloads it into the app's data folder (with progress bars) and asks once
 * more. A bad flag is refused before anything is downloaded.
 */
async function withDataset<T>(
  service: ExperimentService,
  ask: () => Promise<T>,
  { named, json }: { named: boolean; json: boolean },
): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (named || !(error instanceof ApiError) || error.code !== 'unavailable') throw error;
    const { location } = await service.call('dataset.status', {});
    if (location.kind !== 'needs-download') throw error;
    await ensureFashionMnist(undefined, { quiet: json });
    return ask();
  }
}

/** A run id or its unique prefix, as `runs show` takes it; the error names the flag. */
function resolveInitFrom(store: { resolveRunId(idOrPrefix: string): string }, run: string): string {
  try {
    return store.resolveRunId(run);
  } catch (error) {
    throw new UsageError(`--init-from: ${errorMessage(error)}`);
  }
}

type View = (event: TrainingEvent) => void;

function jsonView(): View {
  return (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** A progress bar per epoch on stderr, the book's line on stdout after each. */
function humanView(config: RunConfig, runId: string, resumed: boolean): View {
  let bar: SingleBar | undefined;
  let stepsPerEpoch = 0;
  const interactive = process.stderr.isTTY === true;
  const stopBar = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return (event) => {
    switch (event.type) {
      case 'start': {
        const { engine } = event;
        stepsPerEpoch = event.stepsPerEpoch;
        process.stdout.write(
          `${resumed ? `Resuming run ${runId} at epoch ${event.firstEpoch}: ` : `Run ${runId}: training `}${config.model} (${event.params.toLocaleString('en-US')} params, ` +
            `${(event.macs / 1e6).toFixed(1)} M MACs/image) on ${config.resize}×${config.resize} images, ` +
            `${event.trainSize} train / ${event.testSize} test, batch ${config.batchSize}, lr ${config.lr}, ` +
            `engine ${engine.id}${engine.detail ? ` (${briefDetail(engine.detail)})` : ''}\n`,
        );
        if (event.warmStart) process.stdout.write(`${warmStartLines(event.warmStart)}\n`);
        break;
      }
      case 'batch':
        if (!interactive) break;
        if (!bar) {
          bar = new SingleBar(
            {
              format: `Epoch ${event.epoch} |{bar}| {value}/{total} batches | loss {loss} | {rate} img/s | ETA {eta_formatted}`,
              stream: process.stderr,
              hideCursor: true,
              clearOnComplete: true,
            },
            Presets.shades_classic,
          );
          bar.start(stepsPerEpoch, 0, { loss: '-', rate: '-' });
        }
        bar.update(event.batch + 1, { loss: event.loss.toFixed(3), rate: Math.round(event.imagesPerSec) });
        break;
      case 'epoch':
        stopBar();
        process.stdout.write(`${bookLine(event)}\n`);
        break;
      case 'done':
        stopBar();
        if (event.status === 'cancelled') process.stdout.write(`Cancelled after ${epochCount(event.epochs)}.\n`);
        break;
      case 'error':
        stopBar();
        process.stderr.write(`error: ${terminalSafe(messageWithFlags(event))}\n`);
        break;
    }
  };
}

/** Which layers a warm start copied and which start fresh: what the paper's initialisation did. */
export function warmStartLines(warm: NonNullable<StartEvent['warmStart']>): string {
  const list = (names: string[]): string => (names.length > 0 ? names.join(', ') : 'none');
  return (
    `Initialised from run ${warm.fromRun} (its epoch ${warm.epoch} checkpoint):\n` +
    `  copied ${warm.copied.length}: ${list(warm.copied)}\n` +
    `  fresh ${warm.fresh.length}: ${list(warm.fresh)}`
  );
}

/** Auto-selection lists every engine it skipped and why; one line of a progress view names the command that says it all. */
function briefDetail(detail: string): string {
  const skipped = detail.indexOf('; skipped ');
  return skipped < 0 ? detail : `${detail.slice(0, skipped)}; faster engines unavailable: see \`vgg-workbench engines\``;
}
