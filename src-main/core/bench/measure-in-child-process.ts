import { fileURLToPath } from 'node:url';
import type { EngineInfo } from '../../shared/train/events';
import type { EngineChoice } from '../../shared/train/run-config';
import type { Measurement } from './measure';
import { runnableEntry } from '../thread/entry-url';
import { askChild } from '../thread/ask-child';
import { forkChild } from '../thread/fork-child';

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

/** A workload runs for minutes at most (bench.ts sizes them); one still silent after this is hung. */
const MEASURE_TIMEOUT_MS = 60 * 60_000;

/** Runs measureWorkload for `workload` on `engine` in a child process (askChild: killed once it answers). */
export function measureInChildProcess(workload: string, engine: EngineChoice, options: ChildProcessOptions = {}): Promise<ChildProcessResult> {
  const args = [workload, engine, String(options.steps ?? '-'), String(options.threads ?? '-')];
  let engineInfo: EngineInfo | undefined;
  const parse = (received: unknown): { answer: ChildProcessResult } | undefined => {
    const message = received as ChildMessage;
    switch (message.type) {
      case 'engine':
        engineInfo = message.engine;
        options.onEngine?.(message.engine);
        return undefined;
      case 'step':
        options.onStep?.(message.done, message.total);
        return undefined;
      case 'result':
        return engineInfo ? { answer: { engine: engineInfo, measurement: message.measurement } } : undefined;
      case 'error':
        throw new Error(`${workload}: ${message.message}`);
    }
  };
  // A child killed by the OOM killer or a wasm abort ends without an answer: askChild quotes its stderr.
  return askChild(() => forkChild(childEntry.module, [...childEntry.args, ...args]), parse, {
    timeoutMs: MEASURE_TIMEOUT_MS,
    label: `${workload}: the measuring process`,
  });
}
