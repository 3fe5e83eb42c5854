/**
 * Arbitraries for `crosschannel/arbitration`, and a straightforward reference implementation of the
 * arbitration stages (array filter/sort per call, brute-force policy checks) used as an oracle by property
 * tests and as the peer in bench/arbitration.ts.
 */
import fc from 'fast-check';
import type { BehaviourEvent, ContactRecord, History, ResponseRecord } from '../../src/core/records.js';
import type { Catalogue, CatalogueInput, OfferInput } from '../../src/arbitration/offers.js';
import type { OfferUsage } from '../../src/arbitration/store.js';
import type { CandidateColumns, OptimizationConstraints, OptimizationCustomer } from '../../src/arbitration/problem.js';

export const DAY = 86_400_000;
/** Decision time of generated scenarios. */
export const NOW = Date.UTC(2026, 2, 10, 12);
export const CHANNELS = ['email', 'sms', 'web', 'call_center'] as const;
export const SEGMENTS = ['gold', 'silver', 'young'] as const;
export const TAGS = ['discount', 'category:shoes', 'category:bags', 'premium'] as const;
export const CATEGORIES = ['shoes', 'bags'] as const;

const dayCount = fc.integer({ min: 1, max: 60 });

export const policyArb = fc.record(
  {
    maxPresentations: fc.record({ count: fc.integer({ min: 1, max: 4 }), window: dayCount.map((d) => d * DAY) }, { requiredKeys: ['count'] }),
    afterAcceptance: fc.record({ suppressFor: fc.oneof(fc.constant('forever' as const), dayCount.map((d) => d * DAY)) }),
    afterRefusals: fc.record({ count: fc.integer({ min: 1, max: 3 }), window: dayCount.map((d) => d * DAY), suppressFor: dayCount.map((d) => d * DAY) }),
    withoutResponse: fc.record({ count: fc.integer({ min: 1, max: 4 }), suppressFor: fc.oneof(fc.constant('forever' as const), dayCount.map((d) => d * DAY)) }),
  },
  { requiredKeys: [] },
);

export function offerArb(id: string, ids: ReadonlyArray<string>): fc.Arbitrary<OfferInput> {
  return fc.record(
    {
      id: fc.constant(id),
      channels: fc.uniqueArray(fc.constantFrom(...CHANNELS), { minLength: 2, maxLength: 4 }),
      validFrom: fc.integer({ min: -40, max: 2 }).map((d) => NOW + d * DAY),
      eligibility: fc.constantFrom<OfferInput['eligibility']>('gold', { segments: ['silver'] }, { anyOfSegments: ['gold', 'young'] }, { notSegments: ['young'] }, {}),
      value: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 5000 }).map((c) => c / 100)),
      weight: fc.constantFrom(0.5, 1, 2),
      lever: fc.constantFrom(0, 1, 1.5),
      priority: fc.integer({ min: -1, max: 2 }),
      propensity: fc.double({ min: 0, max: 1, noNaN: true }),
      tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
      exclusionGroups: fc.uniqueArray(fc.constantFrom('g1', 'g2'), { maxLength: 2 }),
      prerequisites: ids.length === 0 ? fc.constant([]) : fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 1 }) }),
      policy: policyArb,
      capacity: fc.record({ perDay: fc.integer({ min: 0, max: 5 }), perWeek: fc.integer({ min: 0, max: 10 }), total: fc.integer({ min: 0, max: 20 }) }, { requiredKeys: [] }),
      budget: fc.record({ total: fc.integer({ min: 0, max: 100 }), cost: fc.integer({ min: 0, max: 30 }) }),
    },
    { requiredKeys: ['id'] },
  ).chain((o) =>
    // validUntil after validFrom; some offers end before NOW (expired), some start after it.
    fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }).map((len): OfferInput => {
      if (len === undefined) return o as OfferInput;
      const from = (o as { validFrom?: number }).validFrom ?? NOW - 45 * DAY;
      return { ...(o as OfferInput), validUntil: from + len * DAY };
    }),
  );
}

/** Offer ids `o0…o{n-1}`. */
export const offerIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `o${i}`);

/** A catalogue of 1–10 random offers (prerequisites point to earlier offers). */
export const catalogueArb: fc.Arbitrary<CatalogueInput> = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.record(
    {
      offers: fc.tuple(...offerIds(n).map((id, i) => offerArb(id, offerIds(i)))),
      valueScale: fc.constantFrom<CatalogueInput['valueScale']>('log', 'linear', 'none', { power: 0.5 }),
      minPropensity: fc.constantFrom(0, 0, 0.2),
      guards: fc.constantFrom([], [{ id: 'full-price', offerTags: ['discount'], window: 30 * DAY }]),
    },
    { requiredKeys: ['offers'] },
  ),
);

/** One customer's history around {@link NOW} (some records after NOW, which must be ignored). */
export function historyArb(ids: ReadonlyArray<string>, maxLen = 30): fc.Arbitrary<History> {
  const at = fc.integer({ min: -90 * 24, max: 2 * 24 }).map((h) => NOW + h * 3_600_000);
  const offerId = fc.constantFrom(...ids, 'unknown');
  const contacts = fc.array(fc.record({ offerId, channel: fc.constantFrom(...CHANNELS), at }), { maxLength: maxLen });
  const responses = fc.array(
    fc.record({ offerId, channel: fc.constantFrom(...CHANNELS), at, kind: fc.constantFrom('accepted', 'refused', 'refused', 'ignored', 'clicked', 'converted') as fc.Arbitrary<ResponseRecord['kind']>, fullPrice: fc.boolean(), category: fc.constantFrom(...CATEGORIES) }),
    { maxLength: maxLen },
  );
  const events = fc.array(fc.record({ at, category: fc.constantFrom(...CATEGORIES), fullPrice: fc.boolean(), type: fc.constantFrom('purchase', 'page_view') }), { maxLength: 8 });
  return fc.tuple(contacts, responses, events).map(([cs, rs, es]) => buildHistory('p1', cs, rs, es));
}

export function buildHistory(
  subjectId: string,
  cs: ReadonlyArray<{ offerId: string; channel: string; at: number }>,
  rs: ReadonlyArray<{ offerId: string; channel: string; at: number; kind: ResponseRecord['kind']; fullPrice?: boolean; category?: string }>,
  es: ReadonlyArray<{ at: number; category: string; fullPrice: boolean; type: string }>,
): History {
  const contacts: ContactRecord[] = cs.map((c, i) => ({ id: `c${i}`, subjectId, channel: c.channel, offerId: c.offerId, tags: [], at: c.at, transactional: false }));
  const responses: ResponseRecord[] = rs.map((r, i) => ({
    id: `r${i}`,
    subjectId,
    kind: r.kind,
    channel: r.channel,
    offerId: r.offerId,
    tags: r.category ? [`category:${r.category}`, ...(r.fullPrice ? ['full-price'] : [])] : [],
    at: r.at,
  }));
  const events: BehaviourEvent[] = es.map((e) => ({ subjectId, type: e.type, at: e.at, channel: 'store', properties: { category: e.category, fullPrice: e.fullPrice } }));
  const byAt = <T extends { at: number }>(xs: T[]): T[] => xs.sort((a, b) => a.at - b.at);
  return { subjectId, contacts: byAt(contacts), responses: byAt(responses), events: byAt(events) };
}

export const segmentsArb = fc.oneof(fc.uniqueArray(fc.constantFrom(...SEGMENTS), { maxLength: 3 }), fc.constant(['gold', 'silver']));
export const usageArb = (ids: ReadonlyArray<string>): fc.Arbitrary<Record<string, OfferUsage>> =>
  fc.dictionary(fc.constantFrom(...ids), fc.record({ day: fc.nat(3), week: fc.nat(6), total: fc.nat(10), spent: fc.nat(50) }), { maxKeys: ids.length });

// ------------------------------------------------------------------------------------------------
// Reference implementation: every stage spelled out over arrays, brute force, no indexes.

export interface NaiveResult {
  selected: string[];
  excluded: Array<[string, string]>;
}

export function naiveArbitrate(
  catalogue: Catalogue,
  history: History,
  ctx: { segments: ReadonlyArray<string>; propensities?: Record<string, number> },
  opts: { now: number; channel: string; slots: number; usage?: Record<string, Partial<OfferUsage>> },
): NaiveResult {
  const { now, channel, slots } = opts;
  const contacts = history.contacts.filter((c) => c.at <= now);
  const responses = history.responses.filter((r) => r.at <= now);
  const events = history.events.filter((e) => e.at <= now);
  const excluded: Array<[string, string]> = [];
  const offers = catalogue.offers.map((o) => o.source);
  const maxValue = Math.max(0, ...offers.map((o) => o.value));
  const scored: Array<{ id: string; score: number; priority: number; groups: string[] }> = [];
  for (const o of offers) {
    const code = naiveExclusion(o, catalogue, contacts, responses, events, ctx, now, channel, opts.usage);
    if (code !== null) {
      excluded.push([o.id, code]);
      continue;
    }
    const given = ctx.propensities?.[o.id];
    const p = given !== undefined ? Math.min(1, Math.max(0, given)) : (o.propensity ?? catalogue.prior.alpha / (catalogue.prior.alpha + catalogue.prior.beta));
    if (p < catalogue.minPropensity) {
      excluded.push([o.id, 'OFFER_BELOW_MIN_PROPENSITY']);
      continue;
    }
    const s = catalogue.valueScale;
    const v = s === 'none' ? o.value : maxValue <= 0 ? (o.value > 0 ? 1 : 0) : s === 'linear' ? o.value / maxValue : s === 'log' ? Math.log1p(o.value) / Math.log1p(maxValue) : Math.pow(o.value / maxValue, s.power);
    const score = p * o.weight * (o.channelWeights?.[channel] ?? 1) * v * o.lever;
    if (p === 0 || o.weight * (o.channelWeights?.[channel] ?? 1) === 0 || o.value === 0 || o.lever === 0) {
      excluded.push([o.id, 'OFFER_ZERO_SCORE']);
      continue;
    }
    scored.push({ id: o.id, score, priority: o.priority, groups: o.exclusionGroups });
  }
  scored.sort((a, b) => b.score - a.score || b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const selected: string[] = [];
  const lost = new Map<string, string>();
  const used = new Set<string>();
  for (const c of scored) {
    if (c.groups.some((g) => used.has(g))) lost.set(c.id, 'OFFER_EXCLUSION_GROUP');
    else if (selected.length >= slots) lost.set(c.id, 'OFFER_NO_SLOT');
    else {
      selected.push(c.id);
      c.groups.forEach((g) => used.add(g));
    }
  }
  // Constraint losses are listed in catalogue order.
  for (const o of offers) if (lost.has(o.id)) excluded.push([o.id, lost.get(o.id)!]);
  return { selected, excluded };
}

function naiveExclusion(
  o: Catalogue['offers'][number]['source'],
  catalogue: Catalogue,
  contacts: History['contacts'],
  responses: History['responses'],
  events: History['events'],
  ctx: { segments: ReadonlyArray<string> },
  now: number,
  channel: string,
  usage: Record<string, Partial<OfferUsage>> | undefined,
): string | null {
  if (!o.enabled) return 'OFFER_DISABLED';
  const el = o.eligibility;
  if (typeof el === 'string' && !ctx.segments.includes(el)) return 'OFFER_NOT_IN_SEGMENT';
  if (typeof el === 'object' && el !== null) {
    if ((el.segments ?? []).some((s) => !ctx.segments.includes(s))) return 'OFFER_NOT_IN_SEGMENT';
    if (el.anyOfSegments && !el.anyOfSegments.some((s) => ctx.segments.includes(s))) return 'OFFER_NOT_IN_SEGMENT';
    if ((el.notSegments ?? []).some((s) => ctx.segments.includes(s))) return 'OFFER_IN_EXCLUDED_SEGMENT';
  }
  if (o.channels && !o.channels.includes(channel)) return 'OFFER_WRONG_CHANNEL';
  if (o.validFrom !== undefined && now < o.validFrom) return 'OFFER_NOT_YET_VALID';
  if (o.validUntil !== undefined && now >= o.validUntil) return 'OFFER_EXPIRED';
  const acceptedIds = new Set(responses.filter((r) => r.kind === 'accepted' || r.kind === 'converted').map((r) => r.offerId));
  if (o.prerequisites.some((p) => !acceptedIds.has(p))) return 'OFFER_PREREQUISITE_MISSING';
  const p = o.policy;
  if (p) {
    const mine = contacts.filter((c) => c.offerId === o.id).map((c) => c.at);
    const resp = responses.filter((r) => r.offerId === o.id);
    const acc = resp.filter((r) => r.kind === 'accepted' || r.kind === 'converted').map((r) => r.at);
    if (p.afterAcceptance && acc.some((a) => p.afterAcceptance!.suppressFor === 'forever' || now < a + (p.afterAcceptance!.suppressFor as number))) return 'OFFER_SUPPRESSED_ACCEPTED';
    if (p.afterRefusals) {
      const { count, window, suppressFor, kinds } = p.afterRefusals;
      const ref = resp.filter((r) => kinds.includes(r.kind)).map((r) => r.at);
      if (ref.some((t) => ref.filter((u) => u <= t && u > t - window).length >= count && now < t + suppressFor)) return 'OFFER_SUPPRESSED_REFUSALS';
    }
    if (p.maxPresentations) {
      const w = p.maxPresentations.window ?? Infinity;
      if (mine.filter((t) => t > now - w).length >= p.maxPresentations.count) return 'OFFER_SUPPRESSED_PRESENTATIONS';
    }
    if (p.withoutResponse) {
      const last = Math.max(-Infinity, ...resp.filter((r) => r.kind !== 'ignored').map((r) => r.at));
      const silent = mine.filter((t) => t > last);
      const d = p.withoutResponse.suppressFor;
      if (silent.length >= p.withoutResponse.count && (d === 'forever' || now < silent[p.withoutResponse.count - 1]! + d)) return 'OFFER_SUPPRESSED_NO_RESPONSE';
    }
  }
  for (const g of catalogue.guards) {
    if (!g.offerTags.some((t) => o.tags.includes(t))) continue;
    const cats = o.tags.filter((t) => t.startsWith(g.categoryTagPrefix) && t.length > g.categoryTagPrefix.length).map((t) => t.slice(g.categoryTagPrefix.length));
    const from = now - g.window;
    const bought = new Set<string>();
    for (const e of events) {
      if (e.at < from || !g.eventTypes.has(e.type) || !g.where.every(([k, v]) => e.properties[k] === v)) continue;
      const c = e.properties[g.categoryProperty];
      if (typeof c === 'string') bought.add(c);
    }
    for (const r of responses) {
      if (r.at < from || !g.responseKinds.has(r.kind) || !g.requireTags.every((t) => r.tags.includes(t))) continue;
      for (const t of r.tags) if (t.startsWith(g.categoryTagPrefix)) bought.add(t.slice(g.categoryTagPrefix.length));
    }
    if (cats.some((c) => bought.has(c))) return 'OFFER_CANNIBALISATION';
  }
  const u = usage?.[o.id];
  if (o.capacity) {
    if ((u?.day ?? 0) + 1 > (o.capacity.perDay ?? Infinity)) return 'OFFER_CAPACITY_EXHAUSTED';
    if ((u?.week ?? 0) + 1 > (o.capacity.perWeek ?? Infinity)) return 'OFFER_CAPACITY_EXHAUSTED';
    if ((u?.total ?? 0) + 1 > (o.capacity.total ?? Infinity)) return 'OFFER_CAPACITY_EXHAUSTED';
  }
  if (o.budget && (u?.spent ?? 0) + o.budget.cost > o.budget.total + 1e-9) return 'OFFER_BUDGET_EXHAUSTED';
  return null;
}

// ------------------------------------------------------------------------------------------------
// Batch optimisation instances.

/** A small random instance: up to `maxCustomers` × 4 offers over 2 channels, with capacities and budgets. */
export function problemArb(maxCustomers = 5): fc.Arbitrary<{ customers: OptimizationCustomer[]; constraints: OptimizationConstraints }> {
  const offers = ['a', 'b', 'c', 'd'];
  const cand = fc.record(
    { offerId: fc.constantFrom(...offers), value: fc.integer({ min: 1, max: 100 }), channel: fc.constantFrom('email', 'call_center'), cost: fc.integer({ min: 0, max: 10 }) },
    { requiredKeys: ['offerId', 'value', 'channel'] },
  );
  const customer = (i: number): fc.Arbitrary<OptimizationCustomer> =>
    fc.record({ id: fc.constant(`c${i}`), candidates: fc.uniqueArray(cand, { maxLength: 4, selector: (c) => c.offerId }), maxOffers: fc.integer({ min: 0, max: 2 }) }, { requiredKeys: ['id', 'candidates'] });
  return fc.integer({ min: 1, max: maxCustomers }).chain((n) =>
    fc.record({
      customers: fc.tuple(...Array.from({ length: n }, (_, i) => customer(i))),
      constraints: fc.record(
        {
          maxOffersPerCustomer: fc.integer({ min: 1, max: 2 }),
          offers: fc.dictionary(fc.constantFrom(...offers), fc.record({ capacity: fc.integer({ min: 0, max: 3 }), budget: fc.integer({ min: 0, max: 20 }) }, { requiredKeys: [] }), { maxKeys: 4 }),
          channels: fc.dictionary(fc.constantFrom('email', 'call_center'), fc.record({ capacity: fc.integer({ min: 0, max: 4 }) }), { maxKeys: 2 }),
          budget: fc.integer({ min: 0, max: 40 }),
        },
        { requiredKeys: [] },
      ),
    }),
  );
}

/** The same instance as {@link CandidateColumns} (typed arrays). */
export function toColumns(customers: ReadonlyArray<OptimizationCustomer>): CandidateColumns {
  const offerIds: string[] = [];
  const channelIds: string[] = [];
  const offsets = [0];
  const offer: number[] = [];
  const channel: number[] = [];
  const value: number[] = [];
  const cost: number[] = [];
  const maxOffers: number[] = [];
  for (const c of customers) {
    for (const k of c.candidates) {
      if (!offerIds.includes(k.offerId)) offerIds.push(k.offerId);
      if (k.channel !== undefined && !channelIds.includes(k.channel)) channelIds.push(k.channel);
      offer.push(offerIds.indexOf(k.offerId));
      channel.push(k.channel === undefined ? -1 : channelIds.indexOf(k.channel));
      value.push(k.value);
      cost.push(k.cost ?? 0);
    }
    offsets.push(offer.length);
    maxOffers.push(c.maxOffers ?? -1);
  }
  return {
    customerIds: customers.map((c) => c.id),
    customerOffsets: Int32Array.from(offsets),
    offerIds,
    offer: Int32Array.from(offer),
    value: Float64Array.from(value),
    channelIds,
    channel: Int32Array.from(channel),
    cost: Float64Array.from(cost),
    ...(maxOffers.every((m) => m >= 0) ? { maxOffers: Int32Array.from(maxOffers) } : {}),
  };
}
