/**
 * Segments end to end: define audiences once, evaluate a profile on each new event, explain a decision,
 * refresh a small population, and score RFM. Run with `npx tsx examples/segments.ts`.
 */
import { MemoryEventStore } from 'crosschannel/adapters/memory';
import { DAY, HOUR } from 'crosschannel';
import { applyEvents, compileSegments, evaluateBatch, explainSegment, rfmInputFromEvents, rfmScores } from 'crosschannel/segments';

const now = Date.UTC(2026, 5, 15, 12);

const segments = compileSegments([
  { id: 'cart-abandoners', name: 'Abandoned a cart in the last 7 days, no purchase since', rule: { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } } },
  { id: 'dormant-30d', rule: { and: [{ count: { type: 'page_view' }, op: 'gte', value: 1 }, { not: { count: { type: 'page_view' }, window: { last: '30d' }, op: 'gte', value: 1 } }] } },
  { id: 'high-value', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, window: { last: '365d' }, op: 'gte', value: 500 } },
  { id: 'high-value-at-risk', rule: { and: [{ segment: 'high-value' }, { occurrence: 'last', event: { type: 'purchase' }, op: 'gt', value: '60d' }] } },
  { id: 'birthday-week', timeZoneAttr: 'timeZone', rule: { anniversary: 'birthDate', withinDays: 7 } },
  { id: 'gmail-fr', rule: { and: [{ attr: 'address.country', op: 'eq', value: 'FR' }, { attr: 'email', op: 'matches', value: { glob: '*@gmail.com' }, ignoreCase: true }] } },
]);

// Events live in an EventStore (memory here; PostgresEventStore in production).
const store = new MemoryEventStore();
await store.append([
  { id: 'e1', subjectId: 'ana', type: 'purchase', at: now - 90 * DAY, properties: { amount: 420 } },
  { id: 'e2', subjectId: 'ana', type: 'purchase', at: now - 80 * DAY, properties: { amount: 180 } },
  { id: 'e3', subjectId: 'ana', type: 'page_view', at: now - 45 * DAY, properties: { path: '/shoes' } },
  { id: 'e4', subjectId: 'ana', type: 'cart_abandon', at: now - 2 * DAY, properties: { value: 95 } },
]);
const ana = { email: 'Ana.Silva@GMAIL.com', address: { country: 'FR' }, birthDate: '1991-06-19', timeZone: 'Europe/Paris' };

const history = await store.read('ana');
const memberships = segments.evaluate(ana, history, now);
console.log('Ana is in:', memberships.join(', '));

const why = explainSegment(segments, 'high-value-at-risk', ana, history, now);
console.log('\nWhy high-value-at-risk?', why.member);
for (const c of why.tree.children ?? []) console.log(`  ${c.path} ${c.kind}: held=${c.held} observed=${JSON.stringify(c.observed)}`);

// A purchase arrives: she leaves the abandoners and the at-risk segment.
const purchase = { id: 'e5', subjectId: 'ana', type: 'purchase', at: now + HOUR, properties: { amount: 95 } };
await store.append([purchase]);
const update = applyEvents(segments, { profile: ana, events: history, newEvents: [purchase], previous: memberships }, now + HOUR);
console.log('\nAfter the purchase: entered', update.entered, 'exited', update.exited);

// A scheduled refresh over a (tiny) population, with progress.
const population = [
  { id: 'ana', profile: ana, events: update.events },
  { id: 'ben', profile: { address: { country: 'BE' } }, events: [{ subjectId: 'ben', type: 'page_view', at: now - 40 * DAY, properties: {} }] },
  { id: 'chloé', profile: { email: 'chloe@gmail.com', address: { country: 'FR' } }, events: [] },
];
const batch = await evaluateBatch(segments, population, now + HOUR, { onProgress: (n) => console.log(`  … ${n} profiles`) });
console.log('\nSegment sizes:', { ...batch.counts });

// RFM over the population.
const rfm = rfmScores(
  population.map((s) => rfmInputFromEvents(s.id, s.events, now + HOUR)),
  now + HOUR,
);
console.log('\nRFM:', rfm.map((s) => `${s.id} ${s.code} ${s.segment}`).join(' | '));
