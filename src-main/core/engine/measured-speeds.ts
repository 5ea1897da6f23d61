import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { appDataDir } from '../paths';
import { ENGINE_IDS, type EngineId } from '../../shared/train/run-config';

/**
 * Each engine's training speed as last measured on this machine (the plans'
 * reference workload, core/bench/engine-speed.ts), kept in the app's data
 * folder so that `auto` can take an engine that is not a tfjs backend
 * (pytorch) only where it was measured faster (core/train/run-engine.ts).
 * A file another process wrote is read as untrusted: parsed, and ignored when it does not parse.
 */
const speedsSchema = z.partialRecord(
  z.enum(ENGINE_IDS),
  z.object({ imagesPerSec: z.number().positive().finite(), measuredAt: z.number(), detail: z.string().max(500).optional() }),
);
export type MeasuredSpeeds = Partial<Record<EngineId, { imagesPerSec: number; measuredAt: number; detail?: string }>>;

export const measuredSpeedsFile = (env: NodeJS.ProcessEnv = process.env): string => join(appDataDir(env), 'engine-speeds.json');

export function readMeasuredSpeeds(file: string = measuredSpeedsFile()): MeasuredSpeeds {
  try {
    const parsed = speedsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Records one engine's measured speed, keeping the others'; written whole (temp file, rename). */
export function recordMeasuredSpeed(engine: EngineId, imagesPerSec: number, detail: string | undefined, file: string = measuredSpeedsFile()): void {
  const speeds = readMeasuredSpeeds(file);
  speeds[engine] = { imagesPerSec, measuredAt: Date.now(), ...(detail ? { detail } : {}) };
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(speeds, null, 2)}\n`);
  renameSync(temp, file);
}
