import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisContactHistoryStore } from './contact-history.js';
import { subjectKey } from './keys.js';
import { MemoryContactHistoryStore } from '../memory/contact-history.js';
import { parseCapRules } from '../../capping/rules.js';
import type { ContactHistoryStore } from '../../capping/store.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 5, 1, 9);

// Audit round 2 (capping), S1 and S2: what "the same contact" is, and how long an idempotency key is kept.
describe.skipIf(noRedis)('Redis contact history: one contact per id and instant; keys kept as long as their contact (real redis-server)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('S1: the same id at the same instant under two keys is stored and counted once; recordContact adds nothing and keeps no key', async () => {
    const prefix = uniquePrefix('same-id');
    const store = new RedisContactHistoryStore(redis, { prefix });
    const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 2, window: 'day' }] });
    const c = { id: 'c1', subjectId: 'p', channel: 'email', at: T };
    expect((await store.reserve({ ...c, idempotencyKey: 'send-1' }, caps)).granted).toBe(true);
    expect((await store.reserve({ ...c, idempotencyKey: 'send-2' }, caps)).granted).toBe(true);
    expect((await store.reserve({ ...c, id: 'c2', at: T + 1000 }, caps)).granted).toBe(true);
    expect(await store.recordContact({ ...c, tags: ['other'], idempotencyKey: 'rec' })).toEqual({ recorded: false, contact: { ...c, tags: ['other'], transactional: false, idempotencyKey: 'rec' } });
    expect(await redis.hget(subjectKey(prefix, 'p', 'idem'), 'rec')).toBeNull();
    const h = await store.history('p');
    expect(h.contacts.map((x) => [x.id, x.idempotencyKey, x.tags])).toEqual([['c1', 'send-1', []], ['c2', undefined, []]]);
    // One index entry per contact: a further one is refused by the count, not let through by a double entry.
    expect(await redis.zcard(subjectKey(prefix, 'p', 'ix:n*'))).toBe(2);
  });

  it('S2: a key whose contact is older than now − retention is forgotten, granted or refused, with nothing written in between', async () => {
    const store = new RedisContactHistoryStore(redis, { prefix: uniquePrefix('key-age'), retention: '2d' });
    const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
    const c = (id: string, at: number, idempotencyKey?: string) => ({ id, subjectId: 'p', channel: 'email', at, idempotencyKey });
    expect((await store.reserve(c('a', T, 'k1'), caps)).granted).toBe(true);
    expect((await store.reserve(c('b', T + 1, 'k2'), caps)).granted).toBe(false);
    // Within the retention both replay.
    expect((await store.reserve(c('x', T + 2 * DAY, 'k1'), caps)).replayed).toBe(true);
    expect((await store.reserve(c('x', T + 2 * DAY, 'k2'), caps)).replayed).toBe(true);
    const late = T + 3 * DAY;
    const k1 = await store.reserve(c('a2', late, 'k1'), caps);
    expect([k1.granted, k1.replayed, k1.contact.id]).toEqual([true, false, 'a2']);
    // The aged-out refusal is forgotten too: the new one is stored, and replayed to its own retry.
    const k2 = await store.reserve(c('b2', late + 1, 'k2'), caps);
    expect([k2.granted, k2.replayed, k2.contact.id]).toEqual([false, false, 'b2']);
    expect(await store.reserve(c('b3', late + 2, 'k2'), caps)).toEqual({ ...k2, replayed: true });
    // recordContact judges a key at its contact's time.
    await store.recordContact(c('r1', T, 'rk'));
    expect((await store.recordContact(c('r2', late, 'rk'))).recorded).toBe(true);
  });

  it('property: the Memory and Redis stores answer every reservation and recording alike (ids, keys and instants reused, retention passed)', async () => {
    const caps = parseCapRules({ rules: [{ id: 'two-a-day', kind: 'limit', limit: 2, window: { rolling: DAY } }] });
    const opArb = fc.record({
      reserve: fc.boolean(),
      id: fc.constantFrom('a', 'b', 'c'),
      key: fc.constantFrom(undefined, 'k1', 'k2'),
      channel: fc.constantFrom('email', 'sms'),
      advance: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: DAY }), fc.integer({ min: DAY, max: 3 * DAY })),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const stores: ContactHistoryStore[] = [new MemoryContactHistoryStore({ retention: '2d' }), new RedisContactHistoryStore(redis, { prefix: uniquePrefix('agree-ids'), retention: '2d' })];
        let at = T;
        for (const op of ops) {
          at += op.advance;
          const input = { id: op.id, subjectId: 'p', channel: op.channel, at, idempotencyKey: op.key };
          const [m, r] = await Promise.all(stores.map((s) => (op.reserve ? s.reserve(input, caps) : s.recordContact(input))));
          expect(r).toEqual(m);
        }
        // Within the retention (memory trims on every reservation, Redis on grants); equal instants by id (Redis
        // returns them in member order, not in insertion order).
        const [m, r] = await Promise.all(stores.map(async (s) => [...(await s.history('p', at - 2 * DAY)).contacts].sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : 1))));
        expect(r).toEqual(m);
      }),
      { numRuns: 150 },
    );
  });
});
