/**
 * The Redis and PostgreSQL stores called from plain JavaScript with junk, on real engines (a redis-server,
 * PGlite and a PostgreSQL server): every public method, given arbitrary argument lists (JSON values and what only JavaScript passes:
 * test/arbitraries/junk.ts), resolves or rejects with a `CrossChannelError` — never a `TypeError` from inside,
 * never a driver's error about a value it cannot send, never a hang. The constructors too, with junk options.
 * The in-process stores have the same test in test/package/fuzz-exports.test.ts.
 */
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import * as postgres from '../../src/adapters/postgres/index.js';
import * as redisAdapters from '../../src/adapters/redis/index.js';
import { firstCrash, junkArgumentLists } from '../arbitraries/junk.js';
import type { SqlClient } from '../../src/adapters/postgres/index.js';
import { createPglite, createPostgresDb, postgresServerUrl } from '../fixtures/pglite.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';
import { publicMethods } from '../package/public-api.js';

// 150 lists per method (≈ 10 s for the nine stores); JUNK_STORE_RUNS and JUNK_STORE_SEED widen a hunt.
const lists = junkArgumentLists(Number(process.env.JUNK_STORE_RUNS ?? 150), Number(process.env.JUNK_STORE_SEED ?? 20261205));
const methods = publicMethods();

type Store = Record<string, unknown>;

/** Crashes of every public method of `store` (a fresh store per class; junk writes stay in its prefix). */
async function crashesOf(className: string, store: Store): Promise<string[]> {
  const names = [...(methods.get(className) ?? [])].filter((m) => !m.startsWith('#') && m !== 'migrate');
  expect(names.length, `${className} has public methods`).toBeGreaterThan(2);
  const out: string[] = [];
  for (const m of names) {
    const c = await firstCrash((args) => (store[m] as (...a: unknown[]) => unknown).apply(store, args), lists);
    if (c !== null) out.push(`${className}#${m}: ${c}`);
  }
  return out;
}

/**
 * Crashes of each class's constructor (a working client, then junk) and of the public methods of one store built
 * by `open` (which may prepare it, e.g. migrate).
 */
async function classCrashes(classes: Record<string, new (...a: unknown[]) => Store>, client: unknown, open: (ctor: new (...a: unknown[]) => Store) => Promise<Store>): Promise<string[]> {
  const out: string[] = [];
  for (const [name, ctor] of Object.entries(classes)) {
    const c = await firstCrash((args) => new ctor(client, ...args), lists);
    if (c !== null) out.push(`new ${name}: ${c}`);
    out.push(...(await crashesOf(name, await open(ctor))));
  }
  return out;
}

describe.skipIf(noRedis)('Redis stores, called with junk on a real redis-server', () => {
  let redis: Redis | undefined;
  afterAll(async () => {
    await redis?.quit();
  });

  it('every public method and constructor throws only CrossChannelError', async () => {
    redis = createRedis();
    const classes = {
      RedisContactHistoryStore: redisAdapters.RedisContactHistoryStore,
      RedisOfferCapacityStore: redisAdapters.RedisOfferCapacityStore,
      RedisAssignmentStore: redisAdapters.RedisAssignmentStore,
      RedisJourneyStore: redisAdapters.RedisJourneyStore,
    } as unknown as Record<string, new (...a: unknown[]) => Store>;
    const client = redis;
    expect(await classCrashes(classes, client, async (ctor) => new ctor(client, { prefix: uniquePrefix('junk') }))).toEqual([]);
  }, 120_000);
});

const pgUrl = postgresServerUrl();
const engines: Array<{ name: string; skip: boolean; open: () => Promise<{ sql: SqlClient; close: () => Promise<void> }> }> = [
  { name: 'PGlite', skip: false, open: createPglite },
  { name: 'a PostgreSQL server', skip: pgUrl === null, open: () => createPostgresDb(pgUrl!, { max: 2 }) },
];

for (const engine of engines) {
  describe.skipIf(engine.skip)(`PostgreSQL stores, called with junk on ${engine.name}`, () => {
    it('every public method and constructor throws only CrossChannelError', async () => {
      const { sql, close } = await engine.open();
      try {
        const classes = {
          PostgresIdentityStore: postgres.PostgresIdentityStore,
          PostgresConsentStore: postgres.PostgresConsentStore,
          PostgresEventStore: postgres.PostgresEventStore,
          PostgresAssignmentStore: postgres.PostgresAssignmentStore,
          PostgresJourneyStore: postgres.PostgresJourneyStore,
        } as unknown as Record<string, new (...a: unknown[]) => Store>;
        const migrated = async (ctor: new (...a: unknown[]) => Store): Promise<Store> => {
          const store = new ctor(sql, { erasureSalt: 'junk' }) as Store & { migrate(): Promise<void> };
          await store.migrate();
          return store;
        };
        expect(await classCrashes(classes, sql, migrated)).toEqual([]);
      } finally {
        await close();
      }
    }, 120_000);
  });
}
