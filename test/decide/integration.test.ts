/**
 * The same scenario on memory stores and on the production pairing — Redis (contact history, offer
 * capacity) + PostgreSQL on PGlite (identity graph, consent ledger, behaviour events) — must give identical
 * decisions. Then: many concurrent decide calls for the same people on Redis never exceed a cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisContactHistoryStore, RedisOfferCapacityStore } from '../../src/adapters/redis/index.js';
import { PostgresConsentStore, PostgresEventStore, PostgresIdentityStore } from '../../src/adapters/postgres/index.js';
import { decide, parseDecideConfig, safeDecide, type DecideStores } from '../../src/decide/index.js';
import { HOUR, MINUTE } from '../../src/core/time.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';
import { createPglite } from '../fixtures/pglite.js';
import { memoryStores } from './memory-stores.js';
import { CONFIG, runScenario, seed, T0, BOB, ANN } from './scenario.js';

async function productionStores(redis: Redis, prefix: string): Promise<{ stores: DecideStores; close: () => Promise<void>; prefix: string }> {
  const pg = await createPglite();
  const identity = new PostgresIdentityStore(pg.sql, { rules: { normalization: { defaultCountry: 'FR' } }, erasureSalt: 'test' });
  const consent = new PostgresConsentStore(pg.sql, { erasureSalt: 'test' });
  const events = new PostgresEventStore(pg.sql);
  await identity.migrate();
  await consent.migrate();
  await events.migrate();
  return {
    stores: {
      identity,
      consent,
      events,
      contacts: new RedisContactHistoryStore(redis, { prefix: `${prefix}:ch` }),
      offerCapacity: new RedisOfferCapacityStore(redis, { prefix: `${prefix}:cap` }),
    },
    close: pg.close,
    prefix: `${prefix}:ch`,
  };
}

describe.skipIf(noRedis)('decide on Redis + PostgreSQL (PGlite) and on memory', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('gives identical decisions, traces and records on both backends', async () => {
    const memory = await runScenario(memoryStores());
    const prod = await productionStores(redis, uniquePrefix('decide'));
    try {
      const real = await runScenario(prod.stores);
      expect(real).toEqual(memory);
      // The scenario exercises every outcome, so equality is not vacuous.
      const contacts = memory.filter((o) => 'decision' in o && o.decision.contact).length;
      const refusals = memory.filter((o) => 'decision' in o && !o.decision.contact).length;
      expect(contacts).toBeGreaterThan(5);
      expect(refusals).toBeGreaterThan(5);
    } finally {
      await prod.close();
    }
  }, 60_000);

  it('many concurrent decide calls for the same people never exceed a cap, and use every allowed slot', async () => {
    const prod = await productionStores(redis, uniquePrefix('decide-race'));
    try {
      await seed(prod.stores);
      const config = parseDecideConfig({
        ...CONFIG,
        caps: { timeZone: 'Europe/Paris', rules: [{ id: 'marketing-week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } }] },
        fallbackOffers: 4,
      });
      const people = [[{ type: 'email', value: ANN.email }], [{ type: 'email', value: BOB.email }]];
      // Four service instances, each with its own Redis connection, sharing the databases.
      const clients = [redis, createRedis(), createRedis(), createRedis()];
      const instances = clients.map((client) => ({ ...prod.stores, contacts: new RedisContactHistoryStore(client, { prefix: prod.prefix }) }));
      const calls = [];
      for (let i = 0; i < 60; i++) {
        const ids = people[i % 2]!;
        calls.push(decide({ requestId: `race-${i}`, identifiers: ids, channel: 'email', now: T0 + (i % 5) * MINUTE }, instances[i % 4]!, config));
      }
      const results = await Promise.all(calls);
      await Promise.all(clients.slice(1).map((c) => c.quit()));
      for (const ids of people) {
        const subject = (await prod.stores.identity.resolve(ids))!;
        const granted = results.filter((r) => r.subjectId === subject && r.contact);
        const recorded = (await prod.stores.contacts.history(subject)).contacts.filter((c) => c.tags.includes('marketing'));
        expect(recorded.length).toBe(3);
        expect(granted.length).toBe(3);
        expect(new Set(granted.map((r) => r.offers[0]!.contactId))).toEqual(new Set(recorded.map((c) => c.id)));
      }
      // Losers of the race say why, with the store's atomic check as the reason.
      const lost = results.filter((r) => !r.contact);
      expect(lost.length).toBe(54);
      for (const r of lost) expect(r.reasons.map((x) => x.code)).toEqual(expect.arrayContaining([expect.stringMatching(/DECIDE_(ALL_CAPPED|RESERVATION_REFUSED)/)]));
      // A later decision in the same week still sees the cap.
      const after = await decide({ requestId: 'race-late', identifiers: people[0]!, channel: 'email', now: T0 + 2 * HOUR }, prod.stores, config);
      expect(after.contact).toBe(false);
    } finally {
      await prod.close();
    }
  }, 60_000);

  it('a lost Redis connection or a closed database fails the decision closed with a typed error and nothing recorded', async () => {
    const prod = await productionStores(redis, uniquePrefix('decide-down'));
    await seed(prod.stores);
    const config = parseDecideConfig({ ...CONFIG, storeTimeoutMs: 300 });
    const request = { requestId: 'down-1', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 };
    // Redis: this instance's connection is gone.
    const lost = createRedis();
    lost.disconnect();
    const broken = { ...prod.stores, contacts: new RedisContactHistoryStore(lost, { prefix: prod.prefix }) };
    const r1 = await safeDecide(request, broken, config);
    expect(r1.ok).toBe(false);
    if (!r1.ok) {
      expect(['STORE_ERROR', 'STORE_TIMEOUT']).toContain(r1.error.code);
      expect(r1.error.detail).toMatchObject({ stage: 'load', operation: 'contacts.history' });
      expect(r1.trace.stages.at(-1)).toMatchObject({ stage: 'load', status: 'failed' });
    }
    const subject = (await prod.stores.identity.resolve(request.identifiers))!;
    expect((await prod.stores.contacts.history(subject)).contacts).toEqual([]);
    // The same request on healthy stores goes through, once.
    const ok = await decide(request, prod.stores, config);
    expect(ok.contact).toBe(true);
    // PostgreSQL: the database is closed under the service.
    await prod.close();
    const r2 = await safeDecide({ ...request, requestId: 'down-2', now: T0 + 60_000 }, prod.stores, config);
    expect(r2.ok).toBe(false);
    if (!r2.ok) {
      expect(['STORE_ERROR', 'STORE_TIMEOUT']).toContain(r2.error.code);
      expect(r2.error.detail).toMatchObject({ stage: 'identity' });
    }
    expect((await prod.stores.contacts.history(subject)).contacts).toHaveLength(1);
  }, 60_000);
});
