import { afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { RedisJourneyStore } from '../../src/adapters/redis/journeys.js';
import { PostgresJourneyStore } from '../../src/adapters/postgres/journeys.js';
import { createPglite, noPostgresServer, serverSql } from '../fixtures/pglite.js';
import { runJourneyStoreConformance } from '../../src/testing/journey-store.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

let redis: Redis | undefined;
let pg: ReturnType<typeof createPglite> | undefined;
let tables = 0;
afterAll(async () => {
  await redis?.quit();
  await (await pg)?.close();
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
  {
    name: 'postgres (PGlite)',
    create: async () => {
      // One database per file (PGlite boots in seconds); fresh tables per test.
      pg ??= createPglite();
      const store = new PostgresJourneyStore((await pg).sql, { prefix: `journey_t${++tables}` });
      await store.migrate();
      return store;
    },
  },
  {
    name: 'postgres (server)',
    skip: noPostgresServer,
    create: async () => {
      const store = new PostgresJourneyStore(await serverSql(), { prefix: `journey_t${++tables}` });
      await store.migrate();
      return store;
    },
  },
]);
