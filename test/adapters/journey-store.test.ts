import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { RedisJourneyStore } from '../../src/adapters/redis/journeys.js';
import { PostgresJourneyStore } from '../../src/adapters/postgres/journeys.js';
import { createPglite, noPostgresServer, serverSql } from '../fixtures/pglite.js';
import { runJourneyStoreConformance } from '../../src/testing/journey-store.js';
import { isCrossChannelError } from '../../src/core/errors.js';
import { startInstance } from '../../src/journeys/instance.js';
import { parseJourney } from '../../src/journeys/compile.js';
import { entryPlan } from '../../src/journeys/store.js';
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
    name: 'redis, one script per instance (batching: false)',
    skip: noRedis,
    create: () => {
      redis ??= createRedis();
      return new RedisJourneyStore(redis, { prefix: uniquePrefix('js'), batching: false });
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

describe.skipIf(noRedis)('RedisJourneyStore batching on a standalone server', () => {
  const journey = parseJourney({ id: 'tick', version: 1, entry: { on: 'manual', reentry: 'always' }, start: 'go', steps: { go: { type: 'send', channel: 'email', message: 'm' } } });
  const T = Date.parse('2026-03-02T09:00:00Z');

  it('enrols, claims and completes in script calls of up to 128 items', async () => {
    redis ??= createRedis();
    const store = new RedisJourneyStore(redis, { prefix: uniquePrefix('jb') });
    const client = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const calls = new Map<string, number>();
    const spied = ['ccJourneyClaimShard', 'ccJourneyClaimOne', 'ccJourneyClaimMany', 'ccJourneyComplete', 'ccJourneyCompleteMany', 'ccJourneyEnrol', 'ccJourneyEnrolMany'];
    const originals = spied.map((name) => [name, client[name]!] as const);
    for (const [name, fn] of originals) {
      client[name] = (...a: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return fn.apply(redis, a);
      };
    }
    try {
      const enrolled = await Promise.all(Array.from({ length: 300 }, (_, i) => store.enrol(startInstance(journey, `p${i}`, T), entryPlan(journey, T))));
      expect(enrolled.every((r) => r.enrolled)).toBe(true);
      const claims = await store.claimDue(T, { limit: 300, leaseMs: 60_000, owner: 'r' });
      expect(claims).toHaveLength(300);
      const saved = await Promise.all(claims.map((c) => store.complete(c, { ...c.instance, status: 'completed', wakeAt: null, outcome: 'completed', endedAt: T }, 0, T + 1)));
      expect(saved.every(Boolean)).toBe(true);
      // 300 items: the enrolments, the claim and the completions each split in three script calls of at most 128.
      expect(Object.fromEntries(calls)).toEqual({ ccJourneyEnrolMany: 3, ccJourneyClaimShard: 1, ccJourneyClaimMany: 3, ccJourneyCompleteMany: 3 });
      expect(await store.claimDue(T + 3_600_000, { limit: 300, leaseMs: 60_000, owner: 'r' })).toEqual([]);
    } finally {
      for (const [name, fn] of originals) client[name] = fn;
    }
  });

  it('batches without a timer: completions resolve under fake timers', async () => {
    redis ??= createRedis();
    const store = new RedisJourneyStore(redis, { prefix: uniquePrefix('jt') });
    await store.enrol(startInstance(journey, 'p1', T), entryPlan(journey, T));
    const [claim] = await store.claimDue(T, { limit: 1, leaseMs: 60_000, owner: 'r' });
    vi.useFakeTimers();
    try {
      expect(await store.complete(claim!, { ...claim!.instance, status: 'completed', wakeAt: null, outcome: 'completed', endedAt: T }, 0, T + 1)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failed batch rejects every completion in it with STORE_ERROR', async () => {
    redis ??= createRedis();
    const prefix = uniquePrefix('jf');
    const store = new RedisJourneyStore(redis, { prefix });
    for (let i = 0; i < 3; i++) await store.enrol(startInstance(journey, `p${i}`, T), entryPlan(journey, T));
    const claims = await store.claimDue(T, { limit: 3, leaseMs: 60_000, owner: 'r' });
    // The first instance's inbox key holds a string: LTRIM on it fails the script.
    await redis.set(`${prefix}:{p0}:jin:${claims.find((c) => c.instance.subjectId === 'p0')!.instance.id}`, 'x');
    const order = claims.map((c) => c.instance.subjectId);
    const results = await Promise.allSettled(claims.map((c) => store.complete(c, { ...c.instance, step: 'go', seq: 2, wakeAt: T + 1 }, c.instance.subjectId === 'p0' ? 1 : 0, T + 1)));
    expect(results.map((r) => r.status)).toEqual(order.map(() => 'rejected'));
    for (const r of results) expect(isCrossChannelError((r as PromiseRejectedResult).reason, 'STORE_ERROR')).toBe(true);
  });

  it('a batch answered with the wrong number of items rejects each of its calls with STORE_ERROR', async () => {
    redis ??= createRedis();
    const client = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const original = client.ccJourneyEnrolMany!;
    client.ccJourneyEnrolMany = async (...a: unknown[]) => ((await original.apply(redis, a)) as unknown[]).slice(1);
    try {
      const store = new RedisJourneyStore(redis, { prefix: uniquePrefix('jw') });
      const results = await Promise.allSettled([0, 1, 2].map((i) => store.enrol(startInstance(journey, `p${i}`, T), entryPlan(journey, T))));
      for (const r of results) expect(r.status === 'rejected' && isCrossChannelError(r.reason, 'STORE_ERROR')).toBe(true);
    } finally {
      client.ccJourneyEnrolMany = original;
    }
  });

  it('refuses batching on a Cluster client and a batching that is not a boolean', () => {
    redis ??= createRedis();
    const fakeCluster = Object.assign(Object.create(redis), { isCluster: true });
    for (const [client, options] of [
      [fakeCluster, { batching: true }],
      [redis, { batching: 'yes' }],
    ] as const) {
      try {
        new RedisJourneyStore(client as Redis, options as never);
        expect.unreachable();
      } catch (e) {
        expect(isCrossChannelError(e, 'CONFIG_INVALID')).toBe(true);
        expect((e as { path?: string }).path).toBe('batching');
      }
    }
  });
});
