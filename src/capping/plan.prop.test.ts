import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCaps, type CountedContact } from './evaluate.js';
import { planContacts } from './plan.js';
import { parseCapRules } from './rules.js';
import { MemoryContactHistoryStore } from '../adapters/memory/contact-history.js';
import { capCandidateArb, capHistoryArb, capNowArb, capRuleSetArb } from '../../test/arbitraries/capping.js';

describe('planContacts (properties)', () => {
  it('every planned message is allowed alongside all the others; a held one is refused given them, or would push one over a cap', () => {
    fc.assert(
      fc.property(
        capRuleSetArb,
        capNowArb.chain((now) => fc.tuple(fc.constant(now), capHistoryArb(now))),
        fc.array(capCandidateArb, { minLength: 1, maxLength: 6 }),
        (set, [now, history], candidates) => {
          const caps = parseCapRules(set);
          const plan = planContacts(history, caps, candidates.map((c, i) => ({ ...c, id: `m${i}` })), { now });
          expect(plan.send.length + plan.hold.length).toBe(candidates.length);
          const asContact = (c: (typeof plan.send)[number]): CountedContact => ({ at: now, channel: c.channel, campaignId: c.campaignId, offerId: c.offerId, tags: [...(c.tags ?? [])], transactional: c.transactional === true });
          const withSent = (except?: string) => ({
            contacts: [...history.contacts, ...plan.send.filter((c) => c.id !== except).map(asContact)].sort((a, b) => a.at - b.at),
            responses: history.responses,
          });
          for (const s of plan.send) expect(evaluateCaps(withSent(s.id), caps, s, { now }).allowed).toBe(true);
          for (const h of plan.hold) {
            if (!evaluateCaps(withSent(), caps, h.candidate, { now }).allowed) continue;
            const plus = { contacts: [...withSent().contacts, asContact(h.candidate)].sort((a, b) => a.at - b.at), responses: history.responses };
            const pushedOver = plan.send.some((s) => {
              const i = plus.contacts.findIndex((c) => c.at === now && c.channel === s.channel && c.campaignId === s.campaignId && c.offerId === s.offerId && c.transactional === (s.transactional === true) && c.tags.join() === (s.tags ?? []).join());
              return !evaluateCaps({ contacts: plus.contacts.filter((_, j) => j !== i), responses: history.responses }, caps, s, { now }).allowed;
            });
            expect(pushedOver).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('reservations (properties)', () => {
  it('idempotent replays do not double count', async () => {
    await fc.assert(
      fc.asyncProperty(capRuleSetArb, fc.array(fc.tuple(capCandidateArb, fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 1, maxLength: 25 }), async (set, attempts) => {
        const caps = parseCapRules(set);
        const once = new MemoryContactHistoryStore();
        const retried = new MemoryContactHistoryStore();
        let t = Date.parse('2026-03-28T20:00:00Z');
        for (const [i, [cand, stepH, retry]] of attempts.entries()) {
          t += stepH * 3_600_000;
          const contact = { id: `c${i}`, subjectId: 'p', channel: cand.channel, tags: cand.tags ? [...cand.tags] : [], transactional: cand.transactional === true, at: t, idempotencyKey: `k${i}`, ...(cand.campaignId ? { campaignId: cand.campaignId } : {}), ...(cand.offerId ? { offerId: cand.offerId } : {}) };
          const a = await once.reserve(contact, caps, { priority: cand.priority });
          const b = await retried.reserve(contact, caps, { priority: cand.priority });
          if (retry) {
            const again = await retried.reserve({ ...contact, id: `retry${i}`, at: t + 1 }, caps, { now: t + 1, priority: cand.priority });
            expect(again).toEqual({ ...b, replayed: true });
          }
          expect(b.granted).toBe(a.granted);
        }
        expect((await retried.history('p')).contacts).toEqual((await once.history('p')).contacts);
      }),
      { numRuns: 100 },
    );
  });
});
