/**
 * Empirical-Bayes shrinkage shared by the send-time model and channel affinity.
 *
 * Each level is a Dirichlet-multinomial (the 168 hours of the week) or a beta-binomial (responded / contacted;
 * the K = 2 case of the same thing): a unit's counts `x` (n in total) are multinomial with probabilities drawn
 * from Dirichlet(α·π), where π is the parent level's mean. The posterior mean is `(x + α·π) / (n + α)`, so α is
 * the number of pseudo-observations the parent is worth: a person with n ≪ α looks like their segment, one with
 * n ≫ α like themselves.
 *
 * α is estimated by the method of moments (the intra-class correlation of Dirichlet-multinomial counts): with
 * c = 1 / (1 + α), the Pearson statistic of a unit, X = Σ_k (x_k − nπ_k)² / (nπ_k), has expectation
 * (K − 1)(1 + (n − 1)c). Summing over units with n ≥ 2 and solving for c gives one closed-form estimate from one
 * pass over the data — mergeable (the sums add up across shards) and never iterative.
 */

/** Bounds of an estimated concentration: below 1 a single observation would outweigh the parent entirely; above 10⁴ the person would never move. */
export const MIN_CONCENTRATION = 1;
/** See {@link MIN_CONCENTRATION}. */
export const MAX_CONCENTRATION = 10_000;

/**
 * Sums over units that the moment estimator needs; add one unit with {@link addUnit}, then read α with
 * {@link concentrationOf}.
 *
 * @example
 * ```ts
 * const s: MomentSums = { units: 0, pearson: 0, pairs: 0 };
 * ```
 */
export interface MomentSums {
  /** Units (people, segments) with at least 2 observations. */
  units: number;
  /** Σ of their Pearson statistics. */
  pearson: number;
  /** Σ (n − 1). */
  pairs: number;
}

/**
 * Adds one unit's Pearson statistic to the sums (ignored when n < 2: one observation says nothing about spread).
 *
 * @example
 * ```ts
 * const s: MomentSums = { units: 0, pearson: 0, pairs: 0 };
 * addUnit(s, 5, 7.5);
 * ```
 */
export function addUnit(sums: MomentSums, n: number, pearson: number): void {
  if (n < 2 || !Number.isFinite(pearson)) return;
  sums.units++;
  sums.pearson += pearson;
  sums.pairs += n - 1;
}

/**
 * The moment estimate of the concentration α for `categories` categories, clamped to
 * [{@link MIN_CONCENTRATION}, {@link MAX_CONCENTRATION}]; `fallback` when fewer than 2 units have n ≥ 2.
 *
 * @example
 * ```ts
 * concentrationOf({ units: 100, pearson: 100 * 167 * 3, pairs: 900 }, 168, 24); // ≈ 3.5: strongly personal habits
 * ```
 */
export function concentrationOf(sums: MomentSums, categories: number, fallback: number): number {
  if (sums.units < 2 || sums.pairs <= 0) return fallback;
  const k1 = categories - 1;
  const c = (sums.pearson - k1 * sums.units) / (k1 * sums.pairs);
  if (!Number.isFinite(c) || c <= 1 / (1 + MAX_CONCENTRATION)) return MAX_CONCENTRATION;
  const alpha = 1 / c - 1;
  return alpha < MIN_CONCENTRATION ? MIN_CONCENTRATION : alpha > MAX_CONCENTRATION ? MAX_CONCENTRATION : alpha;
}

/**
 * Pearson statistic of a beta-binomial unit: `(x − nπ)² / (nπ(1 − π))`; 0 when π is 0 or 1.
 *
 * @example
 * ```ts
 * binomialPearson(3, 10, 0.1); // (3 − 1)² / (10 · 0.1 · 0.9) ≈ 4.44
 * ```
 */
export function binomialPearson(x: number, n: number, p: number): number {
  const v = n * p * (1 - p);
  return v > 0 ? ((x - n * p) * (x - n * p)) / v : 0;
}
