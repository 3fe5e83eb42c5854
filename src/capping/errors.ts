/**
 * The error codes and reason codes of `crosschannel/capping`, in one place: errors are thrown as
 * `CrossChannelError<…ErrorCode>`, reasons are returned as data in decisions and explanations.
 */
import type { CoreErrorCode } from '../core/errors.js';

/**
 * Error codes thrown by `crosschannel/capping` (the core ones: `CONFIG_INVALID`, `INPUT_INVALID`, `TIME_INVALID`,
 * `TIMEZONE_INVALID`, `STORE_ERROR`).
 *
 * @example
 * ```ts
 * declare const text: string;
 * const json = JSON.parse(text); // a rule set read from configuration, validated by the parser
 *
 * try { parseCapRules(json); } catch (e) { if (isCrossChannelError<CappingErrorCode>(e, 'CONFIG_INVALID')) console.log(e.path); }
 * ```
 */
export type CappingErrorCode = CoreErrorCode;

/**
 * Stable reason codes of capping decisions. `CAP_RETRY` comes only from a store's refusal that its own snapshot
 * cannot explain (a concurrent write between its check and its read): retry at `nextAllowedAt`, which is `now`.
 *
 * @example
 * ```ts
 * declare const decision: CapDecision;
 * declare function scheduleForMorning(): void;
 *
 * if (decision.reasons.some((r) => r.code === 'CAP_QUIET_HOURS')) scheduleForMorning();
 * ```
 */
export type CapReasonCode = 'CAP_LIMIT_REACHED' | 'CAP_MIN_GAP' | 'CAP_QUIET_HOURS' | 'CAP_COOLDOWN' | 'CAP_RETRY';
