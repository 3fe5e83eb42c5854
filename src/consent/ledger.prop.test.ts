import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canContact, consentState, foldConsent, parseConsentEvent, parseConsentPolicy, type ConsentEvent } from './index.js';
import { consentEventArb, LEDGER_CHANNELS, LEDGER_PURPOSES } from '../../test/arbitraries/consent.js';

const SPAN = 100 * 86_400_000;
const policy = parseConsentPolicy({
  doubleOptIn: { channels: ['email'], window: { days: 3 } },
  expiry: { marketing: { days: 30 } },
  softOptIn: [{ channel: 'sms', purposes: ['marketing', 'newsletter'] }],
  optOutChannels: ['direct_mail'],
});
const eventsArb = fc.array(consentEventArb(SPAN), { maxLength: 25 });
const channelArb = fc.constantFrom(...LEDGER_CHANNELS);
const purposeArb = fc.constantFrom(...LEDGER_PURPOSES);
const nowArb = fc.integer({ min: 0, max: SPAN + 40 * 86_400_000 });
const RANK = { existing_customer: 0, granted: 1, confirmed: 2, denied: 3, withdrawn: 4 } as const;

const applies = (e: ConsentEvent, channel: string, purpose: string, now: number): boolean =>
  e.at <= now && (e.channel === channel || e.channel === '*') && (e.purpose === purpose || e.purpose === '*');

/**
 * The ledger as docs/consent.md draws it, replayed on a timeline: before each event (and at `now`) a grant past its
 * expiry or a double-opt-in request past its window has lapsed to `expired`; then the event moves the state.
 */
function ledgerOracle(events: ConsentEvent[], channel: string, purpose: string, now: number, p: { doi: string[]; window: number; ttl: Record<string, number>; soft: string[] }) {
  const doi = p.doi.includes(channel);
  const soft = p.soft.includes(`${channel}/${purpose}`);
  const ttl = p.ttl[purpose] ?? p.ttl['*'];
  let s = { status: 'unknown', basis: null as string | null, since: null as number | null, until: null as number | null };
  let refusedSinceGrant = false;
  const lapse = (t: number): void => {
    if ((s.status === 'granted' || s.status === 'pending') && s.until !== null && t > s.until) s = { ...s, status: 'expired', since: s.until, until: null, basis: s.status === 'granted' ? s.basis : null };
  };
  const grant = (basis: string, t: number): void => {
    s = { status: 'granted', basis, since: t, until: ttl === undefined ? null : t + ttl };
  };
  for (const e of events.filter((x) => applies(x, channel, purpose, now)).sort((a, b) => a.at - b.at || RANK[a.kind] - RANK[b.kind])) {
    lapse(e.at);
    if (e.kind === 'denied' || e.kind === 'withdrawn') {
      s = { status: e.kind, basis: null, since: e.at, until: null };
      refusedSinceGrant = true;
    } else if (e.kind === 'granted') {
      refusedSinceGrant = false;
      if (!doi) grant('opt_in', e.at);
      else if (s.status !== 'granted') s = { status: 'pending', basis: null, since: e.at, until: e.at + p.window };
    } else if (e.kind === 'confirmed') {
      if (s.status === 'pending') grant('double_opt_in', e.at);
    } else if (soft && !refusedSinceGrant && s.status !== 'granted') grant('soft_opt_in', e.at);
  }
  lapse(now);
  return s;
}

describe('ledger properties', () => {
  it('foldConsent equals the state machine of the guide, replayed event by event', () => {
    const DAY = 86_400_000;
    // The suite's policy, and one with a soft opt-in on the double-opt-in channel and a default expiry.
    const cases = [
      { policy, spec: { doi: ['email'], window: 3 * DAY, ttl: { marketing: 30 * DAY } as Record<string, number>, soft: ['sms/marketing', 'sms/newsletter'] } },
      {
        policy: parseConsentPolicy({ doubleOptIn: { channels: ['email', 'push'], window: { days: 2 } }, expiry: { '*': { days: 10 }, profiling: { days: 40 } }, softOptIn: [{ channel: 'email', purposes: ['marketing'] }, { channel: 'sms', purposes: ['profiling'] }] }),
        spec: { doi: ['email', 'push'], window: 2 * DAY, ttl: { '*': 10 * DAY, profiling: 40 * DAY } as Record<string, number>, soft: ['email/marketing', 'sms/profiling'] },
      },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...cases), eventsArb, channelArb, purposeArb, nowArb, (c, events, channel, purpose, now) => {
        const got = foldConsent(consentState(events, c.policy), channel, purpose, now);
        expect({ status: got.status, basis: got.basis, since: got.since, until: got.until }).toEqual(ledgerOracle(events, channel, purpose, now, c.spec));
      }),
      { numRuns: 3000 },
    );
  });


  it('a form and a purchase give the same status in either order (soft opt-in on a double-opt-in channel)', () => {
    const DAY = 86_400_000;
    const soft = parseConsentPolicy({ doubleOptIn: { channels: ['email'], window: { days: 3 } }, softOptIn: [{ channel: 'email', purposes: ['marketing'] }] });
    const at = fc.integer({ min: 0, max: 10 * DAY });
    fc.assert(
      // `now` after both (an event after `now` does not count yet, whichever it is).
      fc.property(at, at, fc.array(at, { maxLength: 2 }), fc.integer({ min: 0, max: 10 * DAY }), (a, b, confirmations, later) => {
        const now = Math.max(a, b) + later;
        const ev = (id: string, kind: ConsentEvent['kind'], t: number) => parseConsentEvent({ id, subjectId: 'p', channel: 'email', purpose: 'marketing', kind, at: t, evidence: { source: 't' } });
        const confirmed = confirmations.map((t, i) => ev(`c${i}`, 'confirmed', t));
        const status = (form: number, purchase: number) => foldConsent(consentState([ev('f', 'granted', form), ev('x', 'existing_customer', purchase), ...confirmed], soft), 'email', 'marketing', now).status;
        expect(status(a, b)).toBe(status(b, a));
      }),
      { numRuns: 1000 },
    );
  });

  it('the latest refusal wins over every older or simultaneous grant', () => {
    fc.assert(
      fc.property(eventsArb, channelArb, purposeArb, nowArb, (events, channel, purpose, now) => {
        const relevant = events.filter((e) => applies(e, channel, purpose, now)).sort((a, b) => a.at - b.at || RANK[a.kind] - RANK[b.kind]);
        const last = relevant[relevant.length - 1];
        const status = foldConsent(consentState(events, policy), channel, purpose, now).status;
        if (last && (last.kind === 'denied' || last.kind === 'withdrawn')) expect(status).toBe(last.kind);
        if (!relevant.some((e) => e.kind !== 'confirmed')) expect(status).toBe('unknown');
      }),
      { numRuns: 1500 },
    );
  });

  it('consentState orders the events by time, refusals after grants at one instant, otherwise as given', () => {
    // The oracle: a stable sort. Half the inputs are given already ordered (the path that skips the sort), with
    // instants drawn from a few values so that ties are common.
    const tiedArb = fc.array(
      fc.tuple(consentEventArb(SPAN), fc.integer({ min: 0, max: 3 })).map(([e, t]) => ({ ...e, at: t * 1000 })),
      { maxLength: 12 },
    );
    const byTime = (a: ConsentEvent, b: ConsentEvent): number => a.at - b.at || RANK[a.kind] - RANK[b.kind];
    fc.assert(
      fc.property(fc.oneof(eventsArb, tiedArb), fc.boolean(), (events, presort) => {
        const input = presort ? [...events].sort(byTime) : events;
        const expected = [...input].sort(byTime); // Array.prototype.sort is stable
        const state = consentState(input, policy);
        expect(state.events).toEqual(expected);
        for (let i = 0; i < expected.length; i++) expect(state.events[i]).toBe(expected[i]);
        expect(state.events).not.toBe(input);
      }),
      { numRuns: 1500 },
    );
  });

  it('the fold depends on the events, not their order, and ignores the future', () => {
    fc.assert(
      fc.property(eventsArb, channelArb, purposeArb, nowArb, fc.integer(), (events, channel, purpose, now, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), { seed, numRuns: 1 })[0]!;
        const a = foldConsent(consentState(events, policy), channel, purpose, now);
        const b = foldConsent(consentState(shuffled, policy), channel, purpose, now);
        const c = foldConsent(consentState(events.filter((e) => e.at <= now), policy), channel, purpose, now);
        expect([b.status, b.since, b.basis]).toEqual([a.status, a.since, a.basis]);
        expect([c.status, c.since, c.basis]).toEqual([a.status, a.since, a.basis]);
      }),
      { numRuns: 1000 },
    );
  });

  it('a grant on a double-opt-in channel whose consent is confirmed and in force changes nothing (a re-submitted form never revokes it)', () => {
    const DAY = 86_400_000;
    const at = (id: string, kind: ConsentEvent['kind'], t: number, channel = 'email', purpose = 'marketing') =>
      parseConsentEvent({ id, subjectId: 's1', channel, purpose, kind, at: t, evidence: { source: 'form' } });
    fc.assert(
      fc.property(eventsArb, purposeArb, fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 1, max: 60 * DAY }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('email', '*'), fc.boolean(),
        (history, purpose, confirmAfter, later, where, channel, anyPurpose) => {
          const g = SPAN + DAY;
          const confirmed = [...history, at('g', 'granted', g, 'email', purpose), at('c', 'confirmed', g + confirmAfter, 'email', purpose)];
          const now = g + confirmAfter + later;
          const again = at('again', 'granted', g + confirmAfter + Math.floor(where * later), channel, anyPurpose ? '*' : purpose);
          // The premise: the grant at g was confirmed (a history's consent still in force at g keeps it unchanged instead).
          const atConfirm = foldConsent(consentState(confirmed, policy), 'email', purpose, g + confirmAfter);
          fc.pre(atConfirm.status === 'granted' && atConfirm.since === g + confirmAfter);
          const a = foldConsent(consentState(confirmed, policy), 'email', purpose, now);
          const b = foldConsent(consentState([...confirmed, again], policy), 'email', purpose, now);
          if (a.status === 'granted') expect(a.basis).toBe('double_opt_in');
          // Still in force when the form came again: nothing changes. Lapsed by then: a new pending request.
          if (again.at - (g + confirmAfter) <= (purpose === 'marketing' ? 30 * DAY : Infinity)) expect([b.status, b.basis, b.since]).toEqual([a.status, a.basis, a.since]);
          // (A new request not confirmed within the 3-day window has expired by `now`, since the window's end.)
          else expect(b.since).toBe(now - again.at > 3 * DAY ? again.at + 3 * DAY : again.at);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('canContact allows only granted entries (or unknown on opt-out channels), and a double-opt-in channel only after confirmation', () => {
    fc.assert(
      fc.property(eventsArb, channelArb, purposeArb, nowArb, (events, channel, purpose, now) => {
        const state = consentState(events, policy);
        const d = canContact(state, { channel, purpose, now });
        const s = foldConsent(state, channel, purpose, now);
        expect(d.allowed).toBe(s.status === 'granted' || (s.status === 'unknown' && channel === 'direct_mail'));
        if (d.allowed && channel === 'email') expect(s.basis).toBe('double_opt_in');
        if (s.status === 'granted' && s.basis === 'soft_opt_in') expect(channel).toBe('sms');
        if (s.status === 'granted' && purpose === 'marketing') expect(now - s.since!).toBeLessThanOrEqual(30 * 86_400_000);
        expect(d.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 1500 },
    );
  });
});
