/**
 * The error codes and reason codes of `crosschannel/decide`, in one place: errors are thrown as
 * `CrossChannelError<…ErrorCode>`, reasons are returned as data in decisions and explanations.
 */
import type { CoreErrorCode } from '../core/errors.js';

/**
 * Error codes of `crosschannel/decide`. Store failures keep the core codes (`STORE_ERROR`, `STORE_TIMEOUT`,
 * `STORE_CONFLICT`) so one handler serves every module; `DECIDE_STAGE_FAILED` is a pure module throwing
 * where it should not (a defect, still failed closed); `DECIDE_UNKNOWN_PERSON` is a response or conversion
 * for identifiers no profile has.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * try {
 *   await recordConversion({ conversionId: 'o-1', identifiers: [{ type: 'email', value: 'nobody@example.com' }], channel: 'web', now: 0 }, stores, config);
 * } catch (e) {
 *   if (isCrossChannelError<DecideErrorCode>(e, 'DECIDE_UNKNOWN_PERSON')) console.log('unknown person: nothing recorded');
 * }
 * ```
 */
export type DecideErrorCode = 'DECIDE_STAGE_FAILED' | 'DECIDE_UNKNOWN_PERSON' | CoreErrorCode;

/**
 * Stable reason codes of decide's own stages (module reasons keep their codes).
 *
 * @example
 * ```ts
 * declare const result: DecideResult;
 * const codes = result.reasons.map((r) => r.code);
 * const capped = codes.includes('DECIDE_ALL_CAPPED' satisfies DecideReasonCode);
 * ```
 */
export type DecideReasonCode =
  /** No identifier resolved to a profile and `createProfiles` is off. */
  | 'DECIDE_UNKNOWN_PERSON'
  /** An identifier was invalid or blocked by identity rules. */
  | 'DECIDE_IDENTIFIER_REJECTED'
  /** Consent does not allow the channel for the configured purpose. */
  | 'DECIDE_CONSENT_DENIED'
  /** No offer survived arbitration. */
  | 'DECIDE_NO_OFFER'
  /** An offer was blocked by frequency caps. */
  | 'DECIDE_CAPPED'
  /** Every candidate offer was blocked by caps. */
  | 'DECIDE_ALL_CAPPED'
  /** The atomic reservation was refused (a concurrent decision took the last slot); nothing was recorded. */
  | 'DECIDE_RESERVATION_REFUSED'
  /** The offer's global capacity was used up at reservation time. */
  | 'DECIDE_CAPACITY_EXHAUSTED'
  /** The caller excluded the offer in the request. */
  | 'DECIDE_EXCLUDED_BY_CALLER'
  /** The decision is a replay of an earlier request with the same id. */
  | 'DECIDE_REPLAYED'
  /** Informational: a stage did not need to run (e.g. capping after no offer survived). */
  | 'DECIDE_SKIPPED'
  /** Informational: the segments the person is in. */
  | 'DECIDE_SEGMENTS'
  /** Informational: an owned channel (web, app, store) needs no opt-in. */
  | 'DECIDE_OWNED_CHANNEL'
  /** A CMP channel asked without a TC string and `consent.tcf.missing` is `deny`. */
  | 'DECIDE_TCF_MISSING'
  /** Informational: merged profiles' histories were moved to the surviving profile. */
  | 'DECIDE_HISTORY_REKEYED'
  /** A store failed after some slots were reserved: those are returned, the rest stay empty. */
  | 'DECIDE_PARTIAL'
  /** The person is in a holdout: no contact; `detail.wouldHaveSent` lists what would have been sent. */
  | 'DECIDE_HOLDOUT';
