/**
 * Valid inputs with one bad field: each case starts from a real, valid input (the demo's config, the journeys
 * scenarios, a capping history, a catalogue, serialized states and reports produced by the package) and changes
 * one place at a time — a junk value (test/arbitraries/junk.ts), a deleted key, an unknown extra key. The call must
 * return or throw (or reject with) a `CrossChannelError`: never a `TypeError` from the code that reads the field,
 * never a hang. Junk arguments (fuzz-exports.test.ts) stop at the first check; these reach past it. The hunt that
 * wrote this file found ≈ 60 such crashes in capping, arbitration, consent, journeys, insights, attribution and
 * decide's trace formatting, and an endless loop in the attribution chart (2026-12-05).
 * The error must also name the place changed (or a place above or below it): a later hunt found errors at the
 * wrong place — `consent.softOptIn` for `consent.policy.softOptIn` in a decide config, an offer's undefined segment
 * at `segments`, a rule's `value` at its `conversions`, match records at `[2]` instead of `records[2]`, a KPI
 * state's version at `options` — and two cases whose valid input was not valid (an experiment with one weight of
 * two; a raw consent policy), so that every mutant failed at the first check: each case now checks that its valid
 * input passes (2026-12-05).
 * FUZZ_MUTATION_RUNS and FUZZ_MUTATION_SEED widen a hunt.
 */
import { describe, expect, it } from 'vitest';
import * as memory from '../../src/adapters/memory/index.js';
import { arbitrate, parseCatalogue, PropensityTable } from '../../src/arbitration/index.js';
import { attribute, journeysFromHistory, parseJourneyOptions } from '../../src/attribution/index.js';
import { buildJourneys, collectStatistics, computeAttribution, formatAttributionTable, renderAttributionSvg, statisticsFromJSON } from '../../src/attribution/index.js';
import { evaluateCaps, explainRefusal, parseCapRules, planContacts, planReservation, reservationAllows } from '../../src/capping/index.js';
import { canContact, consentState, decodeTcString, encodeTcString, parseConsentPolicy, parseGvl, tcfCanProcess } from '../../src/consent/index.js';
import { decide, formatTrace, parseDecideConfig } from '../../src/decide/index.js';
import { CohortAccumulator, cohortReport, findPersonas, FunnelAccumulator, funnelReport, KpiAccumulator, kpiTable, predictCustomerValue, renderDashboard, summariseCustomers } from '../../src/insights/index.js';
import { IdentityGraph, matchRecords, parseIdentityRules, parseMatchModel } from '../../src/identity/index.js';
import { analyzeExperiment, assignAll, experimentReport, parseExperimentSet, parseMetrics, statsFromColumns, statsFromHistories } from '../../src/experiments/index.js';
import { advance, migrateInstance, parseJourney, simulateJourney, startInstance } from '../../src/journeys/index.js';
import * as scenarios from '../../src/journeys/scenarios/fixtures.js';
import { compileSegments, fitRfm } from '../../src/segments/index.js';
import { bestSendTime, compileSendCaps, rankChannels, TimingModel } from '../../src/timing/index.js';
import { RETAILER_CONFIG } from '../../examples/demo/retailer.js';
import { firstCrash, mutantsOf } from '../arbitraries/junk.js';
import { describeMutationCases, json, RUNS, SEED, type MutationCase } from '../arbitraries/mutation-cases.js';

const NOW = Date.parse('2026-03-10T10:00:00Z');
const HOUR = 3_600_000;

const history = {
  subjectId: 'ana',
  contacts: [
    { id: 'c1', subjectId: 'ana', channel: 'email', tags: ['marketing'], offerId: 'coats-15', at: NOW - 6 * HOUR },
    { id: 'c2', subjectId: 'ana', channel: 'sms', at: NOW - 2 * HOUR },
  ],
  responses: [{ id: 'r1', subjectId: 'ana', contactId: 'c1', kind: 'refused', channel: 'email', offerId: 'coats-15', at: NOW - 5 * HOUR }],
  events: [{ id: 'e1', subjectId: 'ana', type: 'purchase', channel: 'store', at: NOW - 3 * HOUR, properties: { category: 'shoes', fullPrice: true, amount: 120 } }],
};
const caps = parseCapRules(RETAILER_CONFIG.caps as never);
const catalogueInput = {
  timeZone: 'Europe/Paris',
  offers: [
    { id: 'shoes-20', channels: ['web', 'email'], value: 25, tags: ['discount', 'category:shoes'], policy: { afterRefusals: { count: 1, window: '30d', suppressFor: '60d' } } },
    { id: 'coats-15', channels: ['web', 'email'], value: 40, tags: ['discount', 'category:coats'] },
    { id: 'stylist', channels: ['web'], value: 300, eligibility: { segments: ['high-value'] }, capacity: { perDay: 2 } },
  ],
  guards: [{ id: 'no-discount-on-full-price', offerTags: ['discount'], window: '30d' }],
};
const catalogue = parseCatalogue(catalogueInput as never);
const consentEvents = [
  { id: 'g1', subjectId: 'ana', channel: 'email', purpose: 'marketing', kind: 'granted', at: NOW - 9e6, evidence: { source: 'form' } },
  { id: 'g2', subjectId: 'ana', channel: 'email', purpose: 'marketing', kind: 'confirmed', at: NOW - 8e6, evidence: { source: 'link' } },
];
const policy = parseConsentPolicy(RETAILER_CONFIG.consent!.policy as never);
const journey = parseJourney(scenarios.whitePaper);
const instance = startInstance(journey, 'ana', NOW);
const timing = new TimingModel({ channels: ['email', 'sms', 'call_center', 'store'] });
timing.setProfile('ana', { timeZone: 'Europe/Paris', segment: 'retail' });
timing.observeHistory(history as never, NOW);
const sendCaps = compileSendCaps(caps);
const stats = collectStatistics(buildJourneys([{ subjectId: 'a', channel: 'email', at: NOW - 5e6 }, { subjectId: 'a', channel: 'search', at: NOW - 3e6 }], [{ subjectId: 'a', at: NOW, value: 30 }]), { models: ['linear', 'markov'] });
const kpis = new KpiAccumulator().add(history as never);
const segments = compileSegments(RETAILER_CONFIG.segments as never);
const plan = planReservation(caps, { channel: 'email', tags: ['marketing'] }, NOW);
const expStats = statsFromColumns('subject', ['a', 'b'], ['revenue'], { variant: [0, 1, 0, 1, 0, 1], values: [[1, 2, 3, 5, 2, 4]] });
const analysis = analyzeExperiment(expStats, { metric: 'revenue' });
const customer = summariseCustomers([history] as never, NOW + 1e7, { unit: 'week' })[0];
const cohortOptions = { period: 'week' as const };
const gvlJson = {
  gvlSpecificationVersion: 3,
  vendorListVersion: 120,
  tcfPolicyVersion: 5,
  lastUpdated: '2026-01-01T00:00:00Z',
  purposes: { '1': { id: 1, name: 'Store' }, '2': { id: 2, name: 'Basic ads' }, '7': { id: 7, name: 'Measure' } },
  specialFeatures: { '1': { id: 1, name: 'Geolocation' } },
  vendors: {
    '755': { id: 755, name: 'Ad platform', purposes: [1], legIntPurposes: [2, 7], flexiblePurposes: [2, 7], specialPurposes: [1], features: [], specialFeatures: [1] },
    '11': { id: 11, name: 'Gone', purposes: [1], legIntPurposes: [], deletedDate: '2025-06-01T00:00:00Z' },
  },
};
const tcInput = {
  created: NOW - 9e6, lastUpdated: NOW - 9e6, cmpId: 300, cmpVersion: 1, consentScreen: 1, consentLanguage: 'EN', vendorListVersion: 120, policyVersion: 5,
  isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [1], purposeConsents: [1, 2], purposeLegitimateInterests: [2, 7], purposeOneTreatment: false,
  publisherCountryCode: 'FR', vendorConsents: [11, 755], vendorLegitimateInterests: [755], disclosedVendors: [11, 755],
};
const tcString = decodeTcString(encodeTcString(tcInput as never));
const experiments = { experiments: [{ id: 'subject', variants: [{ id: 'a', weight: 0.5 }, { id: 'b', weight: 0.5 }], coverage: 0.8, namespace: { id: 'ns', range: [0, 0.5] } }, { id: 'x2', variants: [{ id: 'a' }, { id: 'b' }] }], holdout: { id: 'h', share: 0.05 } };
const matchModel = { fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }, { name: 'city', comparison: { kind: 'exact' } }], blocking: [['city']] };
const matchInput = [{ id: 'a', values: { name: 'Ana Lima', city: 'Paris' } }, { id: 'b', values: { name: 'Ana Lim', city: 'Paris' } }, { id: 'c', values: { name: 'Bo', city: null } }];

/**
 * Each case: a valid input, the call that reads a mutant of it, and where the call's error paths put the input
 * (`at`: the path of the mutant's root in them; `null` when the input is spread over several arguments whose paths
 * do not nest under one name).
 */
const CASES: MutationCase[] = [
  { name: 'parseDecideConfig', valid: RETAILER_CONFIG, call: (m) => parseDecideConfig(m as never), at: [] },
  { name: 'compileSegments', valid: RETAILER_CONFIG.segments, call: (m) => compileSegments(m as never), at: [] },
  { name: 'parseCapRules', valid: RETAILER_CONFIG.caps, call: (m) => parseCapRules(m as never), at: [] },
  { name: 'evaluateCaps (history)', valid: history, call: (m) => evaluateCaps(m as never, caps, { channel: 'email', tags: ['marketing'] }, { now: NOW }), at: ['history'] },
  { name: 'evaluateCaps (candidate, options)', valid: { candidate: { channel: 'sms', tags: ['marketing'], priority: 2 }, options: { now: NOW, timeZone: 'America/New_York' } }, call: (m) => evaluateCaps(history as never, caps, (m as { candidate: never })?.candidate, (m as { options: never })?.options), at: null },
  { name: 'planContacts', valid: [{ id: 'a', channel: 'email', tags: ['marketing'] }, { id: 'b', channel: 'sms', priority: 3 }], call: (m) => planContacts(history as never, caps, m as never, { now: NOW }), at: ['candidates'] },
  { name: 'consentState', valid: { events: consentEvents, policy }, call: (m) => consentState((m as { events: never })?.events, (m as { policy: never })?.policy), at: [] },
  { name: 'canContact', valid: { channel: 'email', purpose: 'marketing', now: NOW }, call: (m) => canContact(consentState(consentEvents as never, policy), m as never), at: [] },
  { name: 'arbitrate', valid: { context: { subjectId: 'ana', segments: ['high-value'] }, history }, call: (m) => arbitrate((m as { context: never })?.context, catalogue, (m as { history: never })?.history, { now: NOW, channel: 'web', slots: 2 }), at: [] },
  { name: 'bestSendTime', valid: { channel: 'email', now: NOW, horizon: '3d', history }, call: (m) => bestSendTime(timing, 'ana', { ...(m as object), caps: sendCaps } as never), at: [] },
  { name: 'parseJourney', valid: scenarios.reflex, call: (m) => parseJourney(m as never), at: [] },
  { name: 'advance (instance)', valid: instance, call: (m) => advance(journey, m as never, {}, NOW + HOUR), at: ['instance'] },
  { name: 'advance (inputs)', valid: { profile: { tier: 'gold' }, events: [history.events[0]], responses: [{ id: 'r', subjectId: 'ana', contactId: 'x', kind: 'opened', at: NOW + 10 }] }, call: (m) => advance(journey, instance, m as never, NOW + HOUR), at: ['inputs'] },
  { name: 'migrateInstance', valid: instance, call: (m) => migrateInstance(journey, journey, m as never, {}, NOW), at: ['instance'] },
  { name: 'buildJourneys', valid: { touchpoints: [{ subjectId: 'a', channel: 'email', at: NOW - 5e6 }], conversions: [{ subjectId: 'a', at: NOW, value: 3 }] }, call: (m) => computeAttribution(collectStatistics(buildJourneys((m as { touchpoints: never })?.touchpoints, (m as { conversions: never })?.conversions), { models: ['linear', 'markov', 'shapley'] })), at: [] },
  { name: 'statisticsFromJSON', valid: json(stats.toJSON()), call: (m) => computeAttribution(statisticsFromJSON(m as never, { models: ['linear', 'markov'] })), at: [] },
  { name: 'formatAttributionTable / renderAttributionSvg', valid: json(computeAttribution(stats)), call: (m) => [formatAttributionTable(m as never), renderAttributionSvg(m as never)], at: ['input'] },
  { name: 'PropensityTable.fromJSON', valid: json(new PropensityTable({ alpha: 1, beta: 9 }).observe('a', { presented: 10, accepted: 2 }, 'vip').toJSON()), call: (m) => PropensityTable.fromJSON(m as never), at: [] },
  { name: 'IdentityGraph.add', valid: [{ identifiers: [{ type: 'email', value: 'Ana@Example.com' }, { type: 'cookie_id', value: 'ck1' }], at: NOW, source: 'crm' }, { identifiers: [{ type: 'cookie_id', value: 'ck1' }, { type: 'phone', value: '+33612345678' }], at: NOW + 1, source: 'web' }], call: (m) => new IdentityGraph().add(m as never), at: [] },
  { name: 'segments evaluate (profile, events)', valid: { profile: { tier: 'gold', age: 30 }, events: history.events }, call: (m) => segments.evaluate((m as { profile: never })?.profile, (m as { events: never })?.events, NOW), at: [] },
  { name: 'parseExperimentSet + assignAll', valid: experiments, call: (m) => assignAll(parseExperimentSet(m as never), 'u1', { attributes: { tier: 'gold' }, now: NOW } as never), at: [] },
  { name: 'assignAll (context)', valid: { attributes: { tier: 'gold' }, segments: ['vip'], now: NOW }, call: (m) => assignAll(parseExperimentSet(experiments as never), 'u1', m as never), at: ['context'] },
  { name: 'summariseCustomers', valid: [history], call: (m) => summariseCustomers(m as never, NOW + 1e7, { unit: 'week' }), at: [] },
  { name: 'FunnelAccumulator.add', valid: history, call: (m) => new FunnelAccumulator({ steps: ['page_view', 'purchase'] }).add(m as never), at: [] },
  { name: 'TimingModel.observeHistory', valid: history, call: (m) => new TimingModel({ channels: ['email', 'sms', 'call_center', 'store'] }).observeHistory(m as never, NOW), at: [] },
  { name: 'parseMatchModel + matchRecords', valid: matchModel, call: (m) => matchRecords(matchInput, parseMatchModel(m as never)), at: [] },
  { name: 'matchRecords (records)', valid: matchInput, call: (m) => matchRecords(m as never, parseMatchModel(matchModel as never)), at: ['records'] },
  { name: 'parseCatalogue', valid: catalogueInput, call: (m) => parseCatalogue(m as never), at: [] },
  { name: 'reservationAllows (history)', valid: history, call: (m) => reservationAllows(plan, m as never), at: ['history'] },
  { name: 'explainRefusal (snapshot)', valid: history, call: (m) => explainRefusal(plan, m as never), at: ['snapshot'] },
  { name: 'analyzeExperiment (stats)', valid: json(expStats), call: (m) => analyzeExperiment(m as never, { metric: 'revenue' }), at: [] },
  { name: 'analyzeExperiment (options)', valid: { metric: 'revenue', kind: 'mean', alpha: 0.1, control: 'a' }, call: (m) => analyzeExperiment(expStats, m as never), at: ['options'] },
  { name: 'experimentReport', valid: [json(analysis)], call: (m) => experimentReport(m as never), at: [] },
  { name: 'fitRfm', valid: [{ id: 'a', lastPurchaseAt: NOW - 5e8, frequency: 3, monetary: 120 }, { id: 'b', lastPurchaseAt: undefined, frequency: 0, monetary: 0 }, { id: 'c', lastPurchaseAt: NOW - 1e8, frequency: 9, monetary: 400 }], call: (m) => fitRfm(m as never, NOW), at: ['customers'] },
  { name: 'findPersonas', valid: [{ subjectId: 'a', features: { spend: 10, tier: 'gold' } }, { subjectId: 'b', features: { spend: 200, tier: 'silver' } }, { subjectId: 'c', features: { spend: 30, tier: 'gold' } }], call: (m) => findPersonas(m as never, { k: 2 }), at: null },
  { name: 'attribute (journeys)', valid: json(buildJourneys([{ subjectId: 'a', channel: 'email', at: NOW - 5e6 }, { subjectId: 'a', channel: 'search', at: NOW - 3e6 }], [{ subjectId: 'a', at: NOW, value: 30 }])), call: (m) => attribute(m as never, 'linear'), at: ['journeys'] },
  { name: 'funnelReport (state)', valid: json(new FunnelAccumulator({ steps: ['page_view', 'purchase'] }).add(history as never).toJSON()), call: (m) => funnelReport(m as never), at: [] },
  { name: 'cohortReport (state)', valid: json(new CohortAccumulator(cohortOptions).add(history as never).toJSON()), call: (m) => cohortReport(m as never, NOW + 1e7), at: [] },
  { name: 'predictCustomerValue (customer)', valid: json(customer), call: (m) => predictCustomerValue({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, { p: 6.25, q: 3.74, gamma: 15.44 }, m as never), at: ['customer'] },
  { name: 'parseIdentityRules', valid: { limits: { email: 3 }, priority: ['email', 'phone'] }, call: (m) => parseIdentityRules(m as never), at: [] },
  { name: 'rankChannels (options)', valid: { channels: { email: { cost: 0.01, conversionValue: 40 }, sms: { cost: 0.05, responseValue: 2 } }, consent: { email: 'granted', sms: false }, unknownConsent: 'deny' }, call: (m) => rankChannels(timing, 'ana', m as never), at: [] },
  { name: 'simulateJourney (population)', valid: [{ subjectId: 'ana', profile: { tier: 'gold' } }, { subjectId: 'bo', enterAt: HOUR }], call: (m) => simulateJourney(journey, m as never, { start: NOW, days: 20, seed: 1 }), at: ['population'] },
  { name: 'parseGvl', valid: gvlJson, call: (m) => parseGvl(m as never), at: [] },
  { name: 'encodeTcString', valid: tcInput, call: (m) => decodeTcString(encodeTcString(m as never)), at: [] },
  { name: 'tcfCanProcess (query)', valid: { vendorId: 755, purposeId: 7, specialFeatureIds: [1] }, call: (m) => tcfCanProcess(tcString, m as never, parseGvl(gvlJson)), at: ['query'] },
  { name: 'parseMetrics + statsFromHistories', valid: [{ id: 'revenue', type: 'purchase', aggregate: 'sum', property: 'amount', window: '7d' }, { id: 'refusals', source: 'responses', type: 'refused' }], call: (m) => statsFromHistories('subject', ['a', 'b'], parseMetrics(m as never), [history as never], NOW + 1e7), at: ['metrics'] },
  { name: 'parseJourneyOptions + journeysFromHistory', valid: { lookback: '30d', conversionEventTypes: ['purchase'], valueProperty: 'amount', collapseRepeats: true }, call: (m) => journeysFromHistory(history as never, parseJourneyOptions(m as never)), at: [] },
  { name: 'renderDashboard', valid: json({ title: 'Shop', generatedAt: NOW, kpis: kpiTable(new KpiAccumulator({ by: ['period'] }).add(history as never), ['contacts', 'converted']), funnel: funnelReport(new FunnelAccumulator({ steps: ['page_view', 'purchase'] }).add(history as never)), customerValues: [1, 5, 20] }), call: (m) => renderDashboard(m as never), at: [] },
  { name: 'KpiAccumulator.merge', valid: json(kpis.toJSON()), call: (m) => new KpiAccumulator().merge(m as never), at: [] },
];

// A GVL vendor's flexible purpose must be one it declares under consent or legitimate interest: a relation named at
// flexiblePurposes whichever list a mutant changed (found at 3,000 mutants a case, seeds 99 and 2027); likewise a
// purpose under both consent and LI is named in legIntPurposes (GVL v3 constraints).
describeMutationCases('valid inputs with one bad field throw only CrossChannelError, naming the field', CASES, { runs: RUNS, seed: SEED, references: /declares (flexible )?purpose \d+ under (neither|both)/ });

describe('decide: valid inputs with one bad field throw only CrossChannelError', () => {
  it('decide (request) and formatTrace (the trace it returned)', async () => {
    const stores = { identity: new memory.MemoryIdentityStore({ erasureSalt: 's' }), consent: new memory.MemoryConsentStore({ erasureSalt: 's' }), contacts: new memory.MemoryContactHistoryStore(), events: new memory.MemoryEventStore(), offerCapacity: new memory.MemoryOfferCapacityStore() };
    const config = parseDecideConfig(RETAILER_CONFIG as never);
    const request = { requestId: 'r1', identifiers: [{ type: 'email', value: 'ana@example.com' }], channel: 'email', now: NOW, context: { page: 'home' } };
    const trace = json((await decide(request as never, stores as never, config)).trace);
    expect(await firstCrash(([m]) => decide(m as never, stores as never, config), mutantsOf(request, RUNS, SEED).map((m) => [m.value]))).toBeNull();
    expect(await firstCrash(([m]) => formatTrace(m as never), mutantsOf(trace, RUNS, SEED).map((m) => [m.value]))).toBeNull();
  });
});
