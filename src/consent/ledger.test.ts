import { describe, expect, it } from 'vitest';
import {
  canContact,
  consentState,
  consentSummary,
  DEFAULT_CONSENT_POLICY,
  decodeTcString,
  encodeTcString,
  foldConsent,
  parseConsentEvent,
  parseConsentPolicy,
  readGpc,
  type ConsentEventInput,
} from './index.js';
import { DAY } from '../core/time.js';
import { isCrossChannelError } from '../core/errors.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let n = 0;
const ev = (over: Partial<ConsentEventInput>) =>
  parseConsentEvent({ id: `e${++n}`, subjectId: 'alice', channel: 'email', purpose: 'marketing', kind: 'granted', at: T0, evidence: { source: 'form' }, ...over });

const policy = parseConsentPolicy({
  doubleOptIn: { channels: ['email'], window: { days: 3 } },
  expiry: { marketing: { days: 395 } },
  softOptIn: [{ channel: 'sms', purposes: ['marketing'] }],
  optOutChannels: ['direct_mail'],
});

describe('foldConsent', () => {
  it('is unknown without events', () => {
    expect(foldConsent(consentState([]), 'email', 'marketing', T0)).toMatchObject({ status: 'unknown', basis: null, since: null, event: null });
  });

  it('keeps a double-opt-in grant pending until confirmed within the window', () => {
    const grant = ev({ at: T0 });
    const state = consentState([grant, ev({ kind: 'confirmed', at: T0 + 2 * DAY })], policy);
    expect(foldConsent(state, 'email', 'marketing', T0 + DAY)).toMatchObject({ status: 'pending', until: T0 + 3 * DAY, event: grant });
    expect(foldConsent(state, 'email', 'marketing', T0 + 2 * DAY)).toMatchObject({ status: 'granted', basis: 'double_opt_in', since: T0 + 2 * DAY });
    const late = consentState([grant, ev({ kind: 'confirmed', at: T0 + 4 * DAY })], policy);
    expect(foldConsent(late, 'email', 'marketing', T0 + 5 * DAY)).toMatchObject({ status: 'expired', since: T0 + 3 * DAY });
    // Without double opt-in on the channel a grant is immediate.
    expect(foldConsent(consentState([ev({ channel: 'push' })], policy), 'push', 'marketing', T0)).toMatchObject({ status: 'granted', basis: 'opt_in' });
  });

  it('keeps a confirmed or soft opt-in consent when the person submits the form again; a grant after a refusal needs a new confirmation', () => {
    const confirmed = [ev({ at: T0 }), ev({ kind: 'confirmed', at: T0 + DAY })];
    for (const again of [ev({ at: T0 + 10 * DAY }), ev({ channel: '*', purpose: '*', at: T0 + 10 * DAY })]) {
      const state = consentState([...confirmed, again], policy);
      // It was pending at day 10 and then CONSENT_EXPIRED from day 13: the re-submitted form revoked the confirmation.
      for (const day of [10, 12, 20]) expect(foldConsent(state, 'email', 'marketing', T0 + day * DAY)).toMatchObject({ status: 'granted', basis: 'double_opt_in', since: T0 + DAY });
      expect(canContact(state, { channel: 'email', purpose: 'marketing', now: T0 + 20 * DAY }).allowed).toBe(true);
    }
    // A soft opt-in on a double-opt-in channel stays too.
    const softPolicy = parseConsentPolicy({ doubleOptIn: { channels: ['email'], window: { days: 3 } }, softOptIn: [{ channel: 'email', purposes: ['marketing'] }] });
    const soft = consentState([ev({ kind: 'existing_customer', at: T0 }), ev({ at: T0 + DAY })], softPolicy);
    expect(foldConsent(soft, 'email', 'marketing', T0 + 10 * DAY)).toMatchObject({ status: 'granted', basis: 'soft_opt_in' });
    // And the other order: a purchase while the form's request is unconfirmed is the same soft opt-in (it was ignored,
    // and the request then lapsed: `expired` for a customer, depending only on which came first).
    const formFirst = consentState([ev({ at: T0 }), ev({ kind: 'existing_customer', at: T0 + DAY })], softPolicy);
    expect(foldConsent(formFirst, 'email', 'marketing', T0 + 10 * DAY)).toMatchObject({ status: 'granted', basis: 'soft_opt_in', since: T0 + DAY });
    // After a withdrawal, or once the confirmed consent lapsed (395 days), a grant is pending again.
    const withdrawn = consentState([...confirmed, ev({ kind: 'withdrawn', at: T0 + 2 * DAY }), ev({ at: T0 + 3 * DAY })], policy);
    expect(foldConsent(withdrawn, 'email', 'marketing', T0 + 4 * DAY)).toMatchObject({ status: 'pending', since: T0 + 3 * DAY });
    expect(foldConsent(withdrawn, 'email', 'marketing', T0 + 7 * DAY).status).toBe('expired');
    const lapsed = consentState([...confirmed, ev({ at: T0 + 400 * DAY })], policy);
    expect(foldConsent(lapsed, 'email', 'marketing', T0 + 401 * DAY)).toMatchObject({ status: 'pending', since: T0 + 400 * DAY });
  });

  it('expires grants after the purpose expiry and re-grants refresh it', () => {
    const state = consentState([ev({ channel: 'push', at: T0 })], policy);
    expect(foldConsent(state, 'push', 'marketing', T0 + 395 * DAY).status).toBe('granted');
    expect(foldConsent(state, 'push', 'marketing', T0 + 395 * DAY + 1)).toMatchObject({ status: 'expired', since: T0 + 395 * DAY });
    const refreshed = consentState([ev({ channel: 'push', at: T0 }), ev({ channel: 'push', at: T0 + 300 * DAY })], policy);
    expect(foldConsent(refreshed, 'push', 'marketing', T0 + 500 * DAY).status).toBe('granted');
    // Purposes without an expiry never lapse.
    expect(foldConsent(consentState([ev({ channel: 'push', purpose: 'profiling' })], policy), 'push', 'profiling', T0 + 5000 * DAY).status).toBe('granted');
  });

  it('lets withdrawal win over older grants, including at the same instant and through wildcards', () => {
    const state = consentState([ev({ channel: 'push', kind: 'withdrawn', at: T0 + 10 }), ev({ channel: 'push', at: T0 + 10 })], policy);
    expect(foldConsent(state, 'push', 'marketing', T0 + 20).status).toBe('withdrawn');
    const all = consentState([ev({ channel: 'push', at: T0 }), ev({ channel: '*', purpose: '*', kind: 'withdrawn', at: T0 + 5 })], policy);
    expect(foldConsent(all, 'push', 'marketing', T0 + 6).status).toBe('withdrawn');
    // A later grant re-opts in.
    const again = consentState([...all.events, ev({ channel: 'push', at: T0 + 7 })], policy);
    expect(foldConsent(again, 'push', 'marketing', T0 + 8).status).toBe('granted');
    expect(foldConsent(again, 'push', 'marketing', T0 + 6).status).toBe('withdrawn');
  });

  it('grants a soft opt-in to existing customers only where configured and only without refusal', () => {
    const customer = consentState([ev({ channel: 'sms', kind: 'existing_customer', at: T0 })], policy);
    expect(foldConsent(customer, 'sms', 'marketing', T0)).toMatchObject({ status: 'granted', basis: 'soft_opt_in' });
    expect(foldConsent(customer, 'sms', 'profiling', T0).status).toBe('unknown');
    const refused = consentState([ev({ channel: 'sms', kind: 'denied', at: T0 }), ev({ channel: 'sms', kind: 'existing_customer', at: T0 + 1 })], policy);
    expect(foldConsent(refused, 'sms', 'marketing', T0 + 2).status).toBe('denied');
  });

  it('lets a soft opt-in start afresh once an earlier grant or request has lapsed (a lapsed consent is no longer in force)', () => {
    const soft = parseConsentPolicy({ doubleOptIn: { channels: ['sms'], window: { days: 3 } }, expiry: { marketing: { days: 30 } }, softOptIn: [{ channel: 'sms', purposes: ['marketing'] }] });
    const purchase = ev({ channel: 'sms', kind: 'existing_customer', at: T0 + 40 * DAY });
    // A confirmed consent that expired on day 30, then a purchase on day 40.
    const lapsed = consentState([ev({ channel: 'sms', at: T0 }), ev({ channel: 'sms', kind: 'confirmed', at: T0 + DAY }), purchase], soft);
    expect(foldConsent(lapsed, 'sms', 'marketing', T0 + 35 * DAY)).toMatchObject({ status: 'expired', since: T0 + 31 * DAY });
    expect(foldConsent(lapsed, 'sms', 'marketing', T0 + 41 * DAY)).toMatchObject({ status: 'granted', basis: 'soft_opt_in', since: T0 + 40 * DAY, until: T0 + 70 * DAY, event: purchase });
    // A double-opt-in request never confirmed (its window closed on day 3), then a purchase.
    const unconfirmed = consentState([ev({ channel: 'sms', at: T0 }), purchase], soft);
    expect(foldConsent(unconfirmed, 'sms', 'marketing', T0 + 41 * DAY)).toMatchObject({ status: 'granted', basis: 'soft_opt_in', since: T0 + 40 * DAY });
    // Still in force, a purchase changes nothing; a refusal still bars it after the lapse.
    expect(foldConsent(consentState([ev({ channel: 'sms', at: T0 }), ev({ channel: 'sms', kind: 'confirmed', at: T0 + DAY }), ev({ channel: 'sms', kind: 'existing_customer', at: T0 + 2 * DAY })], soft), 'sms', 'marketing', T0 + 3 * DAY)).toMatchObject({ basis: 'double_opt_in', since: T0 + DAY });
    expect(foldConsent(consentState([ev({ channel: 'sms', kind: 'withdrawn', at: T0 }), purchase], soft), 'sms', 'marketing', T0 + 41 * DAY).status).toBe('withdrawn');
  });

  it('summarises every named channel × purpose', () => {
    const state = consentState([ev({ channel: 'push' }), ev({ channel: 'sms', kind: 'denied' }), ev({ channel: '*', purpose: '*', kind: 'withdrawn', at: T0 - 1 })], policy);
    expect(consentSummary(state, T0).map((c) => `${c.channel}/${c.purpose}=${c.status}`).sort()).toEqual(['push/marketing=granted', 'sms/marketing=denied']);
  });
});

describe('consentState from plain JavaScript', () => {
  it('refuses an event whose at, kind, channel or purpose has the wrong type with INPUT_INVALID at its path (a Symbol at was a TypeError)', () => {
    const ok = { id: 'e', subjectId: 's', channel: 'email', purpose: 'marketing', kind: 'granted', at: 0, evidence: { source: 'form' } };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ at: Symbol('t') }, 'events[1].at'],
      [{ at: [null] }, 'events[1].at'],
      [{ kind: 10n }, 'events[1].kind'],
      [{ channel: null }, 'events[1].channel'],
      [{ purpose: {} }, 'events[1].purpose'],
    ];
    for (const [change, path] of cases) {
      expect(() => consentState([ok, { ...ok, ...change }] as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
    }
  });

  it('refuses a policy that is not from parseConsentPolicy at `policy` (its JSON made a state canContact refused, at `state`)', () => {
    for (const raw of [{}, { doubleOptIn: { channels: ['email'] } }, null, 5]) {
      expect(() => consentState([], raw as never), JSON.stringify(raw)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'policy', message: 'policy must come from parseConsentPolicy()' }));
    }
    expect(canContact(consentState([], parseConsentPolicy({})), { channel: 'email', purpose: 'marketing', now: 0 }).allowed).toBe(false);
  });
});

describe('canContact', () => {
  const tcString = encodeTcString({
    created: T0, lastUpdated: T0, cmpId: 300, cmpVersion: 1, consentScreen: 1, consentLanguage: 'EN', vendorListVersion: 120,
    policyVersion: 5, isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [], purposeConsents: [1, 4],
    purposeLegitimateInterests: [], purposeOneTreatment: false, publisherCountryCode: 'FR', vendorConsents: [755], vendorLegitimateInterests: [],
  });

  it('allows a granted channel and says why', () => {
    const d = canContact(consentState([ev({ channel: 'push' })], policy), { channel: 'push', purpose: 'marketing', now: T0 });
    expect(d.allowed).toBe(true);
    expect(d.reasons.map((r) => r.code)).toEqual(['CONSENT_GRANTED']);
    expect(d.consent.status).toBe('granted');
  });

  it('blocks every non-granted status with its own code', () => {
    const state = consentState([ev({ channel: 'email' }), ev({ channel: 'sms', kind: 'denied' }), ev({ channel: 'push', kind: 'withdrawn' })], policy);
    const code = (channel: string, now = T0) => canContact(state, { channel, purpose: 'marketing', now }).reasons[0]!.code;
    expect(code('email')).toBe('CONSENT_PENDING');
    expect(code('email', T0 + 4 * DAY)).toBe('CONSENT_EXPIRED');
    expect(code('sms')).toBe('CONSENT_DENIED');
    expect(code('push')).toBe('CONSENT_WITHDRAWN');
    expect(code('call_center')).toBe('CONSENT_UNKNOWN');
  });

  it('allows opt-out-regime channels without a record, not after an objection', () => {
    expect(canContact(consentState([], policy), { channel: 'direct_mail', purpose: 'marketing', now: T0 })).toMatchObject({ allowed: true });
    const objected = consentState([ev({ channel: 'direct_mail', kind: 'withdrawn' })], policy);
    expect(canContact(objected, { channel: 'direct_mail', purpose: 'marketing', now: T0 }).allowed).toBe(false);
  });

  it('honours GPC for sale / sharing / targeted advertising only', () => {
    const state = consentState([ev({ channel: 'web', purpose: 'targeted_advertising' }), ev({ channel: 'web', purpose: 'analytics' })], policy);
    const gpc = readGpc({ headers: { 'sec-gpc': '1' } });
    const ads = canContact(state, { channel: 'web', purpose: 'targeted_advertising', now: T0, gpc });
    expect(ads.allowed).toBe(false);
    expect(ads.reasons[0]).toMatchObject({ code: 'CONSENT_GPC_OPT_OUT', detail: { source: 'header' } });
    expect(canContact(state, { channel: 'web', purpose: 'analytics', now: T0, gpc }).allowed).toBe(true);
  });

  it('combines the TCF check when a TC string is supplied', () => {
    const state = consentState([ev({ channel: 'display', purpose: 'ads' })], policy);
    const tc = decodeTcString(tcString);
    const yes = canContact(state, { channel: 'display', purpose: 'ads', now: T0, tcf: { tc, query: { vendorId: 755, purposeId: 4 } } });
    expect(yes.allowed).toBe(true);
    expect(yes.tcf?.basis).toBe('consent');
    const no = canContact(state, { channel: 'display', purpose: 'ads', now: T0, tcf: { tc, query: { vendorId: 756, purposeId: 4 } } });
    expect(no.allowed).toBe(false);
    expect(no.reasons.map((r) => r.code)).toEqual(['CONSENT_TCF_DENIED', 'TCF_NO_VENDOR_CONSENT', 'CONSENT_GRANTED']);
  });

  it('combines a special-purpose TCF check, naming the special purpose when it refuses (audit, 2026-12-08)', () => {
    const state = consentState([ev({ channel: 'display', purpose: 'ads' })], policy);
    const tc = decodeTcString(tcString); // no DisclosedVendors segment: a vendor with neither bit was not shown
    const no = canContact(state, { channel: 'display', purpose: 'ads', now: T0, tcf: { tc, query: { vendorId: 756, specialPurposeId: 1 } } });
    expect(no.reasons[0]).toMatchObject({ code: 'CONSENT_TCF_DENIED', message: 'TCF: vendor 756 may not process for special purpose 1', detail: { vendorId: 756, specialPurposeId: 1 } });
    expect(no.reasons[1]?.code).toBe('TCF_VENDOR_NOT_DISCLOSED');
  });

  it("judges the TC string at the query's now (TCF 2.3's DisclosedVendors date), unless its options say otherwise", () => {
    const state = consentState([ev({ channel: 'display', purpose: 'ads' })], policy);
    const tc = decodeTcString(tcString); // no DisclosedVendors segment
    expect(tc.disclosedVendors).toBeNull();
    const later = Date.parse('2026-06-01T00:00:00Z');
    const q = (options?: { requireDisclosedVendors: boolean }) => canContact(state, { channel: 'display', purpose: 'ads', now: later, tcf: { tc, query: { vendorId: 755, purposeId: 4 }, ...(options ? { options } : {}) } });
    expect(q().tcf?.reasons.map((r) => r.code)).toEqual(['TCF_DISCLOSED_VENDORS_MISSING']);
    expect(q().allowed).toBe(false);
    expect(q({ requireDisclosedVendors: false }).allowed).toBe(true);
  });
});

describe('DEFAULT_CONSENT_POLICY', () => {
  it('is what parseConsentPolicy gives for an empty policy (it is built without the schema, so consentState and canContact alone bring no zod)', () => {
    expect(DEFAULT_CONSENT_POLICY).toEqual(parseConsentPolicy({}));
    expect(DEFAULT_CONSENT_POLICY).toEqual(parseConsentPolicy());
    expect([...DEFAULT_CONSENT_POLICY.gpcPurposes]).toEqual(['sale', 'sharing', 'targeted_advertising', 'cross_context_advertising']);
    expect(DEFAULT_CONSENT_POLICY.doubleOptInWindowMs).toBe(7 * DAY);
  });

  it('is the policy consentState uses when none is given', () => {
    const events = [parseConsentEvent({ id: 'e1', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'granted', at: T0, evidence: { source: 'form' } })];
    expect(consentState(events).policy).toBe(DEFAULT_CONSENT_POLICY);
  });
});

describe('validation', () => {
  it('refuses a state that consentState did not build with INPUT_INVALID at state (was a TypeError deep inside)', () => {
    // Events that are not a list: named below `state` (its events are checked as consentState checks them).
    for (const [state, path] of [[{}, 'state'], [{ events: [], policy: null }, 'state'], [{ events: [], policy: {} }, 'state'], [{ events: {}, policy }, 'state.events'], [[], 'state']] as const) {
      for (const call of [() => foldConsent(state as never, 'email', 'marketing', T0), () => canContact(state as never, { channel: 'email', purpose: 'marketing', now: T0 })]) {
        expect(call).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
      }
    }
    expect(foldConsent(consentState([], policy), 'email', 'marketing', T0).status).toBe('unknown');
  });

  it('rejects bad events with INPUT_INVALID and a path', () => {
    const bad = (input: unknown, path: string) => {
      let err: unknown;
      try {
        parseConsentEvent(input as never);
      } catch (e) {
        err = e;
      }
      expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
      expect((err as { path: string }).path).toBe(path);
    };
    const ok = { id: 'e', subjectId: 's', channel: 'email', purpose: 'marketing', kind: 'granted', at: T0, evidence: { source: 'f' } };
    bad({ ...ok, kind: 'maybe' }, 'kind');
    bad({ ...ok, channel: 'E-Mail' }, 'channel');
    bad({ ...ok, evidence: { source: 'f', ipHash: '192.168.0.1' } }, 'evidence.ipHash');
    bad({ ...ok, evidence: { source: 'f', ip: '1.2.3.4' } }, 'evidence.ip');
    bad({ ...ok, at: 'yesterday' }, 'at');
    expect(parseConsentEvent({ ...ok, at: '2026-01-01T00:00:00Z' } as never).at).toBe(T0);
  });
  it('rejects bad policies with CONFIG_INVALID and a path', () => {
    expect(() => parseConsentPolicy({ doubleOptIn: { channels: ['Email'] } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'doubleOptIn.channels[0]' }));
    expect(() => parseConsentPolicy({ expiry: { marketing: 0 } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'expiry.marketing' }));
    // @ts-expect-error an unknown key: a type error in TypeScript, CONFIG_INVALID at run time
    expect(() => parseConsentPolicy({ unknown: true })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('foldConsent and consentSummary with a state of the wrong shape', () => {
  const policy = parseConsentPolicy({});
  const event = { id: 'e1', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'granted', at: 1000, evidence: { source: 'form' } } as const;
  const bad = (path: string) => expect.objectContaining({ code: 'INPUT_INVALID', path });

  it('names the bad event of the state, as consentState does (an at that is a symbol was a TypeError; a channel missing was blamed on `channel`)', () => {
    const state = consentState([parseConsentEvent(event)], policy);
    expect(consentSummary(state, 2000).map((c) => c.status)).toEqual(['granted']);
    const edited = (e: unknown) => ({ ...state, events: [e] }) as never;
    expect(() => foldConsent(edited({ ...event, at: Symbol('t') }), 'email', 'marketing', 2000)).toThrow(bad('state.events[0].at'));
    expect(() => consentSummary(edited({ ...event, at: Symbol('t') }), 2000)).toThrow(bad('state.events[0].at'));
    expect(() => consentSummary(edited({ ...event, channel: undefined }), 2000)).toThrow(bad('state.events[0].channel'));
    expect(() => consentSummary(edited({ ...event, purpose: Symbol('p') }), 2000)).toThrow(bad('state.events[0].purpose'));
  });
});
