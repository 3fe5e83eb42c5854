import { CrossChannelError, inputError } from '../core/errors.js';
import type { InsightsErrorCode } from './errors.js';
import { bfgs } from './optimize.js';
import { expectedPurchasesIfAlive } from './bgnbd-expectation.js';

/**
 * BG/NBD ("buy till you die", Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while alive a
 * customer buys at Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with probability
 * p ~ Beta(a, b). Fitted by maximum likelihood on (frequency, recency, age) summaries.
 */

/** A customer's purchase summary in one time unit (e.g. weeks): repeat purchases, time of the last one, age. */
export interface CustomerSummary {
  /** Repeat purchases after the first (x). */
  readonly frequency: number;
  /** Time from the first purchase to the last (tₓ); 0 when frequency is 0. */
  readonly recency: number;
  /** Time from the first purchase to the end of observation (T). */
  readonly age: number;
}

/** BG/NBD parameters. */
export interface BgNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

/** A fitted BG/NBD model. */
export interface BgNbdFit extends BgNbdParams {
  readonly logLikelihood: number;
  readonly customers: number;
  readonly evaluations: number;
}

/** Customers prepared for repeated likelihood evaluations: those without repeat purchases collapse to one
 * weighted row per age (their likelihood depends on T only); the others stay as columns. */
interface Compressed {
  readonly zeroAges: Float64Array;
  readonly zeroWeights: Float64Array;
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly maxX: number;
  readonly n: number;
  readonly meanAge: number;
}

/**
 * The most repeat purchases a summary may hold: the likelihood keeps a few arrays of `frequency + 1` numbers, so a
 * frequency of 1e300 would ask for an impossible array (a RangeError) where it means a broken summary.
 */
export const MAX_FREQUENCY = 1_000_000;

/** Checks one summary (integers, 0 ≤ recency ≤ age, recency 0 without repeats), named `i` in errors (its index, or `customer`). */
export function checkSummary(c: unknown, i: number | 'customer'): CustomerSummary {
  if (typeof c !== 'object' || c === null) throw inputError('Expected a customer summary', [i]);
  const { frequency: x, recency: tx, age: T } = c as Record<string, unknown>;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > MAX_FREQUENCY) throw inputError('frequency must be a whole number in 0–1,000,000', [i, 'frequency']);
  if (typeof T !== 'number' || !Number.isFinite(T) || T <= 0) throw inputError('age must be a number > 0', [i, 'age']);
  if (typeof tx !== 'number' || !Number.isFinite(tx) || tx < 0) throw inputError('recency must be a number ≥ 0', [i, 'recency']);
  // The two relations below are named at recency, as the package names a relation at its dependent field.
  if (tx > T) throw inputError('recency must not exceed age', [i, 'recency']);
  if (x === 0 && tx !== 0) throw inputError('recency must be 0 when frequency is 0', [i, 'recency']);
  return c as CustomerSummary;
}

function compress(customers: ReadonlyArray<CustomerSummary>): Compressed {
  if (!Array.isArray(customers)) throw inputError('Expected an array of customer summaries', []);
  const zero = new Map<number, number>();
  let repeaters = 0;
  let ageSum = 0;
  for (let i = 0; i < customers.length; i++) {
    const c = checkSummary(customers[i], i);
    ageSum += c.age;
    if (c.frequency === 0) zero.set(c.age, (zero.get(c.age) ?? 0) + 1);
    else repeaters++;
  }
  const x = new Float64Array(repeaters);
  const tx = new Float64Array(repeaters);
  const T = new Float64Array(repeaters);
  let maxX = 0;
  for (let i = 0, j = 0; i < customers.length; i++) {
    const c = customers[i]!;
    if (c.frequency === 0) continue;
    x[j] = c.frequency;
    tx[j] = c.recency;
    T[j] = c.age;
    if (c.frequency > maxX) maxX = c.frequency;
    j++;
  }
  return {
    zeroAges: Float64Array.from(zero.keys()),
    zeroWeights: Float64Array.from(zero.values()),
    x,
    tx,
    T,
    maxX,
    n: customers.length,
    meanAge: ageSum / Math.max(1, customers.length),
  };
}

/**
 * Log-likelihood and, when `grad` is given, its gradient with respect to (ln r, ln α, ln a, ln b). Terms that
 * depend on x alone (ln Γ, ψ) are computed once per distinct x.
 */
function logLikelihood(d: Compressed, r: number, alpha: number, a: number, b: number, grad?: Float64Array): number {
  const nx = d.maxX + 1;
  const base = new Float64Array(nx);
  const alive = new Float64Array(nx);
  const dr0 = new Float64Array(nx);
  const da0 = new Float64Array(nx);
  const db0 = new Float64Array(nx);
  // x is a whole number, so ln Γ(r + x) − ln Γ(r) = Σᵢ<ₓ ln(r + i) (and likewise for b and a + b): sums of logs
  // stay exact where differences of large ln Γ values would cancel catastrophically; ψ differences likewise.
  const la = Math.log(a);
  const lAlpha = Math.log(alpha);
  let lr = 0;
  let lb = 0;
  let lab = 0;
  let pr = 0;
  let pb = 0;
  let pab = 0;
  for (let k = 0; k < nx; k++) {
    if (k > 0) {
      lr += Math.log(r + k - 1);
      lb += Math.log(b + k - 1);
      lab += Math.log(a + b + k - 1);
      pr += 1 / (r + k - 1);
      pb += 1 / (b + k - 1);
      pab += 1 / (a + b + k - 1);
    }
    base[k] = r * lAlpha + lr + lb - lab;
    alive[k] = k > 0 ? la - Math.log(b + k - 1) : 0;
    if (grad !== undefined) {
      dr0[k] = pr + lAlpha;
      da0[k] = -pab;
      db0[k] = pb - pab;
    }
  }
  let sum = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  const { zeroAges, zeroWeights } = d;
  for (let i = 0; i < zeroAges.length; i++) {
    const w = zeroWeights[i]!;
    const lT = Math.log(alpha + zeroAges[i]!);
    sum += w * (base[0]! - r * lT);
    if (grad !== undefined) {
      gr += w * (dr0[0]! - lT);
      gAlpha += w * (r / alpha - r / (alpha + zeroAges[i]!));
      ga += w * da0[0]!;
      gb += w * db0[0]!;
    }
  }
  const { x: X, tx: TX, T } = d;
  for (let i = 0; i < X.length; i++) {
    const x = X[i]!;
    const rx = r + x;
    const lT = Math.log(alpha + T[i]!);
    const lTx = Math.log(alpha + TX[i]!);
    const l3 = -rx * lT;
    const l4 = alive[x]! - rx * lTx;
    // w4: the share of the likelihood from "dropped out right after the last purchase".
    let lse: number;
    let w4: number;
    if (l3 > l4) {
      const e = Math.exp(l4 - l3);
      lse = l3 + Math.log1p(e);
      w4 = e / (1 + e);
    } else {
      const e = Math.exp(l3 - l4);
      lse = l4 + Math.log1p(e);
      w4 = 1 / (1 + e);
    }
    sum += base[x]! + lse;
    if (grad !== undefined) {
      const w3 = 1 - w4;
      gr += dr0[x]! - w3 * lT - w4 * lTx;
      gAlpha += r / alpha - rx * (w3 / (alpha + T[i]!) + w4 / (alpha + TX[i]!));
      ga += da0[x]! + w4 / a;
      gb += db0[x]! - w4 / (b + x - 1);
    }
  }
  if (grad !== undefined) {
    grad[0] = gr * r;
    grad[1] = gAlpha * alpha;
    grad[2] = ga * a;
    grad[3] = gb * b;
  }
  return sum;
}

/**
 * The BG/NBD log-likelihood of a population at given parameters (Fader, Hardie & Lee 2005, eq. 6, in log space:
 * ln Γ terms and a log-sum-exp of the "still alive" and "dropped out after the last purchase" branches).
 *
 * @example
 * ```ts
 * bgNbdLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, [{ frequency: 2, recency: 30.43, age: 38.86 }]);
 * ```
 */
export function bgNbdLogLikelihood(params: BgNbdParams, customers: ReadonlyArray<CustomerSummary>): number {
  const p = checkParams(params, ['r', 'alpha', 'a', 'b']);
  return logLikelihood(compress(customers), p.r!, p.alpha!, p.a!, p.b!);
}

/** Validates positive finite parameters by name. */
export function checkParams(params: unknown, names: ReadonlyArray<string>): Record<string, number> {
  if (typeof params !== 'object' || params === null) throw inputError('Expected model parameters', ['params']);
  for (const n of names) {
    const v = (params as Record<string, unknown>)[n];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw inputError(`Parameter ${n} must be a number > 0`, ['params', n]);
  }
  return params as Record<string, number>;
}

/**
 * Fits BG/NBD by maximum likelihood (BFGS with the analytic gradient, on the log parameters, from r = 1,
 * α = mean age / 10, a = 1, b = 3). Customers without repeat purchases collapse to one row per age and the
 * x-only terms are computed once per distinct x, so a fit on 100,000 customers takes well under a second. Throws `INSIGHTS_FIT_FAILED` without at least 2 customers
 * and one repeat purchase, or when the likelihood is not finite from the start (ages around e^30 units or more).
 *
 * @example
 * ```ts
 * declare const customers: CustomerSummary[]; // weekly summaries
 *
 * const fit = fitBgNbd(customers); // { r, alpha, a, b, logLikelihood, … }
 * ```
 */
export function fitBgNbd(customers: ReadonlyArray<CustomerSummary>): BgNbdFit {
  const d = compress(customers);
  if (d.n < 2 || d.x.length === 0) throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_FIT_FAILED', 'BG/NBD needs at least 2 customers and one repeat purchase', { path: [] });
  const start = [0, Math.log(Math.max(d.meanAge / 10, 1e-3)), 0, Math.log(3)];
  const grad = new Float64Array(4);
  const m = bfgs((v) => {
    const [r, alpha, a, b] = v.map(Math.exp) as [number, number, number, number];
    // Outside e^±30 the model is degenerate (and the sums lose precision): refuse, the line search steps back.
    if (v.some((t) => Math.abs(t) > 30)) return { value: Infinity, gradient: [0, 0, 0, 0] };
    return { value: -logLikelihood(d, r, alpha, a, b, grad), gradient: Array.from(grad, (g) => -g) };
  }, start, { tolerance: 1e-9 });
  const [r, alpha, a, b] = m.x.map(Math.exp) as [number, number, number, number];
  // A likelihood that is not finite even at the start (ages of e^30 units and beyond put α out of range) has no
  // maximum to report: refuse rather than return the start with a log-likelihood of −Infinity.
  if (!Number.isFinite(m.value)) throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_FIT_FAILED', 'BG/NBD likelihood not finite (ages or recencies too large for the unit?)', { path: [] });
  return { r, alpha, a, b, logLikelihood: -m.value, customers: d.n, evaluations: m.evaluations };
}

/**
 * Probability that a customer is still alive at the end of observation.
 *
 * @example
 * ```ts
 * bgNbdProbabilityAlive({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, { frequency: 2, recency: 30.43, age: 38.86 }); // ≈ 0.72
 * ```
 */
export function bgNbdProbabilityAlive(params: BgNbdParams, customer: CustomerSummary): number {
  const { r, alpha, a, b } = checkParams(params, ['r', 'alpha', 'a', 'b']) as unknown as BgNbdParams;
  const { frequency: x, recency: tx, age: T } = checkSummary(customer, 'customer');
  if (x === 0) return 1;
  return 1 / (1 + (a / (b + x - 1)) * Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))));
}

/**
 * Expected purchases in the next `t` time units given the customer's history (Fader, Hardie & Lee 2005, eq. 10):
 * P(alive) times the expectation of a customer still alive, whose Gauss hypergeometric ₂F₁ term is evaluated
 * after Euler's transformation (finite for frequent buyers, where the published form overflows), with a = 1 as
 * its limit, and by numerical integration over the dropout probability where the series would converge too
 * slowly (horizons far beyond α + T). Finite, ≥ 0 and non-decreasing in `t` for any valid input; a `t` so large
 * that the expectation exceeds the double range is `INPUT_INVALID` at `t`.
 *
 * @example
 * ```ts
 * bgNbdExpectedPurchases({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, { frequency: 2, recency: 30.43, age: 38.86 }, 39); // ≈ 1.226
 * ```
 */
export function bgNbdExpectedPurchases(params: BgNbdParams, customer: CustomerSummary, t: number): number {
  const { r, alpha, a, b } = checkParams(params, ['r', 'alpha', 'a', 'b']) as unknown as BgNbdParams;
  const { frequency: x, recency: tx, age: T } = checkSummary(customer, 'customer');
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw inputError('t must be a number ≥ 0', ['t']);
  if (t === 0) return 0;
  const alive = expectedPurchasesIfAlive(r, a, b, x, t / (alpha + T), Math.log(t) - Math.log(alpha + T));
  if (!Number.isFinite(alive)) throw inputError('t too large: expected purchases exceed the number range', ['t']);
  // ÷ 1/P(alive) = 1 + odds, in logs where the odds would overflow (the product may still be a normal number).
  const lnOdds = x > 0 ? Math.log(a / (b + x - 1)) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx)) : -Infinity;
  if (!(alive > 0)) return 0;
  return lnOdds < 700 ? alive / (1 + Math.exp(lnOdds)) : Math.exp(Math.log(alive) - lnOdds - Math.log1p(Math.exp(-lnOdds)));
}
