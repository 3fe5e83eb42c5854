import { gammaUpperRegularized, normalCdfOf, normalDensity, normalQuantileOf, studentTCdfOf, studentTQuantileOf } from '../core/special.js';
import { checkNumber, invalidInput } from './check.js';

/**
 * The distributions the analysis needs: normal, Student t and chi-square, computed in src/core/special.ts by
 * published methods chosen for relative precision in the tails (a p-value of 1e-30 keeps its digits) and speed
 * (Cody's rational approximations for Φ, Halley's method for the quantiles, finite sums for the chi-square tails
 * of up to 100 degrees: 2–3× jStat's time per call on the arguments an analysis asks for). They
 * replaced jStat, which cost ≈ 18 kB min+gzip of every bundle that imported this module (it does not
 * tree-shake), answered 0 for tails below 1e-16 and NaN, −141 or `false` at the ends of its domains; the
 * modular `@stdlib/stats-base-dists-*` packages cost ≈ 53 kB. The tests hold these functions to mpmath
 * reference values, closed forms and the stdlib implementations (docs/experiments.md, "Distributions").
 */

/** Throws unless `p` is a probability. */
function checkProbability(p: unknown): number {
  const x = checkNumber(p, 'p');
  if (!(x >= 0 && x <= 1)) throw invalidInput(`p must be in [0, 1], got ${x}`, 'p');
  return x;
}

/** Throws unless `df` is a positive number of degrees of freedom (`Infinity` allowed where said). */
function checkDf(df: unknown, infinite: boolean): number {
  const x = checkNumber(df, 'df');
  if (!(x > 0) || (!infinite && x === Infinity)) {
    throw invalidInput(`df must be ${infinite ? '> 0' : 'finite and > 0'}, got ${x}`, 'df');
  }
  return x;
}

/**
 * Standard normal CDF Φ(x), to ≈ 1e-15 relative in both tails (W. J. Cody's rational approximations).
 *
 * @example
 * ```ts
 * normalCdf(1.959963984540054); // 0.975
 * normalCdf(-10); // 7.6198530241605e-24
 * ```
 */
export function normalCdf(x: number): number {
  return normalCdfOf(checkNumber(x, 'x'));
}

/**
 * Standard normal density φ(x).
 *
 * @example
 * ```ts
 * normalPdf(0); // 0.3989…
 * ```
 */
export function normalPdf(x: number): number {
  return normalDensity(checkNumber(x, 'x'));
}

/**
 * Standard normal quantile Φ⁻¹(p) for p in [0, 1], to ≈ 1e-15 relative down to the smallest double: −∞ at 0, +∞
 * at 1; `INPUT_INVALID` outside.
 *
 * @example
 * ```ts
 * normalQuantile(0.975); // 1.959963984540054
 * ```
 */
export function normalQuantile(p: number): number {
  return normalQuantileOf(checkProbability(p));
}

/**
 * Student t CDF with `df` > 0 degrees of freedom (`Infinity`: the normal; beyond 1e7 degrees the normal too, which
 * differs by less than 1e-7 absolute there but, relatively, by about t⁴/(4·df) in the tails: 4e-3 at t = −20).
 * Between 2e6 and 1e7 degrees the largest relative error measured against mpmath is 2.9e-10. `INPUT_INVALID` for a
 * `df` that is not positive.
 *
 * @example
 * ```ts
 * studentTCdf(2.228, 10); // ≈ 0.975
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  checkNumber(t, 't');
  const v = checkDf(df, true);
  return studentTCdfOf(t, v);
}

/**
 * Student t quantile for p in [0, 1] with `df` > 0 degrees of freedom (`Infinity`, or beyond 1e7: the normal).
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 10); // 2.228138851986274
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  const q = checkProbability(p);
  const v = checkDf(df, true);
  return studentTQuantileOf(q, v);
}

/**
 * Upper tail of the chi-square distribution, P(X ≥ x) with `df` > 0 (finite) degrees of freedom: 1 for x ≤ 0,
 * and tiny tails to ≈ 1e-14 relative (a sample-ratio mismatch's p-value of 1e-40 is not rounded to 0; ≈ 1e-15 up
 * to 100 degrees).
 *
 * @example
 * ```ts
 * chiSquareSurvival(3.841458820694124, 1); // 0.05
 * ```
 */
export function chiSquareSurvival(x: number, df: number): number {
  checkNumber(x, 'x');
  const v = checkDf(df, false);
  return x <= 0 ? 1 : gammaUpperRegularized(v / 2, x / 2);
}
