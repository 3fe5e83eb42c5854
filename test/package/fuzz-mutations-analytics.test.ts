/**
 * Valid inputs with one bad field, for the analytics entries (segments, experiments, insights): the functions
 * fuzz-mutations.test.ts does not reach. Same cases and checks as there — each valid input is built with the
 * package's own functions (or the TSDoc examples), passes, and every mutant that changes one place (a junk value,
 * a deleted key, an unknown extra key) returns or throws a `CrossChannelError` naming the changed place (or a
 * place above or below it). FUZZ_MUTATION_RUNS and FUZZ_MUTATION_SEED widen a hunt.
 */
import { createRng } from '../../src/index.js';
import {
  applyEvents,
  compileSegments,
  diffMemberships,
  evaluateBatch,
  explainSegment,
  fitRfm,
  mergeBatchResults,
  mergeEvents,
  parseEventBatch,
  parseRfmMapping,
  parseSegmentRule,
  refreshBatch,
  RFM_SEGMENTS,
  rfmInputFromEvents,
  rfmScores,
  scoreRfm,
} from '../../src/segments/index.js';
import {
  assign,
  bayesianSummary,
  bucketRanges,
  chooseVariant,
  createHoldoutCheck,
  emptyExperimentStats,
  exposureEvent,
  firstExposure,
  holmAdjust,
  isHeldOut,
  mergeExperimentStats,
  parseExperiment,
  parseHoldout,
  parseStickyAssignment,
  relativeLift,
  sampleRatioMismatch,
  sequentialInterval,
  statsFromColumns,
  welchDifference,
} from '../../src/experiments/index.js';
import {
  accumulateKpis,
  bgNbdProbabilityAlive,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaExpectedValue,
  kpiTable,
  labelOf,
  pressureReport,
  resolveKpis,
  simulateBgNbd,
  simulateGammaGamma,
  weeklyCap,
} from '../../src/insights/index.js';
import { RETAILER_CONFIG } from '../../examples/demo/retailer.js';
import { describeMutationCases, json, RUNS, SEED, type MutationCase } from '../arbitraries/mutation-cases.js';

const NOW = Date.parse('2026-03-10T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// segments
const segments = compileSegments(RETAILER_CONFIG.segments as never);
const events = [
  { id: 'e1', subjectId: 'ana', type: 'page_view', channel: 'web', at: NOW - 5 * DAY, properties: { category: 'shoes' } },
  { id: 'e2', subjectId: 'ana', type: 'page_view', channel: 'app', at: NOW - 3 * DAY, properties: { category: 'shoes' } },
  { id: 'e3', subjectId: 'ana', type: 'purchase', channel: 'store', at: NOW - 2 * DAY, properties: { category: 'shoes', value: 300, amount: 300 } },
];
const newEvents = [{ id: 'e4', subjectId: 'ana', type: 'cart_abandon', channel: 'web', at: NOW - HOUR, properties: { sku: 'x1' } }];
const subjects = [
  { id: 'ana', profile: { tier: 'gold' }, events },
  { id: 'bo', profile: {}, events: newEvents },
];
const refreshSubjects = [
  { ...subjects[0]!, previous: ['dormant'] },
  { ...subjects[1]!, previous: [] },
];
const batch = json(await evaluateBatch(segments, subjects as never, NOW));
const rfmCustomers = [
  { id: 'a', lastPurchaseAt: NOW - 5e8, frequency: 3, monetary: 120 },
  { id: 'b', frequency: 0, monetary: 0 },
  { id: 'c', lastPurchaseAt: NOW - 1e8, frequency: 9, monetary: 400 },
];
const rule = {
  and: [
    { attr: 'tier', op: 'in', value: ['gold', 'silver'] },
    { count: { type: 'page_view', where: [{ prop: 'category', op: 'eq', value: 'shoes' }] }, window: { last: '14d' }, op: 'gte', value: 2 },
    { not: { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } } },
  ],
};

// experiments
const expStats = (values: number[]) => statsFromColumns('e', ['a', 'b'], ['revenue'], { variant: [0, 1, 0, 1], values: [values] });
const experiment = parseExperiment({ id: 'subject-line', variants: [{ id: 'control' }, { id: 'emoji' }], holdout: { share: 0.3 }, channels: ['email'], campaigns: ['spring'] });
const holdoutInput = { id: 'global-2026', share: 0.5, start: '2026-01-01T00:00:00Z', channels: ['email', 'sms'] };
const holdoutCheck = createHoldoutCheck({ holdout: parseHoldout({ id: 'global-2026', share: 0.05 }), experiments: [experiment] });
const unit = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].find((u) => assign(experiment, u, { now: NOW }).inExperiment && !assign(experiment, u, { now: NOW }).held)!;
const assignment = json(assign(experiment, unit, { now: NOW }));
const exposure = exposureEvent(assignment as never, { subjectId: unit, at: NOW, channel: 'email' })!;
const arm = (n: number, mean: number, variance: number) => ({ n, mean, variance });

// insights
const history = {
  subjectId: 'ana',
  contacts: [
    { id: 'c1', subjectId: 'ana', channel: 'email', tags: ['marketing'], campaignId: 'spring', at: NOW - 6 * HOUR },
    { id: 'c2', subjectId: 'ana', channel: 'sms', at: NOW - 2 * HOUR, transactional: true },
  ],
  responses: [{ id: 'r1', subjectId: 'ana', contactId: 'c1', kind: 'converted', channel: 'email', at: NOW - 5 * HOUR, value: 30 }],
  events,
  segments: ['vip'],
};
const kpis = accumulateKpis([history] as never, { by: ['channel'] });
const BG = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const GG = { p: 6.25, q: 3.74, gamma: 15.44 };
const bgCustomers = json(simulateBgNbd(BG, [39, 38, 27, 30, 12, 40, 35, 20], createRng(7)));
const ggCustomers = json(simulateGammaGamma(GG, [1, 3, 0, 2, 5], createRng(7)));

/** As in fuzz-mutations.test.ts: a valid input, the call that reads a mutant of it, where its error paths put the input. */
const CASES: MutationCase[] = [
  // crosschannel/segments
  { name: 'applyEvents (input)', valid: { profile: { tier: 'gold' }, events, newEvents, previous: ['dormant'] }, call: (m) => applyEvents(segments, m as never, NOW), at: ['input'] },
  { name: 'evaluateBatch (subjects)', valid: subjects, call: (m) => evaluateBatch(segments, m as never, NOW, { collectMembers: true }), at: ['subjects'] },
  { name: 'refreshBatch (subjects)', valid: refreshSubjects, call: (m) => refreshBatch(segments, m as never, NOW), at: ['subjects'] },
  { name: 'mergeBatchResults', valid: [batch, batch], call: (m) => mergeBatchResults(m as never), at: ['results'] },
  { name: 'diffMemberships', valid: { previous: ['a', 'b'], current: ['b', 'c'] }, call: (m) => diffMemberships((m as { previous: never })?.previous, (m as { current: never })?.current), at: [] },
  {
    name: 'explainSegment',
    valid: { segmentId: 'big-spenders', profile: { tier: 'gold' }, events, now: NOW },
    call: (m) => {
      const x = m as { segmentId: never; profile: never; events: never; now: never } | null;
      return explainSegment(segments, x?.segmentId as never, x?.profile as never, x?.events as never, x?.now as never);
    },
    at: [],
  },
  { name: 'rfmScores (customers)', valid: rfmCustomers, call: (m) => rfmScores(m as never, NOW), at: ['customers'] },
  { name: 'rfmScores (options)', valid: { mapping: json(RFM_SEGMENTS) }, call: (m) => rfmScores(rfmCustomers as never, NOW, m as never), at: ['options'] },
  // The model as fitRfm returns it, not through JSON: a threshold of −Infinity (a customer who never bought) reads back as null.
  { name: 'scoreRfm', valid: { model: fitRfm(rfmCustomers as never, NOW), customer: rfmCustomers[0] }, call: (m) => scoreRfm((m as { model: never })?.model, (m as { customer: never })?.customer), at: [] },
  { name: 'parseRfmMapping', valid: json(RFM_SEGMENTS), call: (m) => parseRfmMapping(m).classify(5, 5, 1), at: [] },
  {
    name: 'rfmInputFromEvents',
    valid: { events, options: { purchaseType: ['purchase'], amountProperty: 'amount', window: '365d' } },
    call: (m) => rfmInputFromEvents('ana', (m as { events: never })?.events, NOW, (m as { options: never })?.options),
    at: [],
  },
  { name: 'mergeEvents', valid: { history: events, incoming: newEvents }, call: (m) => mergeEvents((m as { history: never })?.history, (m as { incoming: never })?.incoming), at: [] },
  { name: 'parseEventBatch', valid: [{ id: 'e1', subjectId: 'p1', type: 'page_view', at: '2026-01-05T10:00:00Z', channel: 'web', properties: { a: 1 } }, ...events], call: (m) => parseEventBatch(m as never), at: [] },
  { name: 'parseSegmentRule', valid: rule, call: (m) => parseSegmentRule(m), at: [] },

  // crosschannel/experiments
  { name: 'mergeExperimentStats', valid: [json(expStats([1, 2, 3, 4])), json(expStats([5, 2, 1, 0]))], call: (m) => mergeExperimentStats(m as never), at: [] },
  {
    name: 'sequentialInterval',
    valid: { estimate: 0.4, se: 0.2, alpha: 0.05, tau: 0.5 },
    call: (m) => {
      const x = m as { estimate: never; se: never; alpha: never; tau: never } | null;
      return sequentialInterval(x?.estimate as never, x?.se as never, x?.alpha as never, x?.tau as never);
    },
    at: [],
  },
  { name: 'bayesianSummary', valid: { estimate: 0.4, se: 0.2 }, call: (m) => bayesianSummary((m as { estimate: never })?.estimate, (m as { se: never })?.se), at: [] },
  {
    name: 'exposureEvent',
    valid: { assignment, exposure: { subjectId: unit, anonymousId: 'anon-7', at: NOW, channel: 'email' } },
    call: (m) => exposureEvent((m as { assignment: never })?.assignment, (m as { exposure: never })?.exposure),
    at: [],
  },
  { name: 'firstExposure', valid: { history: { subjectId: unit, contacts: [], responses: [], events: [events[0], exposure] }, experimentId: 'subject-line' }, call: (m) => firstExposure((m as { history: never })?.history, (m as { experimentId: never })?.experimentId), at: [] },
  { name: 'parseHoldout + isHeldOut', valid: holdoutInput, call: (m) => ['u1', 'u2', 'u3'].map((u) => isHeldOut(parseHoldout(m as never), u, NOW, 'email')), at: [] },
  { name: 'createHoldoutCheck (subjectId, ctx)', valid: { subjectId: unit, ctx: { channel: 'email', now: NOW, campaignId: 'spring' } }, call: (m) => holdoutCheck((m as { subjectId: never })?.subjectId, (m as { ctx: never })?.ctx), at: [] },
  { name: 'parseStickyAssignment', valid: { experimentId: 'subject-line', unitId: 'p1', variantId: 'emoji', assignedAt: NOW, anonymousId: 'anon-7' }, call: (m) => parseStickyAssignment(m), at: [] },
  { name: 'sampleRatioMismatch', valid: { units: [5000, 5210], shares: [0.5, 0.5], threshold: 0.001 }, call: (m) => sampleRatioMismatch((m as { units: never })?.units, (m as { shares: never })?.shares, (m as { threshold: never })?.threshold), at: [] },
  {
    name: 'welchDifference',
    valid: { treatment: arm(1000, 10.4, 25), control: arm(1000, 10, 25), alpha: 0.05, normal: false },
    call: (m) => {
      const x = m as { treatment: never; control: never; alpha: never; normal: never } | null;
      return welchDifference(x?.treatment as never, x?.control as never, x?.alpha as never, x?.normal as never);
    },
    at: [],
  },
  {
    name: 'relativeLift',
    valid: { treatment: arm(1000, 10.4, 25), control: arm(1000, 10, 25), alpha: 0.05 },
    call: (m) => relativeLift((m as { treatment: never })?.treatment, (m as { control: never })?.control, (m as { alpha: never })?.alpha),
    at: [],
  },
  { name: 'holmAdjust', valid: [0.01, 0.04, 0.03], call: (m) => holmAdjust(m as never), at: ['pValues'] },
  {
    name: 'emptyExperimentStats',
    valid: { experimentId: 'subject-line', variantIds: ['control', 'emoji'], metricIds: ['converted', 'revenue'] },
    call: (m) => emptyExperimentStats((m as { experimentId: never })?.experimentId, (m as { variantIds: never })?.variantIds, (m as { metricIds: never })?.metricIds),
    at: [],
  },
  { name: 'chooseVariant', valid: { n: 0.55, ranges: Array.from(bucketRanges([0.5, 0.5], 0.2)) }, call: (m) => chooseVariant((m as { n: never })?.n, (m as { ranges: never })?.ranges), at: [] },

  // crosschannel/insights
  { name: 'pressureReport (caps)', valid: RETAILER_CONFIG.caps, call: (m) => pressureReport(kpis, m as never), at: [] },
  { name: 'weeklyCap (rules)', valid: RETAILER_CONFIG.caps, call: (m) => ['email', 'sms', 'push'].map((c) => weeklyCap(m as never, c)), at: [] },
  { name: 'fitBgNbd', valid: bgCustomers, call: (m) => fitBgNbd(m as never), at: [] },
  { name: 'fitGammaGamma', valid: ggCustomers, call: (m) => fitGammaGamma(m as never), at: [] },
  { name: 'accumulateKpis (histories)', valid: [history, { ...history, subjectId: 'bo' }], call: (m) => accumulateKpis(m as never, { by: ['channel', 'segment'] }), at: [] },
  { name: 'accumulateKpis (options)', valid: { by: ['channel', 'period'], period: 'month', timeZone: 'Europe/Paris', from: NOW - 30 * DAY, undeliveredTags: ['bounced'] }, call: (m) => accumulateKpis([history] as never, m as never), at: [] },
  { name: 'resolveKpis', valid: ['revenue', 'conversionRate', 'contacts'], call: (m) => resolveKpis(m), at: ['kpis'] },
  {
    name: 'kpiTable (kpis, options)',
    valid: { kpis: ['contacts', 'conversionRate', 'customerAcquisitionCost'], options: { spend: [{ channel: 'email', amount: 500 }] } },
    call: (m) => kpiTable(kpis, (m as { kpis: never })?.kpis, (m as { options: never })?.options),
    at: null,
  },
  { name: 'kpiTable (state)', valid: json(kpis.toJSON()), call: (m) => kpiTable(m as never, ['contacts', 'revenue']), at: [] },
  { name: 'simulateBgNbd (params, ages)', valid: { params: BG, ages: [39, 38, 27] }, call: (m) => simulateBgNbd((m as { params: never })?.params, (m as { ages: never })?.ages, createRng(7)), at: [] },
  { name: 'simulateGammaGamma (params, frequencies)', valid: { params: GG, frequencies: [1, 3, 0] }, call: (m) => simulateGammaGamma((m as { params: never })?.params, (m as { frequencies: never })?.frequencies, createRng(7)), at: [] },
  { name: 'bgNbdProbabilityAlive', valid: { params: BG, customer: { frequency: 2, recency: 30.43, age: 38.86 } }, call: (m) => bgNbdProbabilityAlive((m as { params: never })?.params, (m as { customer: never })?.customer), at: [] },
  { name: 'gammaGammaExpectedValue', valid: { params: GG, customer: { frequency: 2, monetaryValue: 35.5 } }, call: (m) => gammaGammaExpectedValue((m as { params: never })?.params, (m as { customer: never })?.customer), at: [] },
  {
    name: 'labelOf',
    valid: { key: { channel: 'email', campaign: 'spring', period: Date.UTC(2026, 2, 1) }, unit: 'month', timeZone: 'Europe/Paris' },
    call: (m) => labelOf((m as { key: never })?.key, (m as { unit: never })?.unit, (m as { timeZone: never })?.timeZone),
    at: [],
  },
];

// A customer summary's relations (recency ≤ age; recency 0 without repeats) are named at recency whichever side a
// mutant changed (found at 1,200 mutants a case, seed 777).
describeMutationCases('analytics entries: valid inputs with one bad field throw only CrossChannelError, naming the field', CASES, { runs: RUNS, seed: SEED, references: /recency must not exceed age|recency must be 0 when frequency is 0/ });
