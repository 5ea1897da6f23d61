/**
 * Exponential moving average with TensorBoard's debiasing (the first points
 * are not dragged towards zero). `weight` 0 leaves the values as they are;
 * 0.99 smooths hard. Gaps (null, NaN) stay gaps and do not reset the average.
 */
export function smoothEma(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return values.map((v) => (v === null || Number.isNaN(v) ? null : v));
  let last = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return null;
    last = last * weight + (1 - weight) * value;
    count += 1;
    return last / (1 - weight ** count);
  });
}
