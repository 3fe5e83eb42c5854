import { afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryContactHistoryStore } from '../../src/adapters/memory/contact-history.js';
import { RedisContactHistoryStore } from '../../src/adapters/redis/contact-history.js';
import { runContactHistoryStoreConformance } from '../../src/testing/contact-history-store.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

let redis: Redis | undefined;
afterAll(async () => {
  await redis?.quit();
});

runContactHistoryStoreConformance([
  { name: 'memory', create: () => new MemoryContactHistoryStore({ maxSubjects: 1000 }) },
  {
    name: 'redis',
    skip: noRedis,
    create: () => {
      redis ??= createRedis();
      return new RedisContactHistoryStore(redis, { prefix: uniquePrefix('ch') });
    },
  },
  {
    name: 'redis, one script call per reservation',
    skip: noRedis,
    create: () => {
      redis ??= createRedis();
      return new RedisContactHistoryStore(redis, { prefix: uniquePrefix('ch1'), batching: false });
    },
  },
]);
