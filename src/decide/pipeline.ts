import { CrossChannelError, inputError, isCrossChannelError } from '../core/errors.js';
import { assertTimeZone, isCalendarInstant } from '../core/time.js';
import { reason, type Reason } from '../core/explain.js';
import { lowerBoundAt, type ContactRecord, type History } from '../core/records.js';
import { arbitrate, Prepared, usedUpBy, type ArbitrateOptions, type ArbitrationResult, type RankedOffer } from '../arbitration/arbitrate.js';
import type { ExcludedOffer } from '../arbitration/errors.js';
import type { OfferUsage } from '../arbitration/store.js';
import { capDecision, type CapDecision } from '../capping/evaluate.js';
import { compiledDecideConfig, isDecideConfig, type DecideConfig, type DecideConfigInput } from './config.js';
import { expectContact, expectUsage } from './answers.js';
import { withDeadline } from './deadline.js';
import type { DecideErrorCode } from './errors.js';
import { capCandidate, plannedContact, requestIdConflict, reserveOne, slotOfKey } from './reserve.js';
import { checkChannelConsent } from './consent.js';
import { consentState, type ConsentState } from '../consent/ledger.js';
import { resolveSubject } from './identify.js';
import { loadState, type Loaded } from './load.js';
import { evaluateNeededSegments } from './segments.js';
import type { DecideStores } from './stores.js';
import { describe, parseDecideRequest, readInput, type AlternativeChannel, type ChosenOffer, type DecideFailure, type DecideRequest, type DecideResult } from './request.js';
import type { DecideReasonCode } from './errors.js';
import { holdoutReason } from './holdout.js';
import { emit, start } from './telemetry.js';
import { dedupeReasons, reasonAtStage } from './reasons.js';
import { performanceClock, TraceRecorder, type DecisionTrace, type RemovedItem } from './trace.js';

/**
 * One explained next-best-action decision: resolve identity → load history, events, consent → consent →
 * segments → arbitration → capping → atomic reservation. Returns the reserved offers (or none, with why, the
 * `nextAllowedAt` of the best blocked offer and an alternative channel) and a trace of every stage. A reservation
 * the store refuses falls back to the next ranked offer, each attempt under its own idempotency key
 * (`contactIdFor(requestId, slot, attempt)`); a retry with the same `requestId` replays the same attempts.
 *
 * Bad input (the request, `now` outside the years 1–9999, a stores object without a store or method a decision
 * calls) is `INPUT_INVALID` with its path, before anything is written; a `requestId` already used for a decision
 * on another channel is `INPUT_INVALID` at `requestId`.
 *
 * Fails closed: a store that errors or exceeds `storeTimeoutMs` makes the call throw a `CrossChannelError`
 * (`STORE_ERROR` / `STORE_TIMEOUT`) whose `detail.trace` is the trace up to the failing stage; no contact is
 * returned, and no contact is recorded that did not pass every check. See [Failure semantics in docs/decide.md](../../docs/decide.md#failure-semantics).
 *
 * @example
 * ```ts
 * import { decide, type DecideConfig, type DecideStores } from 'crosschannel/decide';
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * declare const tcString: string;
 * const result = await decide(
 *   { requestId: 'web-7f3a', identifiers: [{ type: 'cookie_id', value: 'ck-19' }], channel: 'web', now: Date.now(), tcString },
 *   stores,
 *   config,
 * );
 * if (result.contact) console.log('show', result.offers[0]!.offerId);
 * else console.log('no offer:', result.reasons.map((r) => r.code), 'next allowed', result.nextAllowedAt);
 * ```
 */
export async function decide(request: unknown, stores: DecideStores, configInput: DecideConfig | DecideConfigInput): Promise<DecideResult> {
  const first = requestFields(request);
  const trace = new TraceRecorder(first.requestId, first.channel, first.now, isDecideConfig(configInput) ? (configInput.clock ?? performanceClock) : performanceClock);
  trace.begin('validate');
  let req!: DecideRequest;
  let config!: DecideConfig;
  try {
    // A request that cannot even be read (a getter that throws, a revoked proxy) is the caller's input too.
    readInput(() => {
      config = compiledDecideConfig(configInput);
      req = parseDecideRequest(request as Parameters<typeof parseDecideRequest>[0]);
      // Everything a later stage would refuse is refused here, before the identity stage's write.
      if (!isCalendarInstant(req.now)) throw inputError(`now must be in the years 1 to 9999, got ${req.now}`, ['now']);
      if (req.timeZone !== undefined) assertTimeZone(req.timeZone, ['timeZone']);
      expectStores(stores);
    });
  } catch (e) {
    throw failed(trace, e, 'validate');
  }
  trace.identify(req.requestId, req.channel, req.now);
  trace.end({ identifiers: req.identifiers.length, slots: req.slots });
  const telemetry = config.telemetry;
  // The sink dates the decision by its own clock (an OTel span under the caller's), not after the fact.
  const started = telemetry && start(telemetry);
  let result: DecideResult;
  try {
    result = await run(req, stores, config, trace);
  } catch (e) {
    const err = failed(trace, e, trace.running ?? 'reserve');
    if (telemetry) emit(telemetry, { trace: (err.detail as { trace: DecisionTrace }).trace, outcome: 'failed', offers: 0, reasons: [], error: { code: err.code, message: err.message } }, started);
    throw err;
  }
  if (telemetry) emit(telemetry, { trace: result.trace, outcome: result.contact ? 'allowed' : 'refused', offers: result.offers.length, reasons: result.reasons }, started);
  return result;
}

/**
 * {@link decide} that never throws: `{ ok: true, value }` with the decision, or `{ ok: false, error, trace }`
 * with the typed error (`STORE_ERROR`, `STORE_TIMEOUT`, `INPUT_INVALID`, …) and the trace up to the failure —
 * the shape an HTTP handler wants.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * declare const body: unknown;
 * const r = await safeDecide(body, stores, config);
 * if (!r.ok) console.log(r.error.code === 'INPUT_INVALID' ? 400 : 503, r.error.toJSON(), r.trace.stages.at(-1));
 * ```
 */
export async function safeDecide(
  request: unknown,
  stores: DecideStores,
  config: DecideConfig | DecideConfigInput,
): Promise<{ readonly ok: true; readonly value: DecideResult } | ({ readonly ok: false } & DecideFailure)> {
  try {
    return { ok: true, value: await decide(request, stores, config) };
  } catch (e) {
    const error = isCrossChannelError(e) ? (e as CrossChannelError<DecideErrorCode>) : new CrossChannelError<DecideErrorCode>('DECIDE_STAGE_FAILED', describe(e), { cause: e });
    const trace = (error.detail as { trace?: DecisionTrace } | undefined)?.trace ?? emptyTrace(request);
    return { ok: false, error, trace };
  }
}

/** The request's id, channel and `now` as far as they can be read before validation (never throws). */
function requestFields(request: unknown): { requestId: string; channel: string; now: number } {
  const requestId = readField(request, 'requestId');
  const channel = readField(request, 'channel');
  const now = readField(request, 'now');
  return { requestId: typeof requestId === 'string' ? requestId : '', channel: typeof channel === 'string' ? channel : '', now: typeof now === 'number' ? now : 0 };
}

/** One field of what may be a request; undefined when it cannot be read (a getter that throws: validation says so). */
function readField(request: unknown, key: string): unknown {
  try {
    return typeof request === 'object' && request !== null ? (request as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}


function emptyTrace(request: unknown): DecisionTrace {
  return { ...requestFields(request), subjectId: null, stages: [], totalMs: 0 };
}

/** Each store a decision calls (`?`: optional), with the methods it calls. */
const STORE_METHODS = /* @__PURE__ */ (() =>
  'identity:addObservations:resolve consent:events contacts:history:reserve events:read offerCapacity?:usage:consume:release profiles?:get'.split(' ').map((spec) => spec.split(':') as [string, ...string[]]))();

/**
 * The stores object has every store a decision calls, each with the methods it calls: checked in the validate
 * stage, so a missing one is `INPUT_INVALID` at `stores.<name>` before any write, not a `TypeError` after one.
 */
function expectStores(stores: unknown): void {
  if (typeof stores !== 'object' || stores === null) throw inputError('Expected the stores { identity, consent, contacts, events }', ['stores']);
  for (const spec of STORE_METHODS) {
    const name = spec[0];
    const key = name.replace('?', '');
    const store = (stores as Record<string, unknown>)[key];
    if (store === undefined && key !== name) continue;
    for (let i = 1; i < spec.length; i++) {
      const m = spec[i]!;
      if (typeof (store as Record<string, unknown> | null | undefined)?.[m] !== 'function') throw inputError(store ? `stores.${key}.${m} is not a function` : `stores.${key} is missing`, store ? ['stores', key, m] : ['stores', key]);
    }
  }
}

/** Turns anything thrown inside the pipeline into the typed, traced failure. */
function failed(trace: TraceRecorder, e: unknown, stage: ReturnType<TraceRecorder['finish']>['stages'][number]['stage']): CrossChannelError<DecideErrorCode> {
  let err: CrossChannelError<DecideErrorCode>;
  if (!isCrossChannelError(e)) {
    err = new CrossChannelError<DecideErrorCode>('DECIDE_STAGE_FAILED', `Stage ${stage} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e, detail: { stage } });
  } else if (e.code === 'INPUT_INVALID' && ['consent', 'segments', 'arbitration', 'capping'].includes(stage)) {
    // These stages read only the parsed request, the parsed configuration and what the stores answered: bad input
    // there is a stored record of the wrong shape, the stores' side (a 5xx), not the caller's (a 4xx). (A hook of
    // the configuration answering garbage, such as the holdout, stays INPUT_INVALID.)
    err = new CrossChannelError<DecideErrorCode>('STORE_ERROR', `Invalid data from the stores (stage ${stage})${e.path ? ` at ${e.path}` : ''}: ${e.message}`, { path: e.pathSegments, cause: e, detail: { stage } });
  } else err = e as CrossChannelError<DecideErrorCode>;
  trace.fail({ code: err.code, message: err.message });
  const t = trace.finish();
  return new CrossChannelError<DecideErrorCode>(err.code, err.message, {
    path: err.pathSegments,
    cause: err,
    detail: { ...(err.detail ?? {}), stage, trace: t },
  });
}

async function run(req: DecideRequest, stores: DecideStores, config: DecideConfig, trace: TraceRecorder): Promise<DecideResult> {
  const timeout = config.storeTimeoutMs;
  const zone = req.timeZone ?? config.timeZone;

  // 1. identity
  trace.begin('identity', { identifiers: req.identifiers.length });
  const who = await resolveSubject(stores, config, req);
  trace.subjectId = who.subjectId;
  trace.end({ accepted: who.accepted, profiles: who.subjectId === null ? 0 : 1 }, who.rejected, who.notes);
  if (who.subjectId === null) return unresolved(req, trace, who.accepted, who.rejected);
  const subjectId = who.subjectId;

  // 2. load
  trace.begin('load', { stores: 3 + (stores.profiles ? 1 : 0) });
  const state = await loadState(stores, config, subjectId, req.now);
  // A retried request finds its own contacts in the history: answer with them, reserve nothing new. (Read inside
  // the load stage: a contact record of the wrong shape is the load's failure.)
  const replay = replayed(req, state.history.contacts);
  trace.end({ events: state.history.events.length, contacts: state.history.contacts.length, responses: state.history.responses.length, consentEvents: state.consentEvents.length });

  if (replay.length > 0) {
    trace.skip('consent', reason<DecideReasonCode>('DECIDE_REPLAYED', `Request ${req.requestId} was already decided; returning its reserved contacts`));
    return {
      requestId: req.requestId,
      subjectId,
      channel: req.channel,
      contact: true,
      offers: replay,
      nextAllowedAt: null,
      alternative: null,
      reasons: [reason<DecideReasonCode>('DECIDE_REPLAYED', `Replay of request ${req.requestId}`)],
      trace: trace.finish(),
    };
  }

  // 3. consent
  trace.begin('consent', { channels: 1 });
  // The ledger is folded once: the alternative channels below are checked against the same one.
  const ledger = consentState(state.consentEvents, config.consentPolicy);
  const consent = checkChannelConsent(config, ledger, req.channel, req);
  if (!consent.allowed) {
    trace.end({ channels: 0 }, [{ kind: 'channel', id: req.channel, reasons: consent.reasons }]);
    const alternative = await alternativeFor(req, stores, config, state, ledger, subjectId, zone, null, NO_USAGE);
    const denied: Reason = reason<DecideReasonCode>('DECIDE_CONSENT_DENIED', `Consent does not allow ${req.channel} for ${config.purpose}`, { detail: { channel: req.channel } });
    const reasons = [denied].concat(consent.reasons);
    trace.skip('segments', reason('DECIDE_SKIPPED', 'Consent denied the channel'));
    return noContact(req, trace, subjectId, reasons, null, alternative);
  }
  trace.end({ channels: 1 }, [], consent.reasons);

  // 4. segments
  trace.begin('segments', { segments: config.neededSegments.length });
  const memberships = evaluateNeededSegments(config, state, req);
  trace.end({ memberOf: memberships.length }, [], memberships.length ? [reason('DECIDE_SEGMENTS', `Member of ${memberships.join(', ')}`, { detail: { segments: memberships } })] : []);

  // 5. arbitration
  trace.begin('arbitration', { offers: config.catalogue.offers.length });
  // The caller's exclusions are taken out before the cut to slots + fallbacks: ranked with room for them.
  const wanted = req.slots + config.fallbackOffers;
  const room = wanted + (req.excludeOffers?.length ?? 0);
  let usage: ReadonlyMap<string, OfferUsage> = NO_USAGE;
  let ranking = rank(req, config, state, subjectId, memberships, req.channel, room, NO_USAGE);
  // Global capacities are read only when an offer that has one made the ranking: most decisions skip that
  // round trip. The re-ranking then excludes exhausted offers; the atomic consume at reservation is the guard.
  const store = stores.offerCapacity;
  const limited = store ? ranking.selected.filter((r) => hasCapacity(config, r.offerId)).map((r) => r.offerId) : [];
  if (store && limited.length > 0) {
    usage = await readUsage(store, config, req, limited, timeout);
    // Usage only excludes an offer it has used up: when none is, the ranking again would be this one (unless a
    // model, which another decision may have moved meanwhile, scores the offers).
    if (config.model !== undefined || usedUp(config, usage)) ranking = rank(req, config, state, subjectId, memberships, req.channel, room, usage);
  }
  const { removed, candidates } = arbitrationOutcome(ranking, req.excludeOffers, wanted);
  trace.end({ offers: candidates.length }, removed);
  if (candidates.length === 0) {
    trace.skip('capping', reason('DECIDE_SKIPPED', 'No offer to cap'));
    const alternative = await alternativeFor(req, stores, config, state, ledger, subjectId, zone, memberships, usage);
    return noContact(req, trace, subjectId, [reason<DecideReasonCode>('DECIDE_NO_OFFER', `No offer is eligible for ${req.channel}`)], null, alternative);
  }

  // 6. capping: walk the ranking, admitting offers the caps allow given the ones admitted before
  trace.begin('capping', { offers: candidates.length });
  const { admitted, held, removed: capRemoved } = capStage(config, req, subjectId, zone, state.history, candidates);
  trace.end({ offers: admitted.length }, capRemoved);
  if (admitted.length === 0) {
    const next = bestNext(held);
    const alternative = await alternativeFor(req, stores, config, state, ledger, subjectId, zone, memberships, usage);
    return noContact(req, trace, subjectId, allCappedReasons(req, held, next), next.at, alternative);
  }

  // 6b. holdout: asked only now, so the reason can say what would have been sent (the counterfactual). It gates
  //     the reservation: a held person's trace skips `reserve`, and a hook that fails fails `reserve`.
  let held_: Reason | null;
  try {
    held_ = config.holdout && holdoutReason(config.holdout, subjectId, { channel: req.channel, now: req.now }, admitted.map((o, i) => ({ offerId: o.offerId, rank: i + 1, score: o.score })));
  } catch (e) {
    trace.begin('reserve', { offers: admitted.length });
    throw e;
  }
  if (held_) {
    trace.skip('reserve', held_);
    return noContact(req, trace, subjectId, [held_], null, null);
  }

  // 7. reserve atomically; a reservation the store refuses (a concurrent decision took the slot) is tried with
  //    the next admitted-by-caps offer, never forced through.
  trace.begin('reserve', { offers: admitted.length });
  // The fallbacks are the other candidates in rank order: those the caps stage did not need, and those it held —
  // possibly only because of an admitted offer's planned contact, which the store may refuse. Tried only after a
  // refusal; the store's atomic check is what admits or refuses them.
  const queue = admitted.concat(candidates.filter((c) => !admitted.includes(c)));
  const { chosen, removed: reserveRemoved, refusedNext, partial } = await reserveStage(stores, config, req, subjectId, zone, timeout, queue);
  trace.end({ contacts: chosen.length }, reserveRemoved, partial);
  if (chosen.length === 0) {
    const alternative = await alternativeFor(req, stores, config, state, ledger, subjectId, zone, memberships, usage);
    return noContact(req, trace, subjectId, refusedReasons(reserveRemoved), firstNonNull(refusedNext), alternative);
  }
  return {
    requestId: req.requestId,
    subjectId,
    channel: req.channel,
    contact: true,
    offers: chosen,
    nextAllowedAt: null,
    alternative: null,
    reasons: partial,
    trace: trace.finish(),
  };
}

// The stages' loops live in the functions below, not in `run`: a loop makes V8 compile an on-stack-replacement
// entry into the function it is in, and for `run` (large, async, re-entered at every await) that entry could be
// reused after it stopped matching the types it was compiled for: from then on every decision deoptimised at it
// (≈ 5,600 times per 40,000 decisions, a third slower) in 4 of 32 runs of the decide bench script. `run` has no
// loop, so it has no such entry.

/**
 * Stage 5's outcome: the ranking's exclusions (each with the stage that removed it), then the caller's; the
 * candidates are the first `wanted` offers the caller did not exclude (the ranking made room for the exclusions).
 */
function arbitrationOutcome(ranking: ArbitrationResult, excludeOffers: ReadonlyArray<string> | undefined, wanted: number): { removed: RemovedItem[]; candidates: RankedOffer[] } {
  const removed: RemovedItem[] = new Array<RemovedItem>(ranking.excluded.length);
  for (let i = 0; i < ranking.excluded.length; i++) removed[i] = removedOffer(ranking.excluded[i]!);
  const candidates: RankedOffer[] = [];
  let noSlot: Reason | null = null;
  for (const r of ranking.selected) {
    if (excludeOffers !== undefined && excludeOffers.includes(r.offerId)) removed.push({ kind: 'offer', id: r.offerId, reasons: [reason<DecideReasonCode>('DECIDE_EXCLUDED_BY_CALLER', 'The channel asked not to show this offer now')] });
    else if (candidates.length < wanted) candidates.push(r);
    else {
      // Ranked in only to make room for the exclusions: below the slots, as arbitration says of the others.
      noSlot ??= reasonAtStage(reason('OFFER_NO_SLOT', `Ranked below the ${wanted} slot(s)`, { detail: { slots: wanted } }), 'constraints');
      removed.push({ kind: 'offer', id: r.offerId, reasons: [noSlot] });
    }
  }
  return { removed, candidates };
}

/**
 * Trace items of the exclusions that depend on the offer alone (the catalogue's frozen ones: wrong channel, not in
 * a segment, expired, a guard's category…), made once per exclusion and shared, frozen, by every trace after.
 */
const STATIC_REMOVED = new WeakMap<ExcludedOffer, RemovedItem>();

/** The trace item of an offer arbitration excluded: shared and frozen when the exclusion is, else fresh. */
function removedOffer(x: ExcludedOffer): RemovedItem {
  let item = STATIC_REMOVED.get(x);
  if (item === undefined) {
    const r = reasonAtStage(x.reason, x.stage);
    const reasons = [r];
    item = { kind: 'offer', id: x.offerId, reasons };
    if (Object.isFrozen(x)) {
      Object.freeze(r.detail);
      Object.freeze(r);
      Object.freeze(reasons);
      STATIC_REMOVED.set(x, Object.freeze(item));
    }
  }
  return item;
}

/** A candidate the caps refused, with the refusal. */
interface HeldOffer {
  readonly offer: RankedOffer;
  readonly decision: CapDecision;
}

/** Stage 6: walks the ranking, admitting offers the caps allow given the ones admitted before. */
function capStage(
  config: DecideConfig,
  req: DecideRequest,
  subjectId: string,
  zone: string,
  history: History,
  candidates: ReadonlyArray<RankedOffer>,
): { admitted: RankedOffer[]; held: HeldOffer[]; removed: RemovedItem[] } {
  const removed: RemovedItem[] = [];
  const admitted: RankedOffer[] = [];
  const held: HeldOffer[] = [];
  let view = history;
  for (const offer of candidates) {
    if (admitted.length >= req.slots) break;
    const decision = capDecision(view, config.caps, capCandidate(config, offer, req.channel), { now: req.now, timeZone: zone });
    if (decision.allowed) {
      admitted.push(offer);
      if (admitted.length >= req.slots) break; // the view below is only read by the next candidate's check
      // Inserted at its time, not appended: a history may hold contacts stamped after `now`.
      const contacts = [...view.contacts];
      contacts.splice(lowerBoundAt(contacts, req.now + 1), 0, plannedContact(config, req, subjectId, offer, admitted.length));
      view = { ...view, contacts };
    } else {
      held.push({ offer, decision });
      removed.push({ kind: 'offer', id: offer.offerId, reasons: decision.reasons });
    }
  }
  return { admitted, held, removed };
}

/**
 * When the best blocked offer passes the caps: the `nextAllowedAt` of the highest-ranked held offer that the caps
 * will allow at some instant (an offer blocked for ever, by a `forever` cooldown, is passed over), with its id.
 */
function bestNext(held: ReadonlyArray<HeldOffer>): { at: number | null; offerId: string | null } {
  for (const h of held) if (h.decision.nextAllowedAt !== null) return { at: h.decision.nextAllowedAt, offerId: h.offer.offerId };
  return { at: null, offerId: null };
}

/** Why nothing passed the caps: the summary, then each refusal's reasons, once each. */
function allCappedReasons(req: DecideRequest, held: ReadonlyArray<HeldOffer>, next: { at: number | null; offerId: string | null }): Reason[] {
  const reasons: Reason[] = [reason<DecideReasonCode>('DECIDE_ALL_CAPPED', `Every candidate offer is capped on ${req.channel}`, { detail: { nextAllowedAt: next.at, offerId: next.offerId } })];
  for (const h of held) reasons.push(...h.decision.reasons);
  return dedupeReasons(reasons);
}

/**
 * Stage 7: reserves atomically, in ranking order; a reservation the store refuses (a concurrent decision took the
 * slot) is tried with the next offer, never forced through. Each try is its own attempt with its own key
 * (`contactIdFor(requestId, slot, attempt)`), so the store judges the fallback afresh instead of replaying the
 * refusal of the offer before it; a retry of the request walks the same attempts and gets the same answers.
 */
async function reserveStage(
  stores: DecideStores,
  config: DecideConfig,
  req: DecideRequest,
  subjectId: string,
  zone: string,
  timeout: number,
  queue: ReadonlyArray<RankedOffer>,
): Promise<{ chosen: ChosenOffer[]; removed: RemovedItem[]; refusedNext: Array<number | null>; partial: Reason[] }> {
  const chosen: ChosenOffer[] = [];
  const removed: RemovedItem[] = [];
  const refusedNext: Array<number | null> = [];
  const partial: Reason[] = [];
  let attempt = 1;
  for (let i = 0; i < queue.length && chosen.length < req.slots; i++) {
    const offer = queue[i]!;
    // A slot can hold a twin request's offer (see reserveOne): never the same offer twice.
    if (chosen.some((c) => c.offerId === offer.offerId)) continue;
    const rank = chosen.length + 1;
    let outcome: Awaited<ReturnType<typeof reserveOne>>;
    try {
      outcome = await reserveOne(stores, config, req, subjectId, offer, rank, attempt, zone, timeout);
    } catch (e) {
      // Contacts already reserved are recorded: return them rather than an error the caller would read as
      // "nothing was sent". The failed slot stays empty (fail closed for it); a retry replays the reserved ones.
      if (chosen.length === 0 || !isCrossChannelError(e)) throw e;
      partial.push(reason<DecideReasonCode>('DECIDE_PARTIAL', `Slot ${rank} could not be reserved (${e.code}); ${chosen.length} reserved contact(s) returned`, { detail: { code: e.code, slot: rank } }));
      break;
    }
    if (outcome.ok) {
      // A twin's offer (see reserveOne) comes with its own score from this ranking, as the twin's answer has it.
      const offerId = outcome.contact.offerId ?? offer.offerId;
      const score = offerId === offer.offerId ? offer.score : (queue.find((q) => q.offerId === offerId)?.score ?? offer.score);
      chosen.push({ offerId, rank, score, contactId: outcome.contact.id, tags: outcome.contact.tags });
      attempt = 1;
    } else if (outcome.keyTaken && attempt < MAX_ATTEMPTS) {
      // The key held an earlier call's refusal of another offer: the same offer, at the next attempt.
      attempt++;
      i--;
    } else {
      removed.push({ kind: 'offer', id: offer.offerId, reasons: outcome.reasons });
      refusedNext.push(outcome.nextAllowedAt);
      attempt++;
    }
  }
  return { chosen, removed, refusedNext, partial };
}

/**
 * Why no reservation landed. When every offer was refused for its global capacity, the reasons are the
 * `DECIDE_CAPACITY_EXHAUSTED` of each; otherwise the summary `DECIDE_RESERVATION_REFUSED`, then the stores' reasons
 * (the rules that refused each offer, without the per-offer summaries), once each.
 */
function refusedReasons(removed: ReadonlyArray<RemovedItem>): Reason[] {
  const reasons: Reason[] = [];
  let capacityOnly = true;
  for (const r of removed) {
    for (const x of r.reasons) if (x.code !== 'DECIDE_RESERVATION_REFUSED') reasons.push(x);
    if (r.reasons[0]?.code !== 'DECIDE_CAPACITY_EXHAUSTED') capacityOnly = false;
  }
  if (capacityOnly && reasons.length > 0) return dedupeReasons(reasons);
  const summary: Reason = reason<DecideReasonCode>('DECIDE_RESERVATION_REFUSED', 'The atomic check refused every remaining offer (the rules below); nothing was recorded');
  return dedupeReasons([summary].concat(reasons));
}

/**
 * Contacts already reserved by this request id (a retry), as chosen offers in slot order. A contact of this
 * request id on another channel means the id was reused for another decision: `INPUT_INVALID` at `requestId`.
 */
function replayed(req: DecideRequest, contacts: ReadonlyArray<ContactRecord>): ChosenOffer[] {
  const prefix = `${req.requestId}#`;
  const out: ChosenOffer[] = [];
  for (const c of contacts) {
    expectContact(c);
    if (typeof c.idempotencyKey !== 'string' || !c.idempotencyKey.startsWith(prefix)) continue;
    const rank = slotOfKey(req.requestId, c.idempotencyKey);
    if (rank === null) continue;
    if (c.channel !== req.channel) throw requestIdConflict(req.requestId, c, req.channel);
    out.push({ offerId: c.offerId ?? '', rank, score: 0, contactId: c.id, tags: c.tags });
  }
  return out.sort((a, b) => a.rank - b.rank);
}

/** Most attempts at one slot when keys keep holding an earlier call's refusals (a bound, never reached in practice). */
const MAX_ATTEMPTS = 99;

/** Why no profile: every identifier rejected by identity's rules, or none known (`identity.observe: false`). */
function unresolved(req: DecideRequest, trace: TraceRecorder, accepted: number, rejected: ReadonlyArray<RemovedItem>): DecideResult {
  if (accepted === 0 && rejected.length > 0) {
    const reasons: Reason[] = [reason<DecideReasonCode>('DECIDE_IDENTIFIER_REJECTED', 'Every identifier was rejected')];
    for (const r of rejected) reasons.push(...r.reasons);
    return noContact(req, trace, null, dedupeReasons(reasons), null, null);
  }
  return noContact(req, trace, null, [reason<DecideReasonCode>('DECIDE_UNKNOWN_PERSON', 'No usable identifier resolved to a profile')], null, null);
}

/** Reads the capacity usage of `offerIds` (one call, with the store deadline); checked to be a Map. */
async function readUsage(store: NonNullable<DecideStores['offerCapacity']>, config: DecideConfig, req: DecideRequest, offerIds: string[], timeout: number): Promise<ReadonlyMap<string, OfferUsage>> {
  const usage = await withDeadline('arbitration', 'offerCapacity.usage', timeout, () =>
    store.usage(offerIds, { timeZone: config.catalogue.timeZone, weekStartsOn: config.catalogue.weekStartsOn }, req.now),
  );
  expectUsage(usage);
  return usage;
}

/**
 * The alternative channel, ranked with the offers' global capacity usage as the main path reads it: the usage
 * already read, plus one read for the capacity-limited offers the alternative channels would rank that the main
 * path did not read. The alternative is advice: when that read fails, no alternative is named (the decision's
 * own answer stands).
 */
async function alternativeFor(
  req: DecideRequest,
  stores: DecideStores,
  config: DecideConfig,
  state: Loaded,
  ledger: ConsentState,
  subjectId: string,
  zone: string,
  memberships: ReadonlyArray<string> | null,
  usage: ReadonlyMap<string, OfferUsage>,
): Promise<AlternativeChannel | null> {
  if (config.alternatives.length === 0) return null;
  const segs = memberships ?? evaluateNeededSegments(config, state, req);
  const store = stores.offerCapacity;
  // The alternative channels' rankings with `usage`, when the capacity check below needs them: with no further
  // read, they are the rankings bestAlternative would make again (same inputs, no await between), so it reuses them.
  const ranked = store && config.catalogue.offers.some(isLimited) ? alternativeRankings(req, config, state, ledger, subjectId, segs, usage) : null;
  const unread = ranked ? unreadCapacities(config, ranked, usage) : [];
  if (store && unread.length > 0) {
    let known: ReadonlyMap<string, OfferUsage>;
    try {
      known = new Map([...usage, ...(await readUsage(store, config, req, unread, config.storeTimeoutMs))]);
    } catch (e) {
      if (isCrossChannelError(e)) return null;
      throw e;
    }
    return bestAlternative(req, config, state, ledger, subjectId, zone, segs, known, null);
  }
  return bestAlternative(req, config, state, ledger, subjectId, zone, segs, usage, ranked);
}

/**
 * Each alternative channel's ranking with `usage`, by its index in `config.alternatives`: null for the request's
 * channel and those consent does not allow (consent checked and ranking made channel by channel, in order).
 */
function alternativeRankings(
  req: DecideRequest,
  config: DecideConfig,
  state: Loaded,
  ledger: ConsentState,
  subjectId: string,
  segs: ReadonlyArray<string>,
  usage: ReadonlyMap<string, OfferUsage>,
): Array<ArbitrationResult | null> {
  const out: Array<ArbitrationResult | null> = [];
  for (const channel of config.alternatives) {
    out.push(channel === req.channel || !checkChannelConsent(config, ledger, channel, req).allowed ? null : rank(req, config, state, subjectId, segs, channel, 1 + config.fallbackOffers, usage));
  }
  return out;
}

/** Capacity-limited offers the alternative channels' rankings select whose usage was not read yet. */
function unreadCapacities(config: DecideConfig, ranked: ReadonlyArray<ArbitrationResult | null>, usage: ReadonlyMap<string, OfferUsage>): string[] {
  const out = new Set<string>();
  for (const ranking of ranked) {
    if (ranking) for (const r of ranking.selected) if (hasCapacity(config, r.offerId) && !usage.has(r.offerId)) out.add(r.offerId);
  }
  return [...out];
}

const NO_USAGE: ReadonlyMap<string, OfferUsage> = new Map();

/** Whether `usage` uses up a capacity or budget of some offer (arbitration's own test). */
const usedUp = (config: DecideConfig, usage: ReadonlyMap<string, Partial<OfferUsage>>): boolean => config.catalogue.offers.some((o) => usedUpBy(o, usage.get(o.id)) !== null);

function hasCapacity(config: DecideConfig, offerId: string): boolean {
  return isLimited(config.catalogue.byId.get(offerId));
}

const isLimited = (o: { capacity: unknown; budget: unknown } | undefined): boolean => o !== undefined && (o.capacity !== null || o.budget !== null);

function rank(
  req: DecideRequest,
  config: DecideConfig,
  state: Loaded,
  subjectId: string,
  memberships: ReadonlyArray<string>,
  channel: string,
  slots: number,
  usage: ReadonlyMap<string, OfferUsage>,
): ArbitrationResult {
  // Built field by field (no conditional spreads: this runs once or twice per decision).
  const options: { -readonly [K in keyof ArbitrateOptions]: ArbitrateOptions[K] } = { now: req.now, channel, slots, usage };
  if (config.model) {
    options.model = config.model;
    // Exploration samples the learned posteriors; without a model there is nothing learned to explore.
    if (config.explore) options.thompson = { seed: req.requestId };
  }
  return arbitrate(
    { subjectId, segments: memberships, attributes: state.profile },
    config.catalogue,
    state.history,
    options,
    // Made by the first ranking of the decision; it reads the history lazily, once for every ranking after.
    (state.prepared ??= new Prepared(config.catalogue, state.history, req.now)),
  );
}

/**
 * Best other channel where consent, arbitration (with the capacity `usage` read) and caps all allow an offer now
 * (highest top score). `ranked`: the alternative channels' rankings with `usage` (see alternativeRankings), or null
 * to check and rank each channel here.
 */
function bestAlternative(
  req: DecideRequest,
  config: DecideConfig,
  state: Loaded,
  ledger: ConsentState,
  subjectId: string,
  zone: string,
  segs: ReadonlyArray<string>,
  usage: ReadonlyMap<string, OfferUsage>,
  ranked: ReadonlyArray<ArbitrationResult | null> | null,
): AlternativeChannel | null {
  let best: { channel: string; offerId: string; score: number } | null = null;
  for (let i = 0; i < config.alternatives.length; i++) {
    const channel = config.alternatives[i]!;
    let ranking: ArbitrationResult | null;
    if (ranked) ranking = ranked[i]!;
    else if (channel === req.channel || !checkChannelConsent(config, ledger, channel, req).allowed) continue;
    else ranking = rank(req, config, state, subjectId, segs, channel, 1 + config.fallbackOffers, usage);
    if (ranking === null) continue;
    for (const offer of ranking.selected) {
      const d = capDecision(state.history, config.caps, capCandidate(config, offer, channel), { now: req.now, timeZone: zone });
      if (!d.allowed) continue;
      if (best === null || offer.score > best.score) best = { channel, offerId: offer.offerId, score: offer.score };
      break;
    }
  }
  return best ? { channel: best.channel, offerId: best.offerId } : null;
}

function noContact(
  req: DecideRequest,
  trace: TraceRecorder,
  subjectId: string | null,
  reasons: ReadonlyArray<Reason>,
  nextAllowedAt: number | null,
  alternative: AlternativeChannel | null,
): DecideResult {
  return { requestId: req.requestId, subjectId, channel: req.channel, contact: false, offers: [], nextAllowedAt, alternative, reasons, trace: trace.finish() };
}

/** The first known instant, in ranking order: when the best refused offer would pass. */
function firstNonNull(values: ReadonlyArray<number | null>): number | null {
  for (const v of values) if (v !== null) return v;
  return null;
}
