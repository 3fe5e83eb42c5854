import { checkArm, checkNumber, checkNumbers } from './check.js';
import { normalCdf, normalPdf, normalQuantile, studentTCdf, studentTQuantile } from './distributions.js';

/**
 * The interval arithmetic of one comparison (treatment vs control), on summary numbers only. Every function
 * returns finite numbers for finite input: a zero standard error gives a point interval, not NaN.
 */

/** An estimate with its two-sided interval and p-value. */
export interface Interval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly se: number;
  readonly pValue: number;
}

/** Mean and variance (n − 1 denominator) of one arm. */
export interface ArmSummary {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/**
 * Welch's difference of means (treatment − control) with Welch–Satterthwaite degrees of freedom; with
 * `normal: true` the z interval (used for proportions).
 *
 * @example
 * ```ts
 * welchDifference({ n: 1000, mean: 10.4, variance: 25 }, { n: 1000, mean: 10, variance: 25 }, 0.05);
 * ```
 */
export function welchDifference(t: ArmSummary, c: ArmSummary, alpha: number, normal = false): Interval & { readonly df: number } {
  checkArm(t, 'treatment');
  checkArm(c, 'control');
  checkAlpha(alpha);
  const a = t.variance / t.n;
  const b = c.variance / c.n;
  const se = Math.sqrt(a + b);
  const estimate = t.mean - c.mean;
  const dfRaw = (a + b) ** 2 / ((a * a) / (t.n - 1) + (b * b) / (c.n - 1));
  const df = Number.isFinite(dfRaw) && dfRaw > 0 ? dfRaw : t.n + c.n - 2;
  if (se === 0) return { estimate, lower: estimate, upper: estimate, se, df, pValue: estimate === 0 ? 1 : 0 };
  const q = normal ? normalQuantile(1 - alpha / 2) : studentTQuantile(1 - alpha / 2, df);
  const stat = Math.abs(estimate / se);
  // The lower tail at −|t|, not 1 − the CDF at |t|: a p-value of 1e-30 keeps its digits instead of reading 0.
  const pValue = 2 * (normal ? normalCdf(-stat) : studentTCdf(-stat, df));
  return { estimate, lower: estimate - q * se, upper: estimate + q * se, se, df, pValue: clamp01(pValue) };
}

/**
 * Relative lift `treatment / control − 1` with a delta-method interval; null when the control mean is 0 (a ratio
 * to zero has no interval).
 *
 * @example
 * ```ts
 * relativeLift({ n: 1000, mean: 10.4, variance: 25 }, { n: 1000, mean: 10, variance: 25 }, 0.05); // estimate 0.04
 * ```
 */
export function relativeLift(t: ArmSummary, c: ArmSummary, alpha: number): Interval | null {
  checkArm(t, 'treatment');
  checkArm(c, 'control');
  checkAlpha(alpha);
  if (c.mean === 0) return null;
  const estimate = t.mean / c.mean - 1;
  const v = t.variance / (t.n * c.mean * c.mean) + (t.mean * t.mean * c.variance) / (c.n * c.mean ** 4);
  const se = Math.sqrt(v);
  if (!Number.isFinite(se)) return null;
  if (se === 0) return { estimate, lower: estimate, upper: estimate, se, pValue: estimate === 0 ? 1 : 0 };
  const q = normalQuantile(1 - alpha / 2);
  return { estimate, lower: estimate - q * se, upper: estimate + q * se, se, pValue: clamp01(2 * normalCdf(-Math.abs(estimate / se))) };
}

/**
 * Always-valid interval and p-value of a difference by the mixture sequential probability ratio test (mSPRT,
 * Johari, Pekelis & Walsh 2017) with a normal mixing distribution N(0, τ²) — the Gaussian case of Howard et
 * al.'s (2021) normal-mixture confidence sequence. With V = se², it excludes 0 when the likelihood ratio
 * Λ = √(V/(V+τ²)) · exp(τ²d² / (2V(V+τ²))) reaches 1/α; the interval is d ± √(V(V+τ²)/τ² · (2 ln(1/α) + ln((V+τ²)/V))).
 * Valid at every look if τ is fixed before the test starts; it is wider than the fixed-horizon interval.
 *
 * @example
 * ```ts
 * sequentialInterval(0.4, 0.2, 0.05, 0.5); // { estimate: 0.4, lower: …, upper: …, pValue: … }
 * ```
 */
export function sequentialInterval(estimate: number, se: number, alpha: number, tau: number): Interval {
  checkFinite(estimate, 'estimate');
  if (checkFinite(se, 'se') < 0) checkNumber(Number.NaN, 'se');
  checkAlpha(alpha);
  if (!(checkFinite(tau, 'tau') > 0)) checkNumber(Number.NaN, 'tau');
  const V = se * se;
  const t2 = tau * tau;
  if (V === 0) return { estimate, lower: estimate, upper: estimate, se, pValue: estimate === 0 ? 1 : 0 };
  const half = Math.sqrt(((V * (V + t2)) / t2) * (2 * Math.log(1 / alpha) + Math.log((V + t2) / V)));
  const logLambda = 0.5 * Math.log(V / (V + t2)) + (t2 * estimate * estimate) / (2 * V * (V + t2));
  return { estimate, lower: estimate - half, upper: estimate + half, se, pValue: Math.exp(Math.min(0, -logLambda)) };
}

/** Chance to beat control and expected losses (in the metric's units). */
export interface BayesianSummary {
  /** P(treatment > control). */
  readonly chanceToBeatControl: number;
  /** Expected loss of shipping the treatment: E[max(0, control − treatment)]. */
  readonly expectedLoss: number;
  /** Expected loss of keeping the control: E[max(0, treatment − control)]. */
  readonly expectedLossControl: number;
}

/**
 * Bayesian summary of a difference with a flat prior and a normal posterior N(d, se²) (the large-sample
 * posterior of a difference of means; for proportions the normal approximation of the Beta posteriors).
 * Closed forms: P = Φ(d/se), E[max(0, −δ)] = se·φ(d/se) − d·Φ(−d/se).
 *
 * @example
 * ```ts
 * bayesianSummary(0.4, 0.2); // chanceToBeatControl ≈ 0.977
 * ```
 */
export function bayesianSummary(estimate: number, se: number): BayesianSummary {
  checkFinite(estimate, 'estimate');
  if (checkFinite(se, 'se') < 0) checkNumber(Number.NaN, 'se');
  if (se === 0) {
    return { chanceToBeatControl: estimate > 0 ? 1 : estimate < 0 ? 0 : 0.5, expectedLoss: Math.max(0, -estimate), expectedLossControl: Math.max(0, estimate) };
  }
  const z = estimate / se;
  const pdf = normalPdf(z);
  return {
    chanceToBeatControl: clamp01(normalCdf(z)),
    expectedLoss: Math.max(0, se * pdf - estimate * normalCdf(-z)),
    expectedLossControl: Math.max(0, se * pdf + estimate * normalCdf(z)),
  };
}

/**
 * Holm's step-down adjustment of p-values (family-wise error control without independence assumptions).
 *
 * @example
 * ```ts
 * holmAdjust([0.01, 0.04, 0.03]); // [0.03, 0.06, 0.06]
 * ```
 */
export function holmAdjust(pValues: ReadonlyArray<number>): number[] {
  checkNumbers(pValues, 'pValues');
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

function checkAlpha(alpha: unknown): void {
  if (!(checkNumber(alpha, 'alpha') > 0 && (alpha as number) < 1)) checkNumber(Number.NaN, 'alpha');
}

function checkFinite(x: unknown, path: string): number {
  if (!Number.isFinite(checkNumber(x, path))) checkNumber(Number.NaN, path);
  return x as number;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
