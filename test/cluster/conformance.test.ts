/**
 * The Redis stores' conformance suites on a real 3-master Redis Cluster through ioredis' Cluster client.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { RedisContactHistoryStore } from '../../src/adapters/redis/contact-history.js';
import { RedisJourneyStore } from '../../src/adapters/redis/journeys.js';
import { RedisOfferCapacityStore } from '../../src/adapters/redis/offer-capacity.js';
import { runContactHistoryStoreConformance } from '../../src/testing/contact-history-store.js';
import { runJourneyStoreConformance } from '../../src/testing/journey-store.js';
import { runOfferCapacityStoreConformance } from '../../src/testing/offer-capacity-store.js';
import { noRedis, uniquePrefix } from '../fixtures/redis.js';
import { checkCaps, MAX_PER_SUBJECT, race, SUBJECTS } from '../fixtures/contention.js';
import { clusterBinariesAvailable, startRedisCluster, type RedisClusterFixture } from '../fixtures/redis-cluster.js';

// Outside CI, a machine without redis-server or redis-cli skips; under CI the cluster must start.
const noCluster = noRedis || (!process.env.CI && !clusterBinariesAvailable());

let cluster: Promise<RedisClusterFixture> | undefined;
let client: Cluster | undefined;
async function shared(): Promise<Cluster> {
  cluster ??= startRedisCluster({ masters: 3 });
  client ??= (await cluster).client();
  return client;
}
afterAll(async () => {
  await client?.quit();
  await (await cluster)?.stop();
});

runContactHistoryStoreConformance({
  name: 'redis cluster (3 masters)',
  skip: noCluster,
  create: async () => new RedisContactHistoryStore(await shared(), { prefix: uniquePrefix('ch') }),
});

runOfferCapacityStoreConformance({
  name: 'redis cluster (3 masters)',
  skip: noCluster,
  create: async () => new RedisOfferCapacityStore(await shared(), { prefix: uniquePrefix('cap') }),
});

runJourneyStoreConformance([
  {
    name: 'redis cluster (3 masters, 3 due shards)',
    skip: noCluster,
    create: async () => new RedisJourneyStore(await shared(), { prefix: uniquePrefix('js'), dueShards: 3 }),
  },
]);

describe.skipIf(noCluster)('Redis Cluster: reservations under contention', () => {
  it('16 cluster clients × 500 attempts: no window above its cap, and exactly the maximum granted', async () => {
    const fixture = await (cluster ??= startRedisCluster({ masters: 3 }));
    const clients = Array.from({ length: 16 }, () => fixture.client());
    try {
      const prefix = uniquePrefix('race');
      const stores = clients.map((c) => new RedisContactHistoryStore(c, { prefix }));
      const { granted, replayMismatch } = await race(stores, 500);
      expect(replayMismatch).toBe(0);
      expect(granted).toBe(SUBJECTS.length * MAX_PER_SUBJECT);
      expect(await checkCaps(stores[0]!)).toBe(granted);
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('16 cluster clients racing for one offer never exceed its capacity', async () => {
    const fixture = await (cluster ??= startRedisCluster({ masters: 3 }));
    const clients = Array.from({ length: 16 }, () => fixture.client());
    try {
      const prefix = uniquePrefix('cap-race');
      const stores = clients.map((c) => new RedisOfferCapacityStore(c, { prefix }));
      const now = Date.UTC(2026, 0, 7, 10);
      const spec = { perDay: 50, perWeek: 80, budget: 1000, cost: 3 };
      const offers = ['flash-sale', 'call-slot', 'voucher'];
      const results = await Promise.all(Array.from({ length: 480 }, (_, i) => stores[i % 16]!.consume(offers[i % 3]!, spec, now + i)));
      for (const offer of offers) {
        expect(results.filter((r, i) => r.ok && i % 3 === offers.indexOf(offer)).length).toBe(50);
        expect((await stores[0]!.usage([offer], {}, now)).get(offer)).toEqual({ day: 50, week: 50, total: 50, spent: 150 });
      }
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });
});
