#!/usr/bin/env node
/**
 * `agreement`: does the GPU engine compute what the CPU computes? A few SGD
 * steps of LeNet and a VGG block on real Fashion-MNIST images, webgpu against
 * tfjs's cpu on the same batches; one JSON line per network, then a summary
 * line whose `lossDiff` is the largest of theirs. Exit 0 when it is within
 * the tolerance, 1 when not, 2 for a bad flag. The device kit's step 2.
 */
import { Command, CommanderError, Option } from 'commander';
import { selectEngine } from '../core/engine/engines';
import { loadFashionMnistSplit, SYSTEM_FASHION_MNIST_DIR } from '../core/data/fashion-mnist';
import { AGREEMENT_TOLERANCE, checkAgreement } from '../core/bench/engine-agreement';
import { ENGINE_IDS, type EngineChoice } from '../shared/train/run-config';
import { positiveInt } from './option-parsers';
import { errorMessage } from '../shared/error-message';
import { exitAfterDrain } from './exit-after-drain';

const USAGE_ERROR = 2;

interface AgreementFlags {
  engine: EngineChoice;
  data: string;
  steps: number;
  batch: number;
  seed: number;
}

function buildProgram(run: (flags: AgreementFlags) => Promise<number>): Command {
  return new Command('agreement')
    .description('Train LeNet and a VGG block for a few steps on an engine and on cpu, and compare their losses.')
    .addOption(new Option('--engine <engine>', 'the engine under test').choices(ENGINE_IDS.filter((id) => id !== 'cpu')).default('webgpu'))
    .option('--data <dir>', 'a folder with the Fashion-MNIST test set (t10k-*-ubyte[.gz])', SYSTEM_FASHION_MNIST_DIR)
    .option('--steps <n>', 'SGD steps per network', positiveInt, 3)
    .option('--batch <n>', 'images per step', positiveInt, 32)
    .option('--seed <n>', 'seeds the weights and picks the images', positiveInt, 1)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .action(async (flags: AgreementFlags) => {
      process.exitCode = await run(flags);
    });
}

async function runAgreement(flags: AgreementFlags): Promise<number> {
  const split = await loadFashionMnistSplit(flags.data, 'test');
  const engine = await selectEngine(flags.engine);
  await selectEngine('cpu');
  const results = await checkAgreement(split, { backend: engine.backend, steps: flags.steps, batchSize: flags.batch, seed: flags.seed });
  for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
  const lossDiff = Math.max(...results.map((r) => r.lossDiff));
  const ok = results.every((r) => r.ok);
  const summary = {
    check: 'agreement-summary',
    engine: engine.id,
    engineDetail: engine.detail ?? null,
    reference: 'cpu',
    networks: results.map((r) => r.network),
    lossDiff,
    weightDiff: Math.max(...results.map((r) => r.weightDiff)),
    tolerance: AGREEMENT_TOLERANCE,
    ok,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return ok ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram(runAgreement).parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    process.stderr.write(`error: ${errorMessage(error)}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli/agreement.ts')) {
  main(process.argv.slice(2)).then(exitAfterDrain);
}
