/**
 * Conformance suite of {@link OfferCapacityStore}: the behaviour every implementation (memory, Redis, an
 * integrator's own) must show, including that concurrent consumers never exceed a capacity or a budget.
 */
import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import type { OfferCapacityStore } from '../arbitration/store.js';
import { runConformance, type ConformanceTargets } from './harness.js';

const T0 = Date.UTC(2026, 0, 7, 10, 0, 0); // Wednesday 10:00 UTC
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Runs the offer capacity store conformance suite against each implementation (inside a vitest file).
 *
 * @example
 * ```ts
 * import { runOfferCapacityStoreConformance } from 'crosschannel/testing';
 * import { MemoryOfferCapacityStore } from 'crosschannel/adapters/memory';
 * runOfferCapacityStoreConformance([{ name: 'memory', create: () => new MemoryOfferCapacityStore() }]);
 * ```
 */
export function runOfferCapacityStoreConformance(implementations: ConformanceTargets<OfferCapacityStore>): void {
  runConformance('OfferCapacityStore', implementations, (store) => {
    it('grants up to the daily capacity, then refuses naming the limit, without changing counters', async () => {
      const s = store();
      for (let i = 0; i < 3; i++) expect((await s.consume('coupon', { perDay: 3 }, T0 + i)).ok).toBe(true);
      const r = await s.consume('coupon', { perDay: 3 }, T0 + 10);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.exhausted).toBe('day');
      expect(r.usage).toEqual({ day: 3, week: 3, total: 3, spent: 0 });
      expect((await s.usage(['coupon'], {}, T0)).get('coupon')).toEqual({ day: 3, week: 3, total: 3, spent: 0 });
    });

    it('starts a new day at local midnight of the spec time zone and keeps counting the week', async () => {
      const s = store();
      const spec = { perDay: 1, perWeek: 2, timeZone: 'Europe/Paris' } as const;
      // 22:30 UTC on Wednesday is 23:30 in Paris; 23:30 UTC is already Thursday there.
      expect((await s.consume('slot', spec, Date.UTC(2026, 0, 7, 22, 30))).ok).toBe(true);
      expect((await s.consume('slot', spec, Date.UTC(2026, 0, 7, 22, 45))).ok).toBe(false);
      const thu = await s.consume('slot', spec, Date.UTC(2026, 0, 7, 23, 30));
      expect(thu.ok).toBe(true);
      const fri = await s.consume('slot', spec, Date.UTC(2026, 0, 9, 12));
      expect(fri.ok).toBe(false);
      if (!fri.ok) expect(fri.exhausted).toBe('week');
      // Next Monday is a new week (weeks start on Monday by default).
      expect((await s.consume('slot', spec, Date.UTC(2026, 0, 12, 12))).ok).toBe(true);
    });

    it('honours weekStartsOn', async () => {
      const s = store();
      const spec = { perWeek: 1, weekStartsOn: 0 } as const;
      expect((await s.consume('w', spec, Date.UTC(2026, 0, 10, 12))).ok).toBe(true); // Saturday
      expect((await s.consume('w', spec, Date.UTC(2026, 0, 11, 12))).ok).toBe(true); // Sunday: new week
      expect((await s.consume('w', spec, Date.UTC(2026, 0, 12, 12))).ok).toBe(false); // Monday: same week
    });

    it('enforces the total capacity across days', async () => {
      const s = store();
      expect((await s.consume('t', { total: 2 }, T0)).ok).toBe(true);
      expect((await s.consume('t', { total: 2 }, T0 + 3 * DAY)).ok).toBe(true);
      const r = await s.consume('t', { total: 2 }, T0 + 30 * DAY);
      expect(r.ok ? null : r.exhausted).toBe('total');
    });

    it('spends the budget by cost and refuses when the cost no longer fits', async () => {
      const s = store();
      const spec = { budget: 10, cost: 4 };
      expect((await s.consume('b', spec, T0)).ok).toBe(true);
      expect((await s.consume('b', spec, T0)).ok).toBe(true);
      const r = await s.consume('b', spec, T0);
      expect(r.ok ? null : r.exhausted).toBe('budget');
      expect(r.usage.spent).toBe(8);
      const cheap = await s.consume('b', { budget: 10, cost: 2 }, T0);
      expect(cheap.ok).toBe(true);
      expect(cheap.usage.spent).toBe(10);
    });

    it('handles decimal costs exactly up to the budget', async () => {
      const s = store();
      for (let i = 0; i < 3; i++) expect((await s.consume('d', { budget: 0.3, cost: 0.1 }, T0)).ok).toBe(true);
      expect((await s.consume('d', { budget: 0.3, cost: 0.1 }, T0)).ok).toBe(false);
    });

    it('consumes several units at once, all or nothing', async () => {
      const s = store();
      expect((await s.consume('m', { perDay: 5 }, T0, 3)).ok).toBe(true);
      const r = await s.consume('m', { perDay: 5 }, T0, 3);
      expect(r.ok).toBe(false);
      expect(r.usage.day).toBe(3);
      expect((await s.consume('m', { perDay: 5 }, T0, 2)).ok).toBe(true);
    });

    it('releases a reservation, never going below zero', async () => {
      const s = store();
      const r = await s.consume('r', { perDay: 1, budget: 5, cost: 5 }, T0);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect((await s.consume('r', { perDay: 1 }, T0)).ok).toBe(false);
      expect(await s.release(r.reservation)).toEqual({ day: 0, week: 0, total: 0, spent: 0 });
      expect(await s.release(r.reservation)).toEqual({ day: 0, week: 0, total: 0, spent: 0 });
      expect((await s.consume('r', { perDay: 1, budget: 5, cost: 5 }, T0)).ok).toBe(true);
    });

    it('releases into the windows of the reservation, not of today', async () => {
      const s = store();
      const first = await s.consume('x', { perDay: 5 }, T0);
      await s.consume('x', { perDay: 5 }, T0 + DAY);
      if (!first.ok) throw new Error('expected a grant');
      await s.consume('x', { perDay: 5 }, T0 + 7 * DAY);
      await s.release(first.reservation);
      const u = await s.usage(['x'], {}, T0 + DAY);
      expect(u.get('x')?.day).toBe(1);
      expect((await s.usage(['x'], {}, T0)).get('x')).toMatchObject({ day: 0, week: 1 });
      expect((await s.usage(['x'], {}, T0 + 7 * DAY)).get('x')?.week).toBe(1);
      // In the spec's calendar: a Tokyo day (from 15:00 UTC), weeks from Sunday.
      const cal = { timeZone: 'Asia/Tokyo', weekStartsOn: 0 } as const;
      const z = await s.consume('z', { perDay: 5, ...cal }, T0);
      if (!z.ok) throw new Error('expected a grant');
      await s.release(z.reservation);
      expect((await s.usage(['z'], cal, T0)).get('z')).toEqual({ day: 0, week: 0, total: 0, spent: 0 });
    });

    it('keeps offers independent and reports zeros for unknown offers', async () => {
      const s = store();
      await s.consume('a', { perDay: 1 }, T0);
      expect((await s.consume('b', { perDay: 1 }, T0)).ok).toBe(true);
      expect((await s.consume('A', { perDay: 1 }, T0)).ok).toBe(true);
      // Ids are exact: no case folding (above), no truncation (up to the 256-character limit).
      const long = 'o'.repeat(255);
      await s.consume(`${long}1`, { perDay: 1 }, T0);
      expect((await s.consume(`${long}2`, { perDay: 1 }, T0)).ok).toBe(true);
      const u = await s.usage(['a', 'b', 'never'], {}, T0);
      expect(u.get('a')?.day).toBe(1);
      expect(u.get('never')).toEqual({ day: 0, week: 0, total: 0, spent: 0 });
    });

    it('a zero capacity refuses everything', async () => {
      const r = await store().consume('z', { perDay: 0 }, T0);
      expect(r.ok).toBe(false);
    });

    it('never exceeds capacity or budget under concurrent consumers', async () => {
      const s = store();
      const spec = { perDay: 17, budget: 40, cost: 2 };
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => s.consume('hot', spec, T0 + i)));
      const granted = results.filter((r) => r.ok).length;
      expect(granted).toBe(17);
      const budgetSpec = { budget: 40, cost: 3 };
      const spent = await Promise.all(Array.from({ length: 30 }, () => s.consume('cash', budgetSpec, T0)));
      expect(spent.filter((r) => r.ok).length).toBe(13);
      const u = await s.usage(['hot', 'cash'], {}, T0);
      expect(u.get('hot')?.day).toBe(17);
      expect(u.get('cash')?.spent).toBe(39);
    });

    it('interleaved consume and release keep counters consistent', async () => {
      const s = store();
      const spec = { perDay: 5 };
      const ops = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const r = await s.consume('ir', spec, T0);
          if (r.ok) await s.release(r.reservation);
          return r.ok;
        }),
      );
      expect(ops.some(Boolean)).toBe(true);
      expect((await s.usage(['ir'], {}, T0)).get('ir')?.day).toBe(0);
    });

    it('a budget refusal changes no counter', async () => {
      const s = store();
      const spec = { perDay: 10, budget: 5, cost: 3 };
      expect((await s.consume('o1', spec, T0)).ok).toBe(true);
      const r = await s.consume('o1', spec, T0 + 1);
      expect(r.ok ? null : r.exhausted).toBe('budget');
      expect(r.usage).toEqual({ day: 1, week: 1, total: 1, spent: 3 });
      expect((await s.usage(['o1'], {}, T0)).get('o1')).toEqual({ day: 1, week: 1, total: 1, spent: 3 });
    });

    it('charges the budget cost × amount', async () => {
      const s = store();
      const spec = { budget: 10, cost: 2 };
      const r = await s.consume('o2', spec, T0, 3);
      expect(r.ok && r.reservation.cost).toBe(6);
      expect(r.usage.spent).toBe(6);
      expect((await s.consume('o2', spec, T0, 3)).ok).toBe(false);
      const fits = await s.consume('o2', spec, T0, 2);
      expect(fits.usage).toEqual({ day: 5, week: 5, total: 5, spent: 10 });
      expect((await s.consume('o2', spec, T0, 1)).ok).toBe(false);
    });

    it('reports usage in the windows of the given time zone and first weekday', async () => {
      const s = store();
      const cal = { timeZone: 'Europe/Paris', weekStartsOn: 0 } as const;
      // Saturday 12:00 UTC is Saturday in Paris (a week that began on Sunday the 4th); Saturday 23:30 UTC is already
      // Sunday 00:30 there: a new day and, weeks starting on Sunday, a new week.
      expect((await s.consume('o3', { perDay: 5, ...cal }, Date.UTC(2026, 0, 10, 12))).ok).toBe(true);
      expect((await s.consume('o3', { perDay: 5, ...cal }, Date.UTC(2026, 0, 10, 23, 30))).ok).toBe(true);
      expect((await s.usage(['o3'], cal, Date.UTC(2026, 0, 11, 10))).get('o3')).toEqual({ day: 1, week: 1, total: 2, spent: 0 });
      expect((await s.usage(['o3'], cal, Date.UTC(2026, 0, 10, 22, 59))).get('o3')).toEqual({ day: 1, week: 1, total: 2, spent: 0 });
      // In UTC with weeks from Monday both fall on Saturday the 10th, in the week of Monday the 5th.
      expect((await s.usage(['o3'], {}, Date.UTC(2026, 0, 10, 12))).get('o3')).toEqual({ day: 0, week: 0, total: 2, spent: 0 });
    });

    it('keeps spent to full double precision: the double sum of the costs, in the order granted', async () => {
      const s = store();
      const costs = [0.1, 0.2, 1234.5678901234567, 1e-20, 0.1234567890123456];
      let sum = 0;
      const grants = [];
      for (const cost of costs) {
        const r = await s.consume('p', { cost }, T0);
        sum += cost;
        expect(r.usage.spent).toBe(sum);
        if (r.ok) grants.push(r.reservation);
      }
      expect((await s.usage(['p'], {}, T0)).get('p')?.spent).toBe(sum);
      const after = await s.release(grants[1]!);
      expect(after.spent).toBe(sum - 0.2);
      expect((await s.usage(['p'], {}, T0)).get('p')?.spent).toBe(sum - 0.2);
      expect((await s.consume('tiny', { cost: 1e-20 }, T0)).usage.spent).toBe(1e-20);
      expect((await s.usage(['tiny'], {}, T0)).get('tiny')?.spent).toBe(1e-20);
      const two = await s.consume('q', { budget: 0.25, cost: 0.1234567890123456 }, T0, 2);
      expect(two.usage.spent).toBe(0.1234567890123456 * 2);
      const r2 = await s.consume('q', { budget: 0.25, cost: 0.1234567890123456 }, T0);
      expect(r2.ok).toBe(false);
      expect(r2.usage.spent).toBe(0.1234567890123456 * 2);
    });

    it('keyed: a repeat replays the grant (taking nothing) or the refusal; a release forgets the key', async () => {
      const s = store();
      const take = (key: string) => s.consume('k', { total: 1 }, T0, 1, key);
      const all = await Promise.all([take('r#1'), take('r#1'), take('r#1')]);
      const a = all.filter((r) => r.ok && !r.replayed)[0]!;
      expect(all.filter((r) => r.ok && r.replayed)).toHaveLength(2);
      for (const r of all) expect(r).toMatchObject({ reservation: { ...(a.ok && a.reservation), key: 'r#1' }, usage: { total: 1 } });
      expect((await take('r#2')).ok).toBe(false);
      if (a.ok) await s.release(a.reservation);
      expect((await take('r#2')).ok).toBe(false);
      const fresh = await take('r#1'); // released: the key is forgotten, a fresh grant
      expect(fresh.ok && !fresh.replayed && (await s.usage(['k'], {}, T0)).get('k')?.total).toBe(1);
      // Keys are per offer.
      expect(await s.consume('k2', { total: 1 }, T0, 1, 'r#1')).toMatchObject({ ok: true, reservation: { offerId: 'k2' } });
      expect(await take('r#1')).toMatchObject({ replayed: true, usage: { total: 1 } });
    });

    it('keyed: a repeat gets the first call\'s reservation; a later day\'s keys leave an earlier day\'s', async () => {
      const s = store();
      const first = await s.consume('kd', { perDay: 5, cost: 2 }, T0, 1, 'a');
      await s.consume('kd', { perDay: 5 }, T0 + DAY, 1, 'b');
      expect(await s.consume('kd', { perDay: 5 }, T0, 2, 'a')).toMatchObject({ replayed: true, reservation: first.ok ? first.reservation : {}, usage: { day: 1, total: 2 } });
      // A key is one call per offer and local day: the next day, it is a new call.
      const next = await s.consume('kd', { perDay: 5 }, T0 + DAY, 1, 'a');
      expect(next).toMatchObject({ ok: true, usage: { day: 2, total: 3 } });
      expect(next.ok && next.replayed).toBeFalsy();
    });

    it('refuses a release whose amount or cost consume could not have given, and changes nothing', async () => {
      const s = store();
      const r = await s.consume('rel', { perDay: 5, cost: 2 }, T0);
      if (!r.ok) throw new Error('expected a grant');
      const bad: Array<[string, Record<string, unknown>]> = [
        ['reservation.amount', { amount: 0.5 }],
        ['reservation.amount', { amount: -3 }],
        ['reservation.amount', { amount: 0 }],
        ['reservation.amount', { amount: Number.NaN }],
        ['reservation.amount', { amount: 1_000_001 }],
        ['reservation.cost', { cost: -2 }],
        ['reservation.offerId', { offerId: 'rel\ud800' }],
      ];
      for (const [path, over] of bad) {
        const err = await s.release({ ...r.reservation, ...over } as never).then(() => null, (e: unknown) => e);
        expect(isCrossChannelError(err, 'INPUT_INVALID'), path).toBe(true);
        expect((err as { path?: string }).path).toBe(path);
      }
      expect((await s.usage(['rel'], {}, T0)).get('rel')).toEqual({ day: 1, week: 1, total: 1, spent: 2 });
      expect((await s.consume('rel', { perDay: 5 }, T0)).ok).toBe(true);
      // A release for an offer never consumed gives nothing back and creates nothing.
      expect(await s.release({ ...r.reservation, offerId: 'never' })).toEqual({ day: 0, week: 0, total: 0, spent: 0 });
      expect((await s.usage(['never'], {}, T0)).get('never')).toEqual({ day: 0, week: 0, total: 0, spent: 0 });
    });

    it('checks usage arguments as consume does', async () => {
      const s = store();
      const refused: Array<[string, () => Promise<unknown>]> = [
        ['offerIds', () => s.usage('coupon' as unknown as string[], {}, T0)],
        ['offerIds[1]', () => s.usage(['a', 42 as unknown as string], {}, T0)],
        ['offerIds[0]', () => s.usage([''], {}, T0)],
        ['offerIds[0]', () => s.usage(['\udbff'], {}, T0)],
        ['now', () => s.usage(['a'], {}, Number.NaN)],
      ];
      for (const [path, call] of refused) {
        const err = await call().then(() => null, (e: unknown) => e);
        expect(isCrossChannelError(err, 'INPUT_INVALID'), path).toBe(true);
        expect((err as { path?: string }).path).toBe(path);
      }
    });

    it('keeps the counts of past days and weeks (a window is kept at least a day after it ends)', async () => {
      const s = store();
      for (let i = 0; i < 20; i++) expect((await s.consume('days', { perDay: 5 }, T0 + i * DAY)).ok).toBe(true);
      expect((await s.usage(['days'], {}, T0)).get('days')).toEqual({ day: 1, week: 5, total: 20, spent: 0 });
      expect((await s.usage(['days'], {}, T0 + 19 * DAY)).get('days')).toEqual({ day: 1, week: 1, total: 20, spent: 0 });
    });

    describe('rejects bad input with INPUT_INVALID and changes nothing', () => {
      const cases: Array<[string, (s: OfferCapacityStore) => Promise<unknown>]> = [
        ['empty offer id', (s) => s.consume('', { perDay: 1 }, T0)],
        ['zero amount', (s) => s.consume('v', { perDay: 1 }, T0, 0)],
        ['fractional amount', (s) => s.consume('v', { perDay: 1 }, T0, 1.5)],
        ['negative capacity', (s) => s.consume('v', { perDay: -1 }, T0)],
        ['NaN time', (s) => s.consume('v', { perDay: 1 }, Number.NaN)],
        ['negative cost', (s) => s.consume('v', { budget: 1, cost: -1 }, T0)],
        ['offer id with a lone surrogate', (s) => s.consume('v\ud800', { perDay: 1 }, T0)],
        ['offer id with a control character', (s) => s.consume('v\u0085', { perDay: 1 }, T0)],
        ['empty key', (s) => s.consume('v', { perDay: 1 }, T0, 1, '')],
      ];
      for (const [name, call] of cases) {
        it(name, async () => {
          const s = store();
          const err = await call(s).then(
            () => null,
            (e: unknown) => e,
          );
          expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
          expect((await s.usage(['v'], {}, T0)).get('v')).toEqual({ day: 0, week: 0, total: 0, spent: 0 });
        });
      }
      it('unknown time zone → TIMEZONE_INVALID', async () => {
        const err = await store()
          .consume('v', { perDay: 1, timeZone: 'Mars/Olympus' }, T0)
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(isCrossChannelError(err, 'TIMEZONE_INVALID')).toBe(true);
      });
    });
  });
}
