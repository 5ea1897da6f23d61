import type { EngineId } from '../../shared/train/run-config';
import type { MeasuredSpeeds } from './measured-speeds';

/**
 * The rule by which `auto` takes an engine it does not walk to (one that runs
 * its runs itself: pytorch): where this machine measured it faster on the
 * plans' reference workload than the engine the walk selected. Without both
 * measurements it keeps the walk's engine: a speed is measured, not assumed.
 * Returns the faster engine, or undefined to keep `walked`.
 */
export function fasterByMeasurement(walked: EngineId, candidates: readonly EngineId[], speeds: MeasuredSpeeds): EngineId | undefined {
  const base = speeds[walked]?.imagesPerSec;
  if (base === undefined) return undefined;
  let best: EngineId | undefined;
  let bestSpeed = base;
  for (const id of candidates) {
    const speed = speeds[id]?.imagesPerSec;
    if (speed !== undefined && speed > bestSpeed) {
      best = id;
      bestSpeed = speed;
    }
  }
  return best;
}
