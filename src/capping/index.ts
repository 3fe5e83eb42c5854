/**
 * `crosschannel/capping` — cross-channel contact-frequency caps ("marketing pressure"): rules as JSON (limits per
 * rolling or local calendar window, minimum gaps, quiet hours, cooldowns after negative responses, transactional
 * exemptions, reserved slots for priority messages), a pure evaluator with exact `nextAllowedAt`, a planner for
 * several candidates, and the `ContactHistoryStore` contract the memory and Redis adapters implement (with
 * atomic reservation). See docs/capping.md.
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
 */
export * from './rules.js';
export * from './windows.js';
export * from './quiet.js';
export * from './evaluate.js';
export * from './plan.js';
export * from './reservation.js';
export * from './store.js';
export * from './contact.js';
export * from './errors.js';
