/**
 * Scale curves: the same operation of each module at 10³ … 10⁶ items (10⁷ with `CURVES_MAX=1e7` where memory
 * allows), printing time and memory per item and the growth exponent between neighbouring sizes
 * (k = log(t₂/t₁) / log(n₂/n₁): 1 is linear, ≈1.1 is n log n over a decade, 2 is quadratic). The docs
 * (docs/performance.md) quote these tables. Modules: consent, identity, capping, segments, attribution, arbitration
 * and decide (the whole pipeline, against the number of people and the length of one person's history). Times are CPU time of the process (GC threads included). `npm run bench -- curves`; one module with `CURVES=identity`.
 */
import { createRng } from '../src/core/random.js';
import { createHistory, type BehaviourEvent, type ContactRecord } from '../src/core/records.js';
import { decodeTcString, encodeTcString, type TcStringInput } from '../src/consent/index.js';
import { IdentityGraph, type ObservationInput } from '../src/identity/index.js';
import { evaluateCaps, parseCapRules } from '../src/capping/index.js';
import { compileSegments, evaluateBatch } from '../src/segments/index.js';
import { buildJourneys, compareModels, type ConversionInput, type TouchpointInput } from '../src/attribution/index.js';
import { arbitrate, parseCatalogue } from '../src/arbitration/index.js';
import { decide, parseDecideConfig, type DecideStores } from '../src/decide/index.js';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore } from '../src/adapters/memory/index.js';
import { RETAILER_CONFIG } from '../examples/demo/retailer.js';
import { CATEGORIES } from '../examples/demo/world.js';

const MAX = Number(process.env.CURVES_MAX ?? 1e6);
const ONLY = process.env.CURVES?.split(',');
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 15, 12);
const gc = (globalThis as { gc?: () => void }).gc;
const mem = (): number => {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

interface Point {
  n: number;
  ms: number;
  bytes: number | null;
}

interface CurveOptions {
  /** Operations timed per size (default n: a batch over n items); per-op time is total ÷ ops. */
  readonly ops?: (n: number) => number;
  /** What one operation is, for the column header (default: the item). */
  readonly op?: string;
  /** Measure what the result keeps alive (heap + ArrayBuffers after GC), per item, at this size. */
  readonly retains?: boolean | ((n: number) => boolean);
}

/**
 * Times `run(data, n)` on data built by `build(n)` (not timed) at each size, after one warm-up run at the
 * smallest size. k is the growth exponent of the total time between neighbouring sizes.
 */
async function curve<D>(title: string, item: string, sizes: number[], build: (n: number) => D | Promise<D>, run: (data: D, n: number) => unknown, options: CurveOptions = {}): Promise<void> {
  if (ONLY && !ONLY.some((o) => title.toLowerCase().startsWith(o))) return;
  const ops = options.ops ?? ((n: number) => n);
  const op = options.op ?? item;
  const retains = typeof options.retains === 'function' ? options.retains : () => options.retains !== false;
  const points: Point[] = [];
  for (const n of sizes.filter((s) => s <= MAX)) {
    const data = await build(n);
    if (points.length === 0) await run(data, n);
    const before = mem();
    // CPU time of this process (all threads, GC included), not wall time: the curve's shape must not depend on
    // what else the machine runs.
    const c0 = process.cpuUsage();
    let result = await run(data, n);
    const c = process.cpuUsage(c0);
    const ms = (c.user + c.system) / 1000;
    const bytes = retains(n) ? mem() - before : null;
    points.push({ n, ms, bytes });
    result = null;
    void result;
  }
  const fmt = (x: number, d = 2): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const head = ['n', 'total ms', `µs / ${op}`, `B / ${item}`, 'k'];
  const rows = points.map((p, i) => {
    const prev = points[i - 1];
    const k = prev ? Math.log(p.ms / prev.ms) / Math.log(p.n / prev.n) : null;
    return [p.n.toLocaleString('en-US'), fmt(p.ms, 1), fmt((p.ms * 1000) / ops(p.n), 3), p.bytes === null ? '—' : fmt(Math.max(0, p.bytes) / p.n, 0), k === null ? '—' : k.toFixed(2)];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padStart(widths[c]!)).join('  ');
  console.log(`\n## ${title}\n${line(head)}`);
  for (const r of rows) console.log(line(r));
}

const decades = [1e3, 1e4, 1e5, 1e6, 1e7];

// consent: decode n TC strings (a corpus of 1,000 distinct strings, cycled; decoded sets kept alive to 10⁵).
{
  const rng = createRng(1);
  const vendorIds = Array.from({ length: 1400 }, (_, i) => i + 1).filter(() => rng.next() < 0.64);
  const corpus = Array.from({ length: 1000 }, (_, i) => {
    const rate = rng.next();
    const model: TcStringInput = {
      created: 1_767_225_600_000, lastUpdated: 1_767_225_600_000, cmpId: 10, cmpVersion: 1, consentScreen: 1, consentLanguage: 'FR', vendorListVersion: 150, policyVersion: 5,
      isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [1], purposeConsents: [1, 2, 3], purposeLegitimateInterests: [2, 7], purposeOneTreatment: false,
      publisherCountryCode: 'FR', vendorConsents: vendorIds.filter(() => rng.next() < rate), vendorLegitimateInterests: vendorIds.filter(() => rng.next() < 0.9), publisherRestrictions: [],
    };
    return encodeTcString(model, { vendorEncoding: i % 2 === 0 ? 'bitfield' : 'range' });
  });
  await curve('consent: decodeTcString', 'string', decades, (n) => n, (n) => {
    const keep: unknown[] = n <= 1e5 ? new Array(n) : [];
    for (let i = 0; i < n; i++) {
      const tc = decodeTcString(corpus[i % 1000]!);
      if (n <= 1e5) keep[i] = tc;
    }
    return keep;
  }, { retains: (n) => n >= 1e4 && n <= 1e5 });
}

// identity: stitch n observations of people with 1–3 identifiers each (a shared device now and then).
await curve(
  'identity: IdentityGraph.add',
  'observation',
  decades,
  (n) => {
    const rng = createRng(2);
    const people = Math.max(1, Math.floor(n / 3));
    return Array.from({ length: n }, (_, i): ObservationInput => {
      const p = rng.int(people);
      const ids = [{ type: 'user_id', value: `u${p}` }];
      if (rng.next() < 0.7) ids.push({ type: 'email', value: `p${p}@example.test` });
      if (rng.next() < 0.5) ids.push({ type: 'anonymous_id', value: `ck-${p}-${rng.int(3)}` });
      return { identifiers: ids, at: NOW - (n - i) * 1000 };
    });
  },
  (obs) => {
    const g = new IdentityGraph({ limits: { user_id: 1 } });
    g.add(obs);
    return g;
  },
);

// capping: one evaluation (7 rules) as the subject's history grows to n contacts.
{
  const caps = parseCapRules({
    timeZone: 'Europe/Paris',
    rules: [
      { id: 'all-week', kind: 'limit', limit: 50, window: 'week' },
      { id: 'email-day', kind: 'limit', limit: 30, window: 'day', scope: { channels: 'email' } },
      { id: 'sms-day', kind: 'limit', limit: 10, window: 'day', scope: { channels: 'sms' } },
      { id: 'rolling-30d', kind: 'limit', limit: 1_000_000, window: { rolling: '30d' } },
      { id: 'gap', kind: 'gap', minGap: '1m' },
      { id: 'night', kind: 'quiet', ranges: [{ from: '22:00', to: '07:00' }] },
      { id: 'unsub', kind: 'cooldown', after: ['unsubscribed'], duration: '30d' },
    ],
  });
  const EVALS = 10_000;
  await curve(
    `capping: evaluateCaps (7 rules) with n contacts in the subject's history (${EVALS.toLocaleString('en-US')} evaluations per size)`,
    'contact in history',
    [1e2, 1e3, 1e4, 1e5, 1e6],
    (n) => {
      const contacts: ContactRecord[] = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, subjectId: 's', channel: i % 3 === 0 ? 'sms' : 'email', tags: [], at: NOW - 365 * DAY + Math.floor((i * 365 * DAY) / n), transactional: false }));
      return createHistory('s', { contacts });
    },
    (history) => {
      let allowed = 0;
      for (let i = 0; i < EVALS; i++) if (evaluateCaps(history, caps, { channel: i % 2 === 0 ? 'email' : 'sms', tags: [] }, { now: NOW + (i % 60) * 60_000 }).allowed) allowed++;
      return allowed;
    },
    { ops: () => EVALS, op: 'evaluation', retains: false },
  );
}

// segments: evaluateBatch over n profiles with ~10 events each, 6 segments mixing attributes and events.
{
  const segs = compileSegments([
    { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
    { id: 'buyers-30d', rule: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } },
    { id: 'abandoners', rule: { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } } },
    { id: 'big-spenders', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, window: { last: '365d' }, op: 'gte', value: 300 } },
    { id: 'pro-active', rule: { and: [{ attr: 'plan', op: 'in', value: ['pro', 'team'] }, { count: { type: 'page_view' }, window: { last: '14d' }, op: 'gte', value: 3 }] } },
    { id: 'dormant', rule: { not: { count: { type: 'page_view' }, window: { last: '30d' }, op: 'gte', value: 1 } } },
  ]);
  const TYPES = ['page_view', 'page_view', 'page_view', 'cart_add', 'cart_abandon', 'purchase'] as const;
  await curve(
    'segments: evaluateBatch',
    'profile',
    decades,
    (n) => {
      const rng = createRng(3);
      return Array.from({ length: n }, (_, i) => {
        const k = 10;
        const events: BehaviourEvent[] = [];
        let at = NOW - 90 * DAY;
        for (let e = 0; e < k; e++) {
          at += rng.int(9 * DAY);
          if (at > NOW) break;
          const type = TYPES[rng.int(TYPES.length)]!;
          events.push({ subjectId: `p${i}`, type, at, properties: type === 'purchase' ? { amount: 10 + rng.int(200) } : {} });
        }
        return { id: `p${i}`, profile: { country: rng.next() < 0.4 ? 'FR' : 'DE', plan: ['free', 'pro', 'team'][rng.int(3)] }, events };
      });
    },
    (subjects) => evaluateBatch(segs, subjects, NOW),
  );
}

// attribution: build journeys and compare nine models over n subjects (≈ 3.5 touches each).
await curve(
  'attribution: buildJourneys + compareModels (9 models incl. Markov and Shapley)',
  'subject',
  decades.filter((d) => d <= 1e6),
  (n) => {
    const rng = createRng(4);
    const touchpoints: TouchpointInput[] = [];
    const conversions: ConversionInput[] = [];
    const channels = ['email', 'sms', 'search', 'display', 'social', 'direct'];
    for (let p = 0; p < n; p++) {
      let at = NOW - 60 * DAY + rng.int(30) * DAY;
      const touches = 1 + rng.int(6);
      for (let i = 0; i < touches; i++) {
        at += rng.int(4 * DAY);
        touchpoints.push({ subjectId: `s${p}`, channel: channels[rng.int(channels.length)]!, at });
      }
      if (rng.next() < 0.1) conversions.push({ subjectId: `s${p}`, at: at + rng.int(DAY), value: 20 + rng.int(180) });
    }
    return { touchpoints, conversions };
  },
  ({ touchpoints, conversions }) =>
    compareModels(buildJourneys(touchpoints, conversions, { lookback: '30d' }), {
      models: ['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based', 'markov', { model: 'markov', name: 'markov_2', order: 2 }, 'shapley'],
    }),
);

// arbitration: one decision among n offers (tags, exclusion groups, policies), 1,000 decisions per size.
{
  const DECISIONS = 1000;
  await curve(
    `arbitration: arbitrate among n offers (${DECISIONS.toLocaleString('en-US')} decisions per size)`,
    'offer',
    [1e1, 1e2, 1e3, 1e4],
    (n) => {
      const catalogue = parseCatalogue({
        timeZone: 'Europe/Paris',
        offers: Array.from({ length: n }, (_, i) => ({
          id: `o${i}`,
          value: 10 + (i % 97),
          channels: ['web', 'email'],
          tags: [`cat:${i % 20}`],
          exclusionGroups: i % 5 === 0 ? ['discounts'] : [],
          propensity: 0.01 + (i % 13) / 100,
          policy: { maxPresentations: { count: 3, window: '7d' } },
        })),
      });
      const contacts: ContactRecord[] = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, subjectId: 's', channel: 'web', offerId: `o${i % n}`, tags: [], at: NOW - i * DAY, transactional: false }));
      return { catalogue, history: createHistory('s', { contacts }) };
    },
    ({ catalogue, history }) => {
      let chosen = 0;
      for (let i = 0; i < DECISIONS; i++) chosen += arbitrate({ subjectId: 's', segments: [] }, catalogue, history, { now: NOW, channel: 'web', slots: 3 }).selected.length;
      return chosen;
    },
    { ops: () => DECISIONS, op: 'decision', retains: false },
  );
}

// decide: one explained decision (memory stores, the demo retailer's config) as the world grows: n people with
// 20 events each, then one person's history of n events (the segments and caps read it all).
{
  const DECISIONS = 10_000;
  const config = parseDecideConfig({ ...RETAILER_CONFIG, identity: { observe: false }, storeTimeoutMs: 5000, explore: false });
  const seed = async (people: number, eventsEach: number): Promise<DecideStores> => {
    const stores: DecideStores = {
      identity: new MemoryIdentityStore({ erasureSalt: 'curves' }),
      consent: new MemoryConsentStore({ erasureSalt: 'curves', maxSubjects: people * 2 }),
      contacts: new MemoryContactHistoryStore({ maxSubjects: people * 2 }),
      events: new MemoryEventStore(),
    };
    const rng = createRng(9);
    await stores.identity.addObservations(Array.from({ length: people }, (_, i) => ({ identifiers: [{ type: 'email', value: `p${i}@example.com` }], at: NOW - 90 * DAY, source: 'crm' })));
    for (let i = 0; i < people; i++) {
      const subjectId = (await stores.identity.lookup({ type: 'email', value: `p${i}@example.com` }))!;
      await stores.consent.append({ id: `${i}-g`, subjectId, channel: 'email', purpose: 'marketing', kind: 'granted', at: NOW - 90 * DAY, evidence: { source: 'form' } });
      await stores.consent.append({ id: `${i}-c`, subjectId, channel: 'email', purpose: 'marketing', kind: 'confirmed', at: NOW - 90 * DAY + 1, evidence: { source: 'form' } });
      const events: BehaviourEvent[] = Array.from({ length: eventsEach }, (_, e) => {
        const r = rng.next();
        const type = r < 0.7 ? 'page_view' : r < 0.85 ? 'cart_abandon' : 'purchase';
        const category = CATEGORIES[rng.int(CATEGORIES.length)]!;
        return { id: `${i}-e${e}`, subjectId, type, at: NOW - 1 - Math.floor(rng.next() * 30 * DAY), channel: 'web', properties: type === 'purchase' ? { category, value: 20 + rng.int(200) } : { category } };
      });
      events.sort((a, b) => a.at - b.at);
      await stores.events.append(events);
    }
    return stores;
  };
  // Asks about person i % people at NOW + day + i/people days: each person about once a simulated day.
  const ask = async (stores: DecideStores, people: number, from: number, count: number, day: number): Promise<number> => {
    let contacted = 0;
    for (let i = from; i < from + count; i++) {
      const d = await decide({ requestId: `r${day}-${i}`, identifiers: [{ type: 'email', value: `p${i % people}@example.com` }], channel: 'email', now: NOW + day * DAY + Math.floor((i * DAY) / people) }, stores, config);
      if (d.contact) contacted++;
    }
    return contacted;
  };
  // Built (untimed): the stores seeded, then every person decided once, so the timed decisions are steady-state
  // (warm code, each person already seen) rather than a first touch of each.
  const warmed = async (people: number, eventsEach: number): Promise<{ stores: DecideStores; people: number }> => {
    const stores = await seed(people, eventsEach);
    await ask(stores, people, 0, people, 0);
    return { stores, people };
  };
  await curve(
    `decide: one decision among n people (20 events each; ${DECISIONS.toLocaleString('en-US')} decisions timed per size, after one per person)`,
    'person',
    [1e3, 1e4, 1e5, 1e6].filter((n) => n <= Math.min(MAX, 1e5) || process.env.CURVES_DECIDE_1E6 === '1'),
    (n) => warmed(n, 20),
    ({ stores, people }) => ask(stores, people, 0, DECISIONS, 1),
    { ops: () => DECISIONS, op: 'decision', retains: false },
  );
  // 100 people, each with n events in the 30 days before the first ask; each asked 20 times, once a simulated day.
  await curve(
    `decide: one decision for a person with n events (100 people; ${DECISIONS.toLocaleString('en-US')} decisions timed per size)`,
    'event',
    [1e1, 1e2, 1e3, 1e4],
    (n) => warmed(100, n),
    ({ stores }) => ask(stores, 100, 0, DECISIONS, 1),
    { ops: () => DECISIONS, op: 'decision', retains: false },
  );
}
