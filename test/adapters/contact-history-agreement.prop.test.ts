/**
 * Property: the contact-history stores answer alike — memory and Redis (batched and one script per reservation) —
 * on random sequences of recorded contacts and responses, reservations (retried with the same idempotency key,
 * several at one instant, `now` after the contact, ids outside the BMP), history reads, prunes and erasures, with a
 * short retention so that records and keys age out: every answer and every history after each step.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryContactHistoryStore } from '../../src/adapters/memory/contact-history.js';
import { RedisContactHistoryStore } from '../../src/adapters/redis/contact-history.js';
import { parseCapRules } from '../../src/capping/rules.js';
import type { ContactHistoryStore } from '../../src/capping/store.js';
import type { History } from '../../src/core/records.js';
import { DAY, HOUR } from '../../src/core/time.js';
import { createRedis, noRedis, uniquePrefix } from '../fixtures/redis.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const PEOPLE = ['a', 'B', '\u{1F600}p'];
// Ids whose UTF-16 order differs from their code-point order (U+FF01 against U+1F600), and plain ones.
const IDS = ['c1', 'c2', 'C', '\uFF01', '\u{1F600}', 'z'];
const caps = parseCapRules({
  timeZone: 'Europe/Paris',
  rules: [
    { id: 'day', kind: 'limit', limit: 3, window: 'day' },
    { id: 'sms', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
    { id: 'cool', kind: 'cooldown', after: ['refused'], duration: '1h' },
  ],
});

/** A contact relative to now; records may come two days late, reservations an hour at most. */
const contactWith = (late: number) =>
  fc.record({
    p: fc.constantFrom(...PEOPLE),
    id: fc.constantFrom(...IDS),
    channel: fc.constantFrom('email', 'sms'),
    key: fc.option(fc.constantFrom('k1', 'k2', '\u{1F600}'), { nil: undefined }),
    tags: fc.subarray(['marketing', 'promo']),
    dt: fc.constantFrom(0, 0, -1, 1, -HOUR, -late),
  });
const contactArb = contactWith(2 * DAY);
const reservedArb = contactWith(HOUR);
const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('reserve' as const), c: reservedArb, late: fc.constantFrom(0, 0, 5, HOUR) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('record' as const), c: contactArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('respond' as const), c: contactArb, kind: fc.constantFrom('refused' as const, 'opened' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('prune' as const), back: fc.constantFrom(0, HOUR, DAY) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('erase' as const), p: fc.constantFrom(...PEOPLE) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('history' as const), p: fc.constantFrom(...PEOPLE), back: fc.constantFrom(0, HOUR, 3 * DAY) }) },
  // Reservations issued together (one batch on Redis), each under its own key or none: decided in call order.
  { weight: 1, arbitrary: fc.record({ t: fc.constant('burst' as const), cs: fc.uniqueArray(reservedArb, { minLength: 2, maxLength: 5, selector: (c) => c.key ?? c.id }) }) },
);

/**
 * A history with responses sharing an id and an instant put in one order: the stores keep such distinct responses
 * in an unspecified order (everything else is listed alike: `at`, then id in code-point order).
 */
function canonical(h: History): History {
  const key = (r: History['responses'][number]) => `${r.at}\u0000${r.id}`;
  const responses = [...h.responses];
  for (let i = 0; i < responses.length; ) {
    let j = i + 1;
    while (j < responses.length && key(responses[j]!) === key(responses[i]!)) j++;
    const group = responses.slice(i, j).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
    responses.splice(i, j - i, ...group);
    i = j;
  }
  return { ...h, responses };
}

let redis: Redis | undefined;
afterAll(async () => {
  await redis?.quit();
});

describe.skipIf(noRedis)('contact-history stores agree', () => {
  it('property: every answer and history alike on memory and Redis', async () => {
    redis ??= createRedis();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(op, fc.constantFrom(0, 0, 0, 1, 20 * HOUR, 2 * DAY)), { minLength: 1, maxLength: 30 }), async (ops) => {
        const stores: ContactHistoryStore[] = [
          new MemoryContactHistoryStore({ retention: '3d' }),
          new RedisContactHistoryStore(redis!, { prefix: uniquePrefix('cha'), retention: '3d' }),
          new RedisContactHistoryStore(redis!, { prefix: uniquePrefix('chb'), retention: '3d', batching: false }),
        ];
        let now = T0;
        for (const [o, dt] of ops) {
          now += dt;
          const answers = await Promise.all(
            stores.map(async (s) => {
              if (o.t === 'prune') return s.prune(now - o.back);
              if (o.t === 'erase') return s.erase(o.p);
              if (o.t === 'history') return canonical(await s.history(o.p, now - o.back));
              if (o.t === 'burst') return Promise.all(o.cs.map((c, k) => s.reserve({ id: `${c.id}${k}`, subjectId: c.p, channel: c.channel, tags: c.tags, at: now + c.dt, ...(c.key === undefined ? {} : { idempotencyKey: c.key }) }, caps)));
              const c = o.c;
              const base = { id: c.id, subjectId: c.p, channel: c.channel, tags: c.tags, at: now + c.dt };
              if (o.t === 'respond') return s.recordResponse({ ...base, kind: o.kind });
              const contact = c.key === undefined ? base : { ...base, idempotencyKey: c.key };
              if (o.t === 'record') return s.recordContact(contact);
              return s.reserve(contact, caps, { now: now + c.dt + o.late });
            }),
          );
          const histories = await Promise.all(stores.map(async (s) => Promise.all(PEOPLE.map(async (p) => canonical(await s.history(p))))));
          for (let i = 1; i < stores.length; i++) {
            expect([i, o, answers[i], histories[i]]).toEqual([i, o, answers[0], histories[0]]);
          }
        }
      }),
      {
        numRuns: 150,
        examples: [
          // A refusal under k2, a reservation two days later (its trim forgets the refusal, as memory does), then a
          // contact recorded under k2 two days late: Redis replayed the refusal (judged at the record's own cut-off).
          [[[{ t: 'burst', cs: [{ p: '\u{1F600}p', id: 'c1', channel: 'sms', key: undefined, tags: [], dt: 0 }, { p: '\u{1F600}p', id: 'c1', channel: 'sms', key: 'k2', tags: [], dt: 0 }] }, 0], [{ t: 'history', p: 'a', back: 0 }, 2 * DAY], [{ t: 'erase', p: 'a' }, 2 * DAY], [{ t: 'reserve', c: { p: '\u{1F600}p', id: 'c1', channel: 'email', key: undefined, tags: [], dt: 0 }, late: 0 }, 0], [{ t: 'record', c: { p: '\u{1F600}p', id: 'c1', channel: 'email', key: 'k2', tags: [], dt: -2 * DAY } }, 0]]],
          // The same with the reservation late by more than the retention after the refusal, retried at an earlier now.
          [[[{ t: 'reserve', c: { p: 'a', id: 'c1', channel: 'sms', key: undefined, tags: [], dt: 0 }, late: 0 }, 0], [{ t: 'reserve', c: { p: 'a', id: 'c2', channel: 'sms', key: 'k1', tags: [], dt: 0 }, late: 0 }, 0], [{ t: 'reserve', c: { p: 'a', id: 'c3', channel: 'email', key: undefined, tags: [], dt: 0 }, late: 0 }, 2 * DAY], [{ t: 'reserve', c: { p: 'a', id: 'c3', channel: 'email', key: undefined, tags: [], dt: 0 }, late: 0 }, 2 * DAY], [{ t: 'record', c: { p: 'a', id: 'c2', channel: 'sms', key: 'k1', tags: [], dt: -2 * DAY } }, 0]]],
          // Contacts of one instant: Redis lists them in member order (by id), memory listed them as written.
          [[[{ t: 'record', c: { p: 'a', id: 'z', channel: 'email', key: undefined, tags: [], dt: 0 } }, 0], [{ t: 'record', c: { p: 'a', id: '\u{1F600}', channel: 'email', key: undefined, tags: [], dt: 0 } }, 0], [{ t: 'record', c: { p: 'a', id: '\uFF01', channel: 'email', key: undefined, tags: [], dt: 0 } }, 0]]],
          // A reservation past the retention: memory dropped the aged-out response, Redis kept it (and, when refused, the contacts).
          [[[{ t: 'respond', c: { p: 'a', id: 'c1', channel: 'email', key: undefined, tags: [], dt: 0 }, kind: 'refused' }, 0], [{ t: 'record', c: { p: 'a', id: 'c1', channel: 'sms', key: undefined, tags: [], dt: 0 } }, 0], [{ t: 'record', c: { p: 'a', id: 'c2', channel: 'sms', key: undefined, tags: [], dt: 0 } }, 4 * DAY], [{ t: 'reserve', c: { p: 'a', id: 'c3', channel: 'sms', key: 'k1', tags: [], dt: 0 }, late: 0 }, 0]]],
          // A key whose contact a later reservation trimmed, used again at an earlier instant: Redis still replayed it.
          [[[{ t: 'reserve', c: { p: 'a', id: 'c1', channel: 'email', key: 'k1', tags: [], dt: 0 }, late: 0 }, 0], [{ t: 'reserve', c: { p: 'a', id: 'c2', channel: 'email', key: undefined, tags: [], dt: 0 }, late: 0 }, 4 * DAY], [{ t: 'record', c: { p: 'a', id: 'z', channel: 'email', key: 'k1', tags: [], dt: -3.5 * DAY } }, 0], [{ t: 'reserve', c: { p: 'a', id: 'C', channel: 'email', key: 'k1', tags: [], dt: -3.5 * DAY }, late: 0 }, 0]]],
          [[[{ t: 'reserve', c: { p: 'a', id: 'c1', channel: 'email', key: 'k1', tags: [], dt: 0 }, late: 0 }, 0], [{ t: 'reserve', c: { p: 'a', id: 'c2', channel: 'email', key: undefined, tags: [], dt: 0 }, late: 0 }, 4 * DAY], [{ t: 'reserve', c: { p: 'a', id: 'C', channel: 'email', key: 'k1', tags: [], dt: -3.5 * DAY }, late: 0 }, 0]]],
          // Two responses under one id and instant that differ: Redis kept both, memory only the first.
          [[[{ t: 'respond', c: { p: 'a', id: 'c1', channel: 'email', key: undefined, tags: [], dt: 0 }, kind: 'refused' }, 0], [{ t: 'respond', c: { p: 'a', id: 'c1', channel: 'email', key: undefined, tags: [], dt: 0 }, kind: 'opened' }, 0]]],
        ],
      },
    );
  });

  it('concurrent reservations (retries among them) grant the cap once, and leave the same history, on every store', async () => {
    redis ??= createRedis();
    const stores: ContactHistoryStore[] = [
      new MemoryContactHistoryStore({ retention: '3d' }),
      new RedisContactHistoryStore(redis, { prefix: uniquePrefix('chc'), retention: '3d' }),
      new RedisContactHistoryStore(redis, { prefix: uniquePrefix('chd'), retention: '3d', batching: false }),
    ];
    for (const s of stores) {
      const all = await Promise.all(
        Array.from({ length: 40 }, (_, i) => s.reserve({ id: IDS[i % IDS.length]!, subjectId: PEOPLE[2]!, channel: 'email', at: T0 + (i % 3), idempotencyKey: `k${i % 7}` }, caps)),
      );
      expect(all.filter((r) => r.granted && !r.replayed)).toHaveLength(3);
    }
    const histories = await Promise.all(stores.map((s) => s.history(PEOPLE[2]!)));
    expect(histories[1]).toEqual(histories[0]);
    expect(histories[2]).toEqual(histories[0]);
  });
});
