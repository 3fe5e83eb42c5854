import { checkArm, checkNumber, checkNumbers, invalidInput } from './check.js';
import { normalCdf, normalPdf, normalQuantile, studentTCdf, studentTQuantile } from './distributions.js';

/**
 * The interval arithmetic of one comparison (treatment vs control), on summary numbers only. Every function
 * returns finite numbers for finite input: a zero standard error gives a point interval, not NaN; squares of
 * standard errors and scales are never formed where they could overflow or underflow (an se of 1e-200 or 1e200
 * is fine). An interval whose bounds lie beyond the largest double (±1.8e308) is refused with `INPUT_INVALID`
 * naming the argument.
 */

/** An estimate with its two-sided interval and p-value. */
export interface Interval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly se: number;
  readonly pValue: number;
}

/** Mean and variance (n − 1 denominator; for a proportion's z interval, p̂(1 − p̂)) of one arm. */
export interface ArmSummary {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/**
 * Welch's difference of means (treatment − control) with Welch–Satterthwaite degrees of freedom; with
 * `normal: true` the z interval (used for proportions: pass p̂(1 − p̂) as each arm's variance for the textbook
 * unpooled Wald interval and its z-test). A standard error of 0 (both arms constant) gives the point interval and
 * a p-value of 0 when the means differ, 1 when they are equal, as SciPy's `ttest_ind` (t = ±∞).
 *
 * @example
 * ```ts
 * welchDifference({ n: 1000, mean: 10.4, variance: 25 }, { n: 1000, mean: 10, variance: 25 }, 0.05);
 * welchDifference({ n: 10, mean: 0.6, variance: 0.6 * 0.4 }, { n: 10, mean: 0.2, variance: 0.2 * 0.8 }, 0.05, true); // Wald: se 0.2, p 0.0455
 * ```
 */
export function welchDifference(t: ArmSummary, c: ArmSummary, alpha: number, normal = false): Interval & { readonly df: number } {
  checkArm(t, 'treatment');
  checkArm(c, 'control');
  checkAlpha(alpha);
  const se = Math.sqrt(t.variance / t.n + c.variance / c.n);
  const estimate = t.mean - c.mean;
  const [q0, df, p] = tTest(t, c, alpha, Math.abs(estimate / se), normal);
  const q = se && q0;
  const pValue = se ? p : +(estimate === 0);
  // An infinite quantile comes of an α so small that the t quantile of so few degrees of freedom passes 1.8e308.
  return { estimate, ...bounds(estimate, q * se, q === Infinity ? 'alpha' : 'treatment'), se, df, pValue: clamp01(pValue) };
}

/**
 * Relative lift (t̄ − c̄)/|c̄| (its sign the difference's, as GrowthBook's gbstats) with a delta-method interval
 * and p-value from the Welch t of {@link welchDifference} (its degrees of freedom, as gbstats; the normal with
 * `normal`), so the two agree on small samples; null when the control mean is 0 (a ratio to zero has no interval)
 * or the interval lies beyond the largest double.
 *
 * @example
 * ```ts
 * relativeLift({ n: 1000, mean: 10.4, variance: 25 }, { n: 1000, mean: 10, variance: 25 }, 0.05); // estimate 0.04
 * ```
 */
export function relativeLift(t: ArmSummary, c: ArmSummary, alpha: number, normal = false): Interval | null {
  checkArm(t, 'treatment');
  checkArm(c, 'control');
  checkAlpha(alpha);
  // A ratio to a control mean of 0 (or so near it that the ratio overflows) has no interval: `lift` answers null.
  const r = t.mean / c.mean;
  // (t̄ − c̄)/|c̄|, not t̄/c̄ − 1, which cancels for a tiny lift; over |c̄| so that its sign is the difference's.
  const estimate = (t.mean - c.mean) / Math.abs(c.mean);
  // √(s²_t/n_t + r²·s²_c/n_c) / |c̄|, the delta method's variance without c̄⁴ (which overflows beyond 1e77).
  return lift(estimate, Math.sqrt(t.variance / t.n + r * r * (c.variance / c.n)) / Math.abs(c.mean), t, c, alpha, normal);
}

/**
 * @internal A lift `estimate` ± the quantile of {@link welchDifference} (the arms' Welch degrees of freedom) × `se`,
 * with the p-value of that t; null when the interval lies beyond the largest double.
 */
export function lift(estimate: number, se: number, t: ArmSummary, c: ArmSummary, alpha: number, normal: boolean): Interval | null {
  const [q, , p] = tTest(t, c, alpha, Math.abs(estimate / se), normal);
  const half = se && q * se;
  const out = { estimate, lower: estimate - half, upper: estimate + half, se, pValue: se ? clamp01(p) : +(estimate === 0) };
  return Number.isFinite(estimate + half) ? out : null;
}

/**
 * The two-sided (1 − α) quantile, Welch–Satterthwaite degrees of freedom and p-value of `stat` (Student's t, or
 * the normal's with `normal`), shared by the difference and the relative lift as in GrowthBook's gbstats.
 */
function tTest(t: ArmSummary, c: ArmSummary, alpha: number, stat: number, normal: boolean): [number, number, number] {
  const a = t.variance / t.n;
  const b = c.variance / c.n;
  // (a + b)² / (a²/(n_t − 1) + b²/(n_c − 1)) with the shares a/(a + b), b/(a + b): no square under- or overflows.
  const dfRaw = 1 / ((a / (a + b)) ** 2 / (t.n - 1) + (b / (a + b)) ** 2 / (c.n - 1));
  const df = dfRaw > 0 ? dfRaw : t.n + c.n - 2;
  // The upper quantile as minus the lower one: 1 − α/2 rounds to 1 for α below 2.2e-16, and its quantile to ∞.
  // The lower tail at −|t|, not 1 − the CDF at |t|: a p-value of 1e-30 keeps its digits instead of reading 0.
  // (A stat of 0/0, from se = 0, reads 0: the callers replace that p-value.)
  return [-(normal ? normalQuantile(alpha / 2) : studentTQuantile(alpha / 2, df)), df, 2 * (normal ? normalCdf(-stat || 0) : studentTCdf(-stat || 0, df))];
}

/**
 * Always-valid interval and p-value of a difference by the mixture sequential probability ratio test (mSPRT,
 * Johari, Pekelis & Walsh 2017) with a normal mixing distribution N(0, τ²) — the Gaussian case of Howard et
 * al.'s (2021) normal-mixture confidence sequence. With V = se², it excludes 0 when the likelihood ratio
 * Λ = √(V/(V+τ²)) · exp(τ²d² / (2V(V+τ²))) reaches 1/α; the interval is d ± √(V(V+τ²)/τ² · (2 ln(1/α) + ln((V+τ²)/V))).
 * Valid at every look if τ is fixed before the test starts; it is wider than the fixed-horizon interval.
 * Computed as se·h·√(2 ln(1/α) + L) and ln Λ = (d/(se·h))²/2 − L/2 with h = √(1 + se²/τ²), L = ln(1 + τ²/se²)
 * = 2(ln τ − ln se + ln h): finite for any finite se and τ, however far apart (1e-200 and 1e200).
 *
 * This is one look: the p-value is 1/Λₙ (capped at 1) and the interval the one at this look. Johari et al.'s
 * always-valid p-value is the running minimum over the looks, pₙ = min(pₙ₋₁, 1/Λₙ), and the confidence sequence
 * the running intersection of the intervals: keep both across looks (store the smallest p-value and the
 * largest lower and smallest upper bound seen), as a test that stops at the first look excluding 0 does.
 *
 * @example
 * ```ts
 * const look = sequentialInterval(0.4, 0.2, 0.05, 0.5); // { estimate: 0.4, lower: …, upper: …, pValue: … }
 * declare const before: { pValue: number; lower: number; upper: number };
 * const running = { pValue: Math.min(before.pValue, look.pValue), lower: Math.max(before.lower, look.lower), upper: Math.min(before.upper, look.upper) };
 * ```
 */
export function sequentialInterval(estimate: number, se: number, alpha: number, tau: number): Interval {
  checkFinite(estimate, 'estimate');
  if (checkFinite(se, 'se') < 0) checkNumber(Number.NaN, 'se');
  checkAlpha(alpha);
  if (!(checkFinite(tau, 'tau') > 0)) checkNumber(Number.NaN, 'tau');
  // h² = q = 1 + r² with r = se/τ, or h = r where r² overflows (not Math.hypot: its last digit differs between
  // engines, and so would the p-value's).
  const r = se / tau;
  const q = 1 + r * r;
  const big = !(q < Infinity);
  const h = big ? r : Math.sqrt(q);
  // ln(1 + τ²/se²) = 2 ln(τ/se) + 2 ln h, from logarithms: neither ratio is formed where it could overflow.
  const L = 2 * (Math.log(tau) - Math.log(se) + Math.log(h));
  const z = estimate / se / (big ? h : 1);
  return {
    estimate,
    // −ln α, not ln(1/α): 1/α overflows for an α below 5.6e-309.
    ...bounds(estimate, se && se * h * Math.sqrt(-2 * Math.log(alpha) + L), se * tau > 1 ? 'se' : 'tau'),
    se,
    pValue: se ? Math.exp(Math.min(0, L / 2 - ((big ? z : z / q) * z) / 2)) : +(estimate === 0),
  };
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

/** estimate ± half, refused (at `path`) when a bound lies beyond the largest double. */
function bounds(estimate: number, half: number, path: string): { lower: number; upper: number } {
  const lower = estimate - half;
  const upper = estimate + half;
  // x·0 is 0 for a finite x and NaN for ±∞ (NaN ≠ NaN): the two differ unless both bounds are finite.
  if (lower * 0 !== upper * 0) throw invalidInput(`${estimate} ± ${half} overflows`, path);
  return { lower, upper };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
