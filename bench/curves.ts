/**
 * Scale curves: the same operation of each module at 10³ … 10⁶ items (10⁷ with `CURVES_MAX=1e7` where memory
 * allows), printing time and memory per item and the growth exponent between neighbouring sizes
 * (k = log(t₂/t₁) / log(n₂/n₁): 1 is linear, ≈1.1 is n log n over a decade, 2 is quadratic). The docs
 * (docs/performance.md) quote these tables. Modules: consent, identity, capping, segments, attribution, arbitration,
 * decide (the whole pipeline, against the number of people and the length of one person's history), experiments
 * (assignment; statistics and analysis from the shared history), timing (the model's fit; the best legal moment
 * in a model of n people), insights (the KPI pass; cohorts and customer value) and journeys (advancing n people
 * one step). Times are CPU time of the process (GC threads included); the collector's pauses on the main thread,
 * part of that time, have their own column. `npm run bench -- curves`; one module with `CURVES=identity` (a prefix
 * of the table titles, comma-separated: `CURVES=timing,journeys`).
 */
import { createRng } from '../src/core/random.js';
import { createHistory, type BehaviourEvent, type ContactRecord, type History } from '../src/core/records.js';
import { consentState, decodeTcString, encodeTcString, parseConsentEvent, type TcStringInput } from '../src/consent/index.js';
import { IdentityGraph, type ObservationInput } from '../src/identity/index.js';
import { evaluateCaps, parseCapRules } from '../src/capping/index.js';
import { compileSegments, evaluateBatch } from '../src/segments/index.js';
import { buildJourneys, compareModels, type ConversionInput, type TouchpointInput } from '../src/attribution/index.js';
import { arbitrate, parseCatalogue } from '../src/arbitration/index.js';
import { decide, parseDecideConfig, type DecideStores } from '../src/decide/index.js';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore } from '../src/adapters/memory/index.js';
import { analyzeExperiment, assign, parseExperiment, type ExperimentAnalysis, parseHoldout, parseMetrics, statsFromHistories } from '../src/experiments/index.js';
import { bestSendTime, compileSendCaps, refit, TimingModel } from '../src/timing/index.js';
import { accumulateKpis, type KpiTable, CohortAccumulator, cohortReport, fitBgNbd, fitGammaGamma, kpiTable, predictCustomerValue, pressureReport, summariseCustomers, type SubjectHistory } from '../src/insights/index.js';
import { advance, parseJourney, startInstance, type JourneyInstance } from '../src/journeys/index.js';
import { whitePaper } from '../src/journeys/scenarios/fixtures.js';
import { syntheticHistories } from '../test/arbitraries/insights.js';
import { RETAILER_CONFIG } from '../examples/demo/retailer.js';
import { CATEGORIES } from '../examples/demo/world.js';
import { gcPausesDuring } from './harness.js';
import { sendCapRules } from './timing-caps.js';

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
  /** Main-thread pauses of the collector during the timing (scavenges and full collections), ms. */
  gcMs: number;
}

interface CurveOptions {
  /** Operations timed per size (default n: a batch over n items); per-op time is total ÷ ops. */
  readonly ops?: (n: number) => number;
  /** What one operation is, for the column header (default: the item). */
  readonly op?: string;
  /** Measure what the result keeps alive (heap + ArrayBuffers after GC), per item, at this size. */
  readonly retains?: boolean | ((n: number) => boolean);
  /** Checks the result after the timing (throws when the operation did not do what the curve claims). */
  readonly check?: (result: unknown, n: number) => void;
}

/**
 * Times `run(data, n)` on data built by `build(n)` (not timed) at each size, after one warm-up run at the
 * smallest size. k is the growth exponent of the total time between neighbouring sizes.
 */
async function curve<D>(
  title: string,
  item: string,
  sizes: number[],
  build: (n: number) => D | Promise<D>,
  run: (data: D, n: number) => unknown,
  options: CurveOptions & {
    /** Bytes the built data keeps, asked after the timing, when that, not the result, is the memory that grows. */
    readonly kept?: (data: D) => number;
  } = {},
): Promise<void> {
  if (ONLY && !ONLY.some((o) => title.toLowerCase().startsWith(o))) return;
  const ops = options.ops ?? ((n: number) => n);
  const op = options.op ?? item;
  const retains = typeof options.retains === 'function' ? options.retains : () => options.retains !== false;
  const points: Point[] = [];
  for (const n of sizes.filter((s) => s <= MAX)) {
    const data = await build(n);
    if (points.length === 0) await run(data, n);
    // A forced collection right before the timing would be timed too (its sweeper threads still run) and, after a
    // large build, can make V8 pretenure the operation's allocation sites: only a curve that measures what its
    // result keeps needs one here.
    const before = options.kept === undefined && retains(n) ? mem() : 0;
    // CPU time of this process (all threads, GC included), not wall time: the curve's shape must not depend on
    // what else the machine runs.
    const c0 = process.cpuUsage();
    let { value: result, pauseMs: gcMs } = await gcPausesDuring(() => run(data, n));
    const c = process.cpuUsage(c0);
    const ms = (c.user + c.system) / 1000;
    const bytes = options.kept ? options.kept(data) : retains(n) ? mem() - before : null;
    options.check?.(result, n);
    points.push({ n, ms, bytes, gcMs });
    result = null;
    void result;
  }
  const fmt = (x: number, d = 2): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const head = ['n', 'total ms', `µs / ${op}`, `GC pause µs / ${op}`, `B / ${item}`, 'k'];
  const rows = points.map((p, i) => {
    const prev = points[i - 1];
    const k = prev ? Math.log(p.ms / prev.ms) / Math.log(p.n / prev.n) : null;
    return [p.n.toLocaleString('en-US'), fmt(p.ms, 1), fmt((p.ms * 1000) / ops(p.n), 3), fmt((p.gcMs * 1000) / ops(p.n), 3), p.bytes === null ? '—' : fmt(Math.max(0, p.bytes) / p.n, 0), k === null ? '—' : k.toFixed(2)];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padStart(widths[c]!)).join('  ');
  console.log(`\n## ${title}\n${line(head)}`);
  for (const r of rows) console.log(line(r));
}

const decades = [1e3, 1e4, 1e5, 1e6, 1e7];
function assertThat(ok: boolean, what: string): void {
  if (!ok) throw new Error(`curve check failed: ${what}`);
}

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
  // Asks about person i % people at NOW + day + i/(people · perDay) days: each person `perDay` times a simulated day.
  const ask = async (stores: DecideStores, people: number, from: number, count: number, day: number, perDay = 1): Promise<number> => {
    let contacted = 0;
    for (let i = from; i < from + count; i++) {
      const d = await decide({ requestId: `r${day}-${i}`, identifiers: [{ type: 'email', value: `p${i % people}@example.com` }], channel: 'email', now: NOW + day * DAY + Math.floor((i * DAY) / (people * perDay)) }, stores, config);
      if (d.contact) contacted++;
    }
    return contacted;
  };
  // Built (untimed): the stores seeded, then every person decided once, so the timed decisions are steady-state
  // (warm code, each person already seen) rather than a first touch of each.
  // `before` is the heap before seeding: the bytes the stores keep are read after the timing (a collection between
  // the seeding and the timing would skew it, see `curve`).
  const warmed = async (people: number, eventsEach: number): Promise<{ stores: DecideStores; people: number; before: number }> => {
    const before = mem();
    const stores = await seed(people, eventsEach);
    await ask(stores, people, 0, people, 0);
    return { stores, people, before };
  };
  await curve(
    `decide: one decision among n people (20 events each; ${DECISIONS.toLocaleString('en-US')} decisions timed per size, after one per person)`,
    'person',
    [1e3, 1e4, 1e5, 1e6].filter((n) => n <= Math.min(MAX, 1e5) || process.env.CURVES_DECIDE_1E6 === '1'),
    (n) => warmed(n, 20),
    ({ stores, people }) => ask(stores, people, 0, DECISIONS, 1),
    // B / person: what the seeded and warmed memory stores keep (identity, consent ledger, events, contacts).
    { ops: () => DECISIONS, op: 'decision', kept: (d) => mem() - d.before },
  );
  // 100 people, each with n events in the 30 days before the first ask; each asked 100 times (10,000 decisions),
  // five times a simulated day, so every ask falls within 21 days of the events and the demo's 60-day lookback
  // still holds all n of them.
  await curve(
    `decide: one decision for a person with n events (100 people; ${DECISIONS.toLocaleString('en-US')} decisions timed per size)`,
    'event',
    [1e1, 1e2, 1e3, 1e4],
    (n) => warmed(100, n),
    ({ stores }) => ask(stores, 100, 0, DECISIONS, 1, 5),
    // B / event: what the stores keep per event of each person (with the 100 people's fixed part spread over them).
    { ops: () => DECISIONS, op: 'decision', kept: (d) => (mem() - d.before) / 100 },
  );
}

// The curves below keep their input in memory (built outside the timing): those whose input is ≈ 0.5–2 kB per
// item stop at 10⁶ (10⁷ would not fit the default 4 GB heap); assignment and the KPI pass go to 10⁷ with CURVES_MAX.
const upTo1e6 = decades.filter((d) => d <= 1e6);

// experiments (1): assignment. What runs at scale is assigning every person who reaches a test: `assign` of n
// people to a 3-variant GrowthBook-compatible experiment (hash v2, coverage 0.9) behind a 5 % global holdout.
// The ids are built outside the timing; nothing is kept (an assignment is one of the precomputed outcomes).
{
  const exp = parseExperiment({ id: 'subject-line', variants: [{ id: 'control', weight: 0.5 }, { id: 'emoji', weight: 0.3 }, { id: 'short', weight: 0.2 }], coverage: 0.9, hashVersion: 2 });
  const holdout = parseHoldout({ id: 'global-2026', share: 0.05 });
  await curve(
    'experiments: assign (3 variants, coverage 0.9, global holdout)',
    'person',
    decades,
    (n) => {
      const rng = createRng(11);
      return Array.from({ length: n }, (_, i) => `person-${i}-${rng.int(1e9).toString(36)}`);
    },
    (ids) => {
      let treated = 0;
      const ctx = { now: NOW, holdout };
      for (const id of ids) if (assign(exp, id, ctx).variantIndex > 0) treated++;
      return treated;
    },
    { retains: false, check: (treated, n) => assertThat(Math.abs((treated as number) / n - 0.95 * 0.9 * 0.5) < 0.05, 'assign: about 43 % of people in a treatment') },
  );
}

// experiments (2): the analysis as it runs on the shared history: `statsFromHistories` over n people (one
// exposure event each, purchases before and after it: a revenue metric with a 28-day CUPED covariate and a
// conversion metric), then `analyzeExperiment` with CUPED, the sequential interval and Holm. The histories are
// built outside the timing; the result kept is the analysis (a few hundred bytes whatever n).
{
  const metrics = parseMetrics([
    { id: 'revenue', type: 'purchase', aggregate: 'sum', property: 'amount', window: '14d', covariateWindow: '28d' },
    { id: 'bought', type: 'purchase', aggregate: 'conversion', window: '14d' },
  ]);
  const variants = ['control', 'emoji', 'short'];
  await curve(
    'experiments: statsFromHistories + analyzeExperiment (2 metrics, CUPED, sequential)',
    'person',
    upTo1e6,
    (n) => {
      const rng = createRng(12);
      return Array.from({ length: n }, (_, i): History => {
        const subjectId = `p${i}`;
        const exposedAt = NOW - 28 * DAY + rng.int(28 * DAY);
        const v = rng.int(3);
        const events: BehaviourEvent[] = [];
        const before = rng.int(3);
        for (let k = 0; k < before; k++) events.push({ subjectId, type: 'purchase', at: exposedAt - 1 - rng.int(28 * DAY), properties: { amount: 10 + rng.int(90) } });
        events.push({ id: `x-${i}`, subjectId, type: 'experiment_exposure', at: exposedAt, properties: { experimentId: 'subject-line', variantId: variants[v]! } });
        const after = rng.next() < 0.3 + 0.02 * v ? 1 + rng.int(2) : 0;
        for (let k = 0; k < after; k++) events.push({ subjectId, type: 'purchase', at: exposedAt + 1 + rng.int(14 * DAY), properties: { amount: 10 + rng.int(90) } });
        events.sort((a, b) => a.at - b.at);
        return { subjectId, contacts: [], responses: [], events };
      });
    },
    (histories) => {
      const stats = statsFromHistories('subject-line', variants, metrics, histories, NOW);
      return [analyzeExperiment(stats, { metric: 'revenue', sequential: { tau: 2 } }), analyzeExperiment(stats, { metric: 'bought', kind: 'proportion' })];
    },
    { check: (r, n) => assertThat((r as ExperimentAnalysis[])[0]!.variants.reduce((s, v) => s + v.units, 0) === n && (r as ExperimentAnalysis[])[0]!.comparisons.length === 2, 'analysis: every person counted once, two comparisons') },
  );
}

// timing (1): the nightly fit. What runs at scale is learning everyone's send-time and channel habits from the
// shared history: `setProfile` (zone, segment) + `observeHistory` for each of n people (4 contacts over 12
// weeks on 3 channels, about half answered, first response within the hour), then one `refit` (the
// concentrations, one pass). The histories are built outside the timing; the memory kept is the model.
const TIMING_ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'UTC'];
function* timingPeople(n: number) {
  const rng = createRng(13);
  const channels = ['email', 'sms', 'push'];
  for (let i = 0; i < n; i++) {
    const subjectId = `p${i}`;
    const habit = rng.int(168);
    const contacts: Array<{ id: string; subjectId: string; channel: string; at: number }> = [];
    const responses: Array<{ subjectId: string; channel: string; kind: string; at: number; contactId: string }> = [];
    for (let c = 0; c < 4; c++) {
      const channel = channels[rng.int(3)]!;
      const at = NOW - 84 * DAY + rng.int(11) * 7 * DAY + ((habit + rng.int(5) - 2 + 168) % 168) * 3_600_000 + rng.int(3_600_000);
      const id = `${subjectId}-c${c}`;
      contacts.push({ id, subjectId, channel, at });
      if (rng.next() < 0.5) responses.push({ subjectId, channel, kind: rng.next() < 0.2 ? 'clicked' : 'opened', at: at + 60_000 + rng.int(3_000_000), contactId: id });
    }
    contacts.sort((a, b) => a.at - b.at);
    responses.sort((a, b) => a.at - b.at);
    yield { subjectId, zone: TIMING_ZONES[i % TIMING_ZONES.length]!, segment: `s${i % 8}`, contacts, responses };
  }
}
const timingHistories = (n: number) => [...timingPeople(n)];
const fitTiming = (people: Iterable<ReturnType<typeof timingHistories>[number]>): TimingModel => {
  const model = new TimingModel({ channels: ['email', 'sms', 'push'] });
  for (const p of people) {
    model.setProfile(p.subjectId, { timeZone: p.zone, segment: p.segment });
    model.observeHistory(p, NOW);
  }
  refit(model);
  return model;
};
await curve('timing: setProfile + observeHistory for n people, then refit', 'person', upTo1e6, timingHistories, fitTiming, { check: (m, n) => assertThat((m as TimingModel).size === n && (m as TimingModel).fit !== null, 'timing: every person in the fitted model') });
// The same fit with the histories generated one person at a time inside the timing (so nothing but the model is
// kept): with CURVES_TIMING_STREAMED=1, to tell the model's own cost from the GC's marking of 10⁶ kept histories.
if (process.env.CURVES_TIMING_STREAMED === '1') {
  await curve('timing: streamed histories (generated inside the timing), the same fit', 'person', upTo1e6, (n) => n, (n) => fitTiming(timingPeople(n)), { check: (m, n) => assertThat((m as TimingModel).size === n, 'timing: every person in the fitted model') });
}

// timing (2): scoring. The per-send question — the best legal moment for one person — asked of a model that
// holds n people: `bestSendTime` (7 days at 15 minutes, 672 moments, 6 cap rules, the person's own history of
// 3 contacts) for 10,000 people per size. Its cost should not depend on n (a person is one row of the model);
// the model is fitted outside the timing.
{
  const ASKS = 10_000;
  const rules = sendCapRules('Europe/Paris');
  const sendCaps = compileSendCaps(rules);
  await curve(
    `timing: bestSendTime in a model of n people (7 days at 15 min, 6 cap rules; ${ASKS.toLocaleString('en-US')} people asked per size)`,
    'person in the model',
    upTo1e6,
    async (n) => {
      const built = ((): { model: TimingModel; asked: Array<{ id: string; zone: string; history: History }> } => {
        const people = timingHistories(n);
        const model = fitTiming(people);
        const asked = Array.from({ length: ASKS }, (_, i) => {
          const p = people[Math.floor((i * n) / ASKS)]!;
          const contacts: ContactRecord[] = p.contacts.slice(-3).map((c) => ({ ...c, tags: ['marketing'], transactional: false }));
          return { id: p.subjectId, zone: p.zone, history: createHistory(p.subjectId, { contacts }) };
        });
        return { model, asked };
      })();
      // The histories the model was fitted on (≈ 1 GB at 10⁶ people) are garbage now: collect them and let the
      // GC's background threads finish before the timing, or their work (CPU time of this process) lands in the
      // first few hundred milliseconds of asks and reads as a cost of the model's size.
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 500));
      return built;
    },
    ({ model, asked }) => {
      let found = 0;
      for (const a of asked) {
        if (bestSendTime(model, a.id, { channel: 'email', now: NOW, horizon: '7d', resolution: '15m', caps: sendCaps, history: a.history, candidate: { tags: ['marketing'] }, timeZone: a.zone }).best !== null) found++;
      }
      return found;
    },
    { ops: () => ASKS, op: 'bestSendTime', retains: false, check: (found) => assertThat((found as number) > ASKS / 2, 'bestSendTime: most people have a legal moment') },
  );
}

// insights (1): the KPI pass. What runs at scale is the one-pass KPI computation over everyone's history:
// `accumulateKpis` over people until n records (contacts, responses and events, ≈ 11.5 per person: the test
// suite's synthetic retailer), grouped by channel × campaign × local week (Europe/Paris), then `kpiTable` of 12
// KPIs (rates, revenue, distinct people, retention) and `pressureReport` against a weekly cap. The histories
// are built outside the timing. Memory kept is the table (its size follows the groups, not the records).
{
  const recordsOf = (h: SubjectHistory): number => h.contacts.length + h.responses.length + h.events.length;
  const START = NOW - 12 * 7 * DAY;
  await curve(
    'insights: accumulateKpis by channel × campaign × week + kpiTable + pressureReport',
    'record',
    decades,
    (n) => {
      const out: SubjectHistory[] = [];
      let records = 0;
      for (const h of syntheticHistories({ people: Number.MAX_SAFE_INTEGER, seed: 14, start: START, weeks: 12 })) {
        if (records >= n) break;
        out.push(h);
        records += recordsOf(h);
      }
      return out;
    },
    (histories) => {
      const acc = accumulateKpis(histories, { by: ['channel', 'campaign', 'period'], period: 'week', timeZone: 'Europe/Paris' });
      const table = kpiTable(acc, ['contacts', 'deliveryRate', 'openRate', 'clickThroughRate', 'conversionRate', 'optOutRate', 'revenue', 'revenuePerContact', 'activePeople', 'buyers', 'retentionRate', 'contactsPerPerson']);
      return { table, pressure: pressureReport(acc, { rules: [{ id: 'weekly', kind: 'limit', limit: 3, window: 'week' }] }) };
    },
    { check: (r) => assertThat((r as { table: KpiTable }).table.rows.length > 0 && (r as { pressure: unknown[] }).pressure.length > 0, 'KPIs: rows and pressure') },
  );
}

// insights (2): cohorts and customer value, per person. `CohortAccumulator` (monthly acquisition cohorts) +
// `cohortReport`, then `summariseCustomers`, the BG/NBD and Gamma-Gamma fits and `predictCustomerValue` for
// every customer (a year ahead) over n people. These read purchases only, so each person's history here is a
// year of purchase events (60 % have bought, 1–8 orders, a personal buying rate and drop-out) and a few page
// views — not the KPI pass's full synthetic retailer, whose ≈ 2 kB per person would not fit 10⁶ people in the
// default heap. The histories are built outside the timing; the predictions are kept.
{
  const YEAR = 364 * DAY;
  await curve(
    'insights: cohorts + summariseCustomers + BG/NBD and Gamma-Gamma fits + predictCustomerValue for each customer',
    'person',
    upTo1e6,
    (n) => {
      const rng = createRng(15);
      return Array.from({ length: n }, (_, i): SubjectHistory => {
        const subjectId = `p${i}`;
        const events: BehaviourEvent[] = [];
        for (let v = rng.int(3); v > 0; v--) events.push({ subjectId, type: 'page_view', at: NOW - rng.int(YEAR), properties: {} });
        if (rng.next() < 0.6) {
          let at = NOW - rng.int(YEAR);
          const gap = (2 + rng.int(12)) * 7 * DAY;
          const spend = 20 + rng.int(100);
          for (let k = 0; k < 8 && at < NOW; k++) {
            events.push({ subjectId, type: 'purchase', at, properties: { amount: Math.round(spend * (0.5 + rng.next())) } });
            if (rng.next() < 0.25) break;
            at += 1 + rng.int(2 * gap);
          }
        }
        events.sort((a, b) => a.at - b.at);
        return { subjectId, contacts: [], responses: [], events };
      });
    },
    (histories) => {
      const cohorts = new CohortAccumulator({ period: 'month', timeZone: 'Europe/Paris' });
      for (const h of histories) cohorts.add(h);
      const report = cohortReport(cohorts, NOW);
      const customers = summariseCustomers(histories, NOW, { unit: 'week' });
      const bg = fitBgNbd(customers);
      const gg = fitGammaGamma(customers);
      return { report, values: customers.map((c) => predictCustomerValue(bg, gg, c, { horizon: 52 }).value) };
    },
    { check: (r, n) => assertThat((r as { values: number[] }).values.length > 0.4 * n && (r as { values: number[] }).values.every(Number.isFinite), 'customer value: a finite prediction per customer') },
  );
}

// journeys: advancing people through a running multi-step journey. What runs at scale is the runner's tick:
// every in-flight instance whose wake-up is due is advanced once. Here n people are in the white-paper journey
// (sends on two channels, tasks, waits, a split on reactions, goals, an exit), spread over its steps (each
// advanced 0–6 times before the timing, untimed); then each is advanced once, at its wake-up, with consent,
// caps (a daily limit and quiet hours), the contact history, and new inputs: an open of the newsletter for a
// third of those who got it, a purchase (the goal) for 1 in 20. The new instances are kept.
{
  const journey = parseJourney(whitePaper);
  const consent = consentState(
    ([['email', 'marketing'], ['email', 'service'], ['direct_mail', 'marketing']] as const).map(([channel, purpose]) => parseConsentEvent({ id: `${channel}-${purpose}`, subjectId: 'x', channel, purpose, kind: 'granted', at: 0, evidence: { source: 'bench' } })),
  );
  const caps = parseCapRules({ timeZone: 'Europe/Paris', rules: [{ id: 'day', kind: 'limit', limit: 2, window: 'day', scope: { tags: 'marketing' } }, { id: 'night', kind: 'quiet', ranges: [{ from: '22:00', to: '07:00' }] }] });
  const base = { consent, caps, history: { contacts: [], responses: [] } };
  const T0 = NOW - 60 * DAY;
  await curve(
    'journeys: advance n people one step (white paper: sends, tasks, waits, split, goals; consent + caps)',
    'person',
    upTo1e6,
    (n) => {
      const rng = createRng(16);
      return Array.from({ length: n }, (_, i) => {
        let inst = startInstance(journey, `lead-${i}`, T0 + rng.int(DAY));
        for (let r = rng.int(7); r > 0 && inst.wakeAt !== null; r--) inst = advance(journey, inst, base, inst.wakeAt).instance;
        const at = inst.wakeAt ?? inst.stepAt;
        const sentNewsletter = inst.seq > 6;
        const responses = sentNewsletter && rng.next() < 1 / 3 ? [{ subjectId: inst.subjectId, kind: 'opened' as const, at: at - 1, contactId: `${inst.id}:newsletter:6` }] : [];
        const events: BehaviourEvent[] = rng.next() < 0.05 ? [{ subjectId: inst.subjectId, type: 'purchase', at: at - 1, properties: {} }] : [];
        return { inst, inputs: { ...base, responses, events }, at };
      });
    },
    (people) => people.map((p) => advance(journey, p.inst, p.inputs, p.at).instance),
    {
      // The inputs must be used: some people reach the goal, some who opened the newsletter take the demo branch.
      check: (r, n) => assertThat(n < 1000 || ((r as JourneyInstance[]).some((i) => i.outcome === 'purchased') && (r as JourneyInstance[]).some((i) => i.step === 'j15')), 'journeys: goals and reaction splits taken'),
    },
  );
}
