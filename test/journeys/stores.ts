/** The JourneyStore implementations the runner guarantees are tested on (real servers where they exist). */
import { afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import type { Implementation } from '../../src/testing/harness.js';
import type { JourneyStore } from '../../src/journeys/store.js';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { RedisJourneyStore } from '../../src/adapters/redis/journeys.js';
import { PostgresJourneyStore } from '../../src/adapters/postgres/journeys.js';
import { createPglite } from '../fixtures/pglite.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

let redis: Redis | undefined;
let pg: ReturnType<typeof createPglite> | undefined;
let tables = 0;
afterAll(async () => {
  await redis?.quit();
  await (await pg)?.close();
});

export const journeyStores: Array<Implementation<JourneyStore>> = [
  { name: 'memory', create: () => new MemoryJourneyStore() },
  {
    name: 'redis',
    skip: noRedis,
    create: () => {
      redis ??= createRedis();
      return new RedisJourneyStore(redis, { prefix: uniquePrefix('jr'), dueShards: 2 });
    },
  },
  {
    name: 'postgres (PGlite)',
    create: async () => {
      pg ??= createPglite();
      const store = new PostgresJourneyStore((await pg).sql, { prefix: `journey_r${++tables}` });
      await store.migrate();
      return store;
    },
  },
];
