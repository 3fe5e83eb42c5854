import type { CapacityReservation, ConsumeResult, OfferCapacitySpec, OfferCapacityStore, OfferUsage } from '../../arbitration/store.js';
import { expectArray } from '../../core/guards.js';
import { capacityWindows, unitCost, validateConsume, validateRelease } from '../../arbitration/store.js';
import type { EpochMs } from '../../core/time.js';

interface OfferCounters {
  readonly days: Map<number, number>;
  readonly weeks: Map<number, number>;
  total: number;
  spent: number;
}

/** Buckets kept per offer: enough for late releases of recent reservations, bounded so memory stays flat. */
const KEEP_BUCKETS = 16;

/**
 * In-process {@link OfferCapacityStore}: per-offer counters of local days and weeks, total presentations and
 * budget spent. Every call runs to completion without awaiting in between, so `consume` is atomic within one
 * process (use the Redis store when several processes share capacities). Old day/week buckets are pruned.
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

  async consume(offerId: string, spec: OfferCapacitySpec, now: EpochMs, amount = 1): Promise<ConsumeResult> {
    validateConsume(offerId, spec, now, amount);
    const win = capacityWindows(spec, now);
    const c = this.counters(offerId);
    const d = c.days.get(win.dayStart) ?? 0;
    const w = c.weeks.get(win.weekStart) ?? 0;
    const cost = unitCost(spec) * amount;
    const usage = (): OfferUsage => ({ day: c.days.get(win.dayStart) ?? 0, week: c.weeks.get(win.weekStart) ?? 0, total: c.total, spent: c.spent });
    let exhausted: 'day' | 'week' | 'total' | 'budget' | undefined;
    if (spec.perDay !== undefined && d + amount > spec.perDay) exhausted = 'day';
    else if (spec.perWeek !== undefined && w + amount > spec.perWeek) exhausted = 'week';
    else if (spec.total !== undefined && c.total + amount > spec.total) exhausted = 'total';
    else if (spec.budget !== undefined && cost > 0 && c.spent + cost > spec.budget + 1e-9) exhausted = 'budget';
    if (exhausted !== undefined) return { ok: false, exhausted, usage: usage() };
    bump(c.days, win.dayStart, amount);
    bump(c.weeks, win.weekStart, amount);
    c.total += amount;
    c.spent += cost;
    return { ok: true, reservation: { offerId, amount, cost, ...win }, usage: usage() };
  }

  async release(reservation: CapacityReservation): Promise<OfferUsage> {
    validateRelease(reservation);
    const c = this.counters(reservation.offerId);
    const d = Math.max(0, (c.days.get(reservation.dayStart) ?? 0) - reservation.amount);
    const w = Math.max(0, (c.weeks.get(reservation.weekStart) ?? 0) - reservation.amount);
    c.days.set(reservation.dayStart, d);
    c.weeks.set(reservation.weekStart, w);
    c.total = Math.max(0, c.total - reservation.amount);
    c.spent = Math.max(0, c.spent - reservation.cost);
    return { day: d, week: w, total: c.total, spent: c.spent };
  }

  async usage(offerIds: ReadonlyArray<string>, spec: Pick<OfferCapacitySpec, 'timeZone' | 'weekStartsOn'>, now: EpochMs): Promise<Map<string, OfferUsage>> {
    expectArray(offerIds, ['offerIds']);
    validateConsume('usage', spec, now, 1);
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
    if (c === undefined) this.offers.set(offerId, (c = { days: new Map(), weeks: new Map(), total: 0, spent: 0 }));
    return c;
  }
}

function bump(m: Map<number, number>, key: number, by: number): void {
  m.set(key, (m.get(key) ?? 0) + by);
  if (m.size > KEEP_BUCKETS) {
    let oldest = Infinity;
    for (const k of m.keys()) if (k < oldest) oldest = k;
    m.delete(oldest);
  }
}

