/**
 * Arbitration: one decision over 1,000 offers with suppression from a 200-contact history, against a
 * straightforward implementation (array filter/sort per call, the oracle of the property tests); the greedy batch
 * optimiser on 100k customers × 50 offers against a plain sort-the-pairs greedy; the exact optimiser against
 * javascript-lp-solver on 200 small instances, and the greedy's optimality gap there.
 */
import fc from 'fast-check';
import { arbitrate, parseCatalogue, optimizeExact, optimizeGreedy, type CandidateColumns, type CatalogueInput, type OptimizationCustomer } from '../src/arbitration/index.js';
import { createRng } from '../src/core/random.js';
import { DAY, NOW, buildHistory, naiveArbitrate, problemArb } from '../test/arbitraries/arbitration.js';
import { lpOptimum } from '../test/oracles/lp.js';
import { checkSame, compare, timeJob } from './harness.js';

const rng = createRng(8);
const CH = ['email', 'sms', 'web', 'call_center', 'app'];
const CATS = ['shoes', 'bags', 'coats', 'hats', 'socks', 'belts'];

// --- 1 customer × 1,000 offers, 200-contact history -------------------------------------------------------
const offers: CatalogueInput['offers'] = Array.from({ length: 1000 }, (_, i) => ({
  id: `offer-${String(i).padStart(4, '0')}`,
  channels: [CH[i % CH.length]!, ...CH.filter(() => rng.next() < 0.4)].filter((c, k, all) => all.indexOf(c) === k),
  value: Math.round(1 + rng.next() * 500),
  propensity: rng.next() * 0.3,
  priority: rng.int(3),
  tags: [rng.next() < 0.3 ? 'discount' : 'regular', `category:${CATS[rng.int(CATS.length)]}`],
  exclusionGroups: rng.next() < 0.2 ? [`g${rng.int(20)}`] : [],
  ...(rng.next() < 0.3 ? { eligibility: rng.next() < 0.5 ? 'gold' : { notSegments: ['churned'] } } : {}),
  ...(rng.next() < 0.1 ? { validUntil: NOW - DAY } : {}),
  ...(rng.next() < 0.1 ? { capacity: { perDay: 100 } } : {}),
  policy: {
    maxPresentations: { count: 3, window: '30d' },
    afterAcceptance: { suppressFor: '90d' },
    afterRefusals: { count: 2, window: '30d', suppressFor: '60d' },
    withoutResponse: { count: 4 },
  },
}));
const catalogue = parseCatalogue({ offers, guards: [{ id: 'full-price', offerTags: ['discount'], window: '30d' }] });
const hot = offers.slice(0, 150).map((o) => o.id);
const contacts = Array.from({ length: 200 }, () => ({ offerId: hot[rng.int(hot.length)]!, channel: CH[rng.int(CH.length)]!, at: NOW - rng.int(90 * 24) * 3_600_000 }));
const responses = Array.from({ length: 60 }, () => ({
  offerId: hot[rng.int(hot.length)]!,
  channel: CH[rng.int(CH.length)]!,
  at: NOW - rng.int(90 * 24) * 3_600_000,
  kind: (['refused', 'accepted', 'opened', 'ignored'] as const)[rng.int(4)]!,
}));
const events = Array.from({ length: 20 }, () => ({ at: NOW - rng.int(60 * 24) * 3_600_000, category: CATS[rng.int(CATS.length)]!, fullPrice: rng.next() < 0.5, type: 'purchase' }));
const history = buildHistory('p1', contacts, responses, events);
const usage = { 'offer-0001': { day: 100 } };
const context = { subjectId: 'p1', segments: ['gold'] };
const opts = { now: NOW, channel: 'web', slots: 3, usage };

const ours = () => arbitrate(context, catalogue, history, opts);
const peer = () => naiveArbitrate(catalogue, history, context, opts);
const o = ours();
checkSame('decision', { selected: o.selected.map((s) => s.offerId), excluded: o.excluded.map((e) => [e.offerId, e.reason.code]) }, peer());
const codes = new Map<string, number>();
for (const e of o.excluded) codes.set(e.reason.code, (codes.get(e.reason.code) ?? 0) + 1);
await compare('arbitrate: 1 customer × 1,000 offers, 200 contacts + 60 responses + 20 purchases, 3 slots', { name: 'crosschannel arbitrate', fn: ours }, [{ name: 'straightforward filter/sort', fn: peer }], {
  note: `exclusions: ${[...codes].map(([k, v]) => `${k} ${v}`).join(', ')}`,
});

// --- greedy on 100k customers × 50 offers -----------------------------------------------------------------
const N = 100_000;
const K = 50;
const bigOffers = Array.from({ length: K }, (_, i) => `o${i}`);
// The same instance twice: as typed-array columns (the large-batch input) and as candidate objects.
const bigValue = new Float64Array(N * K);
const bigCost = new Float64Array(N * K);
const bigOffer = new Int32Array(N * K);
const bigChannel = new Int32Array(N * K);
for (let c = 0; c < N; c++) {
  for (let j = 0; j < K; j++) {
    const k = c * K + j;
    bigValue[k] = Math.round(rng.next() * 1000) / 10;
    bigCost[k] = j % 7;
    bigOffer[k] = j;
    bigChannel[k] = j % CH.length;
  }
}
const columns: CandidateColumns = {
  customerIds: Array.from({ length: N }, (_, c) => `c${c}`),
  customerOffsets: Int32Array.from({ length: N + 1 }, (_, c) => c * K),
  offerIds: bigOffers,
  offer: bigOffer,
  value: bigValue,
  channelIds: CH,
  channel: bigChannel,
  cost: bigCost,
};
const constraints = {
  maxOffersPerCustomer: 2,
  offers: Object.fromEntries(bigOffers.map((id, j) => [id, { capacity: 2000 + j * 100, ...(j % 5 === 0 ? { budget: 20_000 } : {}) }])),
  channels: { call_center: { capacity: 500 }, sms: { capacity: 30_000 } },
  budget: 400_000,
};
/** The plain greedy a team would write: materialise every pair, sort by value with a comparator, take what fits. */
function plainGreedy(cs: ReadonlyArray<OptimizationCustomer>, c: typeof constraints): number {
  const pairs: Array<{ ci: number; offerId: string; channel: string; value: number; cost: number }> = [];
  cs.forEach((cu, ci) => cu.candidates.forEach((k) => pairs.push({ ci, offerId: k.offerId, channel: k.channel!, value: k.value, cost: k.cost ?? 0 })));
  pairs.sort((a, b) => b.value - a.value || a.ci - b.ci);
  const perCustomer = new Map<number, string[]>();
  const perOffer = new Map<string, { n: number; cost: number }>();
  const perChannel = new Map<string, number>();
  let spent = 0;
  let total = 0;
  for (const p of pairs) {
    const given = perCustomer.get(p.ci) ?? [];
    const po = perOffer.get(p.offerId) ?? { n: 0, cost: 0 };
    const lim = c.offers[p.offerId]!;
    const ch = perChannel.get(p.channel) ?? 0;
    const chLim = (c.channels as Record<string, { capacity: number }>)[p.channel]?.capacity ?? Infinity;
    if (given.length >= c.maxOffersPerCustomer || given.includes(p.offerId) || po.n >= lim.capacity || ch >= chLim) continue;
    if (po.cost + p.cost > (lim.budget ?? Infinity) || spent + p.cost > c.budget) continue;
    given.push(p.offerId);
    perCustomer.set(p.ci, given);
    po.n++;
    po.cost += p.cost;
    perOffer.set(p.offerId, po);
    perChannel.set(p.channel, ch + 1);
    spent += p.cost;
    total += p.value;
  }
  return total;
}
const g = await timeJob(() => optimizeGreedy(columns, constraints, { strategy: 'density' }), 3);
const gv = await timeJob(() => optimizeGreedy(columns, constraints, { strategy: 'value' }), 3);
const gb = await timeJob(() => optimizeGreedy(columns, constraints), 3);
const customers: OptimizationCustomer[] = columns.customerIds.map((id, c) => ({
  id,
  candidates: bigOffers.map((offerId, j) => ({ offerId, value: bigValue[c * K + j]!, channel: CH[j % CH.length]!, cost: bigCost[c * K + j]! })),
}));
const go = await timeJob(() => optimizeGreedy(customers, constraints), 3);
checkSame('greedy on columns and on objects', go.result, gb.result);
const pg = await timeJob(() => plainGreedy(customers, constraints), 3);
console.log(`\n## greedy: ${N.toLocaleString('en-US')} customers × ${K} offers (${(N * K).toLocaleString('en-US')} pairs), capacities, channel caps, budgets`);
const ms = (j: { medianMs: number; allMs: number[] }): string => `median ${j.medianMs.toFixed(0)} ms (${j.allMs.map((x) => x.toFixed(0)).join('/')})`;
console.log(`crosschannel optimizeGreedy, columns, density           ${ms(g)}  value ${g.result.totalValue.toFixed(1)}  assignments ${g.result.assignments.length}`);
console.log(`crosschannel optimizeGreedy, columns, value             ${ms(gv)}  value ${gv.result.totalValue.toFixed(1)}`);
console.log(`crosschannel optimizeGreedy, columns, best (default)    ${ms(gb)}  value ${gb.result.totalValue.toFixed(1)}`);
console.log(`crosschannel optimizeGreedy, 5M candidate objects, best ${ms(go)}  (same assignments as columns)`);
console.log(`plain pair-sort greedy over the objects (by value)     ${ms(pg)}  value ${pg.result.toFixed(1)}`);
console.log(`ratio plain ÷ crosschannel (time, same objects input, best): ${(pg.medianMs / go.medianMs).toFixed(2)}×; value ratio crosschannel ÷ plain ${(go.result.totalValue / pg.result).toFixed(4)}`);

// --- exact vs javascript-lp-solver, greedy gap, 200 small instances ---------------------------------------
const instances = fc.sample(problemArb(7), { numRuns: 200, seed: 2026 });
// The first pass (checked equal below) also compiles both sides' code; five more passes, alternated, give the
// warmed time. Both are printed: a service solves many such instances, a script maybe one.
let exactMs = 0;
let lpMs = 0;
const gaps: number[] = [];
const gapsValue: number[] = [];
const gapsBest: number[] = [];
let maxNodes = 0;
for (const { customers: cs, constraints: cons } of instances) {
  let t = performance.now();
  const e = optimizeExact(cs, cons);
  exactMs += performance.now() - t;
  t = performance.now();
  const lp = lpOptimum(cs, cons);
  lpMs += performance.now() - t;
  if (Math.abs(lp - e.totalValue) > 1e-6) throw new Error(`exact ${e.totalValue} ≠ LP ${lp}`);
  maxNodes = Math.max(maxNodes, e.nodes);
  const gap = (v: number): number => (e.totalValue > 0 ? 1 - v / e.totalValue : 0);
  gaps.push(gap(optimizeGreedy(cs, cons, { strategy: 'density' }).totalValue));
  gapsValue.push(gap(optimizeGreedy(cs, cons, { strategy: 'value' }).totalValue));
  gapsBest.push(gap(optimizeGreedy(cs, cons).totalValue));
}
const warmExact: number[] = [];
const warmLp: number[] = [];
for (let pass = 0; pass < 5; pass++) {
  let t = performance.now();
  for (const { customers: cs, constraints: cons } of instances) optimizeExact(cs, cons);
  warmExact.push(performance.now() - t);
  t = performance.now();
  for (const { customers: cs, constraints: cons } of instances) lpOptimum(cs, cons);
  warmLp.push(performance.now() - t);
}
const medianOf = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\n## exact optimiser vs javascript-lp-solver, 200 random small instances (≤ 7 customers × 4 offers, capacities, channel caps, budgets)`);
console.log(`same optimum on 200/200 (max ${maxNodes} nodes); first pass (cold): crosschannel optimizeExact ${(exactMs / 200).toFixed(3)} ms/instance, javascript-lp-solver ${(lpMs / 200).toFixed(3)} ms/instance, ratio ${(lpMs / exactMs).toFixed(2)}×`);
console.log(`median of 5 warmed passes (alternated): crosschannel ${(medianOf(warmExact) / 200).toFixed(3)} ms/instance, javascript-lp-solver ${(medianOf(warmLp) / 200).toFixed(3)} ms/instance, ratio ${(medianOf(warmLp) / medianOf(warmExact)).toFixed(2)}×`);
console.log(`greedy optimality gap (density): mean ${pct(mean(gaps))}, worst ${pct(Math.max(...gaps))}, optimal on ${gaps.filter((x) => x < 1e-9).length}/200`);
console.log(`greedy optimality gap (value):   mean ${pct(mean(gapsValue))}, worst ${pct(Math.max(...gapsValue))}, optimal on ${gapsValue.filter((x) => x < 1e-9).length}/200`);
console.log(`greedy optimality gap (best):    mean ${pct(mean(gapsBest))}, worst ${pct(Math.max(...gapsBest))}, optimal on ${gapsBest.filter((x) => x < 1e-9).length}/200`);
