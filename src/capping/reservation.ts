/**
 * The reservation plan: what a store must count, over which windows, to decide a reservation exactly as
 * {@link evaluateCaps} would. Capping owns the rules; a store (Redis, SQL, an integrator's) executes the plan
 * atomically and knows nothing of rule kinds, zones or calendars.
 */
import { inputError } from '../core/errors.js';
import { lowerBoundAt, type ResponseKind } from '../core/records.js';
import type { EpochMs } from '../core/time.js';
import { appliesTo, capDecision, effectiveLimit, type CapCandidate, type CapDecision, type CapHistory } from './evaluate.js';
import { checkCandidate, checkCapHistory } from './check.js';
import { quietEnd } from './quiet.js';
import { parseCapRules, type CapRuleSetInput, type CompiledCapRule, type CompiledCapRules, type CountScope } from './rules.js';
import { capWindowAt, checkNow, checkZone } from './windows.js';

/**
 * Count the contacts in `scope` with `from ≤ at < to`; the reservation is refused when the count reaches `limit`.
 *
 * @example
 * ```ts
 * declare const plan: ReservationPlan;
 * const tightest: ContactCheck | undefined = [...plan.contacts].sort((a, b) => a.limit - b.limit)[0];
 * ```
 */
export interface ContactCheck {
  /** Id of the rule the check comes from (for logs; the store never interprets it). */
  readonly rule: string;
  readonly from: EpochMs;
  /** Exclusive; `Infinity` for an open end. */
  readonly to: EpochMs;
  /** At least 1. */
  readonly limit: number;
  readonly scope: CountScope;
  /** True when `scope` is the compiled rule's own object (the same on every call): a store may cache by it. */
  readonly shared: boolean;
}

/**
 * The reservation is refused when any response in `scope`, of one of `kinds`, has `at ≥ from`.
 *
 * @example
 * ```ts
 * declare const plan: ReservationPlan;
 * const forever = plan.responses.some((c: ResponseCheck) => c.from === -Infinity);
 * ```
 */
export interface ResponseCheck {
  readonly rule: string;
  /** `-Infinity` for a cooldown that never ends. */
  readonly from: EpochMs;
  readonly kinds: ReadonlyArray<ResponseKind>;
  readonly scope: CountScope;
  readonly shared: boolean;
}

const PLAN = Symbol.for('crosschannel.capping.reservationPlan');

/**
 * What a store runs, atomically, to reserve one contact: refuse when `refused`, or when any check fails
 * against the subject's stored history; otherwise record the contact. `contactsFrom`/`responsesFrom` are how far
 * back the checks read (a store snapshots that much to explain a refusal with {@link explainRefusal}).
 *
 * @example
 * ```ts
 * declare const caps: CompiledCapRules;
 * const plan = planReservation(caps, { channel: 'sms', tags: ['marketing'] }, Date.parse('2026-01-05T12:00:00Z'), 'Europe/Paris');
 * console.log(plan.refused, plan.contacts.length, plan.responses.length);
 * ```
 */
export interface ReservationPlan {
  readonly [PLAN]: true;
  readonly now: EpochMs;
  readonly timeZone: string;
  /** Refused whatever the history holds (quiet hours now, a limit with no slot for this priority). */
  readonly refused: boolean;
  readonly contacts: ReadonlyArray<ContactCheck>;
  readonly responses: ReadonlyArray<ResponseCheck>;
  /** Earliest contact instant the rules look at (`null`: none). */
  readonly contactsFrom: EpochMs | null;
  /** Earliest response instant the rules look at (`null`: none; `-Infinity`: all). */
  readonly responsesFrom: EpochMs | null;
  /**
   * Whether any rule the plan checks or refuses outright counts transactional contacts. When it is false, a
   * refusal is explained the same without them, so a store may leave them out of its snapshot.
   */
  readonly countsTransactional: boolean;
  /** @internal What the plan was made for, to explain a refusal. */
  readonly caps: CompiledCapRules;
  /** @internal */
  readonly candidate: CapCandidate;
}

/**
 * Plans the atomic reservation of `candidate` at `now` in `timeZone` (default: the rule set's zone): the
 * calendar and rolling windows resolved to instants, scopes narrowed to the candidate's channel, campaign or
 * offer for `per` rules, effective limits after reserved slots, quiet hours decided. Pure; executing the plan on
 * a history ({@link reservationAllows}) allows exactly when `evaluateCaps` does.
 *
 * @example
 * ```ts
 * const caps = parseCapRules({ rules: [{ id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } }] });
 * const plan = planReservation(caps, { channel: 'sms' }, Date.parse('2026-01-05T12:00:00Z'), 'Europe/Paris');
 * plan.contacts[0]; // { rule: 'sms-day', from: 2026-01-04T23:00Z, to: 2026-01-05T23:00Z, limit: 1, … }
 * ```
 */
export function planReservation(rules: CompiledCapRules | CapRuleSetInput, candidate: CapCandidate, now: EpochMs, timeZone?: string): ReservationPlan {
  const caps = parseCapRules(rules);
  checkCandidate(candidate);
  checkNow(caps, now);
  const zone = checkZone(caps, timeZone ?? caps.timeZone);
  let refused = false;
  let countsTransactional = false;
  let contactsFrom = Number.POSITIVE_INFINITY;
  let responsesFrom = Number.POSITIVE_INFINITY;
  const contacts: ContactCheck[] = [];
  const responses: ResponseCheck[] = [];
  for (const rule of caps.rules) {
    if (!appliesTo(rule, candidate)) continue;
    const { scope, shared } = scopeFor(rule, candidate);
    switch (rule.kind) {
      case 'quiet':
        if (quietEnd(rule, now, zone) !== now) refused = true;
        break;
      case 'cooldown': {
        const from = Number.isFinite(rule.cooldownMs) ? now - rule.cooldownMs + 1 : Number.NEGATIVE_INFINITY;
        responsesFrom = Math.min(responsesFrom, from);
        responses.push({ rule: rule.id, from, kinds: rule.cooldownKinds, scope, shared });
        break;
      }
      case 'limit': {
        const w = capWindowAt(caps, rule, now, zone);
        contactsFrom = Math.min(contactsFrom, w.start);
        const limit = effectiveLimit(rule, candidate);
        if (scope.transactional) countsTransactional = true;
        if (limit <= 0) refused = true;
        else contacts.push({ rule: rule.id, from: w.start, to: w.end, limit, scope, shared });
        break;
      }
      case 'gap': {
        const from = now - rule.minGap + 1;
        if (scope.transactional) countsTransactional = true;
        contactsFrom = Math.min(contactsFrom, from);
        contacts.push({ rule: rule.id, from, to: now + rule.minGap, limit: 1, scope, shared });
        break;
      }
    }
  }
  return {
    [PLAN]: true,
    now,
    timeZone: zone,
    refused,
    contacts,
    responses,
    contactsFrom: Number.isFinite(contactsFrom) ? contactsFrom : null,
    responsesFrom: responsesFrom === Number.POSITIVE_INFINITY ? null : responsesFrom,
    countsTransactional,
    caps,
    candidate,
  };
}

/**
 * Executes a plan on a history held in memory: the reference a store's atomic version must agree with (the
 * property tests hold `reservationAllows(planReservation(…), h)` equal to `evaluateCaps(h, …).allowed`).
 *
 * @example
 * ```ts
 * declare const plan: ReservationPlan;
 * declare const history: History;
 * if (reservationAllows(plan, history)) console.log('record it');
 * ```
 */
export function reservationAllows(plan: ReservationPlan, history: CapHistory): boolean {
  assertPlan(plan);
  checkCapHistory(history);
  return allows(plan, history);
}

function allows(plan: ReservationPlan, history: CapHistory): boolean {
  if (plan.refused) return false;
  for (const check of plan.contacts) {
    let n = 0;
    const list = history.contacts;
    for (let i = lowerBoundAt(list, check.from); i < list.length && list[i]!.at < check.to; i++) {
      const c = list[i]!;
      if ((!c.transactional || check.scope.transactional) && inCountScope(check.scope, c) && ++n >= check.limit) return false;
    }
  }
  for (const check of plan.responses) {
    const list = history.responses;
    for (let i = check.from === Number.NEGATIVE_INFINITY ? 0 : lowerBoundAt(list, check.from); i < list.length; i++) {
      const r = list[i]!;
      if (check.kinds.includes(r.kind) && inCountScope(check.scope, r)) return false;
    }
  }
  return true;
}

/**
 * The decision to return when a store refused a plan: `evaluateCaps` on the snapshot the store read (from
 * `contactsFrom` / `responsesFrom`), so the reasons and `nextAllowedAt` are capping's own. A snapshot torn by a
 * concurrent write may look allowed: the refusal stands, with one reason `CAP_RETRY` ("the store's state changed
 * while reserving; retry") and `nextAllowedAt` = the plan's `now` — retry at once — never `null`, which means never.
 *
 * @example
 * ```ts
 * declare const plan: ReservationPlan;
 * declare const snapshot: CapHistory;
 * const decision = explainRefusal(plan, snapshot); // decision.allowed === false
 * ```
 */
export function explainRefusal(plan: ReservationPlan, snapshot: CapHistory): CapDecision {
  assertPlan(plan);
  checkCapHistory(snapshot, ['snapshot']);
  const d = capDecision(snapshot, plan.caps, plan.candidate, { now: plan.now, timeZone: plan.timeZone });
  if (!d.allowed) return d;
  return { allowed: false, reasons: [{ code: 'CAP_RETRY', message: "Refused by the store, but the state it read allows: the store's state changed while reserving; retry" }], nextAllowedAt: plan.now };
}

function scopeFor(rule: CompiledCapRule, candidate: CapCandidate): { scope: CountScope; shared: boolean } {
  switch (rule.per) {
    case null:
      return { scope: rule.scope, shared: true };
    // `appliesTo` guarantees the candidate's value is inside the rule's own list, so narrowing is an intersection.
    case 'channel':
      return { scope: { ...rule.scope, channels: [candidate.channel] }, shared: false };
    case 'campaign':
      return { scope: { ...rule.scope, campaigns: [candidate.campaignId!] }, shared: false };
    case 'offer':
      return { scope: { ...rule.scope, offers: [candidate.offerId!] }, shared: false };
  }
}

function inCountScope(
  scope: CountScope,
  rec: { readonly channel: string; readonly campaignId?: string | undefined; readonly offerId?: string | undefined; readonly tags?: ReadonlyArray<string> | undefined },
): boolean {
  if (scope.channels !== null && !scope.channels.includes(rec.channel)) return false;
  if (scope.campaigns !== null && (rec.campaignId === undefined || !scope.campaigns.includes(rec.campaignId))) return false;
  if (scope.offers !== null && (rec.offerId === undefined || !scope.offers.includes(rec.offerId))) return false;
  // A record without tags (not parsed: parsed ones have []) is in no tagged scope, as evaluateCaps reads it.
  if (scope.tags !== null && !rec.tags?.some((t) => scope.tags!.includes(t))) return false;
  return true;
}

function assertPlan(plan: unknown): asserts plan is ReservationPlan {
  if (typeof plan !== 'object' || plan === null || (plan as { [PLAN]?: unknown })[PLAN] !== true) {
    throw inputError('Expected a plan from planReservation');
  }
}

