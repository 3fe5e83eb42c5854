import { afterAll, describe, expect, it } from 'vitest';
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
