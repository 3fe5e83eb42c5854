/**
 * The q-quantile (0 ≤ q ≤ 1) of a distribution given as ascending distinct values and how many observations have
 * each (whole numbers), by linear interpolation between order statistics — Hyndman & Fan's type 7, the default of
 * R's `quantile()` and NumPy's `percentile()`: the median of an even number of observations is the mean of the
 * two middle ones. 0 for an empty distribution. The reports' medians and percentiles all read this one definition.
 *
 * For instance:
 *   quantileOf([1, 2, 3, 4], [1, 1, 1, 1], 0.5); // 2.5
 *   quantileOf([2, 40], [1, 1], 0.9); // 2 + 0.9 × 38 = 36.2
 */
export function quantileOf(values: ArrayLike<number>, weights: ArrayLike<number>, q: number): number {
  let n = 0;
  for (let i = 0; i < weights.length; i++) n += weights[i]!;
  if (n <= 0) return 0;
  const pos = q * (n - 1);
  const k = Math.floor(pos);
  const frac = pos - k;
  // i: the value of the order statistic k (0-based); seen: observations up to and including it.
  let i = 0;
  let seen = weights[0]!;
  while (seen <= k && i + 1 < values.length) seen += weights[++i]!;
  const lo = values[i]!;
  if (frac === 0 || seen > k + 1) return lo;
  let j = i + 1;
  while (j + 1 < values.length && weights[j] === 0) j++;
  if (j >= values.length) return lo;
  const hi = values[j]!;
  // hi − lo overflows between values near ±1.8e308: weigh the two instead.
  return Number.isFinite(hi - lo) ? lo + frac * (hi - lo) : lo * (1 - frac) + hi * frac;
}
