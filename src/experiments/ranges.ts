/**
 * Bucket ranges exactly as GrowthBook computes them (`getBucketRanges`): variant `i` owns
 * `[cumulative_i, cumulative_i + coverage × weight_i)` where `cumulative_i` is the float sum of the weights before
 * it. The float operations are done in the same order so that a bucket on a boundary lands in the same variant.
 */

import { checkNumber, checkNumbers } from './check.js';

/**
 * Equal weights as GrowthBook builds them (`1 / n` for each variant).
 *
 * @example
 * ```ts
 * equalWeights(4); // [0.25, 0.25, 0.25, 0.25]
 * ```
 */
export function equalWeights(n: number): number[] {
  if (checkNumber(n, 'n') > 1e6 || !Number.isInteger(n)) checkNumber(Number.NaN, 'n');
  return n <= 0 ? [] : new Array<number>(n).fill(1 / n);
}

/**
 * The `[start, end)` bucket range of each variant, flattened as `[start0, end0, start1, end1, …]`.
 *
 * @example
 * ```ts
 * bucketRanges([0.5, 0.5], 0.2); // Float64Array [0, 0.1, 0.5, 0.6]
 * ```
 */
export function bucketRanges(weights: ReadonlyArray<number>, coverage: number): Float64Array {
  checkNumbers(weights, 'weights');
  checkNumber(coverage, 'coverage');
  const out = new Float64Array(weights.length * 2);
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    const start = cumulative;
    cumulative += w;
    out[2 * i] = start;
    out[2 * i + 1] = start + coverage * w;
  }
  return out;
}

/**
 * The variant whose range holds bucket `n` (GrowthBook's `chooseVariation`), or -1 when `n` falls outside the
 * coverage.
 *
 * @example
 * ```ts
 * chooseVariant(0.55, bucketRanges([0.5, 0.5], 0.2)); // 1
 * chooseVariant(0.3, bucketRanges([0.5, 0.5], 0.2)); // -1
 * ```
 */
export function chooseVariant(n: number, ranges: Float64Array): number {
  checkNumber(n, 'n');
  checkNumbers(ranges, 'ranges');
  for (let i = 0; i < ranges.length; i += 2) {
    if (n >= ranges[i]! && n < ranges[i + 1]!) return i >> 1;
  }
  return -1;
}
