import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingEvent } from '../../../src-main/shared/train/events';
import { runConfigSchema, type RunConfig } from '../../../src-main/shared/train/run-config';

/** A fresh temp folder and a cleanup for it. */
export function tempDir(prefix = 'store-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const smallConfig = (overrides: Partial<RunConfig> = {}): RunConfig =>
  runConfigSchema.parse({
    model: 'vgg11',
    resize: 32,
    epochs: 2,
    batchSize: 16,
    lr: 0.05,
    widthRatio: 8,
    trainLimit: 80,
    testLimit: 40,
    ...overrides,
  });

export interface SyntheticRunOptions {
  epochs?: number;
  stepsPerEpoch?: number;
  startTime?: number;
  /** Recorded ms between batches. */
  batchMs?: number;
  end?: 'completed' | 'cancelled' | 'failed' | 'none';
  /** Steps whose batch loss is NaN (a diverged batch). */
  nanSteps?: number[];
  config?: RunConfig;
}

/**
 * A plausible event stream: loss falls and accuracy rises with noise that is a
 * fixed function of the step, so the best values are not simply the last ones.
 */
export function syntheticRun(options: SyntheticRunOptions = {}): TrainingEvent[] {
  const epochs = options.epochs ?? 2;
  const stepsPerEpoch = options.stepsPerEpoch ?? 5;
  const batchMs = options.batchMs ?? 100;
  const config = options.config ?? smallConfig({ epochs });
  let time = options.startTime ?? 1_700_000_000_000;
  const events: TrainingEvent[] = [
    {
      type: 'start',
      time,
      config,
      engine: { id: 'cpu', backend: 'cpu', version: '4.22.0' },
      params: 123_456,
      macs: 7_890_000,
      trainSize: stepsPerEpoch * config.batchSize,
      testSize: 40,
      stepsPerEpoch,
      firstEpoch: 0,
    },
  ];
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let batch = 0; batch < stepsPerEpoch; batch++, step++) {
      time += batchMs;
      const wobble = Math.sin(step * 1.7) * 0.05;
      events.push({
        type: 'batch',
        time,
        epoch,
        step,
        batch,
        loss: options.nanSteps?.includes(step) ? Number.NaN : 2.3 * Math.exp(-step / 7) + wobble,
        accuracy: Math.min(1, 0.1 + step * 0.03 + wobble),
        imagesPerSec: 500 + 40 * Math.cos(step),
      });
    }
    time += batchMs * 2;
    events.push({
      type: 'epoch',
      time,
      epoch,
      loss: 2 / (epoch + 1),
      trainAcc: 0.3 + epoch * 0.2,
      testAcc: epoch === 0 ? 0.5 : 0.45,
      seconds: 1.25 - epoch * 0.1,
      imagesPerSec: 480 + epoch,
    });
  }
  time += 10;
  if (options.end === 'failed') events.push({ type: 'error', time, message: 'out of memory' });
  else if (options.end !== 'none') {
    events.push({
      type: 'done',
      time,
      status: options.end ?? 'completed',
      epochs,
      seconds: (time - events[0].time) / 1000,
    });
  }
  return events;
}
