/**
 * Conformance suite of {@link ContactHistoryStore}: every implementation (memory, Redis, yours) must pass it.
 */
import { expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { evaluateCaps } from '../capping/evaluate.js';
import { parseCapRules } from '../capping/rules.js';
import type { ContactHistoryStore } from '../capping/store.js';
import { runConformance, type ConformanceTargets } from './harness.js';

const T0 = Date.parse('2026-03-02T09:00:00Z'); // a Monday, 10:00 in Paris

/**
 * Runs the contact-history conformance suite against each implementation (inside a vitest file).
 *
 * @example
 * ```ts
 * import { runContactHistoryStoreConformance } from 'crosschannel/testing';
 * runContactHistoryStoreConformance([{ name: 'memory', create: () => new MemoryContactHistoryStore() }]);
 * ```
 */
export function runContactHistoryStoreConformance(implementations: ConformanceTargets<ContactHistoryStore>): void {
  runConformance('ContactHistoryStore', implementations, (store) => {
    const contact = (id: string, at: number, extra: Record<string, unknown> = {}) => ({ id, subjectId: 'p1', channel: 'email', at, tags: ['marketing'], ...extra });

    it('records contacts and responses and returns them sorted, from `since`', async () => {
      const s = store();
      await s.recordContact(contact('c2', T0 + HOUR));
      await s.recordContact(contact('c1', T0));
      await s.recordResponse({ id: 'r1', subjectId: 'p1', kind: 'opened', channel: 'email', at: T0 + 2 * HOUR });
      const h = await s.history('p1');
      expect(h.subjectId).toBe('p1');
      expect(h.contacts.map((c) => c.id)).toEqual(['c1', 'c2']);
      expect(h.contacts[0]).toEqual({ id: 'c1', subjectId: 'p1', channel: 'email', at: T0, tags: ['marketing'], transactional: false });
      expect(h.responses.map((r) => r.id)).toEqual(['r1']);
      expect(h.events).toEqual([]);
      expect((await s.history('p1', T0 + 1)).contacts.map((c) => c.id)).toEqual(['c2']);
      const from = await s.history('p1', T0 + 2 * HOUR); // inclusive, responses too
      expect([from.contacts, from.responses.map((r) => r.id)]).toEqual([[], ['r1']]);
      expect((await s.history('p1', T0 + 2 * HOUR + 1)).responses).toEqual([]);
      expect((await s.history('nobody')).contacts).toEqual([]);
    });

    it('records a contact once per idempotency key, and identical records once', async () => {
      const s = store();
      expect((await s.recordContact(contact('c1', T0, { idempotencyKey: 'k' }))).recorded).toBe(true);
      const again = await s.recordContact(contact('c1-retry', T0 + 5, { idempotencyKey: 'k' }));
      expect(again.recorded).toBe(false);
      expect(again.contact.id).toBe('c1');
      await s.recordContact(contact('c2', T0 + 10));
      expect((await s.recordContact(contact('c2', T0 + 10))).recorded).toBe(false);
      for (const kind of ['clicked', 'clicked', 'opened'] as const) await s.recordResponse({ id: 'r1', subjectId: 'p1', kind, channel: 'email', at: T0 });
      const h = await s.history('p1');
      expect(h.contacts.map((c) => c.id)).toEqual(['c1', 'c2']);
      expect(h.responses.map((r) => r.kind).sort()).toEqual(['clicked', 'opened']);
      // Keys are per subject.
      expect((await s.recordContact(contact('x', T0, { idempotencyKey: 'k', subjectId: 'p2' }))).recorded).toBe(true);
      expect(await s.reserve(contact('y', T0, { idempotencyKey: 'k', subjectId: 'p3' }), parseCapRules({ rules: [] }))).toMatchObject({ replayed: false, contact: { id: 'y' } });
    });

    it('one contact per id and instant, whatever its key or other fields', async () => {
      const s = store();
      const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 2, window: 'day' }] });
      for (const k of ['k1', 'k2']) expect((await s.reserve(contact('a', T0, { idempotencyKey: k }), caps)).granted).toBe(true);
      expect((await s.recordContact(contact('a', T0, { channel: 'sms' }))).recorded).toBe(false);
      expect((await s.reserve(contact('b', T0 + 1), caps)).granted).toBe(true);
      expect((await s.history('p1')).contacts.map((c) => c.id + c.channel)).toEqual(['aemail', 'bemail']);
    });

    it('keeps subjects apart (ids are exact: no case folding, no truncation)', async () => {
      const s = store();
      const ids = ['p1', 'P1', `${'x'.repeat(250)}a`, `${'x'.repeat(250)}b`, '\u{1F600}', '\u{1F601}'];
      for (const [i, subjectId] of ids.entries()) {
        await s.recordContact({ ...contact(`c${i}`, T0), subjectId, idempotencyKey: 'k' });
        await s.recordResponse({ id: `r${i}`, subjectId, kind: 'opened', channel: 'email', at: T0 });
      }
      await s.erase('P1');
      for (const [i, subjectId] of ids.entries()) {
        const h = await s.history(subjectId);
        expect([...h.contacts, ...h.responses].map((r) => r.id), subjectId).toEqual(i === 1 ? [] : [`c${i}`, `r${i}`]);
      }
    });

    it('refuses reads, erasures and prunes with a bad subject id or time (a lone surrogate reads as U+FFFD on Redis)', async () => {
      const s = store();
      const calls: Array<[string, () => Promise<unknown>]> = [];
      for (const bad of ['\ud800', 'a\udc00', '\u0085x', '', 42]) calls.push(['subjectId', () => s.history(bad as string)], ['subjectId', () => s.erase(bad as string)]);
      for (const bad of ['0', NaN]) calls.push(['since', () => s.history('p1', bad as number)], ['before', () => s.prune(bad as number)]);
      for (const [path, call] of calls) {
        const e = await call().then(() => null, (x: unknown) => x);
        expect(isCrossChannelError(e, 'INPUT_INVALID') && e.path, path).toBe(path);
      }
    });

    it('reserve decides at `now`, counting contacts dated after the candidate', async () => {
      const s = store();
      const caps = parseCapRules({ rules: [{ id: 'hour', kind: 'limit', limit: 1, window: { rolling: '1h' } }] });
      await s.recordContact(contact('a', T0 - 30 * MINUTE));
      // b: back-dated to T0, decided at T0 + 2 h (`a` is out of the window at `now`); c: scheduled for T0 + 3 h, decided at
      // T0 + 30 min (`b` is in it); d: at T0 − 1 h, where `a` and `b`, dated after it, count.
      for (const [id, at, now, granted] of [['b', T0, T0 + 2 * HOUR, true], ['c', T0 + 3 * HOUR, T0 + 30 * MINUTE, false], ['d', T0 - HOUR, T0 - HOUR, false]] as const) {
        const decision = evaluateCaps(await s.history('p1'), caps, contact(id, at), { now });
        expect(decision.allowed, id).toBe(granted);
        expect(await s.reserve(contact(id, at), caps, { now })).toMatchObject({ granted, decision });
      }
    });

    it('lists one instant by id in code-point order, whatever the order written', async () => {
      const s = store();
      for (const id of ['z', '\u{1F600}', '\uFF01', 'a']) await s.recordContact(contact(id, T0));
      expect((await s.history('p1')).contacts.map((c) => c.id)).toEqual(['a', 'z', '\uFF01', '\u{1F600}']);
    });

    it('a key is replayed only while its contact is kept (refused keys too)', async () => {
      const s = store();
      const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
      const late = T0 + 1000 * DAY; // past the shipped stores' retention
      await s.reserve(contact('a', T0, { idempotencyKey: 'k' }), caps);
      expect((await s.reserve(contact('r', T0, { idempotencyKey: 'kr' }), caps)).granted).toBe(false);
      await s.reserve(contact('b', late), caps);
      const kept = (await s.history('p1')).contacts.some((c) => c.id === 'a');
      // Retried with an earlier `now`: `b`'s trim forgot the refusal as it dropped `a` (a store that keeps `a` replays it).
      expect((await s.reserve(contact('r2', T0, { idempotencyKey: 'kr' }), caps)).replayed).toBe(kept);
      const retry = await s.reserve(contact('c', late + 1, { idempotencyKey: 'k' }), caps);
      expect(retry.replayed).toBe(kept);
    });

    it('rejects malformed records with INPUT_INVALID and writes nothing', async () => {
      const s = store();
      await expect(s.recordContact({ id: 'c1', subjectId: 'p1', channel: 'E-Mail', at: T0 } as never)).rejects.toSatisfy((e) => isCrossChannelError(e, 'INPUT_INVALID'));
      await expect(s.recordResponse({ id: 'r', subjectId: 'p1', kind: 'loved', channel: 'email', at: T0 } as never)).rejects.toSatisfy((e) => isCrossChannelError(e, 'INPUT_INVALID'));
      const caps = parseCapRules({ rules: [] });
      await expect(s.reserve({ id: 'c', subjectId: 'p1', channel: 'sms', at: 'yesterday' } as never, caps)).rejects.toSatisfy((e) => isCrossChannelError(e, 'INPUT_INVALID'));
      expect((await s.history('p1')).contacts).toEqual([]);
    });

    it('reserve grants up to the limit, then refuses with reasons and the exact nextAllowedAt', async () => {
      const s = store();
      const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 2, window: 'day', scope: { tags: 'marketing' } }] });
      const opts = { timeZone: 'Europe/Paris' };
      expect((await s.reserve(contact('a', T0), caps, opts)).granted).toBe(true);
      expect((await s.reserve(contact('b', T0 + MINUTE), caps, opts)).granted).toBe(true);
      const third = await s.reserve(contact('c', T0 + 2 * MINUTE), caps, opts);
      expect(third.granted).toBe(false);
      expect(third.replayed).toBe(false);
      expect(third.decision.reasons.map((r) => [r.code, r.rule, r.detail?.count, r.detail?.limit])).toEqual([['CAP_LIMIT_REACHED', 'day', 2, 2]]);
      expect(third.decision.nextAllowedAt).toBe(Date.parse('2026-03-02T23:00:00Z'));
      expect((await s.reserve(contact('d', Date.parse('2026-03-02T23:00:00Z')), caps, opts)).granted).toBe(true);
      expect((await s.reserve(contact('tx', T0 + 3 * MINUTE, { transactional: true }), caps, opts)).granted).toBe(true);
      expect((await s.history('p1')).contacts.map((c) => c.id)).toEqual(['a', 'b', 'tx', 'd']);
    });

    it('a retried reservation returns the original outcome and counts once', async () => {
      const s = store();
      const caps = parseCapRules({ rules: [{ id: 'one', kind: 'limit', limit: 1, window: { rolling: '1h' } }] });
      const first = await s.reserve(contact('a', T0, { idempotencyKey: 'k1' }), caps);
      const retry = await s.reserve(contact('a2', T0 + 1, { idempotencyKey: 'k1' }), caps);
      expect(first.granted).toBe(true);
      expect(retry).toEqual({ ...first, replayed: true });
      const refused = await s.reserve(contact('b', T0 + 2, { idempotencyKey: 'k2' }), caps);
      expect(refused.granted).toBe(false);
      expect(refused.decision.nextAllowedAt).toBe(T0 + HOUR);
      const refusedRetry = await s.reserve(contact('b', T0 + HOUR + 5, { idempotencyKey: 'k2' }), caps);
      expect(refusedRetry).toEqual({ ...refused, replayed: true });
      expect((await s.history('p1')).contacts.map((c) => c.id)).toEqual(['a']);
    });

    it('reserve honours cooldowns, gaps, quiet hours and reserved priority slots', async () => {
      const s = store();
      const caps = parseCapRules({
        timeZone: 'Europe/Paris',
        rules: [
          { id: 'unsub', kind: 'cooldown', duration: '30d', scope: { channels: 'sms' } },
          { id: 'gap', kind: 'gap', minGap: '2h', scope: { channels: 'email' } },
          { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] },
          { id: 'week', kind: 'limit', limit: 3, window: 'week', reserve: { slots: 1, minPriority: 10 }, scope: { channels: ['email', 'push'] } },
        ],
      });
      await s.recordResponse({ id: 'r', subjectId: 'p1', kind: 'unsubscribed', channel: 'sms', at: T0 - DAY });
      const sms = await s.reserve({ ...contact('s', T0), channel: 'sms' }, caps);
      expect(sms.decision.reasons.map((r) => r.code)).toEqual(['CAP_COOLDOWN']);
      expect(sms.decision.nextAllowedAt).toBe(T0 + 29 * DAY);
      expect((await s.reserve(contact('e1', T0), caps)).granted).toBe(true);
      const tooSoon = await s.reserve(contact('e2', T0 + HOUR), caps);
      expect(tooSoon.decision.reasons.map((r) => r.code)).toEqual(['CAP_MIN_GAP']);
      expect(tooSoon.decision.nextAllowedAt).toBe(T0 + 2 * HOUR);
      const night = await s.reserve(contact('e3', Date.parse('2026-03-02T21:30:00Z')), caps);
      expect(night.decision.reasons.map((r) => r.code)).toEqual(['CAP_QUIET_HOURS']);
      expect(night.decision.nextAllowedAt).toBe(Date.parse('2026-03-03T07:00:00Z'));
      expect((await s.reserve({ ...contact('p1', T0 + 3 * HOUR), channel: 'push' }, caps)).granted).toBe(true);
      const low = await s.reserve({ ...contact('p2', T0 + 4 * HOUR), channel: 'push' }, caps);
      expect(low.decision.reasons.map((r) => [r.code, r.detail?.limit])).toEqual([['CAP_LIMIT_REACHED', 2]]);
      expect((await s.reserve({ ...contact('p3', T0 + 4 * HOUR), channel: 'push' }, caps, { priority: 10 })).granted).toBe(true);
    });

    it('concurrent reservations for one subject never exceed the cap', async () => {
      const s = store();
      const caps = parseCapRules({ rules: [{ id: 'five', kind: 'limit', limit: 5, window: { rolling: '1d' } }] });
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.reserve(contact(`c${i}`, T0 + i), caps, { now: T0 + 40 })));
      expect(results.filter((r) => r.granted)).toHaveLength(5);
      expect((await s.history('p1')).contacts).toHaveLength(5);
    });

    it('a scoped rule counts only the contacts in its scope (channel, tag, campaign, offer, transactional)', async () => {
      const s = store();
      const caps = parseCapRules({
        timeZone: 'UTC',
        rules: [
          { id: 'sms', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
          { id: 'promo', kind: 'limit', limit: 1, window: 'day', scope: { tags: ['promotion', 'sale'] } },
          { id: 'camp', kind: 'limit', limit: 1, window: 'day', scope: { campaigns: 'spring' } },
          { id: 'offer', kind: 'limit', limit: 1, window: 'day', scope: { offers: 'o1' } },
          { id: 'email-news', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'email', tags: 'news' }, transactional: 'counted' },
        ],
      });
      // Out of every rule's scope: other channel, other tags, other campaign and offer, or not counted (transactional).
      await s.recordContact({ id: 'x1', subjectId: 'p1', channel: 'push', tags: ['news', 'service'], campaignId: 'autumn', offerId: 'o2', at: T0 });
      await s.recordContact({ id: 'x2', subjectId: 'p1', channel: 'email', tags: ['service'], at: T0 + 1 });
      await s.recordContact({ id: 'x3', subjectId: 'p1', channel: 'sms', tags: ['news'], transactional: true, at: T0 + 2 });
      const at = T0 + HOUR;
      for (const [i, c] of [
        { channel: 'sms' },
        { channel: 'push', tags: ['sale'] },
        { channel: 'push', campaignId: 'spring' },
        { channel: 'push', offerId: 'o1' },
      ].entries()) {
        expect((await s.reserve({ id: `in${i}`, subjectId: 'p1', at: at + i, ...c }, caps)).granted).toBe(true);
        // The same again fills the rule.
        const again = await s.reserve({ id: `again${i}`, subjectId: 'p1', at: at + i, ...c }, caps);
        expect(again.granted).toBe(false);
        expect(again.decision.reasons.map((r) => r.rule)).toEqual([caps.rules[i]!.id]);
      }
      // A transactional contact counts toward a rule that counts them; one in scope fills it.
      await s.recordContact({ id: 'tx', subjectId: 'p1', channel: 'email', tags: ['news'], transactional: true, at: at + 10 });
      const news = await s.reserve({ id: 'news', subjectId: 'p1', channel: 'email', tags: ['news'], at: at + 11 }, caps);
      expect(news.decision.reasons.map((r) => r.rule)).toEqual(['email-news']);
    });

    it('reserve agrees with evaluateCaps on the history it holds', async () => {
      const s = store();
      const rng = createRng(7);
      const caps = parseCapRules({
        timeZone: 'America/New_York',
        rules: [
          { id: 'all-week', kind: 'limit', limit: 6, window: { calendar: 'week', weekStartsOn: 0 } },
          { id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
          { id: 'promo-3d', kind: 'limit', limit: 2, window: { rolling: '3d' }, scope: { tags: 'promotion' }, transactional: 'counted' },
          { id: 'per-campaign', kind: 'limit', limit: 1, window: 'month', per: 'campaign' },
          { id: 'gap', kind: 'gap', minGap: '3h' },
          { id: 'refusal', kind: 'cooldown', duration: '5d', per: 'offer', after: ['refused'] },
        ],
      });
      const channels = ['email', 'sms', 'push'];
      let t = Date.parse('2026-03-01T00:00:00Z');
      for (let i = 0; i < 120; i++) {
        t += rng.int(20 * HOUR) + 1;
        const c = {
          id: `c${i}`,
          subjectId: 'p1',
          channel: channels[rng.int(3)]!,
          at: t,
          tags: rng.next() < 0.5 ? ['promotion'] : ['news'],
          transactional: rng.next() < 0.15,
          campaignId: `camp${rng.int(3)}`,
          offerId: `o${rng.int(3)}`,
        };
        if (rng.next() < 0.1) await s.recordResponse({ id: `r${i}`, subjectId: 'p1', kind: 'refused', channel: c.channel, offerId: c.offerId, at: t - 1 });
        const expected = evaluateCaps(await s.history('p1'), caps, c, { now: t });
        const got = await s.reserve(c, caps);
        expect(got.granted).toBe(expected.allowed);
        expect(got.decision).toEqual(expected);
      }
    });

    it('a pruned or erased contact no longer counts against any cap', async () => {
      const s = store();
      const caps = parseCapRules({
        timeZone: 'UTC',
        rules: [
          { id: 'week', kind: 'limit', limit: 1, window: { rolling: 7 * DAY } },
          { id: 'email-week', kind: 'limit', limit: 1, window: { rolling: 7 * DAY }, scope: { channels: 'email', tags: 'marketing' } },
          { id: 'promo-week', kind: 'limit', limit: 1, window: { rolling: 7 * DAY }, scope: { tags: ['marketing', 'sale'] } },
        ],
      });
      await s.recordContact(contact('old', T0 - 3 * DAY, { tags: ['marketing', 'sale'] }));
      const before = await s.reserve(contact('first', T0), caps);
      expect(before.decision.reasons.map((r) => r.rule).sort()).toEqual(['email-week', 'promo-week', 'week']);
      expect(await s.prune(T0 - DAY)).toBe(1);
      expect((await s.reserve(contact('second', T0), caps)).granted).toBe(true);
      await s.erase('p1');
      expect((await s.reserve(contact('third', T0 + 1), caps)).granted).toBe(true);
    });

    it('counts windows across the epoch and at the ends of the time range', async () => {
      const s = store();
      const caps = parseCapRules({ timeZone: 'UTC', rules: [{ id: 'two-a-week', kind: 'limit', limit: 2, window: { rolling: 7 * DAY } }] });
      // Before 1970, straddling it, and at the last instant records may carry (8.64e15 ms).
      for (const [who, t] of [['before', -400 * DAY], ['across', -2 * DAY], ['end', 8.64e15 - 7 * DAY]] as const) {
        const c = (id: string, at: number) => ({ id, subjectId: who, channel: 'email', at });
        expect((await s.reserve(c('a', t), caps)).granted).toBe(true);
        expect((await s.reserve(c('b', t + DAY), caps)).granted).toBe(true);
        const refused = await s.reserve(c('c', t + 3 * DAY), caps);
        expect(refused.granted).toBe(false);
        expect(refused.decision.nextAllowedAt).toBe(t + 7 * DAY);
        expect((await s.reserve(c('d', t + 7 * DAY), caps)).granted).toBe(true);
      }
    });

    it('prune deletes records before the cut-off; erase deletes the subject', async () => {
      const s = store();
      await s.recordContact(contact('old', T0 - 10 * DAY, { idempotencyKey: 'old-key' }));
      await s.recordContact(contact('new', T0));
      await s.recordContact({ ...contact('other', T0 - 10 * DAY), subjectId: 'p2' });
      await s.recordResponse({ id: 'r-old', subjectId: 'p1', kind: 'opened', channel: 'email', at: T0 - DAY - 1 });
      await s.recordResponse({ id: 'r-cut', subjectId: 'p1', kind: 'opened', channel: 'email', at: T0 - DAY });
      await s.recordContact(contact('cut', T0 - DAY));
      expect(await s.prune(T0 - DAY)).toBe(3);
      expect((await s.history('p1')).contacts.map((c) => c.id)).toEqual(['cut', 'new']);
      expect((await s.history('p1')).responses.map((r) => r.id)).toEqual(['r-cut']);
      expect((await s.history('p2')).contacts).toEqual([]);
      // The pruned contact's idempotency entry went with it: the key may be used again.
      expect((await s.recordContact(contact('again', T0, { idempotencyKey: 'old-key' }))).recorded).toBe(true);
      await s.erase('p1');
      expect(await s.history('p1')).toEqual({ subjectId: 'p1', contacts: [], responses: [], events: [] });
      expect((await s.recordContact(contact('after', T0, { idempotencyKey: 'old-key' }))).recorded).toBe(true);
      // Refused keys go too: with the refusal's time pruned, and with an erasure.
      const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
      const p3 = (id: string, key?: string) => ({ ...contact(id, T0 - 10 * DAY, key === undefined ? {} : { idempotencyKey: key }), subjectId: 'p3' });
      await s.reserve(p3('g'), caps);
      expect((await s.reserve(p3('r', 'kr'), caps)).granted).toBe(false);
      await s.prune(T0 - DAY);
      expect(await s.reserve(p3('r', 'kr'), caps)).toMatchObject({ granted: true, replayed: false });
      expect((await s.reserve(p3('e', 'ke'), caps)).granted).toBe(false);
      await s.erase('p3');
      expect(await s.reserve(p3('e', 'ke'), caps)).toMatchObject({ granted: true, replayed: false });
    });
  });
}
