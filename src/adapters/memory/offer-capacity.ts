import type { CapacityReservation, ConsumeResult, OfferCapacitySpec, OfferCapacityStore, OfferUsage } from '../../arbitration/store.js';
import { capacityWindows, unitCost } from '../../arbitration/store.js';
import { DAY, type EpochMs } from '../../core/time.js';
import { checkConsume, checkRelease, checkUsage, refuseUnknownOptions } from '../store-input.js';

interface OfferCounters {
  /** Count per window start: local days and weeks. */
  readonly days: Map<number, number>;
  readonly weeks: Map<number, number>;
  total: number;
  spent: number;
  /** Outcomes of keyed calls per local day start, with the day's end: kept until a call's `now` is a day past it. */
  keys?: Map<number, { end: number; keys: Map<string, ConsumeResult> }>;
}

/**
 * In-process {@link OfferCapacityStore}: per-offer counters of local days and weeks, total presentations and
 * budget spent. Every call runs to completion without awaiting in between, so `consume` is atomic within one
 * process (use the Redis store when several processes share capacities).
 *
 * Every day and week counter is kept (one number per offer and window: a year of daily windows for 100 offers is
 * 36,500 numbers), read and written on the calls' own `now` — no clock of its own, so a fast simulation over many
 * days sees every window. The Redis store lets a window's key expire a day after the window ends (on Redis's
 * clock): only a read of a window more than a day over differs. `total` and `spent` never expire. `spent` is the
 * double-precision sum of the costs granted (minus
 * those released, never below zero), as in the Redis store. A `key` is remembered for the local day of its call, as
 * long as Redis keeps it: until a call's `now` is a day past that day's end. The store takes no options (`CONFIG_INVALID` for any).
 *
 * @example
 * ```ts
 * const store = new MemoryOfferCapacityStore();
 * const r = await store.consume('coupon', { perDay: 500, budget: 1000, cost: 5 }, Date.now());
 * if (r.ok) await store.release(r.reservation); // the send failed: give it back
 * ```
 */
export class MemoryOfferCapacityStore implements OfferCapacityStore {
  private readonly offers = new Map<string, OfferCounters>();

  constructor(options?: Record<string, never>) {
    refuseUnknownOptions(options, []);
  }

  async consume(offerId: string, spec: OfferCapacitySpec, now: EpochMs, amount = 1, key?: string): Promise<ConsumeResult> {
    checkConsume(offerId, spec, now, amount, key);
    const win = capacityWindows(spec, now);
    const c = this.offers.get(offerId);
    const d = c?.days.get(win.dayStart) ?? 0;
    const w = c?.weeks.get(win.weekStart) ?? 0;
    const total = c?.total ?? 0;
    const spent = c?.spent ?? 0;
    const usage = { day: d, week: w, total, spent };
    const held = key === undefined ? undefined : c?.keys?.get(win.dayStart)?.keys.get(key);
    if (held) return held.ok ? { ...held, usage, replayed: true } : { ...held, usage };
    const cost = unitCost(spec) * amount;
    let exhausted: 'day' | 'week' | 'total' | 'budget' | undefined;
    if (spec.perDay !== undefined && d + amount > spec.perDay) exhausted = 'day';
    else if (spec.perWeek !== undefined && w + amount > spec.perWeek) exhausted = 'week';
    else if (spec.total !== undefined && total + amount > spec.total) exhausted = 'total';
    else if (spec.budget !== undefined && cost > 0 && spent + cost > spec.budget + 1e-9) exhausted = 'budget';
    let r: ConsumeResult;
    if (exhausted !== undefined) r = { ok: false, exhausted, usage };
    else {
      const k = c ?? this.counters(offerId);
      k.days.set(win.dayStart, d + amount);
      k.weeks.set(win.weekStart, w + amount);
      k.total += amount;
      if (cost > 0) k.spent += cost;
      r = { ok: true, reservation: { offerId, amount, cost, ...win, ...(key === undefined ? {} : { key }) }, usage: { day: d + amount, week: w + amount, total: k.total, spent: k.spent } };
    }
    if (key !== undefined) {
      const days = (this.counters(offerId).keys ??= new Map());
      for (const [start, day] of days) if (day.end + DAY <= now) days.delete(start);
      let day = days.get(win.dayStart);
      if (day === undefined) days.set(win.dayStart, (day = { end: win.dayEnd, keys: new Map() }));
      day.keys.set(key, r);
    }
    return r;
  }

  async release(reservation: CapacityReservation): Promise<OfferUsage> {
    checkRelease(reservation);
    const c = this.offers.get(reservation.offerId);
    // An offer never consumed has nothing to give back; nothing is created for it (as in Redis).
    if (c === undefined) return { day: 0, week: 0, total: 0, spent: 0 };
    if (reservation.key !== undefined) c.keys?.get(reservation.dayStart)?.keys.delete(reservation.key);
    const day = lower(c.days, reservation.dayStart, reservation.amount);
    const week = lower(c.weeks, reservation.weekStart, reservation.amount);
    c.total = Math.max(0, c.total - reservation.amount);
    c.spent = Math.max(0, c.spent - reservation.cost);
    return { day, week, total: c.total, spent: c.spent };
  }

  async usage(offerIds: ReadonlyArray<string>, spec: Pick<OfferCapacitySpec, 'timeZone' | 'weekStartsOn'>, now: EpochMs): Promise<Map<string, OfferUsage>> {
    checkUsage(offerIds, spec, now);
    const win = capacityWindows(spec, now);
    const out = new Map<string, OfferUsage>();
    for (const id of offerIds) {
      const c = this.offers.get(id);
      out.set(id, c ? { day: c.days.get(win.dayStart) ?? 0, week: c.weeks.get(win.weekStart) ?? 0, total: c.total, spent: c.spent } : { day: 0, week: 0, total: 0, spent: 0 });
    }
    return out;
  }

  private counters(offerId: string): OfferCounters {
    let c = this.offers.get(offerId);
    if (c === undefined) {
      c = { days: new Map(), weeks: new Map(), total: 0, spent: 0 };
      this.offers.set(offerId, c);
    }
    return c;
  }
}

/** Lowers a window's count by `amount`, never below zero; a window never written stays absent (as in Redis). */
function lower(counts: Map<number, number>, start: number, amount: number): number {
  const had = counts.get(start);
  if (had === undefined) return 0;
  const left = Math.max(0, had - amount);
  counts.set(start, left);
  return left;
}
