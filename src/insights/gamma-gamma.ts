import { CrossChannelError, inputError } from '../core/errors.js';
import { checkParams } from './bgnbd.js';
import type { InsightsErrorCode } from './errors.js';
import { nelderMead } from './optimize.js';
import { lgamma } from './special.js';

/**
 * Gamma-Gamma model of monetary value (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013, "The
 * Gamma-Gamma Model of Monetary Value"): each transaction's value is Gamma(p, ν) around the customer's mean,
 * ν ~ Gamma(q, γ) across customers. Fitted on customers with at least one repeat purchase.
 */

/** A customer's repeat purchases and their mean value. */
export interface SpendSummary {
  /** Repeat purchases (x ≥ 1 to be used in the fit). */
  readonly frequency: number;
  /** Mean value of those purchases (mₓ > 0). */
  readonly monetaryValue: number;
}

/** Gamma-Gamma parameters. */
export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

/** A fitted Gamma-Gamma model. */
export interface GammaGammaFit extends GammaGammaParams {
  readonly logLikelihood: number;
  readonly customers: number;
}

/** Checks one spend summary (named `i` in errors: its index, or `customer`) and returns its x and mₓ. */
function checkSpend(c: unknown, i: number | 'customer'): { x: number; m: number } {
  if (typeof c !== 'object' || c === null) throw inputError('Expected a spend summary', [i]);
  const f = (c as Record<string, unknown>).frequency;
  const v = (c as Record<string, unknown>).monetaryValue;
  if (typeof f !== 'number' || !Number.isInteger(f) || f < 0) throw inputError('frequency must be a whole number ≥ 0', [i, 'frequency']);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError('monetaryValue must be a number', [i, 'monetaryValue']);
  if (v < 0) throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_AMOUNT_NEGATIVE', 'monetaryValue cannot be negative', { path: [i, 'monetaryValue'] });
  return { x: f, m: v };
}

/**
 * The customers the likelihood can use: a repeat purchase (x ≥ 1) and positive spend (mₓ > 0) — the model's
 * transaction values are Gamma-distributed, so a mean of 0 has no density. The others are checked, then skipped.
 */
function rows(customers: ReadonlyArray<SpendSummary>): { x: Float64Array; m: Float64Array } {
  if (!Array.isArray(customers)) throw inputError('Expected an array of spend summaries', []);
  const x: number[] = [];
  const m: number[] = [];
  customers.forEach((c, i) => {
    const s = checkSpend(c, i);
    if (s.x >= 1 && s.m > 0) {
      x.push(s.x);
      m.push(s.m);
    }
  });
  return { x: Float64Array.from(x), m: Float64Array.from(m) };
}

function ll(d: { x: Float64Array; m: Float64Array }, p: number, q: number, g: number): number {
  let s = 0;
  const base = -lgamma(q) + q * Math.log(g);
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i]!;
    const m = d.m[i]!;
    const px = p * x;
    s += base + lgamma(px + q) - lgamma(px) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + q) * Math.log(g + m * x);
  }
  return s;
}

/**
 * The Gamma-Gamma log-likelihood (customers with frequency ≥ 1 and a positive mean value; others are checked, then
 * skipped: the model has no density at a mean value of 0).
 *
 * @example
 * ```ts
 * gammaGammaLogLikelihood({ p: 6.25, q: 3.74, gamma: 15.44 }, [{ frequency: 2, monetaryValue: 35.5 }]);
 * ```
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customers: ReadonlyArray<SpendSummary>): number {
  const { p, q, gamma } = checkParams(params, ['p', 'q', 'gamma']) as unknown as GammaGammaParams;
  return ll(rows(customers), p, q, gamma);
}

/**
 * Fits Gamma-Gamma by maximum likelihood (Nelder–Mead on log parameters from p = q = γ = 1). Throws
 * `INSIGHTS_FIT_FAILED` with fewer than 2 customers with a repeat purchase and a positive mean value.
 *
 * @example
 * ```ts
 * declare const customers: SpendSummary[];
 *
 * const fit = fitGammaGamma(customers); // { p, q, gamma, logLikelihood, customers }
 * ```
 */
export function fitGammaGamma(customers: ReadonlyArray<SpendSummary>): GammaGammaFit {
  const d = rows(customers);
  if (d.x.length < 2) throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_FIT_FAILED', 'Gamma-Gamma needs 2 customers with a repeat purchase of positive mean value', { path: [] });
  const m = nelderMead((v) => -ll(d, ...(v.map(Math.exp) as [number, number, number])), [0, 0, 0], { tolerance: 1e-12 });
  const [p, q, gamma] = m.x.map(Math.exp) as [number, number, number];
  return { p, q, gamma, logLikelihood: -m.value, customers: d.x.length };
}

/**
 * Expected mean transaction value of a customer given their history, p(γ + mₓ x)/(px + q − 1): a weighted mean of
 * the population mean p·γ/(q − 1) and their own mean mₓ, weighted towards mₓ as x grows. It holds for every
 * x ≥ 0 and mₓ ≥ 0, whether or not the fit could use the customer: x = 0 gives the population mean, and repeat
 * purchases of value 0 (x > 0, mₓ = 0) pull it towards 0 — they are not read as "no repeat purchases".
 *
 * @example
 * ```ts
 * gammaGammaExpectedValue({ p: 6.25, q: 3.74, gamma: 15.44 }, { frequency: 2, monetaryValue: 35.5 }); // ≈ 35.45
 * gammaGammaExpectedValue({ p: 6.25, q: 3.74, gamma: 15.44 }, { frequency: 3, monetaryValue: 0 }); // ≈ 4.49
 * ```
 */
export function gammaGammaExpectedValue(params: GammaGammaParams, customer: SpendSummary): number {
  const { p, q, gamma } = checkParams(params, ['p', 'q', 'gamma']) as unknown as GammaGammaParams;
  const { x, m } = checkSpend(customer, 'customer');
  if (q <= 1) throw inputError('The expected value needs q > 1', ['params', 'q']);
  return (p * (gamma + m * x)) / (p * x + q - 1);
}
