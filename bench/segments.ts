/**
 * Segments: the same rule set evaluated by crosschannel (compiled once), json-rules-engine and json-logic-js
 * over the same synthetic profiles. One operation = all segments of the set for one profile (its memberships).
 *
 * - Attribute rules: 6 segments over 1,000,000 profiles (flat attributes, as json-rules-engine facts).
 * - Event-window rules (10 events per profile): 3 segments over 100,000 profiles (1M × 10 events would be
 *   10M event objects; fewer profiles, same per-profile work), crosschannel vs json-logic-js (filter/reduce
 *   with the window bounds embedded); json-rules-engine has no event-list operators (it would need custom
 *   JavaScript facts), so it is left out of that line.
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
  { name: 'crosschannel (binary-searched windows)', fn: () => eventSegments.evaluate({}, nextHistory(), NOW) },
  [{ name: 'json-logic-js filter/reduce ×3', fn: () => eventLogicMembers(nextHistory()) }],
  { timeMs: 2000 },
);
