import type { EngineStatusInfo } from '../api/entities';

/** The engine probe's answer, kept after the first probe; `refresh` probes again. A failed probe is not kept. */
export class EngineProbeCache {
  private engines: Promise<EngineStatusInfo[]> | undefined;

  constructor(private readonly probe: () => Promise<EngineStatusInfo[]>) {}

  list(refresh = false): Promise<EngineStatusInfo[]> {
    if (refresh || !this.engines) {
      const probing = this.probe();
      this.engines = probing;
      // A failed probe is not cached: the next call tries again.
      probing.catch(() => {
        if (this.engines === probing) this.engines = undefined;
      });
    }
    return this.engines;
  }
}
