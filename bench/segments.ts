/**
 * Segments: the same rule set evaluated by crosschannel (compiled once), json-rules-engine and json-logic-js
 * over the same synthetic profiles. One operation = all segments of the set for one profile (its memberships).
 *
 * - Attribute rules: 6 segments over 1,000,000 profiles (flat attributes, as json-rules-engine facts).
 * - Event-window rules (10 events per profile): 3 segments over 100,000 profiles (1M × 10 events would be
 *   10M event objects; fewer profiles, same per-profile work), crosschannel vs json-logic-js (filter/reduce
 *   with the window bounds embedded); json-rules-engine has no event-list operators (it would need custom
 *   JavaScript facts), so it is left out of that line.
 * - Mixed rules (issue 21's workload): 6 segments mixing attributes, event counts/sums in windows and "did …
 *   not since", crosschannel reading the raw events, both peers handed the same facts precomputed (untimed);
 *   per call and as one full pass over the population.
 */
import { Engine } from 'json-rules-engine';
import jsonLogic from 'json-logic-js';
import { createRng } from '../src/core/random.js';
import type { BehaviourEvent } from '../src/core/records.js';
import { compileSegments } from '../src/segments/index.js';
import { checkSame, compare } from './harness.js';

const N_PROFILES = Number(process.env.SEGMENTS_PROFILES ?? 1_000_000);
const N_EVENT_PROFILES = Number(process.env.SEGMENTS_EVENT_PROFILES ?? 100_000);
const NOW = Date.UTC(2026, 0, 15);
const DAY = 86_400_000;
const rng = createRng(42);
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
/** Uniform integer in [lo, hi]. */
const between = (lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

const COUNTRIES = ['FR', 'BE', 'DE', 'ES', 'IT', 'LU', 'NL', 'US'] as const;
const PLANS = ['free', 'pro', 'team', 'enterprise'] as const;
const STATUSES = ['active', 'churned', 'trial'] as const;
type Profile = { country: string; age: number; ltv: number; vip: boolean; plan: string; status: string; orders: number; score: number };
const profiles: Profile[] = Array.from({ length: N_PROFILES }, () => ({
  country: pick(COUNTRIES),
  age: between(18, 80),
  ltv: between(0, 2000),
  vip: rng.next() < 0.05,
  plan: pick(PLANS),
  status: pick(STATUSES),
  orders: between(0, 40),
  score: between(0, 100),
}));

// ---- the rule set, written once per engine -------------------------------------------------------------
const ours = compileSegments([
  { id: 'benelux-adults', rule: { and: [{ attr: 'country', op: 'in', value: ['FR', 'BE', 'LU'] }, { attr: 'age', op: 'gte', value: 25 }] } },
  { id: 'high-value', rule: { or: [{ attr: 'ltv', op: 'gt', value: 1500 }, { attr: 'vip', op: 'eq', value: true }] } },
  { id: 'paying-active', rule: { and: [{ not: { attr: 'status', op: 'eq', value: 'churned' } }, { attr: 'plan', op: 'in', value: ['pro', 'team', 'enterprise'] }] } },
  { id: 'young-frequent', rule: { and: [{ attr: 'age', op: 'lt', value: 30 }, { attr: 'orders', op: 'gte', value: 20 }] } },
  { id: 'at-risk', rule: { and: [{ attr: 'score', op: 'lte', value: 20 }, { attr: 'ltv', op: 'gte', value: 500 }, { attr: 'status', op: 'neq', value: 'churned' }] } },
  { id: 'us-trial', rule: { and: [{ attr: 'country', op: 'eq', value: 'US' }, { attr: 'status', op: 'eq', value: 'trial' }] } },
]);

const logic: Array<[string, jsonLogic.RulesLogic]> = [
  ['benelux-adults', { and: [{ in: [{ var: 'country' }, ['FR', 'BE', 'LU']] }, { '>=': [{ var: 'age' }, 25] }] }],
  ['high-value', { or: [{ '>': [{ var: 'ltv' }, 1500] }, { '===': [{ var: 'vip' }, true] }] }],
  ['paying-active', { and: [{ '!': { '===': [{ var: 'status' }, 'churned'] } }, { in: [{ var: 'plan' }, ['pro', 'team', 'enterprise']] }] }],
  ['young-frequent', { and: [{ '<': [{ var: 'age' }, 30] }, { '>=': [{ var: 'orders' }, 20] }] }],
  ['at-risk', { and: [{ '<=': [{ var: 'score' }, 20] }, { '>=': [{ var: 'ltv' }, 500] }, { '!==': [{ var: 'status' }, 'churned'] }] }],
  ['us-trial', { and: [{ '===': [{ var: 'country' }, 'US'] }, { '===': [{ var: 'status' }, 'trial'] }] }],
];
const logicMembers = (p: Profile): string[] => {
  const out: string[] = [];
  for (const [id, rule] of logic) if (jsonLogic.apply(rule, p)) out.push(id);
  return out;
};

const engine = new Engine([], { allowUndefinedFacts: true });
const fact = (name: string, operator: string, value: unknown) => ({ fact: name, operator, value });
const jreRules: Array<[string, object]> = [
  ['benelux-adults', { all: [fact('country', 'in', ['FR', 'BE', 'LU']), fact('age', 'greaterThanInclusive', 25)] }],
  ['high-value', { any: [fact('ltv', 'greaterThan', 1500), fact('vip', 'equal', true)] }],
  ['paying-active', { all: [{ not: fact('status', 'equal', 'churned') }, fact('plan', 'in', ['pro', 'team', 'enterprise'])] }],
  ['young-frequent', { all: [fact('age', 'lessThan', 30), fact('orders', 'greaterThanInclusive', 20)] }],
  ['at-risk', { all: [fact('score', 'lessThanInclusive', 20), fact('ltv', 'greaterThanInclusive', 500), fact('status', 'notEqual', 'churned')] }],
  ['us-trial', { all: [fact('country', 'equal', 'US'), fact('status', 'equal', 'trial')] }],
];
jreRules.forEach(([id, conditions], i) => engine.addRule({ conditions: conditions as never, event: { type: id }, priority: 100 - i }));
const order = new Map(jreRules.map(([id], i) => [id, i]));
const jreMembers = async (p: Profile): Promise<string[]> => {
  const r = await engine.run(p);
  return r.events.map((e) => e.type).sort((a, b) => order.get(a)! - order.get(b)!);
};

// ---- same answers first ---------------------------------------------------------------------------------
const sample = profiles.slice(0, 2000);
checkSame('attribute rules vs json-logic-js', sample.map((p) => ours.evaluate(p, [], NOW)), sample.map(logicMembers));
checkSame('attribute rules vs json-rules-engine', sample.map((p) => ours.evaluate(p, [], NOW)), await Promise.all(sample.map(jreMembers)));

const sizes = (lists: string[][]): string => {
  const m = new Map<string, number>();
  for (const l of lists) for (const id of l) m.set(id, (m.get(id) ?? 0) + 1);
  return [...m].map(([id, n]) => `${id} ${n}`).join(', ');
};
console.log(`members among the first 2,000 profiles (the rules do select): ${sizes(sample.map((p) => ours.evaluate(p, [], NOW)))}`);

let i = 0;
const next = (): Profile => profiles[(i = (i + 1) % N_PROFILES)]!;
await compare(
  `attribute rules: 6 segments per profile, cycling over ${N_PROFILES.toLocaleString('en-US')} profiles`,
  { name: 'crosschannel compileSegments().evaluate', fn: () => ours.evaluate(next(), [], NOW) },
  [
    { name: 'json-logic-js apply ×6', fn: () => logicMembers(next()) },
    { name: 'json-rules-engine run', fn: () => jreMembers(next()) },
  ],
  { timeMs: 2000 },
);

// One full pass over the population (one-shot job), ours and json-logic-js, alternated; best of 2 each.
const passOurs = (): number => {
  let n = 0;
  for (let k = 0; k < N_PROFILES; k++) n += ours.evaluate(profiles[k]!, [], NOW).length;
  return n;
};
const passLogic = (): number => {
  let n = 0;
  for (let k = 0; k < N_PROFILES; k++) n += logicMembers(profiles[k]!).length;
  return n;
};
const timed = (fn: () => number): [number, number] => {
  const t0 = performance.now();
  const n = fn();
  return [performance.now() - t0, n];
};
const oursMs: number[] = [];
const logicMs: number[] = [];
for (let round = 0; round < 2; round++) {
  const [a, na] = timed(passOurs);
  const [b, nb] = timed(passLogic);
  checkSame('full pass memberships', na, nb);
  oursMs.push(a);
  logicMs.push(b);
}
const bestOurs = Math.min(...oursMs);
const bestLogic = Math.min(...logicMs);
console.log(
  `\nfull pass over ${N_PROFILES.toLocaleString('en-US')} profiles × 6 segments (best of 2): crosschannel ${bestOurs.toFixed(0)} ms, json-logic-js ${bestLogic.toFixed(0)} ms → ${(bestLogic / bestOurs).toFixed(2)}×`,
);

// ---- event-window rules -----------------------------------------------------------------------------------
const TYPES = ['page_view', 'page_view', 'page_view', 'cart_add', 'cart_abandon', 'purchase'] as const;
const histories: BehaviourEvent[][] = Array.from({ length: N_EVENT_PROFILES }, (_, s) =>
  Array.from({ length: 10 }, () => ({ subjectId: `p${s}`, type: pick(TYPES), at: NOW - between(0, 120) * DAY - between(0, DAY), properties: { amount: between(5, 300) } })).sort(
    (a, b) => a.at - b.at,
  ),
);
const eventSegments = compileSegments([
  { id: 'buyers-30d', rule: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } },
  { id: 'spenders-90d', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, window: { last: '90d' }, op: 'gt', value: 200 } },
  { id: 'browsers-7d', rule: { count: { type: ['page_view', 'cart_add'] }, window: { last: '7d' }, op: 'gte', value: 2 } },
]);
const inWindow = (days: number, typeTest: jsonLogic.RulesLogic): jsonLogic.RulesLogic => ({
  filter: [{ var: 'events' }, { and: [typeTest, { '>=': [{ var: 'at' }, NOW - days * DAY] }, { '<=': [{ var: 'at' }, NOW] }] }],
});
const eventLogic: Array<[string, jsonLogic.RulesLogic]> = [
  ['buyers-30d', { '>=': [{ reduce: [inWindow(30, { '===': [{ var: 'type' }, 'purchase'] }), { '+': [{ var: 'accumulator' }, 1] }, 0] }, 1] }],
  ['spenders-90d', { '>': [{ reduce: [inWindow(90, { '===': [{ var: 'type' }, 'purchase'] }), { '+': [{ var: 'accumulator' }, { var: 'current.properties.amount' }] }, 0] }, 200] }],
  ['browsers-7d', { '>=': [{ reduce: [inWindow(7, { in: [{ var: 'type' }, ['page_view', 'cart_add']] }), { '+': [{ var: 'accumulator' }, 1] }, 0] }, 2] }],
];
const eventLogicMembers = (events: BehaviourEvent[]): string[] => {
  const data = { events };
  const out: string[] = [];
  for (const [id, rule] of eventLogic) if (jsonLogic.apply(rule, data)) out.push(id);
  return out;
};
const eventSample = histories.slice(0, 2000);
checkSame('event rules vs json-logic-js', eventSample.map((h) => eventSegments.evaluate({}, h, NOW)), eventSample.map(eventLogicMembers));
console.log(`members among the first 2,000 histories: ${sizes(eventSample.map((h) => eventSegments.evaluate({}, h, NOW)))}`);
let j = 0;
const nextHistory = (): BehaviourEvent[] => histories[(j = (j + 1) % N_EVENT_PROFILES)]!;
await compare(
  `event-window rules: 3 segments per profile, 10 events each, cycling over ${N_EVENT_PROFILES.toLocaleString('en-US')} profiles`,
  { name: 'crosschannel (raw events)', fn: () => eventSegments.evaluate({}, nextHistory(), NOW) },
  [{ name: 'json-logic-js filter/reduce ×3', fn: () => eventLogicMembers(nextHistory()) }],
  { timeMs: 2000, repeat: 10 },
);

// ---- mixed rules: attributes + event counts in windows + "never since" ------------------------------------
// crosschannel evaluates the raw events (binary-searched windows); the peers are handed facts precomputed from
// the same events outside the timed loop (counts, sums, the "did … not since" flag), merged into the profile —
// the fairest setting for them, since neither has event-list operators of its own that would do this.
const MIXED_N = Math.min(N_EVENT_PROFILES, N_PROFILES);
const mixedSegments = compileSegments([
  { id: 'cart-abandoners', rule: { and: [{ attr: 'country', op: 'in', value: ['FR', 'BE', 'LU'] }, { did: { type: 'cart_add' }, notSince: { type: 'purchase' }, window: { last: '7d' } }] } },
  { id: 'lapsed-vip', rule: { and: [{ attr: 'vip', op: 'eq', value: true }, { count: { type: 'purchase' }, window: { last: '90d' }, op: 'lt', value: 1 }] } },
  { id: 'active-pro', rule: { and: [{ attr: 'plan', op: 'in', value: ['pro', 'team', 'enterprise'] }, { count: { type: 'page_view' }, window: { last: '7d' }, op: 'gte', value: 2 }] } },
  { id: 'big-spenders', rule: { and: [{ attr: 'age', op: 'gte', value: 25 }, { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, window: { last: '90d' }, op: 'gt', value: 200 }] } },
  { id: 'browsers-no-buy', rule: { and: [{ count: { type: 'page_view' }, window: { last: '30d' }, op: 'gte', value: 3 }, { not: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } }] } },
  { id: 'young-recent-buyer', rule: { and: [{ attr: 'age', op: 'lt', value: 30 }, { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 }] } },
]);
type Facts = Profile & { purchases30d: number; purchases90d: number; spend90d: number; views7d: number; views30d: number; abandonedCart7d: boolean };
const factsOf = (p: Profile, events: BehaviourEvent[]): Facts => {
  const since = (days: number) => NOW - days * DAY;
  let purchases30d = 0, purchases90d = 0, spend90d = 0, views7d = 0, views30d = 0;
  let lastCart = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    if (e.at > NOW) continue;
    if (e.type === 'purchase') {
      if (e.at >= since(30)) purchases30d++;
      if (e.at >= since(90)) {
        purchases90d++;
        spend90d += (e.properties as { amount: number }).amount;
      }
    } else if (e.type === 'page_view') {
      if (e.at >= since(7)) views7d++;
      if (e.at >= since(30)) views30d++;
    } else if (e.type === 'cart_add' && e.at >= since(7)) lastCart = Math.max(lastCart, e.at);
  }
  const abandonedCart7d = lastCart > Number.NEGATIVE_INFINITY && !events.some((e) => e.type === 'purchase' && e.at >= lastCart && e.at <= NOW);
  return { ...p, purchases30d, purchases90d, spend90d, views7d, views30d, abandonedCart7d };
};
const mixedFacts: Facts[] = Array.from({ length: MIXED_N }, (_, k) => factsOf(profiles[k]!, histories[k]!));
const mixedLogic: Array<[string, jsonLogic.RulesLogic]> = [
  ['cart-abandoners', { and: [{ in: [{ var: 'country' }, ['FR', 'BE', 'LU']] }, { '===': [{ var: 'abandonedCart7d' }, true] }] }],
  ['lapsed-vip', { and: [{ '===': [{ var: 'vip' }, true] }, { '<': [{ var: 'purchases90d' }, 1] }] }],
  ['active-pro', { and: [{ in: [{ var: 'plan' }, ['pro', 'team', 'enterprise']] }, { '>=': [{ var: 'views7d' }, 2] }] }],
  ['big-spenders', { and: [{ '>=': [{ var: 'age' }, 25] }, { '>': [{ var: 'spend90d' }, 200] }] }],
  ['browsers-no-buy', { and: [{ '>=': [{ var: 'views30d' }, 3] }, { '!': { '>=': [{ var: 'purchases30d' }, 1] } }] }],
  ['young-recent-buyer', { and: [{ '<': [{ var: 'age' }, 30] }, { '>=': [{ var: 'purchases30d' }, 1] }] }],
];
const mixedLogicMembers = (f: Facts): string[] => {
  const out: string[] = [];
  for (const [id, rule] of mixedLogic) if (jsonLogic.apply(rule, f)) out.push(id);
  return out;
};
const mixedEngine = new Engine([], { allowUndefinedFacts: true });
const mixedJre: Array<[string, object]> = [
  ['cart-abandoners', { all: [fact('country', 'in', ['FR', 'BE', 'LU']), fact('abandonedCart7d', 'equal', true)] }],
  ['lapsed-vip', { all: [fact('vip', 'equal', true), fact('purchases90d', 'lessThan', 1)] }],
  ['active-pro', { all: [fact('plan', 'in', ['pro', 'team', 'enterprise']), fact('views7d', 'greaterThanInclusive', 2)] }],
  ['big-spenders', { all: [fact('age', 'greaterThanInclusive', 25), fact('spend90d', 'greaterThan', 200)] }],
  ['browsers-no-buy', { all: [fact('views30d', 'greaterThanInclusive', 3), { not: fact('purchases30d', 'greaterThanInclusive', 1) }] }],
  ['young-recent-buyer', { all: [fact('age', 'lessThan', 30), fact('purchases30d', 'greaterThanInclusive', 1)] }],
];
mixedJre.forEach(([id, conditions], k) => mixedEngine.addRule({ conditions: conditions as never, event: { type: id }, priority: 100 - k }));
const mixedOrder = new Map(mixedJre.map(([id], k) => [id, k]));
const mixedJreMembers = async (f: Facts): Promise<string[]> => {
  const r = await mixedEngine.run(f);
  return r.events.map((e) => e.type).sort((a, b) => mixedOrder.get(a)! - mixedOrder.get(b)!);
};
const mixedSample = Array.from({ length: 2000 }, (_, k) => k);
const oursMixed = mixedSample.map((k) => mixedSegments.evaluate(profiles[k]!, histories[k]!, NOW));
checkSame('mixed rules vs json-logic-js (facts)', oursMixed, mixedSample.map((k) => mixedLogicMembers(mixedFacts[k]!)));
checkSame('mixed rules vs json-rules-engine (facts)', oursMixed, await Promise.all(mixedSample.map((k) => mixedJreMembers(mixedFacts[k]!))));
console.log(`members among the first 2,000 (mixed): ${sizes(oursMixed)}`);
let m = 0;
await compare(
  `mixed rules: 6 segments (attributes + event counts/sums in windows + "did … not since"), 10 raw events per profile, cycling over ${MIXED_N.toLocaleString('en-US')} profiles`,
  {
    name: 'crosschannel (raw events)',
    fn: () => {
      m = (m + 1) % MIXED_N;
      return mixedSegments.evaluate(profiles[m]!, histories[m]!, NOW);
    },
    // The clock read around each sample (≈ 0.3 µs) would be most of a sub-microsecond call: ten calls a sample on
    // both synchronous sides. json-rules-engine is asynchronous (one call a sample; the clock is < 1 % of its call).
    repeat: 10,
  },
  [
    { name: 'json-logic-js ×6 (precomputed facts)', fn: () => mixedLogicMembers(mixedFacts[(m = (m + 1) % MIXED_N)]!), repeat: 10 },
    { name: 'json-rules-engine (precomputed facts)', fn: () => mixedJreMembers(mixedFacts[(m = (m + 1) % MIXED_N)]!) },
  ],
  { timeMs: 2000, note: 'The peers get the counts, sums and the "did … not since" flag precomputed (untimed); crosschannel reads the raw events.' },
);

// One full pass over the population, as a segment refresh runs (no harness between calls at all). Alternated,
// best of 3.
const mixedPass = {
  ours: (): number => {
    let n = 0;
    for (let k = 0; k < MIXED_N; k++) n += mixedSegments.evaluate(profiles[k]!, histories[k]!, NOW).length;
    return n;
  },
  logic: (): number => {
    let n = 0;
    for (let k = 0; k < MIXED_N; k++) n += mixedLogicMembers(mixedFacts[k]!).length;
    return n;
  },
  jre: async (): Promise<number> => {
    let n = 0;
    for (let k = 0; k < MIXED_N; k++) n += (await mixedJreMembers(mixedFacts[k]!)).length;
    return n;
  },
};
const best = { ours: Infinity, logic: Infinity, jre: Infinity };
for (let round = 0; round < 3; round++) {
  let t0 = performance.now();
  const a = mixedPass.ours();
  best.ours = Math.min(best.ours, performance.now() - t0);
  t0 = performance.now();
  const b = mixedPass.logic();
  best.logic = Math.min(best.logic, performance.now() - t0);
  checkSame('mixed full pass (json-logic-js)', a, b);
  if (round === 0) {
    t0 = performance.now();
    const c = await mixedPass.jre();
    best.jre = performance.now() - t0;
    checkSame('mixed full pass (json-rules-engine)', a, c);
  }
}
console.log(
  `\nmixed rules, full pass over ${MIXED_N.toLocaleString('en-US')} profiles × 6 segments (best of 3; json-rules-engine once): crosschannel ${best.ours.toFixed(0)} ms (raw events), ` +
    `json-logic-js ${best.logic.toFixed(0)} ms → ${(best.logic / best.ours).toFixed(2)}×, json-rules-engine ${best.jre.toFixed(0)} ms → ${(best.jre / best.ours).toFixed(1)}× (peers on precomputed facts)`,
);
