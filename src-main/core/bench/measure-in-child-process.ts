import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineInfo } from '../../shared/train/events';
import type { EngineChoice } from '../../shared/train/run-config';
import type { Measurement } from './measure';
import { runnableEntry } from '../thread/entry-url';

/**
 * Measures each workload in a fresh Node process, because two of its numbers
 * belong to a whole process: the peak resident memory (getrusage's maxRSS is a
 * high-water mark that never comes down) and the wasm heap (which only grows).
 * Measured in one process after a VGG at 96×96, LeNet would report VGG's peak.
 */

export type ChildMessage =
  | { type: 'engine'; engine: EngineInfo }
  | { type: 'step'; done: number; total: number }
  | { type: 'result'; measurement: Measurement }
  | { type: 'error'; message: string };

export interface ChildProcessResult {
  engine: EngineInfo;
  measurement: Measurement;
}

export interface ChildProcessOptions {
  /** Timed steps; the workload's own count when absent. */
  steps?: number;
  /** CPU threads for the engine; its default (every core) when absent. */
  threads?: number;
  onEngine?: (engine: EngineInfo) => void;
  onStep?: (done: number, total: number) => void;
}

const CHILD = fileURLToPath(runnableEntry(new URL('./measure-child.entry.ts', import.meta.url)));
/** The child's module and its leading arguments: measure-child.entry.ts, or a one-file bundle (the device kit) started in that role. */
let childEntry: { module: string; args: readonly string[] } = { module: CHILD, args: [] };

/** Starts the measuring child from `module` with `args` before its own (a bundle that holds measure-child.entry.ts). */
export function startMeasureChildFrom(module: string, args: readonly string[]): void {
  childEntry = { module, args };
}

/** The flags Node itself was started with (tsx's loader), minus the test runner's, which would make the child a test run. */
export function childExecArgv(): string[] {
  return process.execArgv.filter((flag) => !flag.startsWith('--test'));
}

/** Runs measureWorkload for `workload` on `engine` in a child process. */
export function measureInChildProcess(workload: string, engine: EngineChoice, options: ChildProcessOptions = {}): Promise<ChildProcessResult> {
  const args = [workload, engine, String(options.steps ?? '-'), String(options.threads ?? '-')];
  // stdout is dropped: tfjs prints its "install tfjs-node" banner there, which would spoil --json.
  const child = fork(childEntry.module, [...childEntry.args, ...args], { execArgv: childExecArgv(), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));

  return new Promise((resolve, reject) => {
    let engineInfo: EngineInfo | undefined;
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      action();
    };
    child.on('message', (message: ChildMessage) => {
      switch (message.type) {
        case 'engine':
          engineInfo = message.engine;
          options.onEngine?.(message.engine);
          break;
        case 'step':
          options.onStep?.(message.done, message.total);
          break;
        case 'result':
          if (engineInfo) {
            const found = engineInfo;
            settle(() => resolve({ engine: found, measurement: message.measurement }));
          }
          break;
        case 'error':
          settle(() => reject(new Error(`${workload}: ${message.message}`)));
          break;
      }
    });
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) => {
      // A child killed by the OOM killer or a wasm abort ends here without an answer.
      const why = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      settle(() => reject(new Error(`${workload}: the measuring process ${why}${tail ? `:\n${tail}` : ''}`)));
    });
  });
}
