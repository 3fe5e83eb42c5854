import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryOfferCapacityStore } from '../../src/adapters/memory/offer-capacity.js';
import { RedisOfferCapacityStore } from '../../src/adapters/redis/offer-capacity.js';
import { runOfferCapacityStoreConformance } from '../../src/testing/offer-capacity-store.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

let redis: Redis | undefined;
afterAll(async () => {
  await redis?.quit();
});

runOfferCapacityStoreConformance([
  { name: 'memory', create: () => new MemoryOfferCapacityStore() },
  {
    name: 'redis',
    skip: noRedis,
    create: () => {
      redis ??= createRedis();
      return new RedisOfferCapacityStore(redis, { prefix: uniquePrefix('cap') });
    },
  },
]);

describe.skipIf(noRedis)('RedisOfferCapacityStore — several service instances', () => {
  it('never exceeds a capacity when consumers on separate connections race', async () => {
    const clients = [createRedis(), createRedis(), createRedis()];
    try {
      const prefix = uniquePrefix('cap-multi');
      const stores = clients.map((c) => new RedisOfferCapacityStore(c, { prefix }));
      const now = Date.UTC(2026, 0, 7, 10);
      const spec = { perDay: 25, perWeek: 40, budget: 100, cost: 3 };
      const results = await Promise.all(Array.from({ length: 90 }, (_, i) => stores[i % 3]!.consume('flash-sale', spec, now + i)));
      expect(results.filter((r) => r.ok).length).toBe(25);
      const u = (await stores[0]!.usage(['flash-sale'], {}, now)).get('flash-sale');
      expect(u).toEqual({ day: 25, week: 25, total: 25, spent: 75 });
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });
});

describe('MemoryOfferCapacityStore', () => {
  it('takes no options (CONFIG_INVALID at the option, as maxSubjects)', () => {
    expect(() => new MemoryOfferCapacityStore({ maxSubjects: 2 } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'maxSubjects' }));
  });

  it('keeps every day and week counter, read on the calls\' own now: no clock of its own, whatever the wall time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const now = Date.UTC(2026, 0, 7, 10); // Wednesday
      vi.setSystemTime(now);
      const s = new MemoryOfferCapacityStore();
      expect((await s.consume('o', { perDay: 5 }, now)).ok).toBe(true);
      for (let d = 1; d <= 40; d++) expect((await s.consume('o', { perDay: 5 }, now + d * 86_400_000)).ok).toBe(true);
      vi.setSystemTime(now + 365 * 86_400_000);
      expect((await s.usage(['o'], {}, now)).get('o')).toEqual({ day: 1, week: 5, total: 41, spent: 0 }); // Wednesday to Sunday
      // A release into a window never written creates nothing.
      expect(await s.release({ offerId: 'o', amount: 1, cost: 0, dayStart: Date.UTC(2025, 0, 7), dayEnd: 0, weekStart: Date.UTC(2025, 0, 5), weekEnd: 0 })).toEqual({ day: 0, week: 0, total: 40, spent: 0 });
      expect((await s.usage(['o'], {}, Date.UTC(2025, 0, 7, 10))).get('o')).toEqual({ day: 0, week: 0, total: 40, spent: 0 });
    } finally {
      vi.useRealTimers();
    }
  });
});
