import jStat from 'jstat';
import { checkNumber } from './check.js';

/**
 * The distributions the analysis needs, from jStat (a small, dependency-free numeric library): crosschannel writes
 * no special functions of its own. jStat was chosen over the modular `@stdlib/stats-base-dists-*` packages for
 * its footprint: for normal, Student t and chi-square it costs ≈ 18 kB min+gzip and one package, where the
 * stdlib functions cost ≈ 55 kB and ≈ 230 packages, one of which pulls Node built-ins (via `debug`) into
 * browser and edge bundles. The stdlib functions are the independent implementation the tests cross-check.
 */

/**
 * Standard normal CDF Φ(x).
 *
 * @example
 * ```ts
 * normalCdf(1.959963984540054); // 0.975
 * ```
 */
export function normalCdf(x: number): number {
  checkNumber(x, 'x');
  return jStat.normal.cdf(x, 0, 1);
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
  checkNumber(x, 'x');
  return jStat.normal.pdf(x, 0, 1);
}

/**
 * Standard normal quantile Φ⁻¹(p).
 *
 * @example
 * ```ts
 * normalQuantile(0.975); // 1.959963984540054
 * ```
 */
export function normalQuantile(p: number): number {
  checkNumber(p, 'p');
  return jStat.normal.inv(p, 0, 1);
}

/**
 * Student t CDF with `df` degrees of freedom (a normal beyond 1e7 degrees, where jStat's series lose precision).
 *
 * @example
 * ```ts
 * studentTCdf(2.228, 10); // ≈ 0.975
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  checkNumber(t, 't');
  checkNumber(df, 'df');
  return df > 1e7 ? normalCdf(t) : jStat.studentt.cdf(t, df);
}

/**
 * Student t quantile with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 10); // 2.228138851986274
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  checkNumber(p, 'p');
  checkNumber(df, 'df');
  return df > 1e7 ? normalQuantile(p) : jStat.studentt.inv(p, df);
}

/**
 * Upper tail of the chi-square distribution, P(X ≥ x) with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * chiSquareSurvival(3.841458820694124, 1); // 0.05
 * ```
 */
export function chiSquareSurvival(x: number, df: number): number {
  checkNumber(x, 'x');
  checkNumber(df, 'df');
  return Math.max(0, 1 - jStat.chisquare.cdf(x, df));
}
