/** Defect 1: key encoding must be injective, or two subjects share caps and one's erasure erases the other. */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { offerKey, subjectKey } from './keys.js';
import { RedisContactHistoryStore } from './contact-history.js';
import { RedisOfferCapacityStore } from './offer-capacity.js';
import { parseCapRules } from '../../capping/rules.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';

const SUBJECT_NAMES = ['contacts', 'responses', 'idem', 'ix', 'ix:nc:email'];
const OFFER_NAMES = ['cap:total', 'cap:spent', 'cap:day:0', 'cap:week:0'];
// Strings rich in the characters the encoding treats specially, plus arbitrary unicode.
const idArb = fc.oneof(fc.string({ unit: fc.constantFrom('%', '{', '}', '7', 'B', 'D', '2', '5', 'a', ':') }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));

describe('Redis key encoding', () => {
  it('keeps apart the two subjects the old escaping merged', () => {
    expect(subjectKey('cc', 'a{b', 'contacts')).not.toBe(subjectKey('cc', 'a%7Bb', 'contacts'));
    expect(offerKey('cc', 'a}b', 'cap:total')).not.toBe(offerKey('cc', 'a%7Db', 'cap:total'));
  });

  it('property: distinct subject or offer ids never share a key, and each key has one brace pair as hash tag', () => {
    fc.assert(
      fc.property(idArb, idArb, fc.constantFrom(...SUBJECT_NAMES), fc.constantFrom(...OFFER_NAMES), (a, b, sn, on) => {
        const keys = [subjectKey('p', a, sn), subjectKey('p', b, sn), offerKey('p', a, on), offerKey('p', b, on)];
        if (a !== b) expect(new Set(keys).size).toBe(4);
        // Subject keys never meet offer keys, even for the subject literally named `offer:<id>`.
        expect(subjectKey('p', `offer:${a}`, sn)).not.toBe(offerKey('p', a, on));
        for (const k of keys) expect(k.slice(2).match(/[{}]/g)).toEqual(['{', '}']);
      }),
      { numRuns: 2000 },
    );
  });
});

describe.skipIf(noRedis)('Redis stores with colliding-looking ids', () => {
  const redis = noRedis ? undefined : createRedis();
  afterAll(async () => {
    await redis?.quit();
  });
  const caps = parseCapRules({ rules: [{ id: 'one-a-day', kind: 'limit', limit: 1, window: 'day' }] });
  const at = Date.parse('2026-03-02T10:00:00Z');

  it('a{b and a%7Bb have separate caps and separate erasure', async () => {
    const store = new RedisContactHistoryStore(redis!, { prefix: uniquePrefix('keys') });
    expect((await store.reserve({ id: 'c1', subjectId: 'a{b', channel: 'email', at }, caps, { timeZone: 'UTC' })).granted).toBe(true);
    expect((await store.reserve({ id: 'c2', subjectId: 'a%7Bb', channel: 'email', at }, caps, { timeZone: 'UTC' })).granted).toBe(true);
    await store.erase('a%7Bb');
    expect((await store.history('a{b')).contacts.map((c) => c.id)).toEqual(['c1']);
    expect((await store.history('a%7Bb')).contacts).toEqual([]);
  });

  it('trim, prune and erase leave no index entry of a contact that is gone, and erase no key at all', async () => {
    const prefix = uniquePrefix('keys');
    const store = new RedisContactHistoryStore(redis!, { prefix, retention: '30d' });
    const entries = async (): Promise<number> => {
      let n = 0;
      for (const atom of await redis!.smembers(subjectKey(prefix, 's', 'ix'))) n += await redis!.zcard(subjectKey(prefix, 's', `ix:${atom}`));
      return n;
    };
    const day = 86_400_000;
    // Filed under *, its channel, campaign, offer and each tag and channel + tag: 8 entries.
    const full = { subjectId: 's', channel: 'email', campaignId: 'spring', offerId: 'o1', tags: ['a', 'b'] };
    await store.recordContact({ id: 'old', ...full, at: at - 40 * day });
    await store.recordContact({ id: 'mid', ...full, at: at - 10 * day });
    expect(await entries()).toBe(16);
    // A grant trims what is past retention (30 days) from the index keys it writes (* and sms): the other seven
    // keep the old contact's entries (never read: reads start at the cut-off) until written or pruned.
    expect((await store.reserve({ id: 'now', subjectId: 's', channel: 'sms', at }, caps, { timeZone: 'UTC' })).granted).toBe(true);
    expect(await entries()).toBe(2 + 1 + 7 * 2);
    // The old contact left the history with the trim, the middle one goes now; the index keeps only the new one.
    expect(await store.prune(at - day)).toBe(1);
    expect(await entries()).toBe(2);
    await store.recordResponse({ id: 'r', subjectId: 's', kind: 'opened', channel: 'sms', at });
    await store.erase('s');
    expect(await redis!.keys(`${prefix}:*`)).toEqual([]);
  });

  it('offers a}b and a%7Db have separate capacity', async () => {
    const store = new RedisOfferCapacityStore(redis!, { prefix: uniquePrefix('keys') });
    expect((await store.consume('a}b', { total: 1, timeZone: 'UTC' }, at)).ok).toBe(true);
    expect((await store.consume('a%7Db', { total: 1, timeZone: 'UTC' }, at)).ok).toBe(true);
  });
});
