import { Command, InvalidArgumentError, Option } from 'commander';
import { FASHION_MNIST_SPLIT_SIZES } from '../shared/data/fashion-mnist-facts';
import { defaultDatabasePath } from '../core/paths';
import { requireExistingDatabase } from './existing-database';
import { ENGINE_IDS, type EngineChoice } from '../shared/train/run-config';
import { FASHION_MNIST_CLASSES, loadFashionMnistSplit } from '../core/data/fashion-mnist';
import { openRunStore } from './runs-command';
import { ensureFashionMnist } from './ensure-dataset';
import { positiveInt } from './option-parsers';
import { userPath } from './user-path';
import { UsageError } from './usage-error';
import { terminalSafe } from './terminal-safe';

interface EvaluateFlags {
  db?: string;
  engine: EngineChoice;
  testLimit?: number;
  data?: string;
  json?: boolean;
}

/** Up to the test set's size: a larger limit would silently mean all of it. */
function testLimit(value: string): number {
  const n = positiveInt(value);
  const size = FASHION_MNIST_SPLIT_SIZES.test;
  if (n > size) throw new InvalidArgumentError(`the test set has ${size.toLocaleString('en-US')} images: pass ${size} or fewer (or leave it out for all of them).`);
  return n;
}

export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description("Evaluate a run's last checkpoint on the test set: accuracy, per-class accuracy, confusion matrix.")
    .argument('<run>', 'run id (or a unique prefix)')
    .option('--db <file>', 'the run database (default: the app’s)', userPath)
    .addOption(new Option('--engine <engine>', 'engine to evaluate on').choices(['auto', ...ENGINE_IDS]).default('auto'))
    .option('--test-limit <n>', 'evaluate on the first N test images (default: all 10,000)', testLimit)
    .option('--data <dir>', 'folder holding the Fashion-MNIST IDX files', userPath)
    .option('--json', 'print JSON')
    .action(async (runArg: string, flags: EvaluateFlags) => {
      requireExistingDatabase(flags.db ?? defaultDatabasePath());
      const store = openRunStore(flags.db);
      let target;
      try {
        const id = store.resolveRunId(runArg);
        const run = store.requireRun(id);
        // Only a file in the store's own folder, of the recorded size and hash, is loaded.
        const { checkpoint, skipped } = await store.intactCheckpoint(id);
        for (const { epoch, reason } of skipped) process.stderr.write(`warning: skipping the checkpoint of epoch ${epoch}: ${reason}\n`);
        if (!checkpoint) {
          throw new UsageError(
            `run ${id} has no ${skipped.length > 0 ? 'intact ' : ''}checkpoint to evaluate (runs record one at the end of each epoch; this one finished none, or was imported without weights).`,
          );
        }
        target = { run, checkpoint };
      } finally {
        store.close();
      }
      const { run, checkpoint } = target;
      const dataDir = await ensureFashionMnist(flags.data, { quiet: flags.json === true });
      const [{ selectEngine }, { evaluateCheckpoint, perClassAccuracy }] = await Promise.all([
        import('../core/engine/engines'),
        import('../core/train/evaluate-checkpoint'),
      ]);
      const engine = await selectEngine(flags.engine);
      const test = await loadFashionMnistSplit(dataDir, 'test');
      const result = await evaluateCheckpoint(run.config, checkpoint, test, { limit: flags.testLimit });
      const perClass = perClassAccuracy(result.confusion);
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ runId: run.id, epoch: checkpoint.epoch, engine: engine.id, accuracy: result.accuracy, count: result.count, classes: FASHION_MNIST_CLASSES, perClassAccuracy: perClass, confusion: result.confusion })}\n`,
        );
        return;
      }
      const out: string[] = [
        `Run ${run.id} (${terminalSafe(run.name, { oneLine: true })}), checkpoint of epoch ${checkpoint.epoch}, ${result.count} test images, engine ${engine.id}`,
        `Test accuracy: ${result.accuracy.toFixed(4)}`,
        '',
        'Class          Accuracy',
        ...FASHION_MNIST_CLASSES.map((name, i) => `${name.padEnd(14)} ${perClass[i]!.toFixed(3)}`),
        '',
        'Confusion (rows: true class, columns: predicted)',
        `${''.padEnd(14)} ${FASHION_MNIST_CLASSES.map((_, i) => String(i).padStart(5)).join('')}`,
        ...result.confusion.map((row, i) => `${`${i} ${FASHION_MNIST_CLASSES[i]}`.padEnd(14)} ${row.map((n) => String(n).padStart(5)).join('')}`),
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
