/**
 * Cross-channel identity, end to end: normalise, stitch with merge protection, match CRM records without a
 * shared identifier, resolve through a store, erase a person. Run: `npx tsx examples/identity.ts`.
 */
import {
  IdentityGraph,
  estimateMatchParameters,
  hashIdentifier,
  hashIdentifierSync,
  matchRecords,
  matchesToObservations,
  normalizeIdentifier,
  parseIdentityRules,
  parseMatchModel,
} from 'crosschannel/identity';
import { MemoryIdentityStore } from 'crosschannel/adapters/memory';

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 2, 2, 9);
const rules = parseIdentityRules({
  limits: { user_id: 1, email: 3 },
  ttl: { anonymous_id: '90d' },
  blocked: { values: ['email:info@fleur.test'] },
  normalization: { defaultCountry: 'FR' },
  profileIdSalt: 'example-salt',
});

console.log('— Normalisation');
for (const raw of [
  { type: 'email', value: '  Claire.Martin@Fleur.TEST ' },
  { type: 'phone', value: '06 12 34 56 78' },
  { type: 'phone', value: '12' },
]) {
  const r = normalizeIdentifier(raw, rules.normalize);
  console.log(`  ${raw.type} ${JSON.stringify(raw.value)} →`, r.ok ? r.value.value : `refused (${r.error.code})`);
}
console.log('  hashed audience key:', (await hashIdentifier({ type: 'email', value: 'claire.martin@fleur.test' }))?.value);
// An audience export hashes every member: the synchronous form, no promise per member.
const audience = [{ type: 'email', value: 'claire.martin@fleur.test' }, { type: 'phone', value: '+33612345678' }].map((id) => hashIdentifierSync(id)?.value);
console.log('  audience upload keys:', audience.length, 'hashed, first', audience[0]?.slice(0, 16) + '…');

console.log('\n— Web cookie + login email + store loyalty card');
const graph = new IdentityGraph(rules);
graph.add([
  { identifiers: [{ type: 'anonymous_id', value: 'ck-81f2' }], at: t0, source: 'web' },
  { identifiers: [{ type: 'anonymous_id', value: 'ck-81f2' }, { type: 'email', value: 'claire.martin@fleur.test' }], at: t0 + DAY, source: 'web-login' },
  { identifiers: [{ type: 'email', value: 'Claire.Martin@fleur.test' }, { type: 'loyalty_id', value: 'FL-2231' }, { type: 'phone', value: '06 12 34 56 78' }], at: t0 + 3 * DAY, source: 'store-pos' },
]);
const claire = graph.profileIdOf({ type: 'loyalty_id', value: 'FL-2231' })!;
console.log(' ', graph.profile(claire));

console.log('\n— The shared tablet in the shop');
const report = graph.add([
  { identifiers: [{ type: 'device_id', value: 'kiosk-tablet-3' }, { type: 'user_id', value: 'cust-100' }], at: t0 + 4 * DAY, source: 'kiosk' },
  { identifiers: [{ type: 'device_id', value: 'kiosk-tablet-3' }, { type: 'user_id', value: 'cust-200' }], at: t0 + 5 * DAY, source: 'kiosk' },
  { identifiers: [{ type: 'email', value: 'info@fleur.test' }, { type: 'user_id', value: 'cust-300' }], at: t0 + 5 * DAY, source: 'kiosk' },
]);
for (const r of report.refused) console.log(`  refused ${r.from.type}:${r.from.value} ↔ ${r.to ? `${r.to.type}:${r.to.value}` : '(nothing)'} — ${r.rule}: ${r.message}`);

console.log('\n— Probabilistic matching of CRM and shop records');
const records = [
  { id: 'crm-1', values: { name: 'Claire Martin', dob: '1988-04-12', postcode: '69003' } },
  { id: 'pos-9', values: { name: 'Clare Martin', dob: '1988-04-12', postcode: '69 003' } },
  { id: 'crm-2', values: { name: 'Louis Bernard', dob: '1975-11-30', postcode: '13008' } },
  { id: 'pos-4', values: { name: 'Louise Bernard', dob: '1979-01-02', postcode: '33000' } },
];
const model = parseMatchModel({
  fields: [
    { name: 'name', comparison: { kind: 'jaroWinkler', thresholds: [0.92, 0.85] } },
    { name: 'dob', comparison: { kind: 'date', thresholdDays: [3] } },
    { name: 'postcode', comparison: { kind: 'postcodePrefix', lengths: [3, 2] } },
  ],
  blocking: [['dob'], [{ field: 'name', transform: 'soundex' }]],
  threshold: 0.9,
});
const estimated = estimateMatchParameters(records, model, { seed: 1 }).model;
const { matches, stats } = matchRecords(records, model);
console.log(`  ${stats.pairsCompared} pairs compared of ${(records.length * (records.length - 1)) / 2}; EM would set λ = ${estimated.lambda.toFixed(3)}, but 4 records are too few to estimate from, so the model's own m/u are used`);
for (const m of matches) {
  console.log(`  ${m.a} ≈ ${m.b}: p = ${m.probability.toFixed(4)}`, m.fields.map((f) => `${f.field} ${f.level} (${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(2)})`).join(', '));
}
graph.add(matchesToObservations(matches, model, t0 + 6 * DAY));

console.log('\n— A store, then the right to erasure');
const store = new MemoryIdentityStore({ rules, erasureSalt: 'keep-this-secret' });
await store.addObservations([
  { identifiers: [{ type: 'anonymous_id', value: 'ck-81f2' }, { type: 'email', value: 'claire.martin@fleur.test' }], at: t0, source: 'web' },
  { identifiers: [{ type: 'email', value: 'claire.martin@fleur.test' }, { type: 'loyalty_id', value: 'FL-2231' }], at: t0 + DAY, source: 'store-pos' },
]);
const pid = await store.resolve([{ type: 'anonymous_id', value: 'ck-81f2' }, { type: 'loyalty_id', value: 'FL-2231' }]);
console.log('  resolved:', pid, await store.identifiersOf(pid!));
const receipt = await store.erase(pid!, t0 + 30 * DAY);
console.log('  erased:', receipt);
console.log('  lookup after erasure:', await store.lookup({ type: 'email', value: 'claire.martin@fleur.test' }));
console.log('  was erased:', await store.wasErased({ type: 'email', value: 'Claire.Martin@fleur.test' }));
