/**
 * The mutation fuzz of fuzz-mutations.test.ts for the functions it leaves out: decide's request parsing, the
 * feedback calls and the hooks it honours; journeys' entry policy, replies, inbox, local times, version diff and
 * runner options; timing's model construction, updates, serialisation, replay and hooks; capping's reservation
 * plan, contact records and planner options. Each valid input comes from the package's own functions, examples
 * and TSDoc/docs examples; each case changes one place at a time (test/arbitraries/junk.ts `mutantsOf`). The call
 * must return or throw (or reject with) a `CrossChannelError` naming the place changed, or a place above or below
 * it. The hunt that wrote this file found TypeErrors in holdoutReason, canEnter, entryPlan, diffJourney,
 * createJourneyRunner, evaluateReplay, replayEvaluation, affinityWeights and bestSendTime's candidate, and errors at
 * another field's path in nextLocalTime, triggersEntry, setProfile, replayEvaluation, bestMomentCheck and planContacts
 * (2026-12-05). FUZZ_MUTATION_RUNS and FUZZ_MUTATION_SEED widen a hunt.
 */
import * as memory from '../../src/adapters/memory/index.js';
import { parseCapRules, planContacts, planReservation, toContactRecord } from '../../src/capping/index.js';
import { contactIdFor, decide, decideScheduled, holdoutReason, maskIdentifier, parseDecideConfig, parseDecideRequest, recordConversion, recordResponse, rekeyHistories } from '../../src/decide/index.js';
import { advance, canEnter, createJourneyRunner, diffJourney, entryPlan, inboxInputs, matchReply, nextLocalTime, parseJourney, replyWords, startInstance, triggersEntry } from '../../src/journeys/index.js';
import * as scenarios from '../../src/journeys/scenarios/fixtures.js';
import { affinityWeights, bestMomentCheck, channelAffinity, evaluateReplay, hourProfile, parseTimingModel, replayEvaluation, TimingModel } from '../../src/timing/index.js';
import { RETAILER_CONFIG } from '../../examples/demo/retailer.js';
import { describeMutationCases, json, RUNS, SEED, type MutationCase } from '../arbitraries/mutation-cases.js';

const NOW = Date.parse('2026-03-10T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ── decide ────────────────────────────────────────────────────────────────────────────────────────────────
const config = parseDecideConfig(RETAILER_CONFIG as never);
const newStores = () => ({
  identity: new memory.MemoryIdentityStore({ erasureSalt: 's' }),
  consent: new memory.MemoryConsentStore({ erasureSalt: 's' }),
  contacts: new memory.MemoryContactHistoryStore(),
  events: new memory.MemoryEventStore(),
  offerCapacity: new memory.MemoryOfferCapacityStore(),
});
const stores = newStores();
const ana = [{ type: 'email', value: 'ana@example.com' }];
const request = { requestId: 'r1', identifiers: ana, channel: 'email', now: NOW, slots: 2, timeZone: 'Europe/Paris', context: { page: 'home' }, excludeOffers: ['coats-15'] };
// The profile the feedback calls resolve: the one decide created.
const first = await decide(request as never, stores as never, config);
const anaId = (await stores.identity.resolve(ana))!;
// A merge, as identity reports it (a cookie seen first, then with ana's email): the changes rekeyHistories takes.
await stores.identity.addObservations([{ identifiers: [{ type: 'cookie_id', value: 'ck-1' }], at: NOW - DAY }]);
const merged = await stores.identity.addObservations([{ identifiers: [{ type: 'cookie_id', value: 'ck-1' }, ...ana], at: NOW }]);
const changes = json(merged.changes);
const responseRequest = { responseId: 'resp-1', contactId: contactIdFor('r1', 1), kind: 'unsubscribed', identifiers: ana, channel: 'email', offerId: first.offers[0]?.offerId ?? 'shoes-20', campaignId: 'spring', value: 3, now: NOW + HOUR };
const conversionRequest = { conversionId: 'order-77', identifiers: ana, channel: 'web', value: 80, offerId: 'shoes-20', contactId: 'r1#1', eventType: 'purchase', properties: { basket: 2 }, now: NOW + HOUR };
const atNine = (_id: string, ctx: { from: number }) => ({ at: ctx.from + HOUR, reasons: [] });

// ── journeys ──────────────────────────────────────────────────────────────────────────────────────────────
// The white paper journey with the entry of entrySchema's example (a cooldown and a cap) and a property filter.
const gated = parseJourney({ ...scenarios.whitePaper, entry: { on: { event: 'white_paper_download', where: [{ prop: 'amount', op: 'gt', value: 0 }] }, reentry: { cooldown: '90d' }, cap: { max: 1000, per: '1d' } } } as never);
const bySegment = parseJourney({ ...scenarios.welcome, entry: { on: { segment: { attr: 'tier', op: 'eq', value: 'gold' } } } } as never);
const v1 = parseJourney(scenarios.whitePaper);
const v2 = parseJourney({ ...scenarios.whitePaper, version: 2, steps: { ...scenarios.whitePaper.steps, j7: { type: 'wait', duration: '5d', next: 'newsletter' } } } as never);
const started = startInstance(v1, 'ana', NOW);
const advanced = advance(v1, startInstance(v1, 'bo', NOW - 3 * DAY), {}, NOW).instance;
const expected = { choices: [{ id: 'yes', keywords: ['yes', 'oui'] }, { id: 'no', keywords: ['no', 'non'] }], names: ['Paul', 'Léa'], stopKeywords: ['stop', 'arret'] };
const inbox = [
  { id: 'evt-981', event: { subjectId: 'ana', type: 'purchase', at: NOW, properties: { amount: 3 } } },
  { id: 'resp-2', response: { id: 'r2', subjectId: 'ana', contactId: 'x', kind: 'opened', channel: 'email', at: NOW } },
  { id: 'sms-1', reply: { subjectId: 'ana', channel: 'sms', text: 'oui Paul', at: NOW } },
];

// ── timing ────────────────────────────────────────────────────────────────────────────────────────────────
const history = {
  subjectId: 'ana',
  contacts: [
    { id: 'c1', subjectId: 'ana', channel: 'email', tags: ['marketing'], at: NOW - 30 * DAY },
    { id: 'c2', subjectId: 'ana', channel: 'sms', tags: ['marketing'], at: NOW - 3 * DAY },
    { id: 'c3', subjectId: 'ana', channel: 'email', tags: ['marketing'], at: NOW - 2 * HOUR },
  ],
  responses: [
    { id: 'x1', subjectId: 'ana', contactId: 'c1', kind: 'opened', channel: 'email', tags: [], at: NOW - 30 * DAY + HOUR },
    { id: 'x2', subjectId: 'ana', contactId: 'c2', kind: 'clicked', channel: 'sms', tags: [], at: NOW - 3 * DAY + HOUR },
  ],
};
const channels = ['email', 'sms', 'push'];
const trained = (): TimingModel => {
  const m = new TimingModel({ channels, timeZone: 'Europe/Paris' });
  m.setProfile('ana', { timeZone: 'Europe/Paris', segment: 'retail' });
  m.observeHistory(history as never, NOW);
  return m;
};
const timing = trained();
const capsInput = { timeZone: 'Europe/Paris', rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }, { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] };
const heldOut = [{ subjectId: 'ana', channel: 'email', sentAt: NOW - 2 * HOUR, responded: true }, { subjectId: 'bo', channel: 'sms', sentAt: NOW - DAY, responded: false }];

// ── capping ───────────────────────────────────────────────────────────────────────────────────────────────
const caps = parseCapRules(RETAILER_CONFIG.caps as never);
const capHistory = { contacts: history.contacts.map((c) => toContactRecord(c)), responses: [] };

const f = (m: unknown, k: string): never => (m as Record<string, never> | null)?.[k] as never;

/**
 * Each case: a valid input, the call that reads a mutant of it, and where the call's error paths put the input
 * (`at`: the path of the mutant's root in them; `null` when they do not nest under one name). These modules name
 * an options object's fields by their keys (`now`, `horizonMs`, `fixedHour`), as bestSendTime does: `at` is `[]`.
 */
const CASES: MutationCase[] = [
  // decide
  { name: 'parseDecideRequest', valid: request, call: (m) => parseDecideRequest(m as never), at: [] },
  { name: 'recordResponse (request)', valid: responseRequest, call: (m) => recordResponse(m, stores as never, config), at: [] },
  { name: 'recordConversion (request)', valid: conversionRequest, call: (m) => recordConversion(m, stores as never, config), at: [] },
  { name: 'rekeyHistories (changes)', valid: changes, call: (m) => rekeyHistories(newStores() as never, m as never), at: ['changes'] },
  { name: 'decideScheduled (request)', valid: request, call: (m) => decideScheduled(m, stores as never, config, atNine, { subjectId: anaId, horizonMs: DAY }), at: [] },
  { name: 'decideScheduled (options)', valid: { subjectId: anaId, horizonMs: DAY }, call: (m) => decideScheduled(request, stores as never, config, atNine, m as never), at: [] },
  { name: 'holdoutReason', valid: { subjectId: 'p1', ctx: { channel: 'email', now: NOW, campaignId: 'spring' }, offers: [{ offerId: 'spring', rank: 1, score: 3 }] }, call: (m) => holdoutReason(() => ({ held: true, experimentId: 'h', variantId: 'holdout' }), f(m, 'subjectId'), f(m, 'ctx'), f(m, 'offers')), at: [] },
  { name: 'maskIdentifier', valid: { type: 'email', value: 'ann@example.com' }, call: (m) => maskIdentifier(f(m, 'type'), f(m, 'value')), at: [] },
  { name: 'contactIdFor', valid: { requestId: 'req-1', rank: 1 }, call: (m) => contactIdFor(f(m, 'requestId'), f(m, 'rank')), at: [] },
  // journeys
  { name: 'canEnter', valid: { prior: { active: false, lastEnteredAt: NOW - 100 * DAY, capCount: 3 }, now: NOW }, call: (m) => canEnter(gated, f(m, 'prior'), f(m, 'now')), at: [] },
  { name: 'entryPlan', valid: { now: NOW }, call: (m) => entryPlan(gated, f(m, 'now')), at: [] },
  { name: 'diffJourney (instances)', valid: json([started, advanced]), call: (m) => diffJourney(v1, v2, m as never, { j7: 'j7', newsletter: 'newsletter' }), at: ['instances'] },
  { name: 'diffJourney (mapping)', valid: { j7: 'j7', newsletter: 'newsletter' }, call: (m) => diffJourney(v1, v2, [started, advanced], m as never), at: ['mapping'] },
  { name: 'matchReply', valid: { text: 'Oui pour LEA', expected }, call: (m) => matchReply(f(m, 'text'), f(m, 'expected')), at: [] },
  { name: 'replyWords', valid: 'Oui, Noé !', call: (m) => replyWords(m as never), at: ['text'] },
  { name: 'inboxInputs', valid: inbox, call: (m) => inboxInputs(m as never), at: ['inbox'] },
  { name: 'nextLocalTime', valid: { from: Date.parse('2026-03-06T15:00:00Z'), time: '10:00', weekdays: [1, 2, 3, 4, 5], zone: 'Europe/Paris' }, call: (m) => nextLocalTime(f(m, 'from'), f(m, 'time'), f(m, 'weekdays'), f(m, 'zone')), at: [] },
  { name: 'triggersEntry (event)', valid: { event: { subjectId: 'p1', type: 'white_paper_download', at: NOW, channel: 'web', properties: { amount: 3 } } }, call: (m) => triggersEntry(gated, m as never), at: ['input'] },
  { name: 'triggersEntry (profile, events)', valid: { profile: { tier: 'gold' }, events: [{ subjectId: 'p1', type: 'signup', at: NOW, properties: {} }], now: NOW }, call: (m) => triggersEntry(bySegment, m as never), at: ['input'] },
  {
    name: 'createJourneyRunner (options)',
    valid: { store: new memory.MemoryJourneyStore(), contacts: new memory.MemoryContactHistoryStore(), caps, journeys: [scenarios.whitePaper, scenarios.reflex], handlers: { send: () => undefined }, owner: 'worker-1', leaseMs: 30_000, batchSize: 10 },
    call: (m) => createJourneyRunner(m as never),
    at: [],
  },
  // timing
  { name: 'TimingModel (options)', valid: { channels, timeZone: 'Europe/Paris', fallbackConcentration: { hours: 24, channels: 10 }, fixedConcentration: { hours: 5, channels: 3 } }, call: (m) => new TimingModel(m as never), at: [] },
  { name: 'TimingModel.setProfile', valid: { subjectId: 'ana', profile: { timeZone: 'America/New_York', segment: 'students' } }, call: (m) => trained().setProfile(f(m, 'subjectId'), f(m, 'profile')), at: [] },
  { name: 'TimingModel.observeContact', valid: { subjectId: 'ana', channel: 'push', at: NOW - HOUR }, call: (m) => trained().observeContact(m as never, NOW), at: [] },
  { name: 'TimingModel.observeResponse', valid: { subjectId: 'ana', channel: 'email', kind: 'converted', at: NOW - HOUR, contactId: 'c3' }, call: (m) => trained().observeResponse(m as never, NOW), at: [] },
  { name: 'parseTimingModel + merge', valid: json(timing.toJSON()), call: (m) => trained().merge(parseTimingModel(m)), at: [] },
  { name: 'replayEvaluation (histories)', valid: [history], call: (m) => replayEvaluation(m as never, { splitAt: NOW - DAY, now: NOW, fixedHour: 10 }), at: ['histories'] },
  { name: 'replayEvaluation (options)', valid: { splitAt: NOW - DAY, now: NOW, fixedHour: 10, tolerance: 1, confidence: 0.9, model: { channels, timeZone: 'Europe/Paris' } }, call: (m) => replayEvaluation([history] as never, m as never), at: [] },
  { name: 'evaluateReplay (heldOut)', valid: heldOut, call: (m) => evaluateReplay(timing, m as never, { fixedHour: 10 }), at: ['heldOut'] },
  { name: 'evaluateReplay (options)', valid: { fixedHour: 10, tolerance: 1, confidence: 0.9 }, call: (m) => evaluateReplay(timing, heldOut, m as never), at: [] },
  { name: 'affinityWeights', valid: { subjectId: 'ana', channel: 'sms', offerIds: ['card', 'loan'], weights: { card: 2 } }, call: (m) => affinityWeights(timing, f(m, 'subjectId'), f(m, 'channel'), f(m, 'offerIds'), f(m, 'weights')), at: [] },
  { name: 'channelAffinity', valid: { subjectId: 'ana', channel: 'email' }, call: (m) => channelAffinity(timing, f(m, 'subjectId'), f(m, 'channel')), at: [] },
  { name: 'hourProfile', valid: { subjectId: 'ana' }, call: (m) => hourProfile(timing, f(m, 'subjectId')), at: [] },
  {
    name: 'bestMomentCheck (options)',
    valid: { caps: capsInput, history: () => history as never, candidate: { tags: ['marketing'], campaignId: 'spring', priority: 2 }, resolution: 15 * 60_000 },
    call: (m) => bestMomentCheck(timing, m as never)('ana', { channel: 'email', from: NOW, horizonMs: DAY, now: NOW, timeZone: 'Europe/Paris' }),
    at: [],
  },
  { name: 'bestMomentCheck (ctx)', valid: { channel: 'email', from: NOW, horizonMs: DAY, now: NOW, timeZone: 'Europe/Paris' }, call: (m) => bestMomentCheck(timing, { caps: capsInput as never, history: () => history as never })('ana', m as never), at: [] },
  // capping
  { name: 'planReservation (candidate, now, timeZone)', valid: { candidate: { channel: 'email', tags: ['marketing'], priority: 2, campaignId: 'spring', offerId: 'coats-15', transactional: false }, now: NOW, timeZone: 'Europe/Paris' }, call: (m) => planReservation(caps, f(m, 'candidate'), f(m, 'now'), f(m, 'timeZone')), at: [] },
  { name: 'toContactRecord', valid: { id: 'c1', subjectId: 'p1', channel: 'sms', campaignId: 'spring', offerId: 'coats-15', at: NOW, tags: ['marketing'], transactional: false, idempotencyKey: 'k1' }, call: (m) => toContactRecord(m), at: [] },
  { name: 'planContacts (options)', valid: { now: NOW, timeZone: 'America/New_York' }, call: (m) => planContacts(capHistory as never, caps, [{ id: 'a', channel: 'email', tags: ['marketing'] }, { id: 'b', channel: 'sms', priority: 3 }], m as never), at: [] },
];

describeMutationCases('valid inputs with one bad field throw only CrossChannelError, naming the field (decide, journeys, timing, capping)', CASES, { runs: RUNS, seed: SEED, references: /answers no|has no step|Expected \d+ counters|default time zone|not one of the model's channels/i });
