import { afterAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { RedisJourneyStore } from '../../src/adapters/redis/journeys.js';
import { PostgresJourneyStore } from '../../src/adapters/postgres/journeys.js';
import { noPostgresServer, pgEngines, serverSql, type PgEngine } from '../fixtures/pglite.js';
import type { SqlClient } from '../../src/adapters/postgres/sql.js';
import { runJourneyStoreConformance } from '../../src/testing/journey-store.js';
import { isCrossChannelError } from '../../src/core/errors.js';
import { startInstance, type JourneyInstance } from '../../src/journeys/instance.js';
import { parseJourney } from '../../src/journeys/compile.js';
import { entryPlan, type JourneyClaim } from '../../src/journeys/store.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';
import { sharedEngines } from '../fixtures/shared-engines.js';

const engines = sharedEngines();
let tables = 0;

runJourneyStoreConformance([
  { name: 'memory', create: () => new MemoryJourneyStore() },
  {
    name: 'redis',
    skip: noRedis,
    create: () => new RedisJourneyStore(engines.redis(), { prefix: uniquePrefix('js') }),
  },
  {
    name: 'redis, one script per instance (batching: false)',
    skip: noRedis,
    create: () => new RedisJourneyStore(engines.redis(), { prefix: uniquePrefix('js'), batching: false }),
  },
  {
    name: 'redis (3 due shards)',
    skip: noRedis,
    create: () => new RedisJourneyStore(engines.redis(), { prefix: uniquePrefix('js'), dueShards: 3 }),
  },
  {
    name: 'postgres (PGlite)',
    create: async () => {
      // One database per file (PGlite boots in seconds); fresh tables per test.
      const store = new PostgresJourneyStore(await engines.pglite(), { prefix: `journey_t${++tables}` });
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

  it('enrols, delivers, claims and completes in script calls of up to 128 items', async () => {
    const redis = engines.redis();
    const store = new RedisJourneyStore(redis, { prefix: uniquePrefix('jb') });
    const client = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const calls = new Map<string, number>();
    const spied = ['ccJourneyClaimShard', 'ccJourneyClaimOne', 'ccJourneyClaimMany', 'ccJourneyComplete', 'ccJourneyCompleteMany', 'ccJourneyEnrol', 'ccJourneyEnrolMany', 'ccJourneyDeliver', 'ccJourneyDeliverMany'];
    const originals = spied.map((name) => [name, client[name]!] as const);
    for (const [name, fn] of originals) {
      client[name] = (...a: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return fn.apply(redis, a);
      };
    }
    try {
      const instances = Array.from({ length: 300 }, (_, i) => ({ ...startInstance(journey, `p${i}`, T), wakeAt: T + 3_600_000 }));
      const enrolled = await Promise.all(instances.map((inst) => store.enrol(inst, entryPlan(journey, T))));
      expect(enrolled.every((r) => r.enrolled)).toBe(true);
      const delivered = await Promise.all(instances.map((inst, i) => store.deliver(inst.id, { id: `e${i}`, event: { subjectId: inst.subjectId, type: 'purchase', at: T, properties: {} } }, T)));
      expect(delivered.every(Boolean)).toBe(true);
      const claims = await store.claimDue(T, { limit: 300, leaseMs: 60_000, owner: 'r' });
      expect(claims).toHaveLength(300);
      expect(claims.every((c) => c.inbox.length === 1)).toBe(true);
      const saved = await Promise.all(claims.map((c) => store.complete(c, { ...c.instance, status: 'completed', wakeAt: null, outcome: 'completed', endedAt: T }, 1, T + 1)));
      expect(saved.every(Boolean)).toBe(true);
      // 300 items: the enrolments, the deliveries, the claim and the completions each split in three script calls of at most 128.
      expect(Object.fromEntries(calls)).toEqual({ ccJourneyEnrolMany: 3, ccJourneyDeliverMany: 3, ccJourneyClaimShard: 1, ccJourneyClaimMany: 3, ccJourneyCompleteMany: 3 });
      expect(await store.claimDue(T + 3_600_000, { limit: 300, leaseMs: 60_000, owner: 'r' })).toEqual([]);
    } finally {
      for (const [name, fn] of originals) client[name] = fn;
    }
  });

  it('batches without a timer: completions resolve under fake timers', async () => {
    const redis = engines.redis();
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
    const redis = engines.redis();
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
    const redis = engines.redis();
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

  it('reports engine failures through the shared Redis mapping: the driver message, detail.retryable (batched and not)', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    try {
      for (const batching of [true, false]) {
        const store = new RedisJourneyStore(dead, { prefix: uniquePrefix('dead'), batching });
        const input = { id: 'e1', event: { subjectId: 'p1', type: 'purchase', at: T, properties: {} } };
        for (const call of [
          () => store.enrol(startInstance(journey, 'p1', T), entryPlan(journey, T)),
          () => store.get('x'),
          () => store.activeFor('tick', 'p1'),
          () => store.deliver('x', input, T),
          () => store.claimDue(T, { limit: 1, leaseMs: 60_000, owner: 'r' }),
          () => store.replace(startInstance(journey, 'p1', T), T),
          () => store.nextDueAt(),
          () => store.erase('p1'),
        ]) {
          const err = await call().then(() => null, (e: unknown) => e);
          expect(err).toMatchObject({ code: 'STORE_ERROR', detail: { retryable: true } });
          expect((err as Error).message).toMatch(/^Redis journey store: .*Stream isn't writeable/);
        }
      }
    } finally {
      dead.disconnect();
    }
  });

  it('refuses batching on a Cluster client and a batching that is not a boolean', () => {
    const redis = engines.redis();
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

describe.each(pgEngines())('PostgresJourneyStore batches ($name)', (engine) => {
  const journey = parseJourney({ id: 'tick', version: 1, entry: { on: 'manual', reentry: 'always' }, start: 'go', steps: { go: { type: 'send', channel: 'email', message: 'm' } } });
  const T = Date.parse('2026-03-02T09:00:00Z');
  let db: Awaited<ReturnType<PgEngine['open']>> | undefined;
  afterAll(async () => db?.close());
  /** A store on a fresh prefix, and a log of the statements and transactions its client ran. */
  async function open(): Promise<{ store: PostgresJourneyStore; sql: SqlClient; log: string[]; prefix: string }> {
    db ??= await engine.open();
    const inner = db.sql;
    const log: string[] = [];
    const sql: SqlClient = {
      query: (text, params) => (log.push(text.trim().split(/\s+/).slice(0, 2).join(' ')), inner.query(text, params)),
      // A transaction's own statements are not logged: only that one was run.
      transaction: (fn) => (log.push('transaction'), inner.transaction(fn)),
    };
    const prefix = `journey_b${++tables}`;
    const store = new PostgresJourneyStore(sql, { prefix });
    await store.migrate();
    log.length = 0;
    return { store, sql: inner, log, prefix };
  }
  const ended = (c: JourneyClaim): JourneyInstance => ({ ...c.instance, status: 'completed', wakeAt: null, outcome: 'completed', endedAt: T });

  it('enrols with one function call per 256 enrolments, claims in one statement, completes in one transaction per 256', async () => {
    const { store, log } = await open();
    const enrolled = await Promise.all(Array.from({ length: 300 }, (_, i) => store.enrol(startInstance(journey, `p${i}`, T), entryPlan(journey, T))));
    expect(enrolled.every((r) => r.enrolled)).toBe(true);
    expect(log.filter((l) => l.startsWith('SELECT journey_b'))).toHaveLength(2);
    log.length = 0;
    const claims = await store.claimDue(T, { limit: 300, leaseMs: 60_000, owner: 'r' });
    expect(claims).toHaveLength(300);
    expect(log).toEqual(['WITH d']);
    log.length = 0;
    const saved = await Promise.all(claims.map((c) => store.complete(c, ended(c), 0, T + 1)));
    expect(saved.every(Boolean)).toBe(true);
    expect(log).toEqual(['transaction', 'transaction']);
    expect(await store.claimDue(T + 3_600_000, { limit: 300, leaseMs: 60_000, owner: 'r' })).toEqual([]);
  });

  it('files the deliveries issued together in one transaction per 256', async () => {
    const { store, log } = await open();
    const waiting = { ...startInstance(journey, 'x', T), wakeAt: T + 3_600_000 };
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.enrol({ ...waiting, id: `w${i}`, subjectId: `p${i}` }, entryPlan(journey, T))));
    log.length = 0;
    const input = (i: number) => ({ id: `e${i}`, event: { subjectId: `p${i}`, type: 'purchase', at: T, properties: {} } });
    expect(await Promise.all(Array.from({ length: 300 }, (_, i) => store.deliver(`w${i}`, input(i), T)))).toEqual(Array.from({ length: 300 }, () => true));
    expect(log).toEqual(['transaction', 'transaction']);
    const claims = await store.claimDue(T, { limit: 500, leaseMs: 60_000, owner: 'r' });
    expect(claims.map((c) => c.inbox.map((x) => x.id).join()).sort()).toEqual(Array.from({ length: 300 }, (_, i) => `e${i}`).sort());
  });

  it('ids and payloads with quotes, backslashes, commas, braces, newlines and emoji round-trip through the array parameters', async () => {
    const { store } = await open();
    const weird = ['a"b', 'c\\d', 'e,f', '{g}', 'h i', 'NULL', '', 'ü€😀', "'q'", 'x\ny'];
    // Ids refuse control characters (every store alike): the newline goes in the payloads only.
    const subjects = weird.map((w, i) => `s${i}${w.replace('\n', '⏎')}`);
    expect((await Promise.all(subjects.map((s) => store.enrol(startInstance(journey, s, T, `id:${s}`), entryPlan(journey, T))))).every((r) => r.enrolled)).toBe(true);
    const delivered = await Promise.all(subjects.map((s, i) => store.deliver(`id:${s}`, { id: `in${weird[i]}`, event: { subjectId: s, type: 't', at: T, properties: { w: weird[i]! } } }, T)));
    expect(delivered.every(Boolean)).toBe(true);
    const claims = await store.claimDue(T, { limit: 50, leaseMs: 60_000, owner: 'o' });
    expect(claims.map((c) => [c.instance.id, (c.inbox[0] as unknown as { event: { properties: { w: string } } }).event.properties.w]).sort()).toEqual(subjects.map((s, i) => [`id:${s}`, weird[i]]).sort());
    expect((await Promise.all(claims.map((c) => store.complete(c, ended(c), 1, T + 1)))).every(Boolean)).toBe(true);
  });

  it('refuses what its columns cannot hold with INPUT_INVALID before it joins a batch', async () => {
    const { store } = await open();
    await store.enrol(startInstance(journey, 'p1', T), entryPlan(journey, T));
    const [claim] = await store.claimDue(T, { limit: 1, leaseMs: 60_000, owner: 'r' });
    const input = { id: 'e1', event: { subjectId: 'p1', type: 'purchase', at: T, properties: {} } };
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => store.enrol({ ...startInstance(journey, 'p2', T), version: 2 ** 31 }, entryPlan(journey, T)), 'instance.version'],
      [() => store.complete(claim!, claim!.instance, 0, T + 0.5), 'now'],
      [() => store.deliver(claim!.instance.id, input, T + 0.5), 'now'],
      [() => store.deliver(42 as never, input, T), 'instanceId'],
    ];
    const results = await Promise.allSettled([...cases.map(([call]) => call()), store.deliver(claim!.instance.id, input, T)]);
    cases.forEach(([, path], k) => {
      const r = results[k]!;
      expect(r.status === 'rejected' && isCrossChannelError(r.reason, 'INPUT_INVALID') && (r.reason as { path?: string }).path === path).toBe(true);
    });
    expect(results.at(-1)).toEqual({ status: 'fulfilled', value: true });
  });

  it('two stores enrolling at once (two connections on a server) keep the cap and one active instance per person', async () => {
    const { store, sql, prefix } = await open();
    const other = new PostgresJourneyStore(sql, { prefix });
    const capped = parseJourney({ ...journey.definition, id: 'capped', entry: { on: 'manual', reentry: 'always', cap: { max: 7 } } });
    const people = Array.from({ length: 40 }, (_, i) => `p${i % 20}`);
    const results = await Promise.all(people.flatMap((p, i) => [store, other].map((s) => s.enrol({ ...startInstance(capped, p, T), id: `capped:${p}:${i}:${s === store}` }, entryPlan(capped, T)))));
    expect(results.filter((r) => r.enrolled)).toHaveLength(7);
    const free = await Promise.all(people.flatMap((p) => [store, other].map((s) => s.enrol(startInstance(journey, p, T), entryPlan(journey, T)))));
    expect(free.filter((r) => r.enrolled)).toHaveLength(20);
  });

  it('sends a lone call at once, without a timer (fake timers cannot hold it back)', async () => {
    const { store } = await open();
    vi.useFakeTimers();
    try {
      expect(await store.enrol(startInstance(journey, 'p1', T), entryPlan(journey, T))).toEqual({ enrolled: true });
      const [claim] = await store.claimDue(T, { limit: 1, leaseMs: 60_000, owner: 'r' });
      expect(await store.complete(claim!, ended(claim!), 0, T + 1)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failed batch rejects each of its calls with STORE_ERROR, and the next batch goes on', async () => {
    const { store, sql, prefix } = await open();
    for (let i = 0; i < 3; i++) await store.enrol(startInstance(journey, `p${i}`, T), entryPlan(journey, T));
    const claims = await store.claimDue(T, { limit: 3, leaseMs: 60_000, owner: 'r' });
    await sql.query(`ALTER TABLE ${prefix}_inbox RENAME TO ${prefix}_inbox_away`);
    const results = await Promise.allSettled(claims.map((c) => store.complete(c, ended(c), 0, T + 1)));
    for (const r of results) expect(r.status === 'rejected' && isCrossChannelError(r.reason, 'STORE_ERROR')).toBe(true);
    // Nothing of the failed transaction was written: the instances are still leased, and complete once it is back.
    await sql.query(`ALTER TABLE ${prefix}_inbox_away RENAME TO ${prefix}_inbox`);
    expect((await store.get(claims[0]!.instance.id))?.status).toBe('active');
    expect(await Promise.all(claims.map((c) => store.complete(c, ended(c), 0, T + 1)))).toEqual([true, true, true]);
  });

  it('tables from before the enrolment function: STORE_ERROR that says to run migrate()', async () => {
    const { store, sql, prefix } = await open();
    await sql.query(`DROP FUNCTION ${prefix}_enrol`);
    const r = await store.enrol(startInstance(journey, 'p1', T), entryPlan(journey, T)).catch((e: unknown) => e);
    expect(isCrossChannelError(r, 'STORE_ERROR')).toBe(true);
    expect((r as Error).message).toContain('run migrate()');
    await store.migrate();
    expect(await store.enrol(startInstance(journey, 'p1', T), entryPlan(journey, T))).toEqual({ enrolled: true });
  });

  it('refuses times its bigint columns cannot hold with INPUT_INVALID, without failing the calls sent with it', async () => {
    const { store } = await open();
    const results = await Promise.allSettled([
      store.enrol(startInstance(journey, 'p1', T), entryPlan(journey, T)),
      store.enrol({ ...startInstance(journey, 'p2', T), wakeAt: T + 0.5 }, entryPlan(journey, T)),
      store.enrol({ ...startInstance(journey, 'p3', T), enteredAt: T + 0.5 }, entryPlan(journey, T)),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { enrolled: true } });
    for (const [k, path] of [[1, 'instance.wakeAt'], [2, 'instance.enteredAt']] as const) {
      const r = results[k]!;
      expect(r.status === 'rejected' && isCrossChannelError(r.reason, 'INPUT_INVALID') && (r.reason as { path?: string }).path === path).toBe(true);
    }
    expect(await store.activeFor('tick', 'p2')).toBeNull();
  });
});

describe('entry cap: a rolling window (now − per, now], as capping’s, in every store', () => {
  const capped = parseJourney({ id: 'capped-day', version: 1, entry: { on: 'manual', reentry: 'always', cap: { max: 1, per: '1d' } }, start: 'go', steps: { go: { type: 'end' } } });
  const T = Date.parse('2026-03-02T09:00:00Z');
  const DAY = 86_400_000;
  const stores: Array<[string, boolean, () => Promise<MemoryJourneyStore | RedisJourneyStore | PostgresJourneyStore>]> = [
    ['memory', false, async () => new MemoryJourneyStore()],
    ['redis', noRedis, async () => new RedisJourneyStore(engines.redis(), { prefix: uniquePrefix('jcap') })],
    ['redis, one script per instance', noRedis, async () => new RedisJourneyStore(engines.redis(), { prefix: uniquePrefix('jcap'), batching: false })],
    [
      'postgres (PGlite)',
      false,
      async () => {
        const store = new PostgresJourneyStore(await engines.pglite(), { prefix: `journey_t${++tables}` });
        await store.migrate();
        return store;
      },
    ],
  ];
  for (const [name, skip, create] of stores) {
    it.skipIf(skip)(`${name}: an entry exactly per ago no longer counts; one a millisecond younger does`, async () => {
      const store = await create();
      const enrol = (p: string, at: number) => store.enrol(startInstance(capped, p, at), entryPlan(capped, at));
      expect(await enrol('p1', T)).toEqual({ enrolled: true });
      expect(await enrol('p2', T + DAY - 1)).toEqual({ enrolled: false, reason: 'cap' });
      expect(await enrol('p3', T + DAY)).toEqual({ enrolled: true });
      expect(await enrol('p4', T + 2 * DAY - 1)).toEqual({ enrolled: false, reason: 'cap' });
      expect(await enrol('p5', T + 2 * DAY)).toEqual({ enrolled: true });
    });
  }
});

describe.skipIf(noRedis)('RedisJourneyStore one hash tag per script (batching: false): an interrupted enrolment', () => {
  // The steps of this path go apart (a Cluster cannot run one script over the registry, the person, the due shard and the
  // journey): a step that fails undoes those before it, and what a crash leaves is taken over by the next try.
  const journey = parseJourney({ id: 'cap1', version: 1, entry: { on: 'manual', reentry: 'always', cap: { max: 1 } }, start: 'go', steps: { go: { type: 'send', channel: 'email', message: 'm' } } });
  const T = Date.parse('2026-03-02T09:00:00Z');
  const plan = entryPlan(journey, T);
  const first = { ...startInstance(journey, 'p1', T), wakeAt: T };
  let client: Redis | undefined;
  afterAll(async () => {
    await client?.quit();
  });

  /** A store on its own client whose calls named in `fail` reject (a lost connection) while `failing` is on. */
  function setUp(fail: (name: string, args: unknown[]) => boolean) {
    client ??= createRedis();
    const prefix = uniquePrefix('ji');
    const store = new RedisJourneyStore(client, { prefix, batching: false });
    const c = client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const originals = ['ccJourneyEnrol', 'hdel', 'zrem', 'srem'].map((name) => [name, c[name]!] as const);
    for (const [name, fn] of originals) c[name] = (...a: unknown[]) => (fail(name, a) ? Promise.reject(new Error('Connection is closed.')) : fn.apply(client, a));
    const restore = () => {
      for (const [name, fn] of originals) c[name] = fn;
    };
    return { store, prefix, restore, keys: () => client!.keys(`${prefix}:*`) };
  }

  it('a failed write undoes the registration, the schedule, the index entry and the cap entry before it', async () => {
    const { store, restore, keys } = setUp((name, a) => name === 'ccJourneyEnrol' && a.includes('write'));
    try {
      await expect(store.enrol(first, plan)).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect(await keys()).toEqual([]);
    } finally {
      restore();
    }
    expect(await store.enrol(first, plan)).toEqual({ enrolled: true });
    expect(await store.enrol({ ...startInstance(journey, 'p2', T), wakeAt: T }, plan)).toEqual({ enrolled: false, reason: 'cap' });
  });

  it('what a crash leaves (nothing undone) does not stop the same enrolment, and its cap entry counts once', async () => {
    const { store, prefix, restore, keys } = setUp((name, a) => name !== 'ccJourneyEnrol' || a.includes('write'));
    try {
      await expect(store.enrol(first, plan)).rejects.toMatchObject({ code: 'STORE_ERROR' });
    } finally {
      restore();
    }
    expect((await keys()).length).toBeGreaterThan(0);
    expect(await store.get(first.id)).toBeNull();
    const listed: JourneyInstance[] = [];
    for await (const i of store.list(journey.id)) listed.push(i);
    expect(listed).toEqual([]);
    expect(await store.claimDue(T, { limit: 10, leaseMs: 60_000, owner: 'r' })).toEqual([]);
    // The retry takes over the registration, the index entry and the cap entry left behind.
    expect(await store.enrol(first, plan)).toEqual({ enrolled: true });
    expect(await store.enrol(first, plan)).toEqual({ enrolled: false, reason: 'active', activeId: first.id });
    expect((await store.get(first.id))?.subjectId).toBe('p1');
    expect(await store.enrol({ ...startInstance(journey, 'p2', T), wakeAt: T }, plan)).toEqual({ enrolled: false, reason: 'cap' });
    expect(await client!.zcard(`${prefix}:{journey:${journey.id}}:jcap`)).toBe(1);
    expect((await store.claimDue(T, { limit: 10, leaseMs: 60_000, owner: 'r' })).map((c) => c.instance.id)).toEqual([first.id]);
  });
});
