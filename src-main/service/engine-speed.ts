import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runnableEntry } from '../core/thread/entry-url';
import { askChild } from '../core/thread/ask-child';
import { forkChild } from '../core/thread/fork-child';
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
export type MeasuredSpeed = { engineId: string; speed: { imagesPerSec: number; macsPerImage: number } };
export type SpeedMeasurer = (engine: EngineChoice) => Promise<MeasuredSpeed>;

export const SPEED_TIMEOUT_MS = 180_000;
export const SPEED_LABEL = 'the speed measurement';

/** Turns the child's message into a speed, or an Error naming what went wrong. */
export function readSpeedAnswer(message: unknown): { answer: MeasuredSpeed } {
  const parsed = measuredSpeedSchema.safeParse(message);
  if (!parsed.success) throw new Error(`the speed measurement sent an invalid answer: ${parsed.error.message}`);
  if ('error' in parsed.data) throw new Error(`measuring the engine's speed failed: ${parsed.data.error}`);
  return { answer: parsed.data };
}

const defaultScript = (): string => fileURLToPath(runnableEntry(new URL('./engine-speed.entry.ts', import.meta.url)));

/** Measures in a throwaway child process (engine-speed.entry.ts); a hung one is killed after `timeoutMs`. */
export function measureSpeedInChildProcess(engine: EngineChoice, scriptPath = defaultScript(), timeoutMs = SPEED_TIMEOUT_MS): Promise<MeasuredSpeed> {
  return askChild(() => forkChild(scriptPath, [engine]), readSpeedAnswer, { timeoutMs, label: SPEED_LABEL });
}
