import { mulberry32 } from '../core/data/random';

/**
 * `count` distinct indices drawn from `candidates`, the same ones for the same
 * seed (a sample grid that does not reshuffle on every reload). A partial
 * Fisher–Yates: only the first `count` places are shuffled.
 */
export function pickIndices(candidates: readonly number[] | Int32Array, count: number, seed: number): number[] {
  const pool = Int32Array.from(candidates);
  const take = Math.min(count, pool.length);
  const random = mulberry32(seed);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return Array.from(pool.subarray(0, take));
}
