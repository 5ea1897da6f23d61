import { fork } from 'node:child_process';
import type { AskedChild } from './ask-child';

export interface ForkChildOptions {
  /** Defaults to this process's runtime; the desktop app passes Electron's with ELECTRON_RUN_AS_NODE. */
  execPath?: string;
  /** Defaults to childExecArgv(). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Node flags to hand a child: the loader ones (tsx's, when running from
 * source) but not the test runner's or the inspector's, which would make the
 * child run tests or fight over a debug port.
 */
export function childExecArgv(argv: readonly string[] = process.execArgv): string[] {
  return argv.filter((arg) => !/^--(test|inspect|watch)/.test(arg));
}

/**
 * askChild's adapter for Node's `fork`: stdout dropped (tfjs prints its
 * "install tfjs-node" banner there), stderr kept for the error, JSON over IPC.
 */
export function forkChild(modulePath: string, args: readonly string[] = [], options: ForkChildOptions = {}): AskedChild {
  const child = fork(modulePath, [...args], {
    ...(options.execPath === undefined ? {} : { execPath: options.execPath }),
    execArgv: options.execArgv ?? childExecArgv(),
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  return {
    onMessage: (listener) => void child.on('message', (message: unknown) => listener(message)),
    onExit: (listener) =>
      void child.on('exit', (code, signal) => listener(signal ? `was killed by ${signal}` : `exited with code ${code}`)),
    onError: (listener) => void child.on('error', listener),
    onStderr: (listener) => void child.stderr?.setEncoding('utf8').on('data', (text: string) => listener(text)),
    kill: () => void child.kill(),
  };
}
