/**
 * Small seeded randomness, so a run's data order follows from its config:
 * the same (seed, epoch) gives the same shuffle on every machine and engine.
 */

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit-state generator, fast,
 * and plenty for shuffling indices. Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One 32-bit seed from several integers, e.g. (run seed, epoch). Mixed with
 * MurmurHash3's finalizer so that neighbouring inputs (epoch 1, epoch 2) give
 * unrelated streams rather than shifted copies of one another.
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) h = fmix32((h ^ fmix32(part >>> 0)) + 0x7f4a7c15);
  return h;
}

/** Fisher–Yates (Knuth, TAOCP vol. 2, Algorithm 3.4.2P): every order equally likely. */
export function shuffleInPlace<T>(items: { length: number; [index: number]: T }, random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}

function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
