import { z } from 'zod';

/**
 * A metric value: any JavaScript number, NaN and ±Infinity included (a
 * diverged loss is NaN, and the store keeps it). zod's z.number() refuses
 * both, so values that may hold them use this instead; wire-json.ts carries
 * them through JSON, which has neither.
 */
export const metricNumber = z.custom<number>((value) => typeof value === 'number', {
  message: 'expected a number',
});
