/**
 * Smoke scenarios run twice — in Node against the sources and in headless Chromium against the browser
 * bundles of each pure entry — and compared result for result. Each scenario takes the loaded entries and
 * returns plain data, so one file serves both runtimes; it imports types only, never values, so its browser
 * bundle carries no copy of the library. It does import the optional peer `libphonenumber-js` (a user's app
 * passes it to identity in a browser, where the library cannot find it on its own).
 */
import * as phone from 'libphonenumber-js/min';
import type * as Core from '../../src/index.js';
import type * as Identity from '../../src/identity/index.js';
import type * as Consent from '../../src/consent/index.js';
import type * as Capping from '../../src/capping/index.js';
import type * as Segments from '../../src/segments/index.js';
import type * as Arbitration from '../../src/arbitration/index.js';
import type * as Attribution from '../../src/attribution/index.js';
import type * as Experiments from '../../src/experiments/index.js';
import type * as Decide from '../../src/decide/index.js';
import type * as Memory from '../../src/adapters/memory/index.js';

/** The pure entries, loaded: keys are entry labels (`index` is the root `crosschannel`). */
export interface Modules {
  index: typeof Core;
  identity: typeof Identity;
  consent: typeof Consent;
  capping: typeof Capping;
  segments: typeof Segments;
  arbitration: typeof Arbitration;
  attribution: typeof Attribution;
  experiments: typeof Experiments;
  decide: typeof Decide;
  'adapters/memory': typeof Memory;
}

export type Scenario = (m: Modules) => unknown;

/** Turns whatever a scenario returned into JSON-comparable data (Maps, Sets, errors, non-finite numbers). */
export function plain(value: unknown, seen = new WeakSet<object>()): unknown {
  if (value === undefined) return '<undefined>';
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; path?: unknown };
    return { error: e.name, code: plain(e.code, seen), path: plain(e.path, seen), message: e.message };
  }
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [plain(k, seen), plain(v, seen)]) };
  if (value instanceof Set) return { set: [...value].map((v) => plain(v, seen)) };
  if (value instanceof Date) return { date: value.toISOString() };
  if (ArrayBuffer.isView(value)) return { bytes: Array.from(value as unknown as ArrayLike<number>) };
  if (Array.isArray(value)) return value.map((v) => plain(v, seen));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = plain((value as Record<string, unknown>)[key], seen);
  return out;
}

function thrown(fn: () => unknown): unknown {
  try {
    return { returned: fn() };
  } catch (e) {
    return e;
  }
}

const PARIS_FALL_BACK = 1_792_929_600_000; // 2026-10-25T12:00:00Z, the day Paris leaves summer time

export const scenarios: Record<string, Scenario> = {
  'experiments: GrowthBook-compatible assignment, holdout and an analysis with CUPED': ({ experiments: x }) => {
    const exp = x.parseExperiment({ id: 'subject-line', variants: [{ id: 'a', weight: 0.6 }, { id: 'b', weight: 0.4 }], coverage: 0.8, hashVersion: 1, namespace: { id: 'email', range: [0, 0.7] } });
    const holdout = x.parseHoldout({ id: 'global', share: 0.05 });
    const ids = Array.from({ length: 200 }, (_, i) => `person-${i}`);
    const assignments = ids.map((id) => x.assign(exp, id, { now: 0, holdout }).variantIndex);
    const variant = new Uint8Array(ids.length);
    const y = new Float64Array(ids.length);
    const cov = new Float64Array(ids.length);
    ids.forEach((id, i) => {
      variant[i] = i % 2;
      cov[i] = x.bucketHash('pre', id, 2) * 10;
      y[i] = cov[i]! + x.bucketHash('post', id, 2) + (i % 2) * 0.3;
    });
    const stats = x.statsFromColumns('e', ['a', 'b'], ['m'], { variant, values: [y], covariates: [cov] });
    return { assignments, analysis: x.analyzeExperiment(stats, { metric: 'm', sequential: { tau: 0.5 } }) };
  },
  'core: DST-correct calendar windows and local time': ({ index: c }) => ({
    day: c.calendarWindow(PARIS_FALL_BACK, 'day', 'Europe/Paris'),
    week: c.calendarWindow(PARIS_FALL_BACK, 'week', 'America/New_York', { weekStartsOn: 1 }),
    month: c.calendarWindow(PARIS_FALL_BACK, 'month', 'Asia/Kolkata'),
    local: c.localTime(PARIS_FALL_BACK, 'Australia/Lord_Howe'),
    gap: c.fromLocalTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Paris'),
    next: c.addLocal(PARIS_FALL_BACK, 1, 'month', 'Europe/Paris'),
  }),
  'core: parsing times and durations, typed errors with paths': ({ index: c }) => ({
    iso: c.toEpochMs('2026-03-29T01:30:00+02:00'),
    durations: [c.durationToMs('1h30m'), c.durationToMs('P7D'), c.durationToMs({ days: 30 })],
    badTime: thrown(() => c.toEpochMs('25/10/2026', ['events', 0, 'at'])),
    badZone: c.isValidTimeZone('Mars/Olympus'),
    safe: c.safeToEpochMs('tomorrow').ok,
  }),
  'core: shared records validate through zod': ({ index: c }) => ({
    contact: c.parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'email', at: '2026-10-25T08:00:00Z' }),
    bad: thrown(() => c.parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'email', at: 'yesterday' })),
  }),
  'core: seeded randomness and hashing (SHA-256 in JavaScript)': async ({ index: c }) => {
    const rng = c.createRng('portability');
    return {
      draws: [rng.next(), rng.next(), rng.int(1000), rng.normal()],
      fnv: c.fnv1a('crosschannel'),
      sha: await c.sha256Hex('crosschannel'),
      salted: await c.saltedSha256Hex('pepper', 'ada@example.com'),
      // Two blocks, and text that is not ASCII (the TextEncoder path; a lone surrogate becomes U+FFFD).
      long: await c.sha256Hex('ü😀'.repeat(30) + '\ud800'),
    };
  },
  'identity: normalise identifiers, stitch profiles with merge protection, fuzzy strings': ({ identity: id }) => {
    // Browsers and bundles pass the optional phone peer in (Node would find it on its own).
    const graph = new id.IdentityGraph(id.parseIdentityRules({ limits: { user_id: 1 }, normalization: { defaultCountry: 'FR' } }, { phone }));
    graph.add([
      { identifiers: [{ type: 'anonymous_id', value: 'c-1' }, { type: 'email', value: ' Ada@Example.com ' }], at: '2026-01-05T10:00:00Z', source: 'web' },
      { identifiers: [{ type: 'email', value: 'ada@example.com' }, { type: 'phone', value: '06 12 34 56 78' }], at: '2026-01-06T15:30:00Z', source: 'pos' },
    ]);
    const pid = graph.profileIdOf({ type: 'phone', value: '+33612345678' });
    return {
      phone: id.normalizePhone('06 12 34 56 78', 'FR', phone),
      email: id.normalizeEmail('  Ada.Lovelace@Example.COM '),
      profile: pid ? graph.profile(pid) : null,
      refused: id.stitch(
        [
          { identifiers: [{ type: 'anonymous_id', value: 'tablet-1' }, { type: 'user_id', value: 'u1' }], at: 1 },
          { identifiers: [{ type: 'anonymous_id', value: 'tablet-1' }, { type: 'user_id', value: 'u2' }], at: 2 },
        ],
        { limits: { user_id: 1 } },
      ),
      strings: [id.jaroWinkler('martha', 'marhta'), id.levenshtein('kitten', 'sitting'), id.soundex('Robert')],
    };
  },
  'consent: TCF v2 encode, decode and check; GPP; GPC; the opt-in ledger': ({ consent: c }) => {
    const day = 86_400_000;
    const tcString = c.encodeTcString({
      created: 1_767_225_600_000, lastUpdated: 1_767_225_600_000, cmpId: 300, cmpVersion: 2, consentScreen: 1,
      consentLanguage: 'EN', vendorListVersion: 120, policyVersion: 5, isServiceSpecific: true,
      useNonStandardTexts: false, specialFeatureOptIns: [1], purposeConsents: [1, 2, 3, 4],
      purposeLegitimateInterests: [2, 7], purposeOneTreatment: false, publisherCountryCode: 'FR',
      vendorConsents: [755, 1000], vendorLegitimateInterests: [755], disclosedVendors: [755, 1000],
    });
    const tc = c.decodeTcString(tcString);
    const events = [
      c.parseConsentEvent({ id: 'e1', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'granted', at: 1_767_225_600_000, evidence: { source: 'form' } }),
      c.parseConsentEvent({ id: 'e2', subjectId: 's1', channel: 'sms', purpose: '*', kind: 'withdrawn', at: 1_767_225_600_000 + day, evidence: { source: 'STOP' } }),
    ];
    const state = c.consentState(events);
    const now = 1_767_225_600_000 + 2 * day;
    return {
      tcString,
      purposes: tc.purposeConsents.toArray(),
      vendors: tc.vendorConsents.toArray(),
      checks: [
        c.tcfCanProcess(tc, { vendorId: 755, purposeId: 4 }),
        c.tcfCanProcess(tc, { vendorId: 12, purposeId: 1 }),
        c.tcfCanProcess(tc, { vendorId: 755, purposeId: 7 }),
      ],
      malformed: c.safeDecodeTcString('not a tc string'),
      gpp: c.safeDecodeGpp('DBABMA~CQAAAAAQAAAAAAAAAAENBCFgAP_AAH_AAAAAAAAAAAAA.IAAA'),
      gpc: [c.readGpc({ headers: { 'sec-gpc': '1' } }), c.readGpc({ globalPrivacyControl: true }), c.readGpc({})],
      email: c.canContact(state, { channel: 'email', purpose: 'marketing', now }),
      sms: c.canContact(state, { channel: 'sms', purpose: 'marketing', now }),
    };
  },
  'capping: caps in local time, exact nextAllowedAt, planning several sends': ({ index: core, capping: cap }) => {
    const caps = cap.parseCapRules({
      timeZone: 'Europe/Paris',
      rules: [
        { id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
        { id: 'week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } },
        { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] },
        { id: 'unsub', kind: 'cooldown', duration: '30d' },
      ],
    });
    const history = core.createHistory('p1', {
      contacts: [core.parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'sms', at: '2026-03-29T07:00:00Z', tags: ['marketing'] })],
      responses: [core.parseResponseRecord({ id: 'r1', subjectId: 'p1', kind: 'unsubscribed', channel: 'push', at: '2026-03-01T07:00:00Z' })],
    });
    const now = Date.parse('2026-03-29T12:00:00Z'); // the day Paris moves to summer time
    return {
      sms: cap.evaluateCaps(history, caps, { channel: 'sms', tags: ['marketing'] }, { now }),
      night: cap.evaluateCaps(history, caps, { channel: 'email' }, { now: Date.parse('2026-03-29T20:30:00Z') }),
      tokyo: cap.evaluateCaps(history, caps, { channel: 'email' }, { now, timeZone: 'Asia/Tokyo' }),
      plan: cap.planContacts(history, caps, [
        { id: 'promo', channel: 'email', tags: ['marketing'], priority: 1 },
        { id: 'reminder', channel: 'sms', tags: ['marketing'], priority: 5 },
        { id: 'receipt', channel: 'email', transactional: true },
      ], { now: now + 86_400_000 }),
      bad: thrown(() => cap.parseCapRules({ rules: [{ id: 'x', kind: 'limit', limit: -1, window: 'day' }] })),
    };
  },
  'segments: compile rules, evaluate over attributes and behaviour windows': ({ segments: seg }) => {
    const segments = seg.compileSegments([
      { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
      { id: 'fr-buyers', rule: { and: [{ segment: 'fr' }, { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 }] } },
      { id: 'abandoners', rule: { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } } },
    ]);
    const events = [
      { subjectId: 'p1', type: 'purchase', at: 1_000, properties: { amount: 120 } },
      { subjectId: 'p1', type: 'cart_abandon', at: 3_000, properties: {} },
    ];
    return {
      fr: segments.evaluate({ country: 'FR' }, events, 5_000),
      de: segments.evaluate({ country: 'DE' }, events, 5_000),
      invalid: seg.safeCompileSegments([{ id: 'x', rule: { attr: '__proto__', op: 'exists' } }]),
    };
  },
  'arbitration: next best offer with channel eligibility and suppression': ({ index: core, arbitration: arb }) => {
    const catalogue = arb.parseCatalogue({
      offers: [
        { id: 'card', value: 40 },
        { id: 'loan', value: 900, channels: ['call_center'] },
        { id: 'insurance', value: 120, policy: { afterRefusals: { count: 1, window: '30d', suppressFor: '30d' } } },
      ],
    });
    const now = Date.parse('2026-01-05T10:00:00Z');
    const history = core.createHistory('p1', {
      responses: [core.parseResponseRecord({ id: 'r1', subjectId: 'p1', kind: 'refused', channel: 'email', offerId: 'insurance', at: now - 86_400_000 })],
    });
    return arb.arbitrate({ subjectId: 'p1' }, catalogue, history, { now, channel: 'email', slots: 2 });
  },
  'attribution: journeys, rule-based, Markov and Shapley models, SVG report': ({ attribution: att }) => {
    const h = 3_600_000;
    const touchpoints = [
      { subjectId: 'a', channel: 'display', at: 0 },
      { subjectId: 'a', channel: 'email', at: 2 * h },
      { subjectId: 'b', channel: 'search', at: 0 },
      { subjectId: 'b', channel: 'email', at: h },
      { subjectId: 'c', channel: 'display', at: 0 },
      { subjectId: 'd', channel: 'search', at: 0 },
    ];
    const conversions = [
      { subjectId: 'a', at: 3 * h, value: 100 },
      { subjectId: 'b', at: 2 * h, value: 50 },
      { subjectId: 'd', at: h, value: 20 },
    ];
    const journeys = att.buildJourneys(touchpoints, conversions);
    const comparison = att.compareModels(journeys, { models: ['first_touch', 'last_touch', 'linear', 'markov', 'shapley'] });
    return { journeys, comparison, svgLength: att.renderAttributionSvg(comparison).length, table: att.formatAttributionTable(comparison) };
  },
  'adapters/memory: atomic reservations against the caps': async ({ capping: cap, 'adapters/memory': mem }) => {
    const store = new mem.MemoryContactHistoryStore();
    const caps = cap.parseCapRules({ rules: [{ id: 'two', kind: 'limit', limit: 2, window: { rolling: '1d' } }] });
    const at = Date.parse('2026-01-05T09:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.reserve({ id: `c${i}`, subjectId: 'p1', channel: 'email', at: at + i, idempotencyKey: `k${i % 4}` }, caps)),
    );
    return { granted: results.map((r) => [r.granted, r.replayed]), history: await store.history('p1') };
  },
  'decide: one explained decision over memory stores': async ({ decide: d, consent: c, 'adapters/memory': mem }) => {
    const now = Date.parse('2026-03-02T09:00:00Z');
    const stores = {
      identity: new mem.MemoryIdentityStore({ rules: { normalization: { defaultCountry: 'FR' } }, erasureSalt: 'smoke' }),
      consent: new mem.MemoryConsentStore({ erasureSalt: 'smoke' }),
      contacts: new mem.MemoryContactHistoryStore(),
      events: new mem.MemoryEventStore(),
      offerCapacity: new mem.MemoryOfferCapacityStore(),
    };
    const config = d.parseDecideConfig(
      {
        catalogue: {
          timeZone: 'Europe/Paris',
          offers: [
            { id: 'cart-reminder', channels: ['email', 'web'], eligibility: 'abandoners', value: 30, tags: ['marketing'] },
            { id: 'coupon', channels: ['email', 'web'], value: 20, tags: ['marketing'], capacity: { perDay: 1 } },
          ],
        },
        caps: { timeZone: 'Europe/Paris', rules: [{ id: 'email-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'email' } }] },
        segments: [{ id: 'abandoners', rule: { count: { type: 'cart_abandon' }, window: { last: '7d' }, op: 'gte', value: 1 } }],
        consent: { purpose: 'marketing', ledgerChannels: ['email'] },
        timeZone: 'Europe/Paris',
      },
      { clock: () => 0 },
    );
    const request = (requestId: string, at: number) => ({ requestId, identifiers: [{ type: 'email', value: 'ada@example.com' }], channel: 'email', now: at });
    const first = await d.decide(request('r0', now), stores, config); // unknown person, no opt-in yet
    const subjectId = first.subjectId ?? 'unresolved';
    await stores.consent.append(c.parseConsentEvent({ id: 'g1', subjectId, channel: 'email', purpose: 'marketing', kind: 'granted', at: now - 1000, evidence: { source: 'form' } }));
    await stores.events.append([{ id: 'ev1', subjectId, type: 'cart_abandon', at: now - 3_600_000 }]);
    const second = await d.decide(request('r1', now + 1000), stores, config);
    const third = await d.decide(request('r2', now + 2000), stores, config); // the email of the day is spent
    return [first, second, third].map((r) => ({ ...r, trace: d.withoutTimings(r.trace) }));
  },
};

/** Runs every scenario, capturing failures as data so one broken scenario does not hide the others. */
export async function runScenarios(m: Modules): Promise<Record<string, { ok: boolean; value: unknown }>> {
  const out: Record<string, { ok: boolean; value: unknown }> = {};
  for (const [name, scenario] of Object.entries(scenarios)) {
    try {
      out[name] = { ok: true, value: plain(await scenario(m)) };
    } catch (e) {
      out[name] = { ok: false, value: plain(e) };
    }
  }
  return out;
}
