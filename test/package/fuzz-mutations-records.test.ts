/**
 * Valid inputs with one bad field, for the functions of arbitration, attribution, identity and consent that
 * fuzz-mutations.test.ts does not reach: batch optimisation and capacity checks, path statistics and the Markov
 * and Shapley solvers, the identity graph with rules and its helpers, the consent ledger's folds, GPP encoding
 * and id sets. Each valid input is built from the package's own functions or its docs' examples; the checks are
 * those of fuzz-mutations.test.ts: the valid input passes, no mutant makes the call throw (or reject with)
 * anything but a `CrossChannelError`, and the error names the changed place (or one above or below it).
 * FUZZ_MUTATION_RUNS and FUZZ_MUTATION_SEED widen a hunt.
 */
import { capacitySpecOf, optimize, optimizeExact, optimizeGreedy, parseCatalogue, PropensityTable, validateConsume } from '../../src/arbitration/index.js';
import {
  addPaths,
  buildJourneys,
  collectStatistics,
  computeAttribution,
  createStatistics,
  parseAttributionConfig,
  parsePath,
  ruleWeights,
  solveMarkov,
  solveShapley,
  statisticsFromPaths,
  transitionCounts,
} from '../../src/attribution/index.js';
import {
  compareIdentifiers,
  erasureProof,
  estimateMatchParameters,
  IdentityGraph,
  matchesToObservations,
  matchRecords,
  normalizePhone,
  normalizeValue,
  parseIdentityRules,
  parseMatchModel,
  preferredIdentifier,
  scorePair,
  stitch,
} from '../../src/identity/index.js';
import { consentState, consentSummary, decodeGpp, encodeGpp, foldConsent, gppOptOuts, IdSet, parseConsentEvent, parseConsentPolicy, sameConsentEvent } from '../../src/consent/index.js';
import { describeMutationCases, json, RUNS, SEED, type MutationCase } from '../arbitraries/mutation-cases.js';

const NOW = Date.parse('2026-03-10T10:00:00Z');
const HOUR = 3_600_000;

// arbitration: the optimisers' TSDoc examples, grown to every limit.
const customers = [
  { id: 'a', maxOffers: 2, candidates: [{ offerId: 'call', value: 30, channel: 'call_center', cost: 5 }, { offerId: 'mail', value: 5, channel: 'email' }, { offerId: 'x', value: 10, cost: 1 }] },
  { id: 'b', candidates: [{ offerId: 'x', value: 10 }, { offerId: 'y', value: 9, channel: 'email', cost: 2 }] },
];
const constraints = { maxOffersPerCustomer: 1, offers: { x: { capacity: 1, budget: 100 }, call: { capacity: 10 } }, channels: { call_center: { capacity: 500 } }, budget: 10_000 };
const columns = { customerIds: ['a', 'b'], customerOffsets: [0, 2, 3], offerIds: ['x', 'y'], offer: [0, 1, 0], value: [10, 9, 10], channelIds: ['email'], channel: [0, -1, 0], cost: [1, 0, 2], maxOffers: [1, 2] };
const cappedCatalogue = {
  timeZone: 'Europe/Paris',
  weekStartsOn: 1,
  offers: [
    { id: 'coupon', channels: ['email'], value: 10, capacity: { perDay: 500, perWeek: 2000, total: 9000 }, budget: { total: 10000, cost: 5 } },
    { id: 'stylist', channels: ['web'], value: 300, capacity: { perDay: 2 } },
  ],
};
const catalogue = parseCatalogue(cappedCatalogue as never);
const history = {
  subjectId: 'ana',
  contacts: [
    { id: 'c1', subjectId: 'ana', channel: 'email', tags: [], offerId: 'coupon', at: NOW - 6 * HOUR },
    { id: 'c2', subjectId: 'ana', channel: 'web', tags: [], offerId: 'stylist', at: NOW - 2 * HOUR },
  ],
  responses: [{ id: 'r1', subjectId: 'ana', contactId: 'c1', kind: 'accepted', channel: 'email', tags: [], at: NOW - 5 * HOUR }],
  events: [],
};
const table = new PropensityTable({ alpha: 1, beta: 9 }).observe('coupon', { presented: 10, accepted: 2 }, 'vip');

// attribution: journeys of three channels, statistics of every kind of model.
const journeys = buildJourneys(
  [
    { subjectId: 'a', channel: 'email', at: NOW - 5e6 },
    { subjectId: 'a', channel: 'search', at: NOW - 3e6 },
    { subjectId: 'b', channel: 'display', at: NOW - 4e6 },
    { subjectId: 'b', channel: 'email', at: NOW - 2e6 },
    { subjectId: 'c', channel: 'search', at: NOW - 1e6 },
  ],
  [{ subjectId: 'a', at: NOW, value: 30 }, { subjectId: 'b', at: NOW, value: 12 }],
);
const attributionConfig = {
  models: [
    'linear',
    { model: 'time_decay', halfLife: '3d' },
    { model: 'position_based', first: 0.3, last: 0.5 },
    { model: 'last_non_direct', directChannels: ['direct'] },
    // The unnamed variant first: a duplicate name is reported at the later of the two.
    'markov',
    { model: 'markov', name: 'markov_2', order: 2, valueCredit: 'conversionShare' },
    { model: 'shapley', maxExactChannels: 2, samples: 50, seed: 'x' },
  ],
};
const stats = collectStatistics(journeys, attributionConfig as never);
const pathRows = [{ path: 'search > email', conversions: 12, value: 960, nulls: 88 }, { path: ['display', 'email'], nulls: 400 }, { path: 'email', conversions: 1 }];
const markov2 = stats.markov.find((m) => m.order === 2)!;

// identity: rules of every kind, observations that use them.
const identityRules = {
  priority: ['user_id', 'email', 'phone', 'device_id'],
  limits: { user_id: 1, email: 3 },
  maxIdentifiers: 50,
  nonLinking: ['device_id'],
  ttl: { anonymous_id: '90d' },
  blocked: { values: ['email:info@shop.example'], patterns: ['^guest-', { type: 'email', pattern: '@example\\.invalid$' }], defaults: true },
  normalization: { defaultCountry: 'FR', emailProviderRules: true, types: { crm_email: 'email' } },
  profileIdSalt: 'pepper',
};
const rules = parseIdentityRules(identityRules as never);
const observations = [
  { identifiers: [{ type: 'anonymous_id', value: 'c-1' }, { type: 'email', value: 'Ada@Example.com' }, { type: 'device_id', value: 'family-ipad' }], at: '2026-01-05T10:00:00Z', source: 'web' },
  { identifiers: [{ type: 'crm_email', value: 'ada@example.com' }, { type: 'phone', value: '06 12 34 56 78' }, { type: 'user_id', value: 'u1' }], at: NOW, source: 'crm' },
  { identifiers: [{ type: 'device_id', value: 'family-ipad' }, { type: 'user_id', value: 'u2' }], at: NOW + 1, source: 'app' },
];
const graphOf = (obs: unknown): { graph: IdentityGraph; profiles: ReadonlyArray<string> } => {
  const graph = new IdentityGraph(rules);
  return { graph, profiles: graph.add(obs as never).profiles };
};
const matchModel = parseMatchModel({
  fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }, { name: 'dob', comparison: { kind: 'date' } }, { name: 'zip', comparison: { kind: 'postcodePrefix' } }],
  blocking: [['dob'], [{ field: 'name', transform: 'soundex', prefix: 2 }]],
  threshold: 0.5,
});
const matchInput = [
  { id: 'crm-1', values: { name: 'Jon Smith', dob: '1980-02-01', zip: '75011' } },
  { id: 'pos-9', values: { name: 'John Smith', dob: '1980-02-01', zip: '75012' } },
  { id: 'web-3', values: { name: 'Mary Jones', dob: '1975-06-30', zip: null } },
];
const matches = matchRecords(matchInput, matchModel).matches;

// consent: the docs' ledger, a GPP string of every section kind.
const policy = parseConsentPolicy({ doubleOptIn: { channels: ['email'], window: { days: 3 } }, expiry: { marketing: { days: 395 } }, softOptIn: [{ channel: 'sms', purposes: ['marketing'] }] });
const consentEvents = [
  { id: 'e1', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'granted', at: NOW - 9e6, evidence: { source: 'web-signup', textVersion: 'v3' } },
  { id: 'e2', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'confirmed', at: NOW - 8e6, evidence: { source: 'link' } },
  { id: 'e3', subjectId: 's1', channel: 'sms', purpose: 'marketing', kind: 'existing_customer', at: NOW - 7e6, evidence: { source: 'pos' } },
  { id: 'e4', subjectId: 's1', channel: '*', purpose: 'profiling', kind: 'withdrawn', at: NOW - 6e6, evidence: { source: 'STOP keyword' } },
];
const state = consentState(consentEvents.map((e) => parseConsentEvent(e as never)), policy);
const tcInput = {
  created: NOW - 9e6, lastUpdated: NOW - 9e6, cmpId: 300, cmpVersion: 1, consentScreen: 1, consentLanguage: 'EN', vendorListVersion: 120, policyVersion: 5,
  isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [1], purposeConsents: [1, 2], purposeLegitimateInterests: [2, 7], purposeOneTreatment: false,
  publisherCountryCode: 'FR', vendorConsents: [11, 755], vendorLegitimateInterests: [755], disclosedVendors: [11, 755],
};
const usnat = {
  sharingNotice: 1, saleOptOutNotice: 1, sharingOptOutNotice: 1, targetedAdvertisingOptOutNotice: 1, sensitiveDataProcessingOptOutNotice: 1,
  sensitiveDataLimitUseNotice: 1, saleOptOut: 2, sharingOptOut: 2, targetedAdvertisingOptOut: 1,
  sensitiveDataProcessing: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], knownChildSensitiveDataConsents: [1, 2], personalDataConsents: 0,
  mspaCoveredTransaction: 1, mspaOptOutOptionMode: 0, mspaServiceProviderMode: 0,
};
const gppSections = [
  { kind: 'uspv1', notice: 'Y', optOutSale: 'Y', lspaCovered: 'N' },
  { kind: 'us', id: 7, version: 1, fields: usnat, gpc: true },
  { kind: 'tcfeuv2', tcString: tcInput },
  { kind: 'other', id: 5, encoded: 'BAAAAAAA' },
];

/** A named argument of a case's input (undefined when a mutant replaced the whole input). */
const arg = (m: unknown, k: string): never => (m as Record<string, never> | null | undefined)?.[k] as never;

/** Each case as in fuzz-mutations.test.ts: `at` is where the input's root sits in the call's error paths. */
const CASES: MutationCase[] = [
  // arbitration
  { name: 'optimize (customers)', valid: customers, call: (m) => optimize(m as never, constraints), at: ['customers'] },
  { name: 'optimizeExact (constraints)', valid: constraints, call: (m) => optimizeExact(customers, m as never), at: ['constraints'] },
  { name: 'optimizeGreedy (candidate columns)', valid: columns, call: (m) => optimizeGreedy(m as never, constraints, { strategy: 'density' }), at: ['customers'] },
  { name: 'optimize / optimizeExact / optimizeGreedy (options)', valid: { exactUpTo: 3, maxNodes: 1000, strategy: 'value' }, call: (m) => [optimize(customers, constraints, m as never), optimizeExact(customers, constraints, m as never), optimizeGreedy(customers, constraints, m as never)], at: ['options'] },
  { name: 'parseCatalogue + capacitySpecOf + validateConsume', valid: cappedCatalogue, call: (m) => { const c = parseCatalogue(m as never); return c.offers.map((o) => validateConsume(o.id, capacitySpecOf(c, o.id), NOW, 2)); }, at: [] },
  { name: 'validateConsume', valid: { offerId: 'coupon', spec: capacitySpecOf(catalogue, 'coupon'), now: NOW, amount: 3 }, call: (m) => { return validateConsume(arg(m, 'offerId'), arg(m, 'spec') as never, arg(m, 'now'), arg(m, 'amount')); }, at: [] },
  { name: 'capacitySpecOf (offerId)', valid: 'coupon', call: (m) => capacitySpecOf(catalogue, m as never), at: ['offerId'] },
  { name: 'PropensityTable (prior) + observe', valid: { prior: { alpha: 2, beta: 8 }, offerId: 'coupon', counts: { presented: 100, accepted: 12 }, segment: 'vip' }, call: (m) => { return new PropensityTable(arg(m, 'prior')).observe(arg(m, 'offerId'), arg(m, 'counts'), arg(m, 'segment')).posterior('coupon', 'vip'); }, at: [] },
  { name: 'PropensityTable.observeHistory', valid: { history, segments: ['vip', 'new'], until: NOW }, call: (m) => { return new PropensityTable().observeHistory(arg(m, 'history'), arg(m, 'segments'), arg(m, 'until')).toJSON(); }, at: [] },
  { name: 'PropensityTable.merge', valid: table, call: (m) => new PropensityTable({ alpha: 1, beta: 9 }).merge(m as never).toJSON(), at: ['other'] },
  { name: 'PropensityTable.merge (a table from JSON)', valid: json(table.toJSON()), call: (m) => new PropensityTable({ alpha: 1, beta: 9 }).merge(PropensityTable.fromJSON(m as never)).toJSON(), at: [] },
  // attribution
  { name: 'addPaths (rows)', valid: pathRows, call: (m) => computeAttribution(addPaths(createStatistics(attributionConfig as never), m as never)), at: ['paths'] },
  { name: 'parseAttributionConfig + statisticsFromPaths', valid: attributionConfig, call: (m) => computeAttribution(statisticsFromPaths(pathRows, parseAttributionConfig(m as never))), at: [] },
  { name: 'statisticsFromPaths (config input)', valid: attributionConfig, call: (m) => computeAttribution(statisticsFromPaths(pathRows, m as never, '>')), at: [] },
  { name: 'parsePath', valid: { text: 'search > email >direct', separator: '>' }, call: (m) => parsePath(arg(m, 'text'), arg(m, 'separator')), at: [] },
  { name: 'solveMarkov (order 1)', valid: { counts: stats.markov[0], channelCount: stats.channels.length, options: { denseLimit: 400 } }, call: (m) => { return solveMarkov(arg(m, 'counts'), arg(m, 'channelCount'), arg(m, 'options')); }, at: [] },
  { name: 'solveMarkov (order 2, iterative)', valid: { counts: markov2, channelCount: stats.channels.length, options: { denseLimit: 1 } }, call: (m) => { return solveMarkov(arg(m, 'counts'), arg(m, 'channelCount'), arg(m, 'options')); }, at: [] },
  { name: 'transitionCounts', valid: markov2, call: (m) => transitionCounts(m as never), at: ['counts'] },
  { name: 'solveShapley', valid: { counts: stats.channelSets, channelCount: stats.channels.length, options: { maxExactChannels: 2, samples: 50, seed: 3 }, channelOrder: [2, 0, 1] }, call: (m) => { return [solveShapley(arg(m, 'counts'), arg(m, 'channelCount'), arg(m, 'options'), arg(m, 'channelOrder')), solveShapley(arg(m, 'counts'), arg(m, 'channelCount'), { ...(arg(m, 'options') as object), maxExactChannels: 20 } as never)]; }, at: [] },
  { name: 'ruleWeights', valid: { model: parseAttributionConfig({ models: [{ model: 'position_based', first: 0.3, last: 0.5 }] }).models[0], channels: ['a', 'b', 'c'], times: [0, 1, 2], conversionAt: 3, length: 3 }, call: (m) => { return ruleWeights(arg(m, 'model'), arg(m, 'channels'), arg(m, 'times'), arg(m, 'conversionAt'), arg(m, 'length'), new Float64Array(4), null); }, at: [] },
  { name: 'ruleWeights (time decay)', valid: { model: parseAttributionConfig({ models: [{ model: 'time_decay', halfLife: '1d' }] }).models[0], channels: ['a', 'b', 'c'], times: [0, 1, 2], conversionAt: 3, length: 3 }, call: (m) => { return ruleWeights(arg(m, 'model'), arg(m, 'channels'), arg(m, 'times'), arg(m, 'conversionAt'), arg(m, 'length'), new Float64Array(4), new Set(['direct'])); }, at: [] },
  { name: 'AttributionStatistics.merge (JSON)', valid: json(stats.toJSON()), call: (m) => computeAttribution(createStatistics(attributionConfig as never).merge(m as never)), at: [] },
  { name: 'AttributionStatistics.merge (statistics)', valid: stats, call: (m) => computeAttribution(createStatistics(attributionConfig as never).merge(m as never)), at: [] },
  // identity
  { name: 'IdentityGraph (rules) + add', valid: identityRules, call: (m) => new IdentityGraph(m as never).add(observations as never), at: [] },
  { name: 'IdentityGraph (options)', valid: { sharedMemory: true }, call: (m) => new IdentityGraph(rules, m as never).add(observations as never), at: ['options'] },
  { name: 'IdentityGraph.add with rules, then audit / erase', valid: observations, call: (m) => { const { graph, profiles } = graphOf(m); return [profiles.map((p) => graph.audit(p)), graph.refused(), graph.size, graph.erase(profiles[0]!)]; }, at: [] },
  { name: 'IdentityGraph lookups and removals (identifier)', valid: { type: 'device_id', value: 'family-ipad' }, call: (m) => { const { graph } = graphOf(observations); return [graph.profileIdOf(m as never), graph.attachedProfileIds(m as never), graph.removeIdentifier(m as never)]; }, at: ['identifier'] },
  { name: 'IdentityGraph profile, audit, erase (profileId)', valid: graphOf(observations).graph.profileIdOf({ type: 'crm_email', value: 'ADA@example.com' }), call: (m) => { const { graph } = graphOf(observations); return [graph.profile(m as never), graph.audit(m as never), graph.erase(m as never)]; }, at: ['profileId'] },
  { name: 'stitch (observations, progress)', valid: observations, call: (m) => stitch(m as never, rules, { progressEvery: 1, onProgress: () => {} }), at: [] },
  { name: 'stitch (progress)', valid: { progressEvery: 2 }, call: (m) => stitch(observations as never, identityRules as never, m as never), at: ['progress'] },
  { name: 'scorePair', valid: [matchInput[0], matchInput[1]], call: (m) => scorePair((m as never[])?.[0]!, (m as never[])?.[1]!, matchModel), at: [] },
  { name: 'preferredIdentifier / compareIdentifiers', valid: { a: { type: 'email', value: 'ada@example.com' }, b: { type: 'device_id', value: 'ipad' } }, call: (m) => { return [preferredIdentifier(rules, arg(m, 'a'), arg(m, 'b')), compareIdentifiers(rules, arg(m, 'a'), arg(m, 'b'))]; }, at: [] },
  { name: 'estimateMatchParameters', valid: { records: matchInput, options: { maxIterations: 20, tolerance: 1e-4, uSamplePairs: 500, seed: 7, progressEvery: 5 } }, call: (m) => { return estimateMatchParameters(arg(m, 'records'), matchModel, arg(m, 'options')); }, at: [] },
  { name: 'matchesToObservations', valid: json(matches), call: (m) => new IdentityGraph().add(matchesToObservations(m as never, matchModel, NOW)), at: ['matches'] },
  { name: 'erasureProof', valid: { identifier: { type: 'email', value: 'ada@example.com' }, salt: 'pepper' }, call: (m) => erasureProof(arg(m, 'identifier'), arg(m, 'salt')), at: [] },
  { name: 'normalizePhone', valid: { raw: '06 12 34 56 78', defaultCountry: 'FR' }, call: (m) => normalizePhone(arg(m, 'raw'), arg(m, 'defaultCountry')), at: [] },
  { name: 'normalizeValue', valid: { kind: 'phone', value: '06 12 34 56 78', type: 'phone', options: { defaultCountry: 'FR', emailProviderRules: true, types: { crm_email: 'email' } } }, call: (m) => { return [normalizeValue(arg(m, 'kind'), arg(m, 'value'), arg(m, 'type'), arg(m, 'options')), normalizeValue('email', 'a.da+x@gmail.com', 'crm_email', arg(m, 'options'))]; }, at: [] },
  // consent
  { name: 'encodeGpp (sections)', valid: gppSections, call: (m) => decodeGpp(encodeGpp(m as never)), at: ['sections'] },
  { name: 'gppOptOuts', valid: decodeGpp(encodeGpp(gppSections as never)), call: (m) => gppOptOuts(m as never), at: ['gpp'] },
  { name: 'foldConsent (state)', valid: state, call: (m) => [foldConsent(m as never, 'email', 'marketing', NOW), foldConsent(m as never, 'sms', 'marketing', NOW)], at: ['state'] },
  { name: 'foldConsent (channel, purpose, now)', valid: { channel: 'email', purpose: 'marketing', now: NOW }, call: (m) => { return foldConsent(state, arg(m, 'channel'), arg(m, 'purpose'), arg(m, 'now')); }, at: [] },
  { name: 'consentSummary', valid: state, call: (m) => consentSummary(m as never, NOW), at: ['state'] },
  { name: 'parseConsentEvent', valid: { ...consentEvents[0], at: '2026-01-10T09:00:00Z', evidence: { source: 'web-signup', collectedAt: NOW - 1e7, text: 'Yes, email me', textVersion: 'v3', proofId: 'p1', ipHash: 'ab'.repeat(16) } }, call: (m) => parseConsentEvent(m as never), at: [] },
  { name: 'sameConsentEvent', valid: { a: consentEvents[0], b: { ...consentEvents[0], evidence: { textVersion: 'v3', source: 'web-signup' } } }, call: (m) => sameConsentEvent(arg(m, 'a'), arg(m, 'b')), at: [] },
  { name: 'IdSet.from', valid: [3, 1, 755, 3], call: (m) => IdSet.from(m as never).toArray(), at: [] },
  { name: 'IdSet.has', valid: 755, call: (m) => [IdSet.from([1, 755]).has(m as never), decodeGpp(encodeGpp(gppSections as never)).sections.map((s) => (s.kind === 'tcfeuv2' ? s.tcString.vendorConsents.has(m as never) : null))], at: [] },
];

describeMutationCases('valid inputs with one bad field throw only CrossChannelError, naming the field (arbitration, attribution, identity, consent)', CASES, { runs: RUNS, seed: SEED });
