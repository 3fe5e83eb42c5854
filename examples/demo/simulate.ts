/**
 * The end-to-end simulation: a synthetic retailer runs for N days on crosschannel. Each day the channels see
 * their customers (web and app visits, store tills, inbound calls) and the outbound channels run their
 * campaigns (email on Tuesdays, SMS on Saturdays, push in the evening); every one of them asks
 * `decide`, the customer's hidden propensities answer, responses and conversions are recorded, segments are
 * refreshed. At the end, attribution runs over the shared history and a summary is returned for the report.
 */
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore, MemoryOfferCapacityStore } from 'crosschannel/adapters/memory';
import { buildJourneys, compareModels, renderAttributionSvg, attributionTable, type TouchpointInput, type ConversionInput } from 'crosschannel/attribution';
import { encodeTcString } from 'crosschannel/consent';
import { createRng } from 'crosschannel';
import { DAY, HOUR, MINUTE, localTime, toIsoString } from 'crosschannel';
import type { BehaviourEvent, ContactRecord } from 'crosschannel';
import { decide, formatTrace, parseDecideConfig, recordConversion, recordResponse, type DecideConfig, type DecideResult, type DecideStores } from 'crosschannel/decide';
import { compileSegments } from 'crosschannel/segments';
import { PropensityTable } from 'crosschannel/arbitration';
import type { Progress } from './progress.js';
import type { ChannelSummary, DemoSummary } from './report.js';
import { IDENTITY_RULES, RETAILER_CONFIG, VENDOR_ID } from './retailer.js';
import { CATEGORIES, createWorld, outboundAddress, simulateDay, simulateResponse, type Category, type Customer, type SeenIdentifier, type World } from './world.js';

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  readonly seed: number;
  readonly customers: number;
  readonly days: number;
  /** First day, 00:00 UTC (default Monday 2 March 2026). */
  readonly start?: number;
  readonly progress?: Progress;
  /** Called with the stores and every profile id before the summary is built (tests audit the history). */
  readonly inspect?: (stores: DecideStores, profileIds: ReadonlyArray<string>) => Promise<void> | void;
}

const TYPE_OF: Record<SeenIdentifier['type'], string> = { cookie: 'cookie_id', device: 'device_id', email: 'email', phone: 'phone', loyalty: 'loyalty_id' };
const ids = (seen: ReadonlyArray<SeenIdentifier>): Array<{ type: string; value: string }> => seen.map((s) => ({ type: TYPE_OF[s.type], value: s.value }));

function tcStringFor(choice: Customer['consent']['web'], at: number): string {
  const purposes = choice === 'accept_all' ? [1, 2, 3, 4, 7, 9, 10] : choice === 'measurement_only' ? [1, 7, 9] : [];
  return encodeTcString({
    created: at,
    lastUpdated: at,
    cmpId: 300,
    cmpVersion: 3,
    consentScreen: 1,
    consentLanguage: 'FR',
    vendorListVersion: 120,
    policyVersion: 5,
    isServiceSpecific: true,
    useNonStandardTexts: false,
    specialFeatureOptIns: [],
    purposeConsents: purposes,
    purposeLegitimateInterests: [],
    purposeOneTreatment: false,
    publisherCountryCode: 'FR',
    vendorConsents: choice === 'reject_all' ? [] : [VENDOR_ID],
    vendorLegitimateInterests: [],
    disclosedVendors: [VENDOR_ID],
  });
}

function offerTraits(config: DecideConfig, offerId: string): { category: Category | null; discount: number } {
  const o = config.catalogue.byId.get(offerId);
  const tags = o?.tags ?? [];
  const cat = tags.find((t) => t.startsWith('category:'))?.slice(9) as Category | undefined;
  const discount = offerId === 'winback-20' ? 0.2 : tags.includes('discount') ? 0.15 : 0;
  return { category: cat ?? null, discount };
}

/** A decide request as the simulation builds it. */
type AskRequest = Record<string, unknown> & { requestId: string; channel: string; now: number; identifiers: Array<{ type: string; value: string }> };

interface Tally {
  channels: Map<string, { -readonly [K in keyof ChannelSummary]: ChannelSummary[K] }>;
  offers: Map<string, { presented: number; accepted: number; revenue: number }>;
  reasons: Map<string, number>;
  contactsPerDay: Map<string, number[]>;
  invalid: Map<string, number>;
  decisions: number;
  organicRevenue: number;
  offerRevenue: number;
  sample: DecideResult | null;
  capped: DecideResult | null;
}

function channelTally(t: Tally, channel: string): Tally['channels'] extends Map<string, infer V> ? V : never {
  let c = t.channels.get(channel);
  if (!c) {
    c = { channel, asked: 0, blockedByConsent: 0, blockedByCaps: 0, noOffer: 0, failed: 0, presented: 0, accepted: 0, refused: 0, unsubscribed: 0, revenue: 0 };
    t.channels.set(channel, c);
  }
  return c;
}

/** One decision as the report shows it: the outcome line, then the trace. */
function describe(d: DecideResult): string {
  const outcome = d.contact
    ? `→ contact: ${d.offers.map((o) => `${o.offerId} (score ${o.score.toFixed(3)})`).join(', ')}`
    : `→ no contact: ${d.reasons.map((r) => r.code).join(', ')}; next allowed ${d.nextAllowedAt === null ? '—' : toIsoString(d.nextAllowedAt)}; alternative ${d.alternative ? `${d.alternative.channel} / ${d.alternative.offerId}` : '—'}`;
  return `${formatTrace(d.trace)}\n  ${outcome}`;
}

/** Runs the whole simulation and returns the report summary. */
export async function runSimulation(options: SimulationOptions): Promise<DemoSummary> {
  const started = performance.now();
  const start = options.start ?? Date.UTC(2026, 2, 2);
  const world = createWorld({ seed: options.seed, customers: options.customers, days: options.days, start });
  const identity = new MemoryIdentityStore({ rules: IDENTITY_RULES, erasureSalt: 'demo-salt' });
  const stores: DecideStores = {
    identity,
    consent: new MemoryConsentStore({ erasureSalt: 'demo-salt', maxSubjects: options.customers * 4 }),
    contacts: new MemoryContactHistoryStore({ maxSubjects: options.customers * 4, retention: '120d' }),
    events: new MemoryEventStore({ maxEventsPerSubject: 2000 }),
    offerCapacity: new MemoryOfferCapacityStore(),
  };
  // Owned channels observe the identifiers they see together; outbound channels address a known person.
  // One learned propensity model shared by every channel: presentations and acceptances anywhere teach it.
  const model = new PropensityTable({ alpha: 1, beta: 19 });
  const owned = parseDecideConfig(RETAILER_CONFIG, { model });
  const outbound = parseDecideConfig({ ...RETAILER_CONFIG, identity: { observe: false } }, { model });
  const segments = compileSegments(RETAILER_CONFIG.segments);
  const rng = createRng(options.seed ^ 0x1234567);
  const t: Tally = {
    channels: new Map(),
    offers: new Map(),
    reasons: new Map(),
    contactsPerDay: new Map(),
    invalid: new Map(),
    decisions: 0,
    organicRevenue: 0,
    offerRevenue: 0,
    sample: null,
    capped: null,
  };
  const rawSeen = new Set<string>();
  const tc = { accept_all: tcStringFor('accept_all', start - 5 * DAY), reject_all: tcStringFor('reject_all', start - 5 * DAY), measurement_only: tcStringFor('measurement_only', start - 5 * DAY) };
  const acceptedUntil = new Map<number, Map<Category | 'any', number>>();
  const weekContacts = new Map<number, { week: number; n: number }>();
  const segmentCounts: Array<Map<string, number>> = [];

  // Day −1: the CRM knows its customers (email, phone, loyalty card as collected at sign-up) and their opt-ins.
  const crm = world.customers.filter((c) => c.signedUpAt <= start && (c.email || c.loyalty || c.phone));
  const crmIds = (c: Customer): SeenIdentifier[] => [
    ...(c.email ? [{ type: 'email' as const, value: c.email }] : []),
    ...(c.loyalty ? [{ type: 'loyalty' as const, value: c.loyalty }] : []),
    ...(c.phone ? [{ type: 'phone' as const, value: c.phone }] : []),
  ];
  for (const c of crm) for (const s of crmIds(c)) rawSeen.add(`${s.type}:${s.value}`);
  await identity.addObservations(crm.map((c) => ({ identifiers: ids(crmIds(c)), at: c.signedUpAt, source: 'crm-import' })));
  for (const c of world.customers) {
    const anchor = c.email ? { type: 'email', value: c.email } : c.loyalty ? { type: 'loyalty_id', value: c.loyalty } : c.phone ? { type: 'phone', value: c.phone } : null;
    if (!anchor) continue;
    const subjectId = (await identity.resolve([anchor])) ?? (await identity.addObservations([{ identifiers: [anchor], at: start - DAY, source: 'crm-import' }])).profiles[0]!;
    for (const ch of ['email', 'sms', 'push'] as const) {
      const state = c.consent[ch];
      const at = start - 40 * DAY;
      const base = { subjectId, channel: ch, purpose: 'marketing', evidence: { source: 'signup-form', textVersion: 'v3' } };
      if (state === 'granted' || state === 'pending') await stores.consent.append({ ...base, id: `${c.trueId}-${ch}-g`, kind: 'granted', at });
      if (state === 'granted' && ch === 'email') await stores.consent.append({ ...base, id: `${c.trueId}-${ch}-c`, kind: 'confirmed', at: at + HOUR });
      if (state === 'denied') await stores.consent.append({ ...base, id: `${c.trueId}-${ch}-d`, kind: 'denied', at });
      if (state === 'none' && ch === 'email' && c.loyalty) await stores.consent.append({ ...base, id: `${c.trueId}-${ch}-x`, kind: 'existing_customer', at, evidence: { source: 'pos-purchase' } });
    }
  }

  const weekOf = (at: number): number => Math.floor((at - start) / (7 * DAY));
  const boost = (c: Customer, category: Category): number => {
    const m = acceptedUntil.get(c.index);
    if (!m) return 1;
    const now = m.get(category) ?? 0;
    return now > 0 ? 1.6 : (m.get('any') ?? 0) > 0 ? 1.2 : 1;
  };

  const ask = async (config: DecideConfig, request: AskRequest, c: Customer, day: number): Promise<string | null> => {
    t.decisions++;
    const tally = channelTally(t, request.channel);
    tally.asked++;
    let d: DecideResult;
    try {
      d = await decide(request, stores, config);
    } catch (e) {
      tally.failed++;
      const code = (e as { code?: string }).code ?? 'UNEXPECTED';
      t.reasons.set(`FAILED ${code}`, (t.reasons.get(`FAILED ${code}`) ?? 0) + 1);
      if (process.env.DEMO_DEBUG) console.error(e);
      return null;
    }
    for (const s of d.trace.stages[1]?.removed ?? []) for (const r of s.reasons) t.invalid.set(r.code, (t.invalid.get(r.code) ?? 0) + 1);
    if (!d.contact) {
      const top = d.reasons[0]?.code ?? 'UNKNOWN';
      if (top === 'DECIDE_CONSENT_DENIED') tally.blockedByConsent++;
      else if (top === 'DECIDE_ALL_CAPPED' || top === 'DECIDE_RESERVATION_REFUSED') tally.blockedByCaps++;
      else tally.noOffer++;
      const detail = d.reasons[1];
      const key = detail ? `${top} ← ${detail.code}${detail.rule ? ` (${detail.rule})` : ''}` : top;
      t.reasons.set(key, (t.reasons.get(key) ?? 0) + 1);
      if (t.capped === null && top === 'DECIDE_ALL_CAPPED' && d.alternative) t.capped = d;
      return d.subjectId;
    }
    if (t.sample === null && request.channel === 'web' && day > 2) {
      // A telling example: a contact where arbitration removed offers for several different reasons.
      const codes = new Set(d.trace.stages.find((x) => x.stage === 'arbitration')?.removed.map((r) => r.reasons[0]?.code));
      const member = (d.trace.stages.find((x) => x.stage === 'segments')?.output.memberOf ?? 0) > 0;
      if (codes.size >= 2 && member) t.sample = d;
    }
    let perDay = t.contactsPerDay.get(request.channel);
    if (!perDay) t.contactsPerDay.set(request.channel, (perDay = new Array<number>(options.days).fill(0)));
    perDay[day]! += d.offers.length;
    const wk = weekOf(request.now);
    const w = weekContacts.get(c.index);
    const n = w && w.week === wk ? w.n + d.offers.length : d.offers.length;
    weekContacts.set(c.index, { week: wk, n });
    for (const offer of d.offers) {
      tally.presented++;
      const o = t.offers.get(offer.offerId) ?? { presented: 0, accepted: 0, revenue: 0 };
      o.presented++;
      t.offers.set(offer.offerId, o);
      const traits = offerTraits(config, offer.offerId);
      const response = simulateResponse(rng, c, traits, request.channel, n);
      const at = request.now + (request.channel === 'email' ? 3 * HOUR : request.channel === 'sms' || request.channel === 'push' ? 30 * MINUTE : 2 * MINUTE);
      const who = request.identifiers;
      const base = { identifiers: who, channel: request.channel, offerId: offer.offerId, contactId: offer.contactId, now: at };
      if (response.kind === 'ignored') continue;
      await recordResponse({ ...base, responseId: `${offer.contactId}:${response.kind}`, kind: response.kind }, stores, config);
      if (response.kind === 'refused') tally.refused++;
      if (response.kind === 'unsubscribed') tally.unsubscribed++;
      if (response.kind !== 'accepted') continue;
      tally.accepted++;
      o.accepted++;
      let m = acceptedUntil.get(c.index);
      if (!m) acceptedUntil.set(c.index, (m = new Map()));
      m.set(traits.category ?? 'any', 1);
      if (response.revenue > 0) {
        tally.revenue += response.revenue;
        o.revenue += response.revenue;
        t.offerRevenue += response.revenue;
        const buyChannel = request.channel === 'store' ? 'store' : request.channel === 'app' ? 'app' : 'web';
        await recordConversion(
          { conversionId: `${offer.contactId}:order`, identifiers: who, channel: buyChannel, value: response.revenue, offerId: offer.offerId, contactId: offer.contactId, eventType: 'purchase', properties: { category: traits.category ?? 'mixed', via: request.channel }, now: at + 20 * MINUTE },
          stores,
          config,
        );
      }
    }
    return d.subjectId;
  };

  for (let day = 0; day < options.days; day++) {
    const dayStart = start + day * DAY;
    // Accepted offers lift purchase odds for a week.
    if (day % 7 === 0) acceptedUntil.clear();
    const moments = simulateDay(world, day, boost);
    // Outbound campaigns at their send times (email on Tuesdays, SMS on Saturdays, push in the evening),
    // merged with the day's visits so every channel asks in time order.
    const weekday = localTime(dayStart + 12 * HOUR, 'Europe/Paris').weekday;
    const sends: Array<{ at: number; c: Customer; channel: string }> = [];
    for (const c of world.customers) {
      if (c.signedUpAt > dayStart) continue;
      if (weekday === 2 && c.email) sends.push({ at: dayStart + 8 * HOUR + rng.int(120) * MINUTE, c, channel: 'email' });
      if (weekday === 6 && c.phone) sends.push({ at: dayStart + 9 * HOUR + rng.int(60) * MINUTE, c, channel: 'sms' });
      if (c.devices.length > 0 && rng.next() < 0.15) sends.push({ at: dayStart + 16 * HOUR + rng.int(60) * MINUTE, c, channel: 'push' });
    }
    sends.sort((x, y) => x.at - y.at || x.c.index - y.c.index);
    const total = moments.length + sends.length;
    let i = 0;
    let k = 0;
    for (let j = 0; j < moments.length || k < sends.length; ) {
      i++;
      if (i % 500 === 0) options.progress?.update(day + i / total, options.days, `day ${day + 1}/${options.days} · ${t.decisions.toLocaleString('en-US')} decisions`);
      const send = sends[k];
      if (send && (j >= moments.length || send.at <= moments[j]!.at)) {
        k++;
        const address = outboundAddress(send.c, send.channel);
        // Campaign lists hold known addresses only: a device gets push once the app has been opened.
        if (!address || (send.channel === 'push' && (await identity.lookup(ids([address])[0]!)) === null)) continue;
        rawSeen.add(`${address.type}:${address.value}`);
        await ask(outbound, { requestId: `${send.channel}-${day}-${send.c.index}`, identifiers: ids([address]), channel: send.channel, now: send.at, timeZone: send.c.timeZone }, send.c, day);
        continue;
      }
      const m = moments[j++]!;
      const request: AskRequest = {
        requestId: `${m.channel}-${day}-${j}`,
        identifiers: ids(m.identifiers),
        channel: m.channel,
        now: m.at,
        timeZone: m.customer.timeZone,
      };
      for (const s of m.identifiers) rawSeen.add(`${s.type}:${s.value}`);
      if (m.channel === 'web' || m.channel === 'app') request.tcString = tc[m.customer.consent.web];
      const subjectId = await ask(owned, request, m.customer, day);
      if (subjectId) {
        const events: BehaviourEvent[] = m.events.map((e, n) => ({ id: `${request.requestId}:${n}`, subjectId, type: e.type, at: e.at, channel: m.channel, properties: e.properties }));
        await stores.events.append(events);
      }
      t.organicRevenue += m.revenue;
    }
    // Segments refresh over every profile: the audience sizes of the day.
    const counts = new Map<string, number>();
    const now = dayStart + DAY - 1;
    for (const p of identity.graph.profiles()) {
      const events = await stores.events.read(p.id, { from: now - 60 * DAY });
      for (const id of segments.evaluate({}, events, now)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    segmentCounts.push(counts);
    options.progress?.update(day + 1, options.days, `day ${day + 1}/${options.days} · ${t.decisions.toLocaleString('en-US')} decisions`);
  }

  if (options.inspect) await options.inspect(stores, [...identity.graph.profiles()].map((p) => p.id));

  // Attribution over the shared history: contacts and channel events are touchpoints, purchases conversions.
  const touchpoints: TouchpointInput[] = [];
  const conversions: ConversionInput[] = [];
  for (const p of identity.graph.profiles()) {
    const [h, events] = await Promise.all([stores.contacts.history(p.id), stores.events.read(p.id)]);
    for (const c of h.contacts as ContactRecord[]) touchpoints.push(c);
    for (const e of events) {
      if (e.type === 'purchase') conversions.push(e);
      else if (e.type === 'page_view' || e.type === 'app_open' || e.type === 'store_visit' || e.type === 'call') {
        // One touch per visit: its first event.
        if (!e.id || e.id.endsWith(':0')) touchpoints.push(e);
      }
    }
  }
  const journeys = buildJourneys(touchpoints, conversions, { lookback: '30d', conversionEventTypes: ['purchase'], valueProperty: 'value' });
  const comparison = compareModels(journeys);
  const table = attributionTable(comparison, 'conversions');
  const valueTable = attributionTable(comparison, 'value');

  // Identity quality against the hidden truth.
  const owners = new Map<string, Set<string>>();
  let splitPeople = 0;
  for (const c of world.customers) {
    const profilesOf = new Set<string>();
    const all: SeenIdentifier[] = [
      ...c.cookies.map((v) => ({ type: 'cookie' as const, value: v })),
      ...c.devices.map((v) => ({ type: 'device' as const, value: v })),
      ...(c.email ? [{ type: 'email' as const, value: c.email }] : []),
      ...(c.phone ? [{ type: 'phone' as const, value: c.phone }] : []),
      ...(c.loyalty ? [{ type: 'loyalty' as const, value: c.loyalty }] : []),
    ];
    for (const s of ids(all)) {
      const p = identity.graph.profileIdOf(s);
      if (!p) continue;
      profilesOf.add(p);
      let set = owners.get(p);
      if (!set) owners.set(p, (set = new Set()));
      set.add(c.trueId);
    }
    if (profilesOf.size > 1) splitPeople++;
  }
  const refused = new Map<string, number>();
  for (const r of identity.graph.refused()) refused.set(`${r.code} (${r.rule})`, (refused.get(`${r.code} (${r.rule})`) ?? 0) + 1);
  const size = identity.graph.size;

  const elapsedMs = performance.now() - started;
  const channelOrder = ['web', 'app', 'store', 'call_center', 'email', 'sms', 'push'];
  const channels = [...t.channels.values()].sort((a, b) => channelOrder.indexOf(a.channel) - channelOrder.indexOf(b.channel));
  const first = segmentCounts[0] ?? new Map<string, number>();
  const last = segmentCounts[segmentCounts.length - 1] ?? new Map<string, number>();
  return {
    seed: options.seed,
    customers: options.customers,
    days: options.days,
    startIso: toIsoString(start),
    elapsedMs,
    decisions: t.decisions,
    decisionsPerSecond: t.decisions / (elapsedMs / 1000),
    identity: {
      truePeople: world.customers.length,
      rawIdentifiers: rawSeen.size,
      profilesBefore: size.identifiers,
      profilesAfter: size.profiles,
      invalid: [...t.invalid.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
      refused: [...refused.entries()].map(([rule, count]) => ({ rule, count })).sort((a, b) => b.count - a.count),
      overMerged: [...owners.values()].filter((s) => s.size > 1).length,
      splitPeople,
    },
    segments: segments.ids.map((id) => ({ id, first: first.get(id) ?? 0, last: last.get(id) ?? 0 })),
    channels,
    contactsPerDay: {
      labels: Array.from({ length: options.days }, (_, d) => toIsoString(start + d * DAY).slice(5, 10)),
      series: channels.filter((c) => t.contactsPerDay.has(c.channel)).map((c) => ({ name: c.channel, values: t.contactsPerDay.get(c.channel)! })),
    },
    offers: [...t.offers.entries()].map(([offerId, o]) => ({ offerId, ...o, learned: model.posterior(offerId).mean })).sort((a, b) => b.presented - a.presented),
    revenue: { total: t.organicRevenue + t.offerRevenue, organic: t.organicRevenue, fromOffers: t.offerRevenue },
    reasons: [...t.reasons.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
    attribution: {
      models: table.models,
      channels: table.rows.map((r) => r.channel),
      credits: table.models.map((_, m) => table.rows.map((r) => r.credits[m] ?? 0)),
      value: valueTable.models.map((_, m) => valueTable.rows.map((r) => r.credits[m] ?? 0)),
      conversions: comparison.totals.conversions,
      unattributed: comparison.unattributed.conversions,
      svg: renderAttributionSvg(comparison, { title: 'Attribution of conversions by channel and model', width: 820 }),
    },
    sampleTrace: [t.sample, t.capped].filter((d): d is DecideResult => d !== null).map(describe).join('\n\n') || '(no decision recorded)',
  };
}

export { CATEGORIES };
export type { World };
