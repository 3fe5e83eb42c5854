import { afterAll } from 'vitest';
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
