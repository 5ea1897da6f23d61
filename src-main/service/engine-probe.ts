import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { engineStatusSchema, type EngineStatusInfo } from '../api/entities';
import { runnableEntry } from '../core/thread/entry-url';
import { askChild } from '../core/thread/ask-child';
import { forkChild } from '../core/thread/fork-child';

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

/** The probe's one message, its answer: how long a hung probe may take before it is killed. */
export const ENGINE_PROBE_TIMEOUT_MS = 180_000;
export const ENGINE_PROBE_LABEL = 'the engine probe';

const defaultScript = (): string => fileURLToPath(runnableEntry(new URL('./engine-probe.entry.ts', import.meta.url)));

/**
 * A probe's message as a list of engine statuses if it is one (it crosses a
 * process boundary), or an Error naming what is wrong. Shared by the
 * child-process probe here and Electron's utility-process one.
 */
export function readProbeAnswer(message: unknown): { answer: EngineStatusInfo[] } {
  const parsed = z.array(engineStatusSchema).safeParse(message);
  if (!parsed.success) throw new Error(`the engine probe sent an invalid answer: ${parsed.error.message}`);
  return { answer: parsed.data };
}

/** Loads and self-checks every engine in a throwaway child process; see engine-probe.entry.ts for why. */
export function probeEnginesInChildProcess(options: EngineProbeOptions = {}): Promise<EngineStatusInfo[]> {
  const { execPath, execArgv, env } = options;
  return askChild(
    () =>
      forkChild(options.scriptPath ?? defaultScript(), [], {
        ...(execPath === undefined ? {} : { execPath }),
        ...(execArgv === undefined ? {} : { execArgv }),
        ...(env === undefined ? {} : { env }),
      }),
    readProbeAnswer,
    { timeoutMs: options.timeoutMs ?? ENGINE_PROBE_TIMEOUT_MS, label: ENGINE_PROBE_LABEL },
  );
}
