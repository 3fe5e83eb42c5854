import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
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

describe('assignment stores: construction and engine failures', () => {
  it('the memory store takes no options (CONFIG_INVALID at the option, as maxSubjects)', () => {
    expect(() => new MemoryAssignmentStore({ maxSubjects: 2 } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'maxSubjects' }));
    expect(() => new MemoryAssignmentStore()).not.toThrow();
  });

  it('the PostgreSQL store refuses a bare pg.Pool (no transaction) at sql.transaction, as every PostgreSQL store', () => {
    const poolLike = { query: async () => ({ rows: [] }), connect: async () => ({}) };
    expect(() => new PostgresAssignmentStore(poolLike as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'sql.transaction' }));
  });

  it('the Redis store reports engine failures through the shared mapping: the driver message, detail.retryable', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    try {
      const store = new RedisAssignmentStore(dead, { prefix: uniquePrefix('dead') });
      for (const call of [() => store.get('e', 'u'), () => store.list('u'), () => store.putIfAbsent({ experimentId: 'e', unitId: 'u', variantId: 'v', assignedAt: 0 }), () => store.erase('u')]) {
        const err = await call().then(() => null, (e: unknown) => e);
        expect(err).toMatchObject({ code: 'STORE_ERROR', detail: { retryable: true } });
        expect((err as Error).message).toMatch(/^Redis assignment store: .*Stream isn't writeable/);
      }
    } finally {
      dead.disconnect();
    }
  });
});
