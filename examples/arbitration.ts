/**
 * Next-best-offer across channels: one catalogue, one shared history, one formula.
 * Run: npx tsx examples/arbitration.ts
 */
import { MemoryOfferCapacityStore } from 'crosschannel/adapters/memory';
import { arbitrate, capacitySpecOf, optimize, parseCatalogue, PropensityTable } from 'crosschannel/arbitration';
import { createHistory, parseBehaviourEvent, parseContactRecord, parseResponseRecord } from 'crosschannel';

const catalogue = parseCatalogue({
  timeZone: 'Europe/Paris',
  offers: [
    {
      id: 'shoes-20',
      name: '20% off shoes',
      channels: ['web', 'email', 'app'],
      value: 25,
      tags: ['discount', 'category:shoes'],
      exclusionGroups: ['discounts'],
      policy: { afterRefusals: { count: 3, window: '30d', suppressFor: '60d' }, maxPresentations: { count: 3, window: '7d' } },
    },
    { id: 'coats-15', name: '15% off coats', channels: ['web', 'email'], value: 40, tags: ['discount', 'category:coats'], exclusionGroups: ['discounts'] },
    { id: 'loyalty-card', name: 'Loyalty card', value: 120, eligibility: { notSegments: ['loyalty-member'] }, policy: { afterAcceptance: { suppressFor: 'forever' } } },
    { id: 'stylist-call', name: 'Free stylist call', channels: ['call_center'], value: 300, eligibility: 'high-value', capacity: { perDay: 2 } },
    { id: 'premium-bag', name: 'Designer bag', value: 2500, channels: ['web'], propensity: 0.01 },
  ],
  guards: [{ id: 'no-discount-on-full-price', offerTags: ['discount'], window: '30d' }],
});

// One customer, every channel: bought shoes at full price in store; refused the loyalty card twice; read coat emails.
const day = 86_400_000;
const now = Date.parse('2026-03-10T10:00:00Z');
const history = createHistory('cust-1', {
  contacts: [
    parseContactRecord({ id: 'c1', subjectId: 'cust-1', channel: 'email', offerId: 'coats-15', at: now - 6 * day }),
    parseContactRecord({ id: 'c2', subjectId: 'cust-1', channel: 'call_center', offerId: 'loyalty-card', at: now - 5 * day }),
  ],
  responses: [
    parseResponseRecord({ id: 'r1', subjectId: 'cust-1', contactId: 'c1', kind: 'clicked', channel: 'email', offerId: 'coats-15', at: now - 6 * day + 3600_000 }),
    parseResponseRecord({ id: 'r2', subjectId: 'cust-1', contactId: 'c2', kind: 'refused', channel: 'call_center', offerId: 'loyalty-card', at: now - 5 * day }),
  ],
  events: [parseBehaviourEvent({ subjectId: 'cust-1', type: 'purchase', channel: 'store', at: now - 2 * day, properties: { category: 'shoes', fullPrice: true, amount: 120 } })],
});

// Acceptance rates learned from everyone's history (here: a small snapshot), explored with a seeded draw.
const model = new PropensityTable({ alpha: 1, beta: 9 })
  .observe('shoes-20', { presented: 900, accepted: 90 })
  .observe('coats-15', { presented: 400, accepted: 60 })
  .observe('loyalty-card', { presented: 300, accepted: 45 })
  .observe('premium-bag', { presented: 1000, accepted: 3 })
  .observe('stylist-call', { presented: 80, accepted: 20 });

const store = new MemoryOfferCapacityStore();
const context = { subjectId: 'cust-1', segments: ['high-value'] };

for (const channel of ['web', 'call_center'] as const) {
  const usage = await store.usage(catalogue.offers.map((o) => o.id), { timeZone: catalogue.timeZone, weekStartsOn: catalogue.weekStartsOn }, now);
  const decision = arbitrate(context, catalogue, history, { now, channel, slots: 2, usage, model, thompson: { seed: `cust-1:${channel}:2026-03-10` } });
  console.log(`\n${channel}: present`);
  for (const s of decision.selected) {
    const f = s.factors;
    console.log(`  #${s.rank} ${s.offerId.padEnd(13)} score ${s.score.toFixed(4)} = p ${f.propensity.toFixed(3)} (${f.propensitySource}) × w ${f.contextWeight} × v ${f.value.toFixed(3)} × lever ${f.lever}`);
    const grant = await store.consume(s.offerId, capacitySpecOf(catalogue, s.offerId), now);
    if (!grant.ok) console.log(`     (lost the race for capacity: ${grant.exhausted})`);
  }
  for (const e of decision.excluded) console.log(`  ✗ ${e.offerId.padEnd(13)} ${e.stage.padEnd(13)} ${e.reason.code} — ${e.reason.message}`);
}

// Tonight's batch: 500 call-centre slots across many customers; greedy for the big run, exact on a small one.
const customers = Array.from({ length: 2000 }, (_, i) => ({
  id: `c${i}`,
  candidates: [
    { offerId: 'stylist-call', channel: 'call_center', value: 20 + (i % 37) },
    { offerId: 'coats-15', channel: 'email', value: 6 + (i % 5) },
  ],
}));
const batch = optimize(customers, { channels: { call_center: { capacity: 500 } } });
console.log(`\nbatch (${batch.method}): ${batch.assignments.length} assignments, expected value ${batch.totalValue.toFixed(0)}, calls ${batch.assignments.filter((a) => a.channel === 'call_center').length}`);
const small = optimize(customers.slice(0, 8), { channels: { call_center: { capacity: 3 } }, maxOffersPerCustomer: 1 });
console.log(`small batch (${small.method}, optimal=${small.optimal}): value ${small.totalValue}`);
