/**
 * Property: the offer-capacity stores answer alike — memory and Redis — on random sequences of consumptions (keyed
 * and retried, several units, budgets with decimal costs, calls an hour late, across local days and weeks, offer
 * ids outside the BMP), releases of what they granted, and usage reads: every answer after each step, then a burst
 * of concurrent consumptions whose grants must stay within the limits on both.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryOfferCapacityStore } from '../../src/adapters/memory/offer-capacity.js';
import { RedisOfferCapacityStore } from '../../src/adapters/redis/offer-capacity.js';
import type { CapacityReservation, OfferCapacitySpec, OfferCapacityStore } from '../../src/arbitration/store.js';
import { DAY, HOUR } from '../../src/core/time.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

const T0 = Date.parse('2026-03-28T20:00:00Z'); // the Saturday before Paris moves to summer time
const OFFERS = ['o', '\u{1F600}'];
const specs: OfferCapacitySpec[] = [
  { perDay: 3, perWeek: 5, timeZone: 'Europe/Paris' },
  { total: 4, budget: 1, cost: 0.1, timeZone: 'Europe/Paris' },
  { perDay: 2, budget: 10, timeZone: 'Europe/Paris', weekStartsOn: 0 },
];
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('consume' as const), o: fc.constantFrom(...OFFERS), s: fc.nat({ max: specs.length - 1 }), amount: fc.constantFrom(1, 1, 2), key: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }), back: fc.constantFrom(0, 0, HOUR) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('release' as const), k: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('usage' as const), back: fc.constantFrom(0, DAY, 8 * DAY) }) },
);

let redis: Redis | undefined;
afterAll(async () => {
  await redis?.quit();
});

describe.skipIf(noRedis)('offer-capacity stores agree', () => {
  it('property: every answer alike on memory and Redis', async () => {
    redis ??= createRedis();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(op, fc.constantFrom(0, 0, 1, 3 * HOUR, 20 * HOUR)), { minLength: 1, maxLength: 30 }), async (ops) => {
        const stores: OfferCapacityStore[] = [new MemoryOfferCapacityStore(), new RedisOfferCapacityStore(redis!, { prefix: uniquePrefix('oca') })];
        const granted: CapacityReservation[][] = stores.map(() => []);
        let now = T0;
        for (const [o, dt] of ops) {
          now += dt;
          const answers = await Promise.all(
            stores.map(async (s, i) => {
              if (o.t === 'usage') return s.usage(OFFERS, specs[0]!, now - o.back);
              if (o.t === 'release') {
                const r = granted[i]!.splice(o.k % Math.max(1, granted[i]!.length), 1)[0];
                return r && s.release(r);
              }
              const r = await s.consume(o.o, specs[o.s]!, now - o.back, o.amount, o.key);
              if (r.ok && !r.replayed) granted[i]!.push(r.reservation);
              return r;
            }),
          );
          expect([o, answers[1]]).toEqual([o, answers[0]]);
        }
      }),
      {
        numRuns: 150,
        examples: [
          // A key of yesterday retried after a keyed call of today: memory kept only the latest day's keys.
          [[[{ t: 'consume', o: 'o', s: 0, amount: 1, key: 'k1', back: HOUR }, 0], [{ t: 'consume', o: 'o', s: 0, amount: 1, key: 'k2', back: 0 }, 3 * HOUR], [{ t: 'consume', o: 'o', s: 0, amount: 1, key: 'k1', back: HOUR }, 0]]],
          // A keyed repeat asking for another cost: Redis answered with the repeat's reservation, not the first call's.
          [[[{ t: 'consume', o: '\u{1F600}', s: 1, amount: 1, key: 'k2', back: 0 }, 0], [{ t: 'consume', o: '\u{1F600}', s: 0, amount: 2, key: 'k2', back: 0 }, 0], [{ t: 'release', k: 0 }, 0]]],
        ],
      },
    );
  });

  it('concurrent consumptions stay within every limit on both, and report the same usage', async () => {
    redis ??= createRedis();
    const stores: OfferCapacityStore[] = [new MemoryOfferCapacityStore(), new RedisOfferCapacityStore(redis, { prefix: uniquePrefix('occ') })];
    for (const s of stores) {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.consume(OFFERS[i % 2]!, specs[1]!, T0 + i, 1 + (i % 2), i % 3 === 0 ? `k${i % 6}` : undefined)));
      const taken = (o: string) => results.filter((r, i) => r.ok && !r.replayed && OFFERS[i % 2] === o).reduce((n, r) => n + (r.ok ? r.reservation.amount : 0), 0);
      expect([taken('o'), taken('\u{1F600}')]).toEqual([4, 4]);
    }
    const [a, b] = await Promise.all(stores.map((s) => s.usage(OFFERS, specs[1]!, T0 + 40)));
    expect(b).toEqual(a);
  });
});
