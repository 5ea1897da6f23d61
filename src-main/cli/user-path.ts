import { dirname, resolve } from 'node:path';

/**
 * The folder the user typed the command in. `npm run cli` runs scripts in the
 * package root and records the user's folder in INIT_CWD; anywhere else (the
 * installed bin, a test spawning the CLI elsewhere) the process's own cwd is it.
 * https://docs.npmjs.com/cli/v10/commands/npm-run-script#description
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const runByNpm =
    env.npm_lifecycle_event !== undefined &&
    env.INIT_CWD !== undefined &&
    env.npm_package_json !== undefined &&
    resolve(dirname(env.npm_package_json)) === resolve(cwd);
  return runByNpm ? env.INIT_CWD! : cwd;
}

/** A path from the command line, relative to the user's folder: a commander argument parser. */
export const userPath = (value: string): string => resolve(userCwd(), value);
