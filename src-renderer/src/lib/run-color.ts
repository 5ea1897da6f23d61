import { seriesColor, SERIES_PALETTE_SIZE } from './series-colors';

/**
 * FNV-1a, 32 bits: a small, well-spread hash of the id's characters, the same
 * in every view and every session (no state, no order).
 */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A run's one colour, derived from its id alone: the same in Compare whatever
 * else is selected, in every chart and legend, in either theme (TensorBoard and
 * W&B colour a run by its id, not by its place in a list). Two runs may share a
 * colour (ten colours, any number of runs); baselines keep their dash, and the
 * legend names each line.
 */
export function runColor(runId: string): string {
  return seriesColor(fnv1a(runId) % SERIES_PALETTE_SIZE);
}
