/**
 * `crosschannel/capping` — cross-channel contact-frequency caps ("marketing pressure"): rules as JSON (limits per
 * rolling or local calendar window, minimum gaps, quiet hours, cooldowns after negative responses, transactional
 * exemptions, reserved slots for priority messages), a pure evaluator with exact `nextAllowedAt`, a planner for
 * several candidates, and the `ContactHistoryStore` contract the memory and Redis adapters implement (with
 * atomic reservation). Guide: [docs/capping.md](../../docs/capping.md).
 *
 * @example
 * ```ts
 * import { parseCapRules, evaluateCaps } from 'crosschannel/capping';
 *
 * declare const history: History;
 * declare const now: number;
 *
 * const caps = parseCapRules({ rules: [{ id: 'week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } }] });
 * evaluateCaps(history, caps, { channel: 'email', tags: ['marketing'] }, { now, timeZone: 'Europe/Paris' });
 * ```
 * @packageDocumentation
 *
 * @document ../../docs/capping.md
 */
export {
  type CapRule,
  type CapRuleInput,
  capRuleSchema,
  type CapRuleSet,
  type CapRuleSetInput,
  capRuleSetSchema,
  capScopeSchema,
  type CapWindow,
  capWindowSchema,
  type CompiledCapRule,
  type CompiledCapRules,
  type CountScope,
  isCompiledCapRules,
  MAX_CAP_DURATION_MS,
  parseCapRules,
  quietRangeSchema,
} from './rules.js';
export { type CompiledQuietRange } from './quiet.js';
export {
  type CapCandidate,
  type CapDecision,
  type CapHistory,
  type CapOptions,
  type CountedContact,
  evaluateCaps,
} from './evaluate.js';
export { type ContactPlan, type PlanCandidate, planContacts } from './plan.js';
export {
  type ContactCheck,
  explainRefusal,
  planReservation,
  reservationAllows,
  type ReservationPlan,
  type ResponseCheck,
} from './reservation.js';
export { type ContactHistoryStore, type RecordedContact, type Reservation, type ReserveOptions } from './store.js';
export { toContactRecord } from './contact.js';
export { type CappingErrorCode, type CapReasonCode } from './errors.js';
