/**
 * One scenario run by every decide suite: a small retailer's config (catalogue, caps, segments, consent) and
 * a deterministic script of facts (identity observations, consent events, behaviour events) and decide /
 * response calls. Run on any set of stores, it returns the decisions with timings removed, so backends can be
 * compared for identical outcomes.
 */
import { encodeTcString } from '../../src/consent/tcf/encode.js';
import { DAY, HOUR, MINUTE } from '../../src/core/time.js';
import { decide, parseDecideConfig, recordResponse, recordConversion, withoutTimings, type DecideConfig, type DecideResult, type DecideStores, type DecideConfigInput } from '../../src/decide/index.js';

/** Monday 2 March 2026, 09:00 UTC (10:00 in Paris). */
export const T0 = Date.parse('2026-03-02T09:00:00Z');
export const VENDOR = 1000;

/** A TC string giving our vendor consent for purposes 1–4 (or refusing everything). */
export function tcString(accept: boolean): string {
  return encodeTcString({
    created: T0 - DAY,
    lastUpdated: T0 - DAY,
    cmpId: 300,
    cmpVersion: 2,
    consentScreen: 1,
    consentLanguage: 'FR',
    vendorListVersion: 120,
    policyVersion: 5,
    isServiceSpecific: true,
    useNonStandardTexts: false,
    specialFeatureOptIns: [],
    purposeConsents: accept ? [1, 2, 3, 4, 7] : [],
    purposeLegitimateInterests: [],
    purposeOneTreatment: false,
    publisherCountryCode: 'FR',
    vendorConsents: accept ? [VENDOR] : [],
    vendorLegitimateInterests: [],
    disclosedVendors: [VENDOR],
  });
}

export const CONFIG: DecideConfigInput = {
  catalogue: {
    timeZone: 'Europe/Paris',
    offers: [
      { id: 'cart-reminder', channels: ['email', 'push', 'web', 'app'], eligibility: 'cart-abandoners', value: 30, tags: ['marketing', 'category:shoes'], policy: { afterRefusals: { count: 2, window: '30d', suppressFor: '30d' } } },
      { id: 'vip-preview', channels: ['email', 'call_center'], eligibility: 'big-spenders', value: 50, tags: ['marketing'] },
      { id: 'coupon-20', channels: ['web', 'email'], value: 20, tags: ['marketing', 'discount'], capacity: { perDay: 2 } },
      { id: 'loyalty-points', value: 5, tags: ['marketing'], policy: { afterAcceptance: { suppressFor: '7d' } } },
    ],
  },
  caps: {
    timeZone: 'Europe/Paris',
    rules: [
      { id: 'marketing-week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } },
      { id: 'email-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'email' } },
      { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }], scope: { channels: ['sms', 'call_center', 'push'] } },
      { id: 'after-unsubscribe', kind: 'cooldown', duration: '30d', after: ['unsubscribed', 'complained'], scope: { tags: 'marketing' } },
    ],
  },
  segments: [
    { id: 'cart-abandoners', rule: { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } } },
    { id: 'big-spenders', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 200 } },
  ],
  consent: { purpose: 'marketing', ledgerChannels: ['email', 'sms', 'push', 'call_center'], tcf: { vendorId: VENDOR, purposes: [1, 3, 4], channels: ['web', 'app'], missing: 'deny' } },
  timeZone: 'Europe/Paris',
  alternatives: ['email', 'push', 'web'],
  storeTimeoutMs: 2000,
};

/** The parsed config with a deterministic clock (all timings 0). */
export function scenarioConfig(overrides: Partial<DecideConfigInput> = {}): DecideConfig {
  return parseDecideConfig({ ...CONFIG, ...overrides }, { clock: () => 0 });
}

export const ANN = { email: 'Ann.Martin@example.com', cookie: 'ck-ann-1', phone: '06 12 34 56 78' };
export const BOB = { email: 'bob@example.org', cookie: 'ck-bob-1', loyalty: 'LC-77' };
export const CAROL = { cookie: 'ck-carol-1' };

/** Facts known before the first decision. */
export async function seed(stores: DecideStores): Promise<void> {
  const r = await stores.identity.addObservations([
    { identifiers: [{ type: 'email', value: ANN.email }, { type: 'cookie_id', value: ANN.cookie }], at: T0 - 10 * DAY, source: 'web-login' },
    { identifiers: [{ type: 'phone', value: '+33612345678' }, { type: 'email', value: 'ann.martin@example.com' }], at: T0 - 9 * DAY, source: 'crm' },
    { identifiers: [{ type: 'email', value: BOB.email }, { type: 'loyalty_id', value: BOB.loyalty }], at: T0 - 20 * DAY, source: 'pos' },
    { identifiers: [{ type: 'cookie_id', value: BOB.cookie }, { type: 'email', value: BOB.email }], at: T0 - 5 * DAY, source: 'web-login' },
  ]);
  const ann = (await stores.identity.resolve([{ type: 'email', value: ANN.email }]))!;
  const bob = (await stores.identity.resolve([{ type: 'loyalty_id', value: BOB.loyalty }]))!;
  void r;
  const evidence = { source: 'signup-form' };
  for (const [subjectId, channel, kind] of [
    [ann, 'email', 'granted'],
    [ann, 'push', 'granted'],
    [bob, 'email', 'granted'],
    [bob, 'call_center', 'granted'],
    [bob, 'sms', 'denied'],
  ] as const) {
    await stores.consent.append({ id: `${subjectId}-${channel}`, subjectId, channel, purpose: 'marketing', kind, at: T0 - 30 * DAY, evidence });
  }
  await stores.events.append([
    { id: 'e1', subjectId: ann, type: 'page_view', at: T0 - 2 * DAY, channel: 'web', properties: { category: 'shoes' } },
    { id: 'e2', subjectId: ann, type: 'cart_abandon', at: T0 - 2 * DAY + 5 * MINUTE, channel: 'web', properties: { category: 'shoes' } },
    { id: 'e3', subjectId: bob, type: 'purchase', at: T0 - 3 * DAY, channel: 'store', properties: { amount: 180 } },
    { id: 'e4', subjectId: bob, type: 'purchase', at: T0 - 1 * DAY, channel: 'web', properties: { amount: 90 } },
  ]);
}

/** One step of the script. */
export type Step =
  | { kind: 'decide'; request: Record<string, unknown> }
  | { kind: 'response'; request: Record<string, unknown> }
  | { kind: 'conversion'; request: Record<string, unknown> };

/** The script: a week of asks on every channel, with responses in between. */
export function script(): Step[] {
  const steps: Step[] = [];
  const ask = (requestId: string, ids: Array<{ type: string; value: string }>, channel: string, at: number, extra: Record<string, unknown> = {}): void => {
    steps.push({ kind: 'decide', request: { requestId, identifiers: ids, channel, now: at, ...extra } });
  };
  const annEmail = [{ type: 'email', value: ANN.email }];
  const bobEmail = [{ type: 'email', value: BOB.email }];
  ask('d1', annEmail, 'email', T0);
  ask('d2', annEmail, 'email', T0 + HOUR); // email-day cap
  ask('d3', [{ type: 'cookie_id', value: ANN.cookie }], 'web', T0 + 2 * HOUR, { tcString: tcString(true), slots: 2 });
  ask('d4', [{ type: 'cookie_id', value: ANN.cookie }], 'web', T0 + 3 * HOUR); // no TC string → denied
  ask('d5', [{ type: 'cookie_id', value: CAROL.cookie }], 'web', T0 + 3 * HOUR, { tcString: tcString(true) }); // new visitor
  ask('d6', [{ type: 'cookie_id', value: 'ck-dave' }], 'web', T0 + 3 * HOUR, { tcString: tcString(false) }); // refused TCF
  ask('d7', bobEmail, 'email', T0 + 4 * HOUR);
  ask('d8', bobEmail, 'sms', T0 + 4 * HOUR); // ledger denied
  ask('d9', [{ type: 'loyalty_id', value: BOB.loyalty }], 'call_center', T0 + 5 * HOUR);
  ask('d10', [{ type: 'loyalty_id', value: BOB.loyalty }], 'call_center', T0 + 13 * HOUR); // quiet hours 22:00 Paris
  steps.push({ kind: 'response', request: { responseId: 'r1', identifiers: bobEmail, kind: 'refused', channel: 'email', offerId: 'vip-preview', contactId: 'd7#1', now: T0 + 6 * HOUR } });
  ask('d11', [{ type: 'email', value: 'ann.martin@example.com' }], 'push', T0 + DAY); // marketing-week: 3 used → capped, next week
  steps.push({ kind: 'response', request: { responseId: 'r2', identifiers: annEmail, kind: 'unsubscribed', channel: 'email', now: T0 + DAY + HOUR } });
  ask('d12', annEmail, 'email', T0 + 2 * DAY); // consent withdrawn
  steps.push({ kind: 'conversion', request: { conversionId: 'o1', identifiers: bobEmail, channel: 'web', value: 120, eventType: 'purchase', now: T0 + 2 * DAY } });
  ask('d13', bobEmail, 'email', T0 + 2 * DAY + HOUR);
  ask('d13', bobEmail, 'email', T0 + 2 * DAY + HOUR); // replay: same request id
  ask('d14', [{ type: 'cookie_id', value: 'ck-erin' }], 'web', T0 + 2 * DAY, { tcString: tcString(true) });
  ask('d15', [{ type: 'cookie_id', value: 'ck-frank' }], 'web', T0 + 2 * DAY, { tcString: tcString(true) });
  ask('d16', [{ type: 'cookie_id', value: 'ck-gina' }], 'web', T0 + 2 * DAY, { tcString: tcString(true) }); // coupon capacity gone
  ask('d17', bobEmail, 'email', T0 + 7 * DAY); // next week
  return steps;
}

/** What a run produces: each step's outcome, JSON-comparable (timings removed, profile ids kept). */
export type Outcome =
  | { step: number; decision: Omit<DecideResult, 'trace'> & { trace: ReturnType<typeof withoutTimings> } }
  | { step: number; error: { code: string; message: string } }
  | { step: number; recorded: unknown };

/** Seeds the stores and runs the script. */
export async function runScenario(stores: DecideStores, config: DecideConfig = scenarioConfig()): Promise<Outcome[]> {
  await seed(stores);
  const out: Outcome[] = [];
  const steps = script();
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    try {
      if (s.kind === 'decide') {
        const d = await decide(s.request, stores, config);
        out.push({ step: i, decision: { ...d, trace: withoutTimings(d.trace) } });
      } else if (s.kind === 'response') out.push({ step: i, recorded: await recordResponse(s.request, stores, config) });
      else out.push({ step: i, recorded: await recordConversion(s.request, stores, config) });
    } catch (e) {
      const err = e as { code?: string; message?: string };
      out.push({ step: i, error: { code: String(err.code), message: String(err.message) } });
    }
  }
  return out;
}
