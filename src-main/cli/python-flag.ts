import type { Command } from 'commander';
import { PYTHON_ENV } from '../core/engine/pytorch/find-python';
import { userPath } from './user-path';

/**
 * `--python PATH`: the Python the pytorch engine trains with. Which Python
 * runs is a property of the machine that trains, not of the run, so it is not
 * a config field: the flag sets VGG_WORKBENCH_PYTHON for this process, which
 * the training worker and the engine probe inherit (a queue worker uses its own).
 */
export function addPythonFlag(command: Command): Command {
  return command
    .option('--python <path>', `the Python (with torch) the pytorch engine uses (default: ${PYTHON_ENV}, else python3/python on PATH, then /usr/bin/python3)`, userPath)
    .hook('preAction', (thisCommand) => {
      const path = thisCommand.opts<{ python?: string }>().python;
      if (path !== undefined) process.env[PYTHON_ENV] = path;
    });
}
