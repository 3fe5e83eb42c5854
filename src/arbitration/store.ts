import { quoted, inputError } from '../core/errors.js';
import { expectCatalogue, expectFinite, expectObject, expectString } from '../core/guards.js';
import { assertTimeZone, calendarWindow } from '../core/time.js';
import type { Catalogue } from './offers.js';
import type { EpochMs } from '../core/time.js';

/**
 * Global usage of one offer in the windows containing `now`: presentations in the local day and week, in
 * total, and budget spent. What {@link arbitrate} takes as `usage` and what an {@link OfferCapacityStore} reports.
 * @example
 * ```ts
 * const u: OfferUsage = { day: 120, week: 800, total: 5000, spent: 2500 };
 * ```
 */
export interface OfferUsage {
  readonly day: number;
  readonly week: number;
  readonly total: number;
  readonly spent: number;
}

/**
 * Limits of one offer for a store call: presentations per local day/week and in total, budget and the cost
 * of one presentation, and the calendar (zone, first weekday) the day/week windows use.
 */
export interface OfferCapacitySpec {
  readonly perDay?: number;
  readonly perWeek?: number;
  readonly total?: number;
  readonly budget?: number;
  /** Budget spent per presentation (default 1 when a budget is set, else 0). */
  readonly cost?: number;
  readonly timeZone?: string;
  readonly weekStartsOn?: 0 | 1 | 2 | 3 | 4 | 5 | 6;
}

/**
 * Proof of a successful consumption; pass it to `release` to give the capacity back (e.g. the send failed).
 * @example
 * ```ts
 * declare const store: OfferCapacityStore;
 * declare const now: EpochMs;
 *
 * const r = await store.consume('coupon', { perDay: 10 }, now);
 * if (r.ok) await store.release(r.reservation);
 * ```
 */
export interface CapacityReservation {
  readonly offerId: string;
  readonly amount: number;
  readonly cost: number;
  /** Start (epoch ms) of the local day and week windows the reservation counted in. */
  readonly dayStart: number;
  readonly dayEnd: number;
  readonly weekStart: number;
  readonly weekEnd: number;
  /** The idempotency key `consume` was given, when the store honours keys (see {@link OfferCapacityStore}). */
  readonly key?: string;
}

/**
 * Result of `consume`: granted with a reservation, or refused naming the exhausted limit. Usage is after the call.
 * @example
 * ```ts
 * declare const store: OfferCapacityStore;
 * declare const now: EpochMs;
 *
 * const r: ConsumeResult = await store.consume('coupon', { perDay: 10 }, now);
 * if (!r.ok) console.log(r.exhausted);
 * ```
 */
export type ConsumeResult =
  /** `replayed`: the grant of an earlier call with the same key; nothing was taken now, and the caller must not release it. */
  | { readonly ok: true; readonly reservation: CapacityReservation; readonly usage: OfferUsage; readonly replayed?: true }
  | { readonly ok: false; readonly exhausted: 'day' | 'week' | 'total' | 'budget'; readonly usage: OfferUsage };

/**
 * Global per-offer capacities and budgets, shared by every instance of a service. `consume` is atomic: under
 * any concurrency, granted presentations never exceed a limit and a refused call changes nothing.
 *
 * Idempotency (optional for a store; `decide` passes the contact's idempotency key): a `consume` with a `key`
 * that an earlier call of the same offer and local day was given answers as that call did, taking nothing — its
 * refusal again, or its grant with `replayed: true` — and a grant's reservation carries the `key`. Releasing a
 * keyed reservation forgets the key (the next call with it consumes afresh). A store that ignores keys still
 * works: `decide` then falls back to releasing duplicates, but two concurrent identical requests may each take
 * a unit (and record a fallback offer) when one is nearly used up.
 * Implementations: `MemoryOfferCapacityStore` (crosschannel/adapters/memory), `RedisOfferCapacityStore`
 * (crosschannel/adapters/redis); `runOfferCapacityStoreConformance` (crosschannel/testing) checks any other.
 *
 * @example
 * ```ts
 * declare const catalogue: Catalogue;
 * declare const store: OfferCapacityStore;
 * declare const now: EpochMs;
 *
 * const spec = capacitySpecOf(catalogue, 'coupon');
 * const r = await store.consume('coupon', spec, now);
 * if (!r.ok) console.log('no coupons left this', r.exhausted);
 * ```
 */
export interface OfferCapacityStore {
  /** Atomically takes `amount` presentations (default 1) in the windows containing `now`, if every limit allows; once per `key`. */
  consume(offerId: string, spec: OfferCapacitySpec, now: EpochMs, amount?: number, key?: string): Promise<ConsumeResult>;
  /** Gives back a reservation (never below zero); returns usage of the reservation's windows after the call. */
  release(reservation: CapacityReservation): Promise<OfferUsage>;
  /** Usage of each offer in the windows containing `now` (offers never consumed report zeros). */
  usage(offerIds: ReadonlyArray<string>, spec: Pick<OfferCapacitySpec, 'timeZone' | 'weekStartsOn'>, now: EpochMs): Promise<Map<string, OfferUsage>>;
}

/**
 * Zero usage.
 * @example
 * ```ts
 * declare const usage: Map<string, OfferUsage>; // from OfferCapacityStore.usage
 *
 * const u = usage.get('coupon') ?? NO_USAGE;
 * ```
 */
export const NO_USAGE: OfferUsage = /* @__PURE__ */ Object.freeze({ day: 0, week: 0, total: 0, spent: 0 });

/**
 * The capacity spec of a catalogue offer (limits, cost, and the catalogue's calendar) for store calls.
 *
 * @example
 * ```ts
 * const cat = parseCatalogue({ offers: [{ id: 'coupon', capacity: { perDay: 500 }, budget: { total: 10000, cost: 5 } }] });
 * capacitySpecOf(cat, 'coupon'); // { perDay: 500, budget: 10000, cost: 5, timeZone: 'UTC', weekStartsOn: 1 }
 * ```
 */
export function capacitySpecOf(catalogue: Catalogue, offerId: string): OfferCapacitySpec {
  expectCatalogue(catalogue, ['catalogue']);
  expectString(offerId, ['offerId']);
  const o = catalogue.byId.get(offerId);
  if (o === undefined) throw inputError(`Unknown offer ${quoted(offerId)}`, [], { offerId });
  const s: { -readonly [K in keyof OfferCapacitySpec]: OfferCapacitySpec[K] } = { timeZone: catalogue.timeZone, weekStartsOn: catalogue.weekStartsOn };
  if (o.capacity) {
    if (o.capacity.perDay !== Infinity) s.perDay = o.capacity.perDay;
    if (o.capacity.perWeek !== Infinity) s.perWeek = o.capacity.perWeek;
    if (o.capacity.total !== Infinity) s.total = o.capacity.total;
  }
  if (o.budget) {
    s.budget = o.budget.total;
    s.cost = o.budget.cost;
  }
  return s;
}

/**
 * The local day and week windows containing `now` for a spec's calendar.
 */
export function capacityWindows(spec: Pick<OfferCapacitySpec, 'timeZone' | 'weekStartsOn'>, now: EpochMs): { dayStart: number; dayEnd: number; weekStart: number; weekEnd: number } {
  const zone = spec.timeZone ?? 'UTC';
  const day = calendarWindow(now, 'day', zone);
  const week = calendarWindow(now, 'week', zone, { weekStartsOn: spec.weekStartsOn ?? 1 });
  return { dayStart: day.start, dayEnd: day.end, weekStart: week.start, weekEnd: week.end };
}

/**
 * Validates a store call; throws `CrossChannelError` `INPUT_INVALID` with the bad field's path. Shared by every
 * implementation so that they reject exactly the same inputs.
 *
 * @example
 * ```ts
 * // First thing in your own OfferCapacityStore's consume(offerId, spec, now, amount):
 * validateConsume('spring-sale', { perDay: 300 }, Date.parse('2026-03-02T09:00:00Z'), 1); // passes
 * validateConsume('spring-sale', { perDay: 300 }, Date.parse('2026-03-02T09:00:00Z'), -1); // throws INPUT_INVALID at amount
 * ```
 */
export function validateConsume(offerId: unknown, spec: OfferCapacitySpec, now: unknown, amount: unknown): void {
  if (typeof offerId !== 'string' || offerId.length === 0 || offerId.length > 256) throw inputError('offerId must be a non-empty string', ['offerId']);
  if (typeof now !== 'number' || !Number.isFinite(now)) throw inputError('now must be epoch milliseconds', ['now']);
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > 1_000_000) throw inputError('amount must be a positive integer', ['amount']);
  if (typeof spec !== 'object' || spec === null) throw inputError('spec must be an object', ['spec']);
  for (const k of ['perDay', 'perWeek', 'total'] as const) {
    const v = spec[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) throw inputError(`${k} must be a non-negative integer`, ['spec', k]);
  }
  for (const k of ['budget', 'cost'] as const) {
    const v = spec[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw inputError(`${k} must be a non-negative number`, ['spec', k]);
  }
  if (spec.timeZone !== undefined) assertTimeZone(spec.timeZone, ['spec', 'timeZone']);
}

/**
 * Checks a `release` call: a reservation as `consume` returned it (`offerId`; finite `dayStart`, `weekStart`,
 * `amount`, `cost`); otherwise `INPUT_INVALID` at the field's path. Shared by every implementation.
 */
export function validateRelease(reservation: unknown): void {
  expectObject(reservation, ['reservation']);
  const v = reservation as Record<string, unknown>;
  expectString(v.offerId, ['reservation', 'offerId']);
  for (const k of ['dayStart', 'weekStart', 'amount', 'cost']) expectFinite(v[k], ['reservation', k]);
}

/**
 * The cost of one presentation under a spec: `cost`, or 1 when only a budget is set, or 0.
 */
export function unitCost(spec: OfferCapacitySpec): number {
  return spec.cost ?? (spec.budget !== undefined ? 1 : 0);
}
