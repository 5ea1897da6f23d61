#!/usr/bin/env node
/**
 * vgg-workbench: the command-line shell around the core. Every command is a
 * thin adapter: parse flags, call the core, print for people or as JSON.
 */
import { Command, CommanderError } from 'commander';
import { registerTrainCommand } from './train-command';
import { registerModelsCommand } from './models-command';
import { registerEnginesCommand } from './engines-command';
import { registerDataCommands } from './data-command';
import { registerRunsCommands } from './runs-command';
import { registerEvaluateCommand } from './evaluate-command';
import { registerServeCommand } from './serve-command';
import { registerPlansCommands } from './plans-command';
import { registerQueueCommands, registerRunsSync, useQueueCaFlag } from './queue-commands';
import { messageWithFlags } from './flag-advice';
import { UsageError } from './usage-error';
import { errorMessage } from '../shared/error-message';
import { terminalSafe } from './terminal-safe';
import { exitAfterDrain, exitQuietlyOnBrokenPipe } from './exit-after-drain';
import { redactUrls } from '../shared/redact-urls';

/** Usage errors (bad flags, unknown commands) exit with 2, as Unix tools do. */
export const USAGE_ERROR = 2;

export function buildProgram(): Command {
  const program = new Command('vgg-workbench')
    .description('Train and compare VGG, LeNet and AlexNet on Fashion-MNIST.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerTrainCommand(program);
  registerModelsCommand(program);
  registerEnginesCommand(program);
  registerDataCommands(program);
  registerRunsSync(registerRunsCommands(program));
  registerEvaluateCommand(program);
  registerServeCommand(program);
  registerPlansCommands(program);
  registerQueueCommands(program);
  // Subcommands do not inherit exitOverride; without it commander exits 1 itself on a bad flag.
  const overrideAll = (command: Command): void => {
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
    command.commands.forEach(overrideAll);
  };
  // --queue-ca FILE reaches every parse of a queue URL in this process (queue-tls.ts).
  program.hook('preAction', (_, action) => useQueueCaFlag(action.opts()));
  overrideAll(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" in commander's flow but succeed for the user.
      return error.exitCode === 0 ? 0 : USAGE_ERROR;
    }
    // Messages may echo input (a run's name, a path, a flag's value): escaped, never obeyed by the terminal.
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${terminalSafe(redactUrls(error.message))}\n`);
      return USAGE_ERROR;
    }
    // A library's message may echo a URL with its password (`http://:secret@…`): never printed whole.
    process.stderr.write(`error: ${terminalSafe(redactUrls(error instanceof Error ? messageWithFlags(error) : errorMessage(error)))}\n`);
    return 1;
  }
}

// Run as a script from source (npm run cli); the bundle runs vgg-workbench.entry.ts instead.
if (process.argv[1]?.endsWith('cli/main.ts')) {
  exitQuietlyOnBrokenPipe();
  main(process.argv.slice(2)).then(exitAfterDrain);
}
