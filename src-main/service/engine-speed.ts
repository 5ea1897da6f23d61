import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runnableEntry } from '../core/thread/entry-url';
import { inheritableExecArgv } from './engine-probe';
import type { EngineChoice } from '../shared/train/run-config';

/** What the speed child answers: the engine it ran on and its speed, or why not (it crosses a process boundary). */
export const measuredSpeedSchema = z.union([
  z.object({
    engineId: z.string(),
    speed: z.object({ imagesPerSec: z.number().positive(), macsPerImage: z.number().positive() }),
  }),
  z.object({ error: z.string() }),
]);
export type MeasuredSpeedAnswer = z.infer<typeof measuredSpeedSchema>;
export type SpeedMeasurer = (engine: EngineChoice) => Promise<{ engineId: string; speed: { imagesPerSec: number; macsPerImage: number } }>;

/** Turns the child's message into a speed, or an Error naming what went wrong. */
export function readSpeedAnswer(message: unknown): Awaited<ReturnType<SpeedMeasurer>> {
  const parsed = measuredSpeedSchema.safeParse(message);
  if (!parsed.success) throw new Error(`the speed measurement sent an invalid answer: ${parsed.error.message}`);
  if ('error' in parsed.data) throw new Error(`measuring the engine's speed failed: ${parsed.data.error}`);
  return parsed.data;
}

const defaultScript = (): string => fileURLToPath(runnableEntry(new URL('./engine-speed.entry.ts', import.meta.url)));

/** Measures in a throwaway child process (engine-speed.entry.ts); a hung one is killed after `timeoutMs`. */
export function measureSpeedInChildProcess(engine: EngineChoice, scriptPath = defaultScript(), timeoutMs = 180_000): ReturnType<SpeedMeasurer> {
  return new Promise((resolve, reject) => {
    const child = fork(scriptPath, [engine], { execArgv: inheritableExecArgv(), stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    let stderr = '';
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      finish();
    };
    const timer = setTimeout(() => settle(() => reject(new Error(`the speed measurement did not answer within ${timeoutMs / 1000} s`))), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    child.on('message', (message: unknown) =>
      settle(() => {
        try {
          resolve(readSpeedAnswer(message));
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) =>
      settle(() => reject(new Error(`the speed measurement exited (${signal ?? `code ${code}`}) without an answer${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-2).join(' ')}` : ''}`))),
    );
  });
}
