import { CrossChannelError, isCrossChannelError } from '../core/errors.js';
import { assertTimeZone } from '../core/time.js';
import { reason, type Reason } from '../core/explain.js';
import { lowerBoundAt, type ContactRecord, type History } from '../core/records.js';
import { arbitrate, type ArbitrateOptions, type ArbitrationResult, type RankedOffer } from '../arbitration/arbitrate.js';
import type { OfferUsage } from '../arbitration/store.js';
import { capDecision, type CapDecision } from '../capping/evaluate.js';
import { compiledDecideConfig, isDecideConfig, type DecideConfig, type DecideConfigInput } from './config.js';
import { expectContact, expectUsage } from './answers.js';
import { withDeadline } from './deadline.js';
import type { DecideErrorCode } from './errors.js';
import { capCandidate, plannedContact, reserveOne } from './reserve.js';
import { checkChannelConsent } from './consent.js';
import { consentState, type ConsentState } from '../consent/ledger.js';
import { resolveSubject } from './identify.js';
import { loadState, type LoadedState } from './load.js';
import { evaluateNeededSegments } from './segments.js';
import type { DecideStores } from './stores.js';
import { parseDecideRequest, type AlternativeChannel, type ChosenOffer, type DecideFailure, type DecideRequest, type DecideResult } from './request.js';
import type { DecideReasonCode } from './errors.js';
import { holdoutReason } from './holdout.js';
import { emit } from './telemetry.js';
import { dedupeReasons, reasonAtStage } from './reasons.js';
import { performanceClock, TraceRecorder, type DecisionTrace, type RemovedItem } from './trace.js';

/**
 * One explained next-best-action decision: resolve identity → load history, events, consent → consent →
 * segments → arbitration → capping → atomic reservation. Returns the reserved offers (or none, with why, the
 * earliest `nextAllowedAt` and an alternative channel) and a trace of every stage.
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
  const rq = (typeof request === 'object' && request !== null ? request : {}) as { requestId?: unknown; channel?: unknown; now?: unknown };
  const trace = new TraceRecorder(
    typeof rq.requestId === 'string' ? rq.requestId : '',
    typeof rq.channel === 'string' ? rq.channel : '',
    typeof rq.now === 'number' ? rq.now : 0,
    isDecideConfig(configInput) ? (configInput.clock ?? performanceClock) : performanceClock,
  );
  trace.begin('validate');
  let req: DecideRequest;
  let config: DecideConfig;
  try {
    config = compiledDecideConfig(configInput);
    req = parseDecideRequest(request as Parameters<typeof parseDecideRequest>[0]);
    if (req.timeZone !== undefined) checkedZone(config, req.timeZone);
  } catch (e) {
    throw failed(trace, e, 'validate');
  }
  trace.identify(req.requestId, req.channel, req.now);
  trace.end({ identifiers: req.identifiers.length, slots: req.slots });
  const telemetry = config.telemetry;
  if (telemetry === undefined) {
    try {
      return await run(req, stores, config, trace);
    } catch (e) {
      throw failed(trace, e, trace.running ?? 'reserve');
    }
  }
  let result: DecideResult;
  try {
    result = await run(req, stores, config, trace);
  } catch (e) {
    const err = failed(trace, e, trace.running ?? 'reserve');
    emit(telemetry, { trace: (err.detail as { trace: DecisionTrace }).trace, outcome: 'failed', offers: 0, reasons: [], error: { code: err.code, message: err.message } });
    throw err;
  }
  emit(telemetry, { trace: result.trace, outcome: result.contact ? 'allowed' : 'refused', offers: result.offers.length, reasons: result.reasons });
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
    const error = isCrossChannelError(e) ? (e as CrossChannelError<DecideErrorCode>) : new CrossChannelError<DecideErrorCode>('DECIDE_STAGE_FAILED', String(e), { cause: e });
    const trace = (error.detail as { trace?: DecisionTrace } | undefined)?.trace ?? emptyTrace(request);
    return { ok: false, error, trace };
  }
}

function emptyTrace(request: unknown): DecisionTrace {
  const rq = (typeof request === 'object' && request !== null ? request : {}) as { requestId?: unknown; channel?: unknown; now?: unknown };
  return {
    requestId: typeof rq.requestId === 'string' ? rq.requestId : '',
    channel: typeof rq.channel === 'string' ? rq.channel : '',
    now: typeof rq.now === 'number' ? rq.now : 0,
    subjectId: null,
    stages: [],
    totalMs: 0,
  };
}

/** Turns anything thrown inside the pipeline into the typed, traced failure. */
function failed(trace: TraceRecorder, e: unknown, stage: ReturnType<TraceRecorder['finish']>['stages'][number]['stage']): CrossChannelError<DecideErrorCode> {
  let err: CrossChannelError<DecideErrorCode>;
  if (!isCrossChannelError(e)) {
    err = new CrossChannelError<DecideErrorCode>('DECIDE_STAGE_FAILED', `Stage ${stage} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e, detail: { stage } });
  } else if (e.code === 'INPUT_INVALID' && (stage === 'consent' || stage === 'segments' || stage === 'arbitration' || stage === 'capping')) {
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
  if (who.subjectId === null) {
    return noContact(req, trace, null, [reason<DecideReasonCode>('DECIDE_UNKNOWN_PERSON', 'No usable identifier resolved to a profile')], null, null);
  }
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
    const alternative = bestAlternative(req, config, state, ledger, subjectId, zone, null);
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
  let ranking = rank(req, config, state, subjectId, memberships, req.channel, req.slots + config.fallbackOffers, NO_USAGE);
  // Global capacities are read only when an offer that has one made the ranking: most decisions skip that
  // round trip. The re-ranking then excludes exhausted offers; the atomic consume at reservation is the guard.
  const limited = stores.offerCapacity ? ranking.selected.filter((r) => hasCapacity(config, r.offerId)).map((r) => r.offerId) : [];
  if (stores.offerCapacity && limited.length > 0) {
    const store = stores.offerCapacity;
    const usage = await withDeadline('arbitration', 'offerCapacity.usage', timeout, () =>
      store.usage(limited, { timeZone: config.catalogue.timeZone, weekStartsOn: config.catalogue.weekStartsOn }, req.now),
    );
    expectUsage(usage);
    ranking = rank(req, config, state, subjectId, memberships, req.channel, req.slots + config.fallbackOffers, usage);
  }
  const { removed, candidates } = arbitrationOutcome(ranking, req.excludeOffers);
  trace.end({ offers: candidates.length }, removed);
  if (candidates.length === 0) {
    trace.skip('capping', reason('DECIDE_SKIPPED', 'No offer to cap'));
    const alternative = bestAlternative(req, config, state, ledger, subjectId, zone, memberships);
    return noContact(req, trace, subjectId, [reason<DecideReasonCode>('DECIDE_NO_OFFER', `No offer is eligible for ${req.channel}`)], null, alternative);
  }

  // 6. capping: walk the ranking, admitting offers the caps allow given the ones admitted before
  trace.begin('capping', { offers: candidates.length });
  const { admitted, held, removed: capRemoved } = capStage(config, req, subjectId, zone, state.history, candidates);
  trace.end({ offers: admitted.length }, capRemoved);
  if (admitted.length === 0) {
    const next = earliest(held.map((h) => h.decision.nextAllowedAt));
    const alternative = bestAlternative(req, config, state, ledger, subjectId, zone, memberships);
    return noContact(req, trace, subjectId, allCappedReasons(req, held, next), next, alternative);
  }

  // 6b. holdout: asked only now, so the reason can say what would have been sent (the counterfactual).
  const held_ = holdoutReason(config.holdout, subjectId, { channel: req.channel, now: req.now }, admitted.map((o, i) => ({ offerId: o.offerId, rank: i + 1, score: o.score })));
  if (held_) {
    trace.skip('reserve', held_);
    return noContact(req, trace, subjectId, [held_], null, null);
  }

  // 7. reserve atomically; a reservation the store refuses (a concurrent decision took the slot) is tried with
  //    the next admitted-by-caps offer, never forced through.
  trace.begin('reserve', { offers: admitted.length });
  // Offers ranked after the admitted ones were not needed by the caps stage; they are the fallbacks, and the
  // store's atomic check is what admits or refuses them.
  const queue = admitted.concat(candidates.slice(admitted.length + held.length));
  const { chosen, removed: reserveRemoved, refusedNext, partial } = await reserveStage(stores, config, req, subjectId, zone, timeout, queue);
  trace.end({ contacts: chosen.length }, reserveRemoved, partial);
  if (chosen.length === 0) {
    return noContact(req, trace, subjectId, refusedReasons(reserveRemoved), earliest(refusedNext), bestAlternative(req, config, state, ledger, subjectId, zone, memberships));
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

/** Stage 5's outcome: the ranking's exclusions (each with the stage that removed it), then the caller's. */
function arbitrationOutcome(ranking: ArbitrationResult, excludeOffers: ReadonlyArray<string> | undefined): { removed: RemovedItem[]; candidates: RankedOffer[] } {
  const removed: RemovedItem[] = new Array<RemovedItem>(ranking.excluded.length);
  for (let i = 0; i < ranking.excluded.length; i++) {
    const x = ranking.excluded[i]!;
    removed[i] = { kind: 'offer', id: x.offerId, reasons: [reasonAtStage(x.reason, x.stage)] };
  }
  const candidates: RankedOffer[] = [];
  for (const r of ranking.selected) {
    if (excludeOffers !== undefined && excludeOffers.includes(r.offerId)) removed.push({ kind: 'offer', id: r.offerId, reasons: [reason<DecideReasonCode>('DECIDE_EXCLUDED_BY_CALLER', 'The channel asked not to show this offer now')] });
    else candidates.push(r);
  }
  return { removed, candidates };
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

/** Why nothing passed the caps: the summary, then each refusal's reasons, once each. */
function allCappedReasons(req: DecideRequest, held: ReadonlyArray<HeldOffer>, next: number | null): Reason[] {
  const reasons: Reason[] = [reason<DecideReasonCode>('DECIDE_ALL_CAPPED', `Every candidate offer is capped on ${req.channel}`, { detail: { nextAllowedAt: next } })];
  for (const h of held) reasons.push(...h.decision.reasons);
  return dedupeReasons(reasons);
}

/**
 * Stage 7: reserves atomically, in ranking order; a reservation the store refuses (a concurrent decision took the
 * slot) is tried with the next offer, never forced through.
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
  for (const offer of queue) {
    if (chosen.length >= req.slots) break;
    const rank = chosen.length + 1;
    let outcome: Awaited<ReturnType<typeof reserveOne>>;
    try {
      outcome = await reserveOne(stores, config, req, subjectId, offer, rank, zone, timeout);
    } catch (e) {
      // Contacts already reserved are recorded: return them rather than an error the caller would read as
      // "nothing was sent". The failed slot stays empty (fail closed for it); a retry replays the reserved ones.
      if (chosen.length === 0 || !isCrossChannelError(e)) throw e;
      partial.push(reason<DecideReasonCode>('DECIDE_PARTIAL', `Slot ${rank} could not be reserved (${e.code}); ${chosen.length} reserved contact(s) returned`, { detail: { code: e.code, slot: rank } }));
      break;
    }
    if (outcome.ok) {
      chosen.push({ offerId: offer.offerId, rank, score: offer.score, contactId: outcome.contact.id, tags: outcome.contact.tags });
    } else {
      removed.push({ kind: 'offer', id: offer.offerId, reasons: outcome.reasons });
      refusedNext.push(outcome.nextAllowedAt);
    }
  }
  return { chosen, removed, refusedNext, partial };
}

/** Why no reservation landed: the summary, then the stores' reasons (without their own summaries), once each. */
function refusedReasons(removed: ReadonlyArray<RemovedItem>): Reason[] {
  const reasons: Reason[] = [reason<DecideReasonCode>('DECIDE_RESERVATION_REFUSED', 'The store refused every reservation (a concurrent decision used the last allowed contact); nothing was recorded')];
  for (const r of removed) for (const x of r.reasons) if (x.code !== 'DECIDE_RESERVATION_REFUSED') reasons.push(x);
  return dedupeReasons(reasons);
}

function checkedZone(config: DecideConfig, zone: string): string {
  return assertTimeZone(zone, ['timeZone']);
}

/** Contacts already reserved by this request id (a retry), as chosen offers in slot order. */
function replayed(req: DecideRequest, contacts: ReadonlyArray<ContactRecord>): ChosenOffer[] {
  const prefix = `${req.requestId}#`;
  const out: ChosenOffer[] = [];
  for (const c of contacts) {
    expectContact(c);
    // The channel first: it rules out most contacts without reading their keys.
    if (c.channel !== req.channel || typeof c.idempotencyKey !== 'string' || !c.idempotencyKey.startsWith(prefix)) continue;
    const rank = Number(c.idempotencyKey.slice(prefix.length));
    if (!Number.isInteger(rank) || rank < 1) continue;
    out.push({ offerId: c.offerId ?? '', rank, score: 0, contactId: c.id, tags: c.tags });
  }
  return out.sort((a, b) => a.rank - b.rank);
}

const NO_USAGE: ReadonlyMap<string, OfferUsage> = new Map();

function hasCapacity(config: DecideConfig, offerId: string): boolean {
  const o = config.catalogue.byId.get(offerId);
  return o !== undefined && (o.capacity !== null || o.budget !== null);
}

function rank(
  req: DecideRequest,
  config: DecideConfig,
  state: LoadedState,
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
  );
}

/** Best other channel where consent, arbitration and caps all allow an offer now (highest top score). */
function bestAlternative(
  req: DecideRequest,
  config: DecideConfig,
  state: LoadedState,
  ledger: ConsentState,
  subjectId: string,
  zone: string,
  memberships: ReadonlyArray<string> | null,
): AlternativeChannel | null {
  if (config.alternatives.length === 0) return null;
  const segs = memberships ?? evaluateNeededSegments(config, state, req);
  let best: { channel: string; offerId: string; score: number } | null = null;
  for (const channel of config.alternatives) {
    if (channel === req.channel) continue;
    if (!checkChannelConsent(config, ledger, channel, req).allowed) continue;
    const ranking = rank(req, config, state, subjectId, segs, channel, 1 + config.fallbackOffers, NO_USAGE);
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

function earliest(values: ReadonlyArray<number | null>): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && (best === null || v < best)) best = v;
  return best;
}
