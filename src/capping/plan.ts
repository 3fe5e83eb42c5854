import { inputError } from '../core/errors.js';
import { lowerBoundAt } from '../core/records.js';
import { checkCandidate, checkCapHistory, checkCapOptions } from './check.js';
import { capDecision, type CapCandidate, type CapDecision, type CapHistory, type CapOptions, type CountedContact } from './evaluate.js';
import { parseCapRules, type CapRuleSetInput, type CompiledCapRules } from './rules.js';
import { checkNow, checkZone } from './windows.js';
import type { EpochMs } from '../core/time.js';

/**
 * A candidate for {@link planContacts}; `id` (if any) is the tie-breaker between equal priorities.
 *
 * @example
 * ```ts
 * const c: PlanCandidate = { id: 'cart-reminder', channel: 'push', priority: 5 };
 * ```
 */
export type PlanCandidate = CapCandidate & { readonly id?: string | undefined };

/**
 * The outcome of {@link planContacts}, both lists in the order they were considered.
 *
 * @example
 * ```ts
 * declare const plan: ContactPlan<PlanCandidate>; // from planContacts
 * declare function send(message: PlanCandidate): Promise<void>;
 * declare function retryAt(candidate: PlanCandidate, at: number | null): void;
 *
 * for (const m of plan.send) await send(m);
 * for (const { candidate, decision } of plan.hold) retryAt(candidate, decision.nextAllowedAt);
 * ```
 */
export interface ContactPlan<T extends PlanCandidate> {
  /** Candidates that may all go out together at `now` without breaking any rule. */
  readonly send: ReadonlyArray<T>;
  /**
   * Candidates held back, each with the decision that refused it (counting the ones already planned). A candidate
   * the caps allow but that would push an already planned message over a cap carries that message's reasons.
   */
  readonly hold: ReadonlyArray<{ readonly candidate: T; readonly decision: CapDecision }>;
}

/**
 * Picks which of several candidate messages may all be sent at `now` together. Transactional candidates are
 * considered first (they bypass most caps but may still count toward them, so marketing messages must see them),
 * then the others by priority (highest first), then by `id`, then by input order; each one is admitted when the
 * caps allow it given the history plus the candidates admitted before it (greedy, deterministic). Every admitted
 * message is then allowed alongside all the others.
 *
 * @example
 * ```ts
 * const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
 * const plan = planContacts(createHistory('p1'), caps, [
 *   { id: 'promo', channel: 'email', priority: 1 },
 *   { id: 'reminder', channel: 'push', priority: 5 },
 * ], { now: Date.parse('2026-01-05T12:00:00Z') });
 * // plan.send → [reminder]; plan.hold → [{ candidate: promo, decision: { allowed: false, … } }]
 * ```
 */
export function planContacts<T extends PlanCandidate>(
  history: CapHistory,
  rules: CompiledCapRules | CapRuleSetInput,
  candidates: ReadonlyArray<T>,
  options: CapOptions,
): ContactPlan<T> {
  const caps = parseCapRules(rules);
  checkCapHistory(history);
  if (!Array.isArray(candidates)) throw inputError('candidates must be an array', ['candidates']);
  candidates.forEach((c, i) => {
    const id: unknown = c?.id;
    checkCandidate(c, ['candidates', i]);
    if (id !== undefined && typeof id !== 'string') throw inputError('A candidate id must be a string', ['candidates', i, 'id']);
  });
  checkCapOptions(options);
  // Checked here too, so that a bad `now` or zone is refused even when there is no candidate to evaluate.
  checkNow(caps, options.now);
  checkZone(caps, options.timeZone ?? caps.timeZone);
  const order = candidates.map((_, i) => i);
  order.sort((a, b) => {
    const ca = candidates[a]!;
    const cb = candidates[b]!;
    const ta = ca.transactional === true ? 0 : 1;
    const tb = cb.transactional === true ? 0 : 1;
    if (ta !== tb) return ta - tb;
    const pa = ca.priority ?? 0;
    const pb = cb.priority ?? 0;
    if (pa !== pb) return pb - pa;
    const ia = ca.id ?? '';
    const ib = cb.id ?? '';
    if (ia !== ib) return ia < ib ? -1 : 1;
    return a - b;
  });
  let contacts: CountedContact[] | null = null;
  const send: T[] = [];
  const hold: Array<{ candidate: T; decision: CapDecision }> = [];
  for (const i of order) {
    const candidate = candidates[i]!;
    const view: CapHistory = contacts === null ? history : { contacts, responses: history.responses };
    const decision = capDecision(view, caps, candidate, options);
    if (!decision.allowed) {
      hold.push({ candidate, decision });
      continue;
    }
    const base: ReadonlyArray<CountedContact> = contacts ?? history.contacts;
    const next = withContact(base, candidate, options.now);
    // A message that bypasses a rule yet counts toward it (transactional `counted`), or that uses reserved
    // slots, can push one admitted earlier over a cap: keep the plan jointly valid by holding it instead.
    const broken = firstBroken(send, next, history, caps, options);
    if (broken !== null) {
      hold.push({ candidate, decision: { allowed: false, reasons: broken.reasons, nextAllowedAt: broken.nextAllowedAt } });
      continue;
    }
    send.push(candidate);
    contacts = next;
  }
  return { send, hold };
}

function withContact(base: ReadonlyArray<CountedContact>, candidate: CapCandidate, now: EpochMs): CountedContact[] {
  const at = lowerBoundAt(base, now + 1);
  const planned: CountedContact = {
    at: now,
    channel: candidate.channel,
    campaignId: candidate.campaignId,
    offerId: candidate.offerId,
    tags: [...(candidate.tags ?? [])],
    transactional: candidate.transactional === true,
  };
  return [...base.slice(0, at), planned, ...base.slice(at)];
}

/** The decision of the first admitted message that `contacts` (all admitted + the new one) would refuse, if any. */
function firstBroken(
  send: ReadonlyArray<CapCandidate>,
  contacts: ReadonlyArray<CountedContact>,
  history: CapHistory,
  caps: CompiledCapRules,
  options: CapOptions,
): CapDecision | null {
  for (const s of send) {
    // Each admitted message is checked against everything else: remove one contact equal to it at `now`.
    const mine = contacts.findIndex((c) => c.at === options.now && c.channel === s.channel && c.campaignId === s.campaignId && c.offerId === s.offerId && c.transactional === (s.transactional === true) && sameTags(c.tags, s.tags ?? []));
    const others = mine < 0 ? contacts : [...contacts.slice(0, mine), ...contacts.slice(mine + 1)];
    const d = capDecision({ contacts: others, responses: history.responses }, caps, s, options);
    if (!d.allowed) return d;
  }
  return null;
}

function sameTags(a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
