/**
 * Two identical decisions (same requestId) in flight together when an offer's capacity is nearly used up: the
 * duplicate must replay the original's capacity grant (the contact's idempotency key goes to `consume`), not be
 * refused the unit the original took and record a fallback offer beside it. One contact, one unit, one answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore, MemoryOfferCapacityStore } from '../../src/adapters/memory/index.js';
import { RedisContactHistoryStore, RedisOfferCapacityStore } from '../../src/adapters/redis/index.js';
import { parseDecideConfig, safeDecide, type DecideStores } from '../../src/decide/index.js';
import type { OfferCapacityStore } from '../../src/arbitration/store.js';
import type { ContactHistoryStore } from '../../src/capping/store.js';
import { withMethod } from '../arbitraries/stores.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

const NOW = Date.parse('2026-03-04T10:00:00Z');
const config = (total: number) =>
  parseDecideConfig({
    catalogue: { offers: [{ id: 'A', channels: ['email'], value: 30, capacity: { total } }, { id: 'B', channels: ['email'], value: 20 }] },
    caps: { rules: [{ id: 'd', kind: 'limit', limit: 3, window: 'day' }] },
  });
const req = (slots = 1) => ({ requestId: 'r1', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'email', now: NOW, slots });

async function world(contacts: ContactHistoryStore, offerCapacity: OfferCapacityStore): Promise<DecideStores & { subjectId: string }> {
  const identity = new MemoryIdentityStore({ erasureSalt: 'x' });
  const consent = new MemoryConsentStore({ erasureSalt: 'x' });
  const subjectId = (await identity.addObservations([{ identifiers: [{ type: 'email', value: 'ann@example.com' }], at: NOW - 1e9 }])).profiles[0]!;
  await consent.append({ id: 'g', subjectId, channel: 'email', purpose: 'marketing', kind: 'granted', at: NOW - 1e9, evidence: { source: 't' } });
  return { identity, consent, contacts, events: new MemoryEventStore(), offerCapacity, subjectId };
}

/** Runs `n` identical requests together; returns each answer's contacts, the recorded contacts and A's units used. */
async function duplicates(s: DecideStores & { subjectId: string }, n: number, slots = 1, cap = 1) {
  const rs = await Promise.all(Array.from({ length: n }, () => safeDecide(req(slots), s, config(cap))));
  const answers = rs.map((r) => (r.ok ? r.value.offers.map((o) => `${o.contactId}=${o.offerId}`) : r.error.code));
  const recorded = (await s.contacts.history(s.subjectId)).contacts.map((c) => `${c.id}=${c.offerId}`).sort();
  const used = (await s.offerCapacity!.usage(['A'], {}, NOW)).get('A')!.total;
  return { answers, recorded, used };
}

/** The first `reserve` call answers last: the duplicate records the contact, the original's reservation is replayed. */
function firstReserveLate(store: ContactHistoryStore): ContactHistoryStore {
  let calls = 0;
  return withMethod(store, 'reserve', (original, ...args) => (calls++ === 0 ? new Promise((r) => setTimeout(r, 30)).then(() => original(...args)) : original(...args)));
}

/** A third-party store written before keys: it ignores the key. */
function keyless(store: OfferCapacityStore): OfferCapacityStore {
  return withMethod(store, 'consume', (original, ...args) => original(...args.slice(0, 4)));
}

describe('decide — identical requests in flight together, last unit of an offer', () => {
  it('memory: one contact, the same answer for every caller, one unit', async () => {
    for (const [n, slots] of [
      [2, 1],
      [3, 1],
      [2, 2],
    ] as const) {
      const r = await duplicates(await world(new MemoryContactHistoryStore(), new MemoryOfferCapacityStore()), n, slots);
      const expected = slots === 1 ? ['r1#1=A'] : ['r1#1=A', 'r1#2=B'];
      expect(r.answers).toEqual(Array.from({ length: n }, () => expected));
      expect(r.recorded).toEqual(expected);
      expect(r.used).toBe(1);
    }
  });

  it('the call that took the unit keeps it when the duplicate recorded the contact first (its own reservation replayed)', async () => {
    const s = await world(new MemoryContactHistoryStore(), new MemoryOfferCapacityStore());
    const r = await duplicates({ ...s, contacts: firstReserveLate(s.contacts) }, 2);
    expect(r).toEqual({ answers: [['r1#1=A'], ['r1#1=A']], recorded: ['r1#1=A'], used: 1 });
  });

  it('a twin that read the capacity the original had just taken ranks the fallback under the same key: both answer with it', async () => {
    const s = await world(new MemoryContactHistoryStore(), new MemoryOfferCapacityStore());
    let twin: Promise<unknown> = Promise.resolve();
    // The original has taken A's last unit; before its reservation lands, the twin decides from scratch.
    const original = withMethod(s.contacts, 'reserve', (reserve, ...args) => {
      twin = safeDecide(req(2), s, config(1));
      return twin.then(() => reserve(...args));
    });
    const first = await safeDecide(req(2), { ...s, contacts: original }, config(1));
    const second = await twin;
    const offers = (r: typeof first) => r.ok && r.value.offers.map((o) => `${o.contactId}=${o.offerId}@${o.score}`);
    // The original adopts r1#1=B, with B's score (not A's), gives A's unit back, and does not offer B again in slot 2.
    const [a, b] = [offers(first), offers(second as typeof first)];
    expect(a).toEqual(b);
    expect(a && a.map((o) => o.split('@')[0])).toEqual(['r1#1=B']);
    expect((await s.contacts.history(s.subjectId)).contacts.map((c) => `${c.id}=${c.offerId}`)).toEqual(['r1#1=B']);
    expect((await s.offerCapacity!.usage(['A'], {}, NOW)).get('A')!.total).toBe(0);
  });

  it('a capacity store that ignores keys: a unit taken beside a replayed contact is still given back', async () => {
    const s = await world(new MemoryContactHistoryStore(), new MemoryOfferCapacityStore());
    const r = await duplicates({ ...s, offerCapacity: keyless(s.offerCapacity!), contacts: firstReserveLate(s.contacts) }, 2, 1, 2);
    expect(r).toEqual({ answers: [['r1#1=A'], ['r1#1=A']], recorded: ['r1#1=A'], used: 1 });
  });
});

describe.skipIf(noRedis)('decide — identical requests in flight together on Redis (separate connections)', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('one contact, the same answer, one unit, in every world', async () => {
    const [a, b] = [createRedis(), createRedis()];
    clients.push(a, b);
    for (let w = 0; w < 20; w++) {
      const pre = uniquePrefix('dup');
      const s = await world(new RedisContactHistoryStore(a, { prefix: `${pre}:ch` }), new RedisOfferCapacityStore(a, { prefix: `${pre}:cap` }));
      const s2 = { ...s, contacts: new RedisContactHistoryStore(b, { prefix: `${pre}:ch` }), offerCapacity: new RedisOfferCapacityStore(b, { prefix: `${pre}:cap` }) };
      const rs = await Promise.all([safeDecide(req(), s, config(1)), safeDecide(req(), s2, config(1))]);
      const answers = rs.map((r) => r.ok && r.value.offers.map((o) => `${o.contactId}=${o.offerId}`));
      const recorded = (await s.contacts.history(s.subjectId)).contacts.map((c) => `${c.id}=${c.offerId}`);
      // Usually A; B (for both) when the twin read A's capacity after the original took it (see above).
      expect(recorded).toEqual(expect.arrayContaining([expect.stringMatching(/^r1#1=[AB]$/)]));
      expect(answers).toEqual([recorded, recorded]);
      expect((await s.offerCapacity!.usage(['A'], {}, NOW)).get('A')!.total).toBe(recorded[0] === 'r1#1=A' ? 1 : 0);
    }
  });
});
