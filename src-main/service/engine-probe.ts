import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { engineStatusSchema, type EngineStatusInfo } from '../api/entities';
import { runnableEntry } from '../core/thread/entry-url';

export interface EngineProbeOptions {
  /** The probe entry: engine-probe.entry.ts from source, its bundle in the desktop app. */
  scriptPath?: string;
  /** Defaults to this process's runtime; the desktop app passes Electron's with ELECTRON_RUN_AS_NODE. */
  execPath?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** The GPU engine's first load can take a while (CUDA); a hung probe must not hang the GUI. */
  timeoutMs?: number;
}

const defaultScript = (): string => fileURLToPath(runnableEntry(new URL('./engine-probe.entry.ts', import.meta.url)));

/**
 * Node flags to hand the probe: the loader ones (tsx's, when running from
 * source) but not the test runner's or the inspector's, which would make the
 * child run tests or fight over a debug port.
 */
export function inheritableExecArgv(argv: readonly string[] = process.execArgv): string[] {
  return argv.filter((arg) => !/^--(test|inspect|watch)/.test(arg));
}

/**
 * Hands a probe's message on if it is a valid list of engine statuses (it
 * crosses a process boundary), or rejects naming what is wrong. Shared by the
 * child-process probe here and Electron's utility-process one.
 */
export function answerOrReject(
  message: unknown,
  resolve: (statuses: EngineStatusInfo[]) => void,
  reject: (error: Error) => void,
): void {
  const parsed = z.array(engineStatusSchema).safeParse(message);
  if (parsed.success) resolve(parsed.data);
  else reject(new Error(`the engine probe sent an invalid answer: ${parsed.error.message}`));
}

/** Loads and self-checks every engine in a throwaway child process; see engine-probe.entry.ts for why. */
export function probeEnginesInChildProcess(options: EngineProbeOptions = {}): Promise<EngineStatusInfo[]> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  return new Promise((resolve, reject) => {
    const child = fork(options.scriptPath ?? defaultScript(), [], {
      execPath: options.execPath,
      execArgv: options.execArgv ?? inheritableExecArgv(),
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let stderr = '';
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    const timer = setTimeout(() => {
      child.kill();
      settle(() => reject(new Error(`the engine probe did not answer within ${timeoutMs / 1000} s`)));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('message', (message: unknown) => settle(() => answerOrReject(message, resolve, reject)));
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) =>
      settle(() =>
        reject(
          new Error(
            `the engine probe exited (${signal ?? `code ${code}`}) without an answer` +
              (stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''),
          ),
        ),
      ),
    );
  });
}
