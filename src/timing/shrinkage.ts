import { inputError } from '../core/errors.js';

/**
 * Empirical-Bayes shrinkage shared by the send-time model and channel affinity.
 *
 * Each level is a Dirichlet-multinomial (the 168 hours of the week) or a beta-binomial (responded / contacted;
 * the K = 2 case of the same thing): a unit's counts `x` (n in total) are multinomial with probabilities drawn
 * from Dirichlet(α·π), where π is the parent level's mean. The posterior mean is `(x + α·π) / (n + α)`, so α is
 * the number of pseudo-observations the parent is worth: a person with n ≪ α looks like their segment, one with
 * n ≫ α like themselves.
 *
 * α is estimated by the method of moments on the intra-class correlation c = 1 / (1 + α) of
 * Dirichlet-multinomial counts: for a unit with n observations, S = Σ_k (x_k − nπ_k)² has expectation
 * n·q·(1 + (n − 1)c) with q = 1 − Σ_k π_k². Summing over units with n ≥ 2 and solving for c gives a closed-form
 * estimate from one pass over the data — mergeable (the sums add up across shards), never iterative. Unlike the
 * Pearson form (dividing by π_k), the unweighted sum of squares is not dominated by the rare hours where π_k is
 * tiny, which matters with 168 sparse categories.
 */

/** Bounds of an estimated concentration: below 1 a single observation would outweigh the parent entirely; above 10⁴ the person would never move. */
export const MIN_CONCENTRATION = 1;
/** See {@link MIN_CONCENTRATION}. */
export const MAX_CONCENTRATION = 10_000;
/** Units with n ≥ 2 needed before α is estimated rather than taken from the fallback (a handful of people says little about spread). */
export const MIN_UNITS = 10;

/**
 * Sums over units that the moment estimator needs; add one unit with {@link addUnit}, then read α with
 * {@link concentrationOf}.
 *
 * @example
 * ```ts
 * const s: MomentSums = { units: 0, squares: 0, expected: 0, pairs: 0 };
 * ```
 */
export interface MomentSums {
  /** Units (people, segments) with at least 2 observations. */
  units: number;
  /** Σ S, the units' sums of squared deviations from n·π. */
  squares: number;
  /** Σ n·q: what Σ S would be without overdispersion. */
  expected: number;
  /** Σ n·(n − 1)·q. */
  pairs: number;
}

/**
 * Adds one unit (n observations, sum of squares S, q = 1 − Σπ²) to the sums; ignored when n < 2 (one
 * observation says nothing about spread). A non-integer or non-finite `n` is `INPUT_INVALID` at `n`.
 *
 * @example
 * ```ts
 * const s: MomentSums = { units: 0, squares: 0, expected: 0, pairs: 0 };
 * addUnit(s, 5, 3.25, 0.47);
 * ```
 */
export function addUnit(sums: MomentSums, n: number, squares: number, q: number): void {
  checkSums(sums);
  if (typeof n !== 'number' || typeof squares !== 'number' || typeof q !== 'number') throw inputError('n, squares and q must be numbers');
  if (!Number.isInteger(n)) throw inputError('n must be an integer', ['n']);
  if (!(n >= 2) || !Number.isFinite(squares) || !(q > 0)) return;
  sums.units++;
  sums.squares += squares;
  sums.expected += n * q;
  sums.pairs += n * (n - 1) * q;
}

/**
 * The moment estimate of the concentration α, clamped to [{@link MIN_CONCENTRATION}, {@link MAX_CONCENTRATION}];
 * `fallback` when fewer than {@link MIN_UNITS} units have n ≥ 2.
 *
 * @example
 * ```ts
 * concentrationOf({ units: 31, squares: 1937.5, expected: 89.3, pairs: 1015 }, 24); // 1: habits far more personal than the segment
 * ```
 */
export function concentrationOf(sums: MomentSums, fallback: number): number {
  checkSums(sums);
  if (typeof fallback !== 'number' || !(fallback > 0)) throw inputError('fallback must be a positive number', ['fallback']);
  if (sums.units < MIN_UNITS || sums.pairs <= 0) return fallback;
  const c = (sums.squares - sums.expected) / sums.pairs;
  if (!Number.isFinite(c) || c <= 1 / (1 + MAX_CONCENTRATION)) return MAX_CONCENTRATION;
  const alpha = 1 / c - 1;
  return alpha < MIN_CONCENTRATION ? MIN_CONCENTRATION : alpha > MAX_CONCENTRATION ? MAX_CONCENTRATION : alpha;
}

/**
 * Adds a beta-binomial unit — `x` successes of `n` around rate `p` — to the sums (the K = 2 case:
 * S = 2(x − np)², q = 2p(1 − p)).
 *
 * @example
 * ```ts
 * const s: MomentSums = { units: 0, squares: 0, expected: 0, pairs: 0 };
 * addBinomialUnit(s, 3, 10, 0.1);
 * ```
 */
export function addBinomialUnit(sums: MomentSums, x: number, n: number, p: number): void {
  if (typeof x !== 'number' || typeof n !== 'number' || typeof p !== 'number') throw inputError('x, n and p must be numbers');
  addUnit(sums, n, 2 * (x - n * p) * (x - n * p), 2 * p * (1 - p));
}

function checkSums(sums: unknown): asserts sums is MomentSums {
  const s = sums as MomentSums | null;
  if (typeof s !== 'object' || s === null || typeof s.units !== 'number' || typeof s.squares !== 'number' || typeof s.expected !== 'number' || typeof s.pairs !== 'number') {
    throw inputError('Expected MomentSums { units, squares, expected, pairs }', ['sums']);
  }
}
