import { lowerBoundAt } from '../core/records.js';
import { evaluateCaps, type CapCandidate, type CapDecision, type CapHistory, type CapOptions, type CountedContact } from './evaluate.js';
import { parseCapRules, type CapRuleSetInput, type CompiledCapRules } from './rules.js';

/** A candidate for {@link planContacts}; `id` (if any) is the tie-breaker between equal priorities. */
export type PlanCandidate = CapCandidate & { readonly id?: string | undefined };

/** The outcome of {@link planContacts}, both lists in the order they were considered. */
export interface ContactPlan<T extends PlanCandidate> {
  /** Candidates that may all go out together at `now` without breaking any rule. */
  readonly send: ReadonlyArray<T>;
  /** Candidates held back, each with the decision that refused it (counting the ones already planned). */
  readonly hold: ReadonlyArray<{ readonly candidate: T; readonly decision: CapDecision }>;
}

/**
 * Picks which of several candidate messages may all be sent at `now` together. Candidates are considered by
 * priority (highest first), then by `id`, then by input order; each one is admitted when the caps allow it
 * given the history plus the candidates admitted before it (greedy, deterministic).
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
  const order = candidates.map((_, i) => i);
  order.sort((a, b) => {
    const ca = candidates[a]!;
    const cb = candidates[b]!;
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
    const decision = evaluateCaps(view, caps, candidate, options);
    if (!decision.allowed) {
      hold.push({ candidate, decision });
      continue;
    }
    send.push(candidate);
    // Admitted candidates are contacts at `now` for the ones considered after them.
    const base: ReadonlyArray<CountedContact> = contacts ?? history.contacts;
    const at = lowerBoundAt(base, options.now + 1);
    const planned: CountedContact = {
      at: options.now,
      channel: candidate.channel,
      campaignId: candidate.campaignId,
      offerId: candidate.offerId,
      tags: [...(candidate.tags ?? [])],
      transactional: candidate.transactional === true,
    };
    contacts = [...base.slice(0, at), planned, ...base.slice(at)];
  }
  return { send, hold };
}
