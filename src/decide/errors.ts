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
  /**
   * No identifier resolved to a profile: with `identity.observe: false`, none of them is known (with observation on,
   * a valid identifier always gets a profile).
   */
  | 'DECIDE_UNKNOWN_PERSON'
  /** Every identifier was invalid or blocked by identity rules: no profile to decide for (followed by their reasons). */
  | 'DECIDE_IDENTIFIER_REJECTED'
  /** Consent does not allow the channel for the configured purpose. */
  | 'DECIDE_CONSENT_DENIED'
  /** No offer survived arbitration. */
  | 'DECIDE_NO_OFFER'
  /** Every candidate offer was blocked by caps (`detail.nextAllowedAt` and `detail.offerId`: when the best blocked one passes). */
  | 'DECIDE_ALL_CAPPED'
  /**
   * The contact history's atomic check refused a reservation (typically a concurrent decision took the last
   * allowed contact; followed by the rules that refused); nothing was recorded for that offer.
   */
  | 'DECIDE_RESERVATION_REFUSED'
  /** The offer's global capacity was used up at reservation time (first reason when that refused every offer). */
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
  | 'DECIDE_HOLDOUT'
  /** `decideScheduled` found no legal moment in the horizon: no decision was made. */
  | 'DECIDE_NO_MOMENT';
