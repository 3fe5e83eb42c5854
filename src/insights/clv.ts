import * as z from 'zod/mini';
import { enumSchema, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';
import { progressCounter, type ProgressOptions } from '../core/progress.js';
import { parseWith, inputError } from '../core/errors.js';
import { DAY, WEEK, type EpochMs } from '../core/time.js';
import { amountOf, type SubjectHistory } from './accumulate.js';
import { bgNbdExpectedPurchases, bgNbdProbabilityAlive, type BgNbdParams, type CustomerSummary } from './bgnbd.js';
import { gammaGammaExpectedValue, type GammaGammaParams, type SpendSummary } from './gamma-gamma.js';
import { checkHistory } from './validate.js';

/**
 * Schema of the customer-value options: the time unit of the models (`week` as in the published CDNOW fits, or
 * `day`), and which events are purchases with which amount property.
 *
 * @example
 * ```ts
 * clvOptionsSchema.parse({ unit: 'week' });
 * ```
 */
export const clvOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    unit: z._default(enumSchema(['day', 'week']), 'week'),
    purchaseEvent: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'purchase'),
    amountProperty: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'amount'),
  }))();

/** Customer-value options as a caller writes them. */
export type ClvOptionsInput = z.input<typeof clvOptionsSchema>;

/** A person's purchase history summarised for the models, plus historical value. */
export interface CustomerValueSummary extends CustomerSummary, SpendSummary {
  readonly subjectId: string;
  /** Orders and total revenue so far: the historical customer value. */
  readonly orders: number;
  readonly revenue: number;
  readonly firstPurchaseAt: EpochMs;
}

/**
 * Summarises each buyer's purchases at `now` in the model's unit: frequency = purchases after the first,
 * recency = time from first to last purchase, age = time from first purchase to `now`, monetary value = mean
 * amount of the repeat purchases (the first is left out, as in Fader, Hardie & Lee). People without a purchase
 * before `now` are skipped.
 *
 * @example
 * ```ts
 * declare const histories: SubjectHistory[];
 *
 * const customers = summariseCustomers(histories, Date.parse('2026-06-30T00:00:00Z'), { unit: 'week' });
 * ```
 */
export function summariseCustomers(histories: Iterable<SubjectHistory>, now: EpochMs, options: ClvOptionsInput = {}, progress?: ProgressOptions): CustomerValueSummary[] {
  const o = parseWith(clvOptionsSchema, options, 'CONFIG_INVALID');
  const tracker = progressCounter(progress, ['progress']);
  if (typeof now !== 'number' || !Number.isFinite(now)) throw inputError('now must be epoch ms', ['now']);
  if (histories === null || typeof histories !== 'object' || typeof (histories as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw inputError('Expected an iterable of histories', []);
  }
  const unit = o.unit === 'week' ? WEEK : DAY;
  const out: CustomerValueSummary[] = [];
  let i = 0;
  for (const h of histories) {
    checkHistory(h, o, [i++]);
    tracker?.step();
    let first = -1;
    let last = -1;
    let orders = 0;
    let revenue = 0;
    let repeatRevenue = 0;
    for (const e of h.events) {
      if (e.type !== o.purchaseEvent || e.at >= now) continue;
      const amount = amountOf(e.properties, o.amountProperty);
      if (first < 0) first = e.at;
      else repeatRevenue += amount;
      last = e.at;
      orders++;
      revenue += amount;
    }
    if (first < 0 || now - first <= 0) continue;
    const frequency = orders - 1;
    out.push({
      subjectId: h.subjectId,
      frequency,
      recency: (last - first) / unit,
      age: (now - first) / unit,
      monetaryValue: frequency === 0 ? 0 : repeatRevenue / frequency,
      orders,
      revenue,
      firstPurchaseAt: first,
    });
  }
  tracker?.end();
  return out;
}

/** Options of {@link predictCustomerValue}. */
export interface PredictOptions {
  /** Periods (in the models' unit) to look ahead, default 52. */
  readonly horizon?: number;
  /** Discount rate per period, default 0. */
  readonly discountRate?: number;
}

/** A customer's predicted value. */
export interface PredictedValue {
  readonly probabilityAlive: number;
  readonly expectedPurchases: number;
  readonly expectedOrderValue: number;
  /** Σₖ (E[purchases by k] − E[purchases by k − 1]) × expected order value ÷ (1 + d)ᵏ over the horizon. */
  readonly value: number;
}

/**
 * Predictive customer value: BG/NBD for how many purchases, Gamma-Gamma for how much each, discounted per period.
 *
 * @example
 * ```ts
 * const v = predictCustomerValue(
 *   { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
 *   { p: 6.25, q: 3.74, gamma: 15.44 },
 *   { frequency: 2, recency: 30.43, age: 38.86, monetaryValue: 35.5 },
 *   { horizon: 52, discountRate: 0.0015 },
 * );
 * ```
 */
export function predictCustomerValue(bg: BgNbdParams, gg: GammaGammaParams, customer: CustomerSummary & SpendSummary, options: PredictOptions = {}): PredictedValue {
  const o: PredictOptions = typeof options === 'object' && options !== null ? options : {};
  const horizon = o.horizon ?? 52;
  const d = o.discountRate ?? 0;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 10_000) throw inputError('horizon must be a whole number in 1–10000', ['horizon']);
  if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) throw inputError('discountRate must be ≥ 0', ['discountRate']);
  const m = gammaGammaExpectedValue(gg, customer);
  let prev = 0;
  let value = 0;
  for (let k = 1; k <= horizon; k++) {
    const e = bgNbdExpectedPurchases(bg, customer, k);
    value += ((e - prev) * m) / Math.pow(1 + d, k);
    prev = e;
  }
  return { probabilityAlive: bgNbdProbabilityAlive(bg, customer), expectedPurchases: prev, expectedOrderValue: m, value };
}
