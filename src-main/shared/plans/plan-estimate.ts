/** What one planned run costs in the units an engine's measured speed converts to seconds. */
export interface RunCost {
  /** Multiply-accumulates of one forward pass of one image. */
  macs: number;
  trainImages: number;
  testImages: number;
  epochs: number;
}

/** An engine's measured training speed on one reference network. */
export interface EngineSpeed {
  /** Training images per second (forward, backward, update). */
  imagesPerSec: number;
  /** Forward MACs per image of the network that speed was measured on. */
  macsPerImage: number;
}

/**
 * Seconds a run should take, scaled from the reference's speed by MACs: a
 * training image costs about three forward passes (forward, two backward
 * products), a test image one. An estimate: small layers run below an engine's
 * peak, so a network far from the reference's shape is off by its overheads.
 */
export function estimateRunSeconds(cost: RunCost, speed: EngineSpeed): number {
  const macsPerSec = speed.imagesPerSec * 3 * speed.macsPerImage;
  const macs = cost.epochs * cost.macs * (3 * cost.trainImages + cost.testImages);
  return macs / macsPerSec;
}

/** `42 s`, `12 min`, `3.4 h`: an estimate's precision, not a stopwatch's. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
