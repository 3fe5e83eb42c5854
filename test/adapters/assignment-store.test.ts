import type { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { MemoryAssignmentStore } from '../../src/adapters/memory/assignments.js';
import { PostgresAssignmentStore } from '../../src/adapters/postgres/assignments.js';
import { RedisAssignmentStore } from '../../src/adapters/redis/assignments.js';
import { runAssignmentStoreConformance } from '../../src/testing/assignment-store.js';
import { createPglite, noPostgresServer, serverSql } from '../fixtures/pglite.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

let redis: Redis | undefined;
let pglite: ReturnType<typeof createPglite> | undefined;
let tables = 0;
afterAll(async () => {
  await redis?.quit();
  if (pglite) await (await pglite).close();
});

runAssignmentStoreConformance([
  { name: 'memory', create: () => new MemoryAssignmentStore() },
  {
    name: 'redis',
    skip: noRedis,
    create: () => {
      redis ??= createRedis();
      return new RedisAssignmentStore(redis, { prefix: uniquePrefix('exp') });
    },
  },
  {
    name: 'postgres (PGlite)',
    create: async () => {
      const { sql } = await (pglite ??= createPglite());
      const store = new PostgresAssignmentStore(sql, { table: `assignments_${++tables}` });
      await store.migrate();
      return store;
    },
  },
  {
    name: 'postgres (server)',
    skip: noPostgresServer,
    create: async () => {
      const store = new PostgresAssignmentStore(await serverSql(), { table: `assignments_${++tables}` });
      await store.migrate();
      return store;
    },
  },
]);
