import * as z from 'zod/mini';
import { expectArray, expectFinite, expectObject, expectObjects, expectOptions, expectString } from '../core/guards.js';
import type { BehaviourEvent } from '../core/records.js';
import { lowerBoundAt } from '../core/records.js';
import { inTimeOrder } from './events.js';
import { CrossChannelError, parseWith, inputError } from '../core/errors.js';
import { durationSchema } from '../core/schema.js';
import type { EpochMs } from '../core/time.js';
import type { SegmentErrorCode } from './errors.js';
import { refineCheck, intSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';

/**
 * RFM: recency, frequency and monetary value scored 1–5 by quintile over a population, and the classic named
 * segments as a configurable mapping. Scores are computed from thresholds ({@link RfmModel}) fitted once, so
 * a model fitted on a sample or in a warehouse can score customers one at a time or in shards.
 *
 * Quantile convention: with the values sorted ascending and n of them, the thresholds are the nearest-rank
 * quantiles `t_k = sorted[ceil(k·n/5) − 1]`, k = 1..4, and a value scores `1 + #{k : value > t_k}`. So equal
 * values always share a score, distinct values split into five groups as equal as ties allow, and higher
 * frequency / monetary (and more recent purchases) score higher. A customer who never bought has recency
 * score 1.
 */

/** One customer's raw RFM values. */
export interface RfmInput {
  readonly id: string;
  /** Last purchase instant; `undefined` when the customer never bought. */
  readonly lastPurchaseAt: EpochMs | undefined;
  /** Number of purchases. */
  readonly frequency: number;
  /** Total spent. */
  readonly monetary: number;
}

/** Fitted thresholds (4 per dimension). Recency thresholds are on negated ages (more recent = larger). */
export interface RfmModel {
  readonly now: EpochMs;
  readonly recency: readonly number[];
  readonly frequency: readonly number[];
  readonly monetary: readonly number[];
}

/** Scores and segment of one customer. */
export interface RfmScore {
  readonly id: string;
  readonly r: number;
  readonly f: number;
  readonly m: number;
  /** `"R F M"` digits, e.g. `"545"`. */
  readonly code: string;
  /** Id of the named segment (`champions`, `at_risk`, …). */
  readonly segment: string;
}

function thresholds(values: Float64Array): number[] {
  values.sort();
  const n = values.length;
  if (n === 0) return [Infinity, Infinity, Infinity, Infinity];
  const out: number[] = [];
  for (let k = 1; k <= 4; k++) out.push(values[Math.ceil((k * n) / 5) - 1]!);
  return out;
}

function scoreOf(t: readonly number[], v: number): number {
  let s = 1;
  for (let k = 0; k < 4; k++) if (v > t[k]!) s++;
  return s;
}

function recencyValue(c: RfmInput, now: EpochMs): number {
  return c.lastPurchaseAt === undefined ? -Infinity : -(now - c.lastPurchaseAt);
}

// `i`: the customer's index in `customers`, or `'customer'` for the one customer scoreRfm takes.
function checkInput(c: RfmInput, i: number | 'customer'): void {
  const bad = (field: string): never => {
    throw inputError(`RFM input ${field} must be a finite number`, i === 'customer' ? [i, field] : ['customers', i, field]);
  };
  if (!Number.isFinite(c.frequency)) bad('frequency');
  if (!Number.isFinite(c.monetary)) bad('monetary');
  if (c.lastPurchaseAt !== undefined && !Number.isFinite(c.lastPurchaseAt)) bad('lastPurchaseAt');
}

/**
 * Fits quintile thresholds on a population.
 *
 * @example
 * ```ts
 * declare const customers: RfmInput[];
 *
 * const model = fitRfm(customers, Date.UTC(2026, 0, 1));
 * ```
 */
export function fitRfm(customers: ReadonlyArray<RfmInput>, now: EpochMs): RfmModel {
  expectArray(customers, ['customers']);
  expectObjects(customers, ['customers']);
  expectFinite(now, ['now']);
  const n = customers.length;
  const r = new Float64Array(n);
  const f = new Float64Array(n);
  const m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = customers[i]!;
    checkInput(c, i);
    r[i] = recencyValue(c, now);
    f[i] = c.frequency;
    m[i] = c.monetary;
  }
  return { now, recency: thresholds(r), frequency: thresholds(f), monetary: thresholds(m) };
}

const rangeSchema = /* @__PURE__ */ (() => z.tuple([intSchema().check(gteCheck(1), lteCheck(5)), intSchema().check(gteCheck(1), lteCheck(5))]).check(refineCheck(([a, b]) => a <= b, 'Range must be [low, high] with low ≤ high')))();

/**
 * A named-segment mapping: rules tried in order, the first whose score ranges all contain the customer's
 * scores wins (an absent dimension matches any score). It must classify every one of the 125 (R, F, M) cells.
 *
 * @example
 * ```ts
 * rfmMappingSchema.parse([{ id: 'best', r: [4, 5], f: [4, 5] }, { id: 'rest' }]);
 * ```
 */
export const rfmMappingSchema = /* @__PURE__ */ (() => z
  .array(
    z.strictObject({
        id: stringSchema().check(minLengthCheck(1), maxLengthCheck(64)),
        label: z.optional(stringSchema().check(maxLengthCheck(128))),
        r: z.optional(rangeSchema),
        f: z.optional(rangeSchema),
        m: z.optional(rangeSchema),
      }),
  ).check(minLengthCheck(1), maxLengthCheck(125)))();

/** A parsed RFM mapping. */
export type RfmMapping = z.output<typeof rfmMappingSchema>;

/**
 * The standard named RFM segments on recency and frequency scores (monetary not used by default; add `m`
 * ranges in your own mapping to use it). First match wins.
 *
 * @example
 * ```ts
 * RFM_SEGMENTS[0]; // { id: 'champions', label: 'Champions', r: [5, 5], f: [4, 5] }
 * ```
 */
export const RFM_SEGMENTS: RfmMapping = [
  { id: 'champions', label: 'Champions', r: [5, 5], f: [4, 5] },
  { id: 'loyal', label: 'Loyal customers', r: [3, 4], f: [4, 5] },
  { id: 'potential_loyalist', label: 'Potential loyalist', r: [4, 5], f: [2, 3] },
  { id: 'new_customers', label: 'New customers', r: [5, 5], f: [1, 1] },
  { id: 'promising', label: 'Promising', r: [4, 4], f: [1, 1] },
  { id: 'need_attention', label: 'Need attention', r: [3, 3], f: [3, 3] },
  { id: 'about_to_sleep', label: 'About to sleep', r: [3, 3], f: [1, 2] },
  { id: 'cannot_lose_them', label: 'Cannot lose them', r: [1, 2], f: [5, 5] },
  { id: 'at_risk', label: 'At risk', r: [1, 2], f: [3, 4] },
  { id: 'lost', label: 'Lost', r: [1, 1], f: [1, 1] },
  { id: 'hibernating', label: 'Hibernating', r: [1, 2], f: [1, 2] },
];

/** A compiled mapping: a 125-entry table indexed by `(r−1)·25 + (f−1)·5 + (m−1)`. */
export interface RfmClassifier {
  readonly mapping: RfmMapping;
  classify(r: number, f: number, m: number): string;
}

/**
 * Validates a mapping and compiles it to a lookup table; throws `CONFIG_INVALID` naming the first cell no
 * rule covers.
 *
 * @example
 * ```ts
 * const classifier = parseRfmMapping(RFM_SEGMENTS);
 * classifier.classify(5, 5, 1); // 'champions'
 * ```
 */
export function parseRfmMapping(input: unknown): RfmClassifier {
  return buildClassifier(parseWith(rfmMappingSchema, input, 'CONFIG_INVALID'));
}

function buildClassifier(mapping: RfmMapping): RfmClassifier {
  const table: string[] = new Array(125);
  const within = (range: readonly [number, number] | undefined, v: number): boolean => range === undefined || (v >= range[0] && v <= range[1]);
  for (let r = 1; r <= 5; r++) {
    for (let f = 1; f <= 5; f++) {
      for (let m = 1; m <= 5; m++) {
        const rule = mapping.find((x) => within(x.r, r) && within(x.f, f) && within(x.m, m));
        if (!rule) {
          throw new CrossChannelError<SegmentErrorCode>('CONFIG_INVALID', `RFM mapping classifies no segment for R=${r} F=${f} M=${m}`, { path: [], detail: { r, f, m } });
        }
        table[(r - 1) * 25 + (f - 1) * 5 + (m - 1)] = rule.id;
      }
    }
  }
  return { mapping, classify: (r, f, m) => table[(r - 1) * 25 + (f - 1) * 5 + (m - 1)]! };
}

/**
 * Scores one customer with a fitted model.
 *
 * @example
 * ```ts
 * declare const model: RfmModel; // from fitRfm
 * declare const now: number;
 *
 * scoreRfm(model, { id: 'c1', lastPurchaseAt: now - 86_400_000, frequency: 12, monetary: 900 }); // { r: 5, f: 5, m: 5, code: '555', segment: 'champions' }
 * ```
 */
export function scoreRfm(model: RfmModel, customer: RfmInput, classifier: RfmClassifier = DEFAULT): RfmScore {
  expectObject(model, ['model']);
  for (const k of ['recency', 'frequency', 'monetary'] as const) {
    const cuts = (model as Partial<RfmModel>)[k];
    if (!Array.isArray(cuts) || cuts.length !== 4 || !cuts.every((c) => typeof c === 'number')) expectObject(null, ['model', k]);
  }
  expectFinite(model.now, ['model', 'now']);
  expectObject(customer, ['customer']);
  checkInput(customer, 'customer');
  if (typeof classifier !== 'object' || classifier === null || typeof classifier.classify !== 'function') expectObject(null, ['classifier']);
  const r = scoreOf(model.recency, recencyValue(customer, model.now));
  const f = scoreOf(model.frequency, customer.frequency);
  const m = scoreOf(model.monetary, customer.monetary);
  return { id: customer.id, r, f, m, code: `${r}${f}${m}`, segment: classifier.classify(r, f, m) };
}

const DEFAULT = /* @__PURE__ */ buildClassifier(RFM_SEGMENTS);

/**
 * Fits quintiles on the population and scores every customer (in input order).
 *
 * @example
 * ```ts
 * declare const customers: RfmInput[];
 * declare const now: number;
 *
 * const scores = rfmScores(customers, now); // [{ id, r, f, m, code, segment }, …]
 * ```
 */
export function rfmScores(customers: ReadonlyArray<RfmInput>, now: EpochMs, options: { mapping?: unknown } = {}): RfmScore[] {
  expectArray(customers, ['customers']);
  expectObjects(customers, ['customers']);
  expectOptions(options, ['options']);
  const model = fitRfm(customers, now);
  const classifier = options.mapping === undefined ? DEFAULT : buildClassifier(parseWith(rfmMappingSchema, options.mapping, 'CONFIG_INVALID', ['options', 'mapping']));
  return customers.map((c) => scoreRfm(model, c, classifier));
}

/** Options of {@link rfmInputFromEvents}. */
export interface RfmEventOptions {
  /** Event type(s) counted as purchases (default `purchase`). */
  readonly purchaseType?: string | ReadonlyArray<string>;
  /** Property holding the amount (default `amount`); non-numbers count 0. */
  readonly amountProperty?: string;
  /** Only purchases in the last `window` (a duration, e.g. `'365d'`); default all history up to `now`. */
  readonly window?: string | number;
}

/**
 * Reads a customer's RFM values from their behaviour events (sorted by `at`), ignoring events after `now`.
 *
 * @example
 * ```ts
 * import type { BehaviourEvent } from 'crosschannel';
 *
 * declare const events: ReadonlyArray<BehaviourEvent>;
 * declare const now: number;
 *
 * rfmInputFromEvents('p1', events, now, { window: '365d' }); // { id: 'p1', lastPurchaseAt, frequency, monetary }
 * ```
 */
export function rfmInputFromEvents(id: string, events: ReadonlyArray<BehaviourEvent>, now: EpochMs, options: RfmEventOptions = {}): RfmInput {
  expectString(id, ['id']);
  expectArray(events, ['events']);
  expectObjects(events, ['events']);
  expectFinite(now, ['now']);
  expectOptions(options, ['options']);
  const purchaseType = options.purchaseType ?? ['purchase'];
  if (typeof purchaseType !== 'string') expectArray(purchaseType, ['options', 'purchaseType']);
  const types = new Set(typeof purchaseType === 'string' ? [purchaseType] : purchaseType);
  const prop = options.amountProperty ?? 'amount';
  expectString(prop, ['options', 'amountProperty']);
  const from = options.window === undefined ? -Infinity : now - parseWith(durationSchema, options.window, 'INPUT_INVALID', ['options', 'window']);
  let last: EpochMs | undefined;
  let frequency = 0;
  let monetary = 0;
  try {
    const end = lowerBoundAt(events, now + 1);
    for (let i = from === -Infinity ? 0 : lowerBoundAt(events, from); i < end; i++) {
      const e = events[i]!;
      if (!types.has(e.type)) continue;
      frequency++;
      last = e.at;
      const v = e.properties[prop];
      if (typeof v === 'number' && Number.isFinite(v)) monetary += v;
    }
  } catch (e) {
    // Only the events in the window are read (binary search, then a loop): when that fails, the bad event is named
    // at its place — a missing or non-numeric `at` (inTimeOrder), else `properties` that are not an object.
    inTimeOrder(events);
    events.forEach((x, i) => expectObject(x.properties, ['events', i, 'properties']));
    throw e;
  }
  return { id, lastPurchaseAt: last, frequency, monetary };
}
