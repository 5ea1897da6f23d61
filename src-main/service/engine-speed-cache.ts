import type { EngineChoice } from '../shared/train/run-config';
import type { SpeedMeasurer } from './engine-speed';

export interface MeasuredSpeed {
  engine: string;
  speed: { imagesPerSec: number; macsPerImage: number };
  measuredAt: number;
}

/**
 * One speed measurement per engine choice, kept: the plans' and baselines'
 * estimates all scale from it. A failed measurement is not kept, so the next
 * call tries again.
 */
export class EngineSpeedCache {
  private readonly speeds = new Map<string, Promise<MeasuredSpeed>>();

  constructor(private readonly measure: SpeedMeasurer) {}

  get(engine: EngineChoice, refresh = false): Promise<MeasuredSpeed> {
    let measuring = this.speeds.get(engine);
    if (refresh || !measuring) {
      const current = this.measure(engine).then(({ engineId, speed }) => ({ engine: engineId, speed, measuredAt: Date.now() }));
      this.speeds.set(engine, current);
      current.catch(() => {
        if (this.speeds.get(engine) === current) this.speeds.delete(engine);
      });
      measuring = current;
    }
    return measuring;
  }
}
