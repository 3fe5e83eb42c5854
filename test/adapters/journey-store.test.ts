import { afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { RedisJourneyStore } from '../../src/adapters/redis/journeys.js';
import { runJourneyStoreConformance } from '../../src/testing/journey-store.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

let redis: Redis | undefined;
afterAll(async () => {
  await redis?.quit();
});

runJourneyStoreConformance([
  { name: 'memory', create: () => new MemoryJourneyStore() },
  {
    name: 'redis',
    skip: noRedis,
    create: () => {
      redis ??= createRedis();
      return new RedisJourneyStore(redis, { prefix: uniquePrefix('js') });
    },
  },
  {
    name: 'redis (3 due shards)',
    skip: noRedis,
    create: () => {
      redis ??= createRedis();
      return new RedisJourneyStore(redis, { prefix: uniquePrefix('js'), dueShards: 3 });
    },
  },
]);
