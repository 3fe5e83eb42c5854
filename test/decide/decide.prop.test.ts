/**
 * Properties of `decide` over whole conversations: random people, consent, caps and sequences of asks on
 * every channel (with retries), on memory stores.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MINUTE, DAY, calendarWindow } from '../../src/core/time.js';
import { canContact, consentState, parseConsentPolicy } from '../../src/consent/index.js';
import { decide, parseDecideConfig, withoutTimings, DECIDE_STAGES, type DecideResult, type DecideStores } from '../../src/decide/index.js';
import { asksArb, capsArb, consentWorldArb, PEOPLE, propertyConfig, WEEK_START, type Ask, type CapsChoice, type ConsentWorld } from '../arbitraries/decide.js';
import { memoryStores } from './memory-stores.js';

async function world(consent: ConsentWorld): Promise<{ stores: DecideStores; subjects: string[] }> {
  const stores = memoryStores();
  const subjects: string[] = [];
  for (let i = 0; i < PEOPLE.length; i++) {
    const r = await stores.identity.addObservations([{ identifiers: [{ type: 'email', value: PEOPLE[i]! }, { type: 'cookie_id', value: `ck-${i}` }], at: WEEK_START - DAY }]);
    const subject = r.profiles[0]!;
    subjects.push(subject);
    for (const channel of ['email', 'sms', 'push'] as const) {
      const state = consent[i]![channel];
      const base = { subjectId: subject, channel, purpose: 'marketing', evidence: { source: 'test' } };
      if (state === 'granted' || state === 'withdrawn') await stores.consent.append({ ...base, id: `${i}-${channel}-g`, kind: 'granted', at: WEEK_START - 30 * DAY });
      if (state === 'denied') await stores.consent.append({ ...base, id: `${i}-${channel}-d`, kind: 'denied', at: WEEK_START - 30 * DAY });
      if (state === 'withdrawn') await stores.consent.append({ ...base, id: `${i}-${channel}-w`, kind: 'withdrawn', at: WEEK_START - 2 * DAY });
    }
  }
  return { stores, subjects };
}

function requestOf(a: Ask, n: number): Record<string, unknown> {
  const identifiers = a.channel === 'web' ? [{ type: 'cookie_id', value: `ck-${a.person}` }] : [{ type: 'email', value: PEOPLE[a.person]! }];
  return { requestId: `q${n}`, identifiers, channel: a.channel, now: WEEK_START + a.minute * MINUTE, slots: a.slots };
}

async function play(consent: ConsentWorld, caps: CapsChoice, asks: Ask[]): Promise<{ stores: DecideStores; subjects: string[]; results: Array<{ ask: Ask; request: Record<string, unknown>; result: DecideResult }> }> {
  const { stores, subjects } = await world(consent);
  const config = parseDecideConfig(propertyConfig(caps), { clock: () => 0 });
  const results = [];
  for (let n = 0; n < asks.length; n++) {
    const request = requestOf(asks[n]!, n);
    results.push({ ask: asks[n]!, request, result: await decide(request, stores, config) });
    if (asks[n]!.retry) results.push({ ask: asks[n]!, request, result: await decide(request, stores, config) });
  }
  return { stores, subjects, results };
}

const RUNS = { numRuns: 25 };

describe('decide properties', () => {
  it('never contacts on an opt-in channel the consent module refuses', async () => {
    await fc.assert(
      fc.asyncProperty(consentWorldArb, capsArb, asksArb, async (consent, caps, asks) => {
        const { stores, subjects, results } = await play(consent, caps, asks);
        for (const { ask, result } of results) {
          if (ask.channel === 'web') continue;
          const events = await stores.consent.events(subjects[ask.person]!);
          const verdict = canContact(consentState(events, parseConsentPolicy({})), { channel: ask.channel, purpose: 'marketing', now: WEEK_START + ask.minute * MINUTE });
          if (!verdict.allowed) {
            expect(result.contact).toBe(false);
            expect(result.reasons[0]!.code).toBe('DECIDE_CONSENT_DENIED');
          }
        }
      }),
      RUNS,
    );
  });

  it('recorded contacts never exceed a cap in any window, and each granted slot is exactly one recorded contact', async () => {
    await fc.assert(
      fc.asyncProperty(consentWorldArb, capsArb, asksArb, async (consent, caps, asks) => {
        const { stores, subjects, results } = await play(consent, caps, asks);
        const granted = new Set(results.flatMap((r) => r.result.offers.map((o) => o.contactId)));
        let recorded = 0;
        for (const s of subjects) {
          const contacts = (await stores.contacts.history(s)).contacts;
          recorded += contacts.length;
          for (const c of contacts) {
            expect(granted.has(c.id)).toBe(true);
            const week = calendarWindow(c.at, 'week', 'UTC', { weekStartsOn: 1 });
            const day = calendarWindow(c.at, 'day', 'UTC');
            expect(contacts.filter((x) => x.at >= week.start && x.at < week.end).length).toBeLessThanOrEqual(caps.week);
            expect(contacts.filter((x) => x.channel === c.channel && x.at >= day.start && x.at < day.end).length).toBeLessThanOrEqual(caps.day);
            if (caps.quiet && (c.channel === 'sms' || c.channel === 'push')) {
              const hour = new Date(c.at).getUTCHours();
              expect(hour >= 8 && hour < 21).toBe(true);
            }
          }
        }
        expect(recorded).toBe(granted.size);
      }),
      RUNS,
    );
  });

  it('a retried request returns the same offers and reserves nothing more', async () => {
    await fc.assert(
      fc.asyncProperty(consentWorldArb, capsArb, asksArb, async (consent, caps, asks) => {
        const { results } = await play(consent, caps, asks);
        for (let i = 1; i < results.length; i++) {
          const prev = results[i - 1]!;
          const cur = results[i]!;
          if (cur.request.requestId !== prev.request.requestId) continue;
          if (prev.result.contact) {
            expect(cur.result.offers.map((o) => o.contactId)).toEqual(prev.result.offers.map((o) => o.contactId));
            expect(cur.result.reasons.map((r) => r.code)).toEqual(['DECIDE_REPLAYED']);
          } else expect(cur.result.contact).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('is deterministic: the same conversation on fresh stores gives the same decisions and traces', async () => {
    await fc.assert(
      fc.asyncProperty(consentWorldArb, capsArb, asksArb, async (consent, caps, asks) => {
        const a = await play(consent, caps, asks);
        const b = await play(consent, caps, asks);
        expect(b.results.map((r) => ({ ...r.result, trace: withoutTimings(r.result.trace) }))).toEqual(a.results.map((r) => ({ ...r.result, trace: withoutTimings(r.result.trace) })));
      }),
      { numRuns: 10 },
    );
  });

  it('every answer is well formed: reasons when no contact, distinct offers within the slots, stages in pipeline order', async () => {
    await fc.assert(
      fc.asyncProperty(consentWorldArb, capsArb, asksArb, async (consent, caps, asks) => {
        const { results } = await play(consent, caps, asks);
        for (const { ask, result } of results) {
          if (result.contact) {
            expect(result.offers.length).toBeGreaterThan(0);
            expect(result.offers.length).toBeLessThanOrEqual(ask.slots);
            expect(new Set(result.offers.map((o) => o.offerId)).size).toBe(result.offers.length);
            expect(result.nextAllowedAt).toBeNull();
          } else {
            expect(result.reasons.length).toBeGreaterThan(0);
            expect(result.offers).toEqual([]);
            if (result.nextAllowedAt !== null) expect(result.nextAllowedAt).toBeGreaterThan(WEEK_START + ask.minute * MINUTE);
            if (result.alternative) expect(result.alternative.channel).not.toBe(ask.channel);
          }
          const order = result.trace.stages.map((s) => DECIDE_STAGES.indexOf(s.stage));
          expect([...order].sort((x, y) => x - y)).toEqual(order);
          expect(result.trace.stages.every((s) => s.status !== 'failed')).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('an alternative channel offered now is one the same decision would contact on', async () => {
    let probed = 0;
    await fc.assert(
      fc.asyncProperty(consentWorldArb, capsArb, asksArb, async (consent, caps, asks) => {
        const { stores, results } = await play(consent, caps, asks);
        const config = parseDecideConfig(propertyConfig(caps), { clock: () => 0 });
        const last = results[results.length - 1]!;
        if (last.result.contact || !last.result.alternative) return;
        const probe = { ...last.request, requestId: 'probe', channel: last.result.alternative.channel, identifiers: [{ type: 'email', value: PEOPLE[last.ask.person]! }] };
        const d = await decide(probe, stores, config);
        probed++;
        expect(d.contact).toBe(true);
        expect(d.offers[0]!.offerId).toBe(last.result.alternative.offerId);
      }),
      { numRuns: 60 },
    );
    expect(probed).toBeGreaterThan(0);
  });
});
