import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ENGINE_IDS, type RunConfig } from '../shared/train/run-config';
import { makeRunConfig, RunConfigError, type RunConfigRequest } from '../core/train/make-run-config';
import type { StartEvent, TrainingEvent } from '../shared/train/events';
import { resolveNetwork, PRESET_IDS } from '../shared/models/presets';
import { parseArch } from '../shared/models/parse-arch';
import { summarizeNetwork } from '../shared/models/summary';
import { ensureFashionMnist } from './ensure-dataset';
import { bookLine } from '../shared/train/book-line';
import { nonNegativeInt, positiveFloat, positiveInt, unitFloat } from './option-parsers';
import { userPath } from './user-path';
import { messageWithFlags } from './flag-advice';
import { UsageError } from './usage-error';
import { errorMessage } from '../shared/error-message';
import { openCliService } from './open-cli-service';

interface TrainFlags {
  model: string;
  arch?: string;
  widthRatio?: number;
  dense?: number;
  resize?: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  momentum?: number;
  seed?: number;
  trainLimit?: number;
  testLimit?: number;
  engine: RunConfig['engine'];
  threads?: number;
  data?: string;
  name?: string;
  json?: boolean;
  db?: string;
  resume?: string;
  initFrom?: string;
  checkpoints: 'every' | 'last' | 'none';
  queue?: string;
}

/** Config fields as the flags that set them, so errors name what the user typed. */
const FLAG_FOR_FIELD: Record<string, string> = {
  blocks: '--arch',
  widthRatio: '--width-ratio',
  denseUnits: '--dense',
  resize: '--resize',
  epochs: '--epochs',
  batchSize: '--batch',
  lr: '--lr',
  momentum: '--momentum',
  seed: '--seed',
  trainLimit: '--train-limit',
  testLimit: '--test-limit',
  engine: '--engine',
  threads: '--threads',
  model: '--model',
};

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description("Train a network on Fashion-MNIST, printing the book's line after each epoch.")
    .option('--model <name>', `network preset: ${PRESET_IDS.join(', ')}`, 'vgg11')
    .option('--arch <blocks>', 'VGG blocks as CONVSxCHANNELS, e.g. 1x64,1x128,2x256,2x512,2x512')
    .option('--width-ratio <n>', "divide every VGG block's channels by n (the book's ratio)", positiveInt)
    .option('--dense <units>', 'width of the two hidden dense layers of a VGG (paper: 4096)', positiveInt)
    .option('--resize <side>', 'image side the 28×28 images are resized to (28, 32, 64, 96, 128, 224)', positiveInt)
    .option('--epochs <n>', 'epochs to train', positiveInt)
    .option('--batch <n>', 'batch size', positiveInt)
    .option('--lr <rate>', 'SGD learning rate', positiveFloat)
    .option('--momentum <m>', 'SGD momentum (0 = plain SGD)', unitFloat)
    .option('--seed <n>', 'random seed for initialisation, shuffling and dropout', nonNegativeInt)
    .option('--train-limit <n>', 'train on the first N training images (file order)', positiveInt)
    .option('--test-limit <n>', 'evaluate on the first N test images', positiveInt)
    .addOption(new Option('--engine <engine>', 'TensorFlow.js engine').choices(['auto', ...ENGINE_IDS]).default('auto'))
    .option('--threads <n>', 'CPU threads the wasm engine trains on (default: every core; the results do not change)', positiveInt)
    .option('--data <dir>', 'folder holding the four Fashion-MNIST IDX files (.gz or not)', userPath)
    .option('--name <text>', 'a name for the run')
    .option('--json', 'print one JSON object per event instead of progress bars')
    .option('--db <file>', 'record the run in this database (default: the app’s, shared with the desktop app)', userPath)
    .option('--resume <run>', 'continue a stopped run from its newest intact checkpoint (add --epochs to train it longer)')
    .option('--init-from <run>', "the paper's warm start: copy every layer of matching name and shape from that run's newest checkpoint")
    .addOption(
      new Option('--checkpoints <when>', 'save weights after every epoch (resumable), the last only, or never')
        .choices(['every', 'last', 'none'])
        .default('every'),
    )
    .option('--queue <url>', 'train on a worker of this Redis queue (redis://[:password@]HOST:PORT[/DB]), recording here')
    .action(async (flags: TrainFlags, command: Command) => {
      process.exitCode = await runTrain(flags, command.getOptionValueSource('model') === 'cli');
    });
}

function configFromFlags(flags: TrainFlags): RunConfig {
  let blocks;
  try {
    blocks = flags.arch === undefined ? undefined : parseArch(flags.arch);
  } catch (error) {
    throw new UsageError(`--arch: ${(error as Error).message}`);
  }
  const request: RunConfigRequest = {
    model: flags.model,
    name: flags.name,
    blocks,
    widthRatio: flags.widthRatio,
    denseUnits: flags.dense,
    resize: flags.resize,
    epochs: flags.epochs,
    batchSize: flags.batch,
    lr: flags.lr,
    momentum: flags.momentum,
    seed: flags.seed,
    trainLimit: flags.trainLimit,
    testLimit: flags.testLimit,
    engine: flags.engine,
    threads: flags.threads,
    dataDir: flags.data,
  };
  try {
    const config = makeRunConfig(request, (field) => FLAG_FOR_FIELD[field] ?? field);
    // Refuse impossible networks (VGG's five pools on 28×28) before any work starts.
    const network = resolveNetwork(config);
    summarizeNetwork(network.layers, [config.resize, config.resize, 1], { name: network.name });
    return config;
  } catch (error) {
    if (error instanceof RunConfigError || error instanceof Error) throw new UsageError(messageWithFlags(error));
    throw error;
  }
}

/** Flags that define a new run; with --resume the run's recorded config stands instead. */
const NEW_RUN_ONLY: (keyof TrainFlags)[] = [
  'arch', 'widthRatio', 'dense', 'resize', 'batch', 'lr', 'momentum', 'seed', 'trainLimit', 'testLimit', 'data', 'name', 'initFrom', 'threads',
];

/**
 * Trains through the same ExperimentService the desktop app uses, so the run
 * is recorded (config, engine, every metric, checkpoints, confusion matrix) in
 * the shared database and shows up in the app's run list.
 */
async function runTrain(flags: TrainFlags, modelGiven: boolean): Promise<number> {
  const json = flags.json === true;
  let config: RunConfig | undefined;
  if (flags.resume) {
    const clashing = NEW_RUN_ONLY.filter((key) => flags[key] !== undefined);
    if (modelGiven) clashing.unshift('model');
    if (clashing.length > 0) {
      throw new UsageError(
        `--resume continues a recorded run with its own settings; drop ${clashing.map(flagName).join(', ')} (only --epochs may extend it).`,
      );
    }
  } else {
    config = configFromFlags(flags);
  }
  if (flags.queue !== undefined) {
    if (!config) throw new UsageError('--queue trains a new run; --resume continues one on this machine');
    const { trainOnQueue } = await import('./train-on-queue');
    return trainOnQueue(config, { queue: flags.queue, db: flags.db, view: (runId) => (json ? jsonView() : humanView(config!, runId, false)) });
  }
  const dataDir = await ensureFashionMnist(config?.dataDir, { quiet: json });
  const service = await openCliService({ db: flags.db, checkpoints: flags.checkpoints });
  // Subscribe before starting: events are buffered until the run's id is known.
  let runId: string | undefined;
  const early: { runId: string; event: TrainingEvent }[] = [];
  let view: View | undefined;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const deliver = (event: TrainingEvent): void => {
    view?.(event);
    if (event.type === 'done') finish(event.status === 'completed' ? 0 : 130);
    if (event.type === 'error') finish(1);
  };
  const unsubscribe = service.subscribe((message) => {
    if (message.topic !== 'run') return;
    if (runId === undefined) early.push(message);
    else if (message.runId === runId) deliver(message.event);
  });
  const onInterrupt = (): void => {
    if (runId) void service.call('runs.cancel', { runId }).catch(() => undefined);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const started = flags.resume
      ? await service.call('runs.resume', { runId: service.store.resolveRunId(flags.resume), epochs: flags.epochs })
      : await service.call('runs.start', {
          config: { ...config!, dataDir, ...(flags.initFrom ? { initFrom: resolveInitFrom(service.store, flags.initFrom) } : {}) },
        });
    const { run } = started;
    if ('notice' in started && started.notice) process.stderr.write(`note: ${started.notice}\n`);
    runId = run.id;
    view = json ? jsonView() : humanView(run.config, run.id, flags.resume !== undefined);
    for (const message of early.splice(0)) if (message.runId === runId) deliver(message.event);
    return await finished;
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
    await service.close();
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

const flagName = (key: keyof TrainFlags): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

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
        if (event.status === 'cancelled') process.stdout.write(`Cancelled after ${event.epochs} epoch(s).\n`);
        break;
      case 'error':
        stopBar();
        process.stderr.write(`error: ${messageWithFlags(event)}\n`);
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
