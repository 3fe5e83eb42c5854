import type { CoreErrorCode } from '../core/errors.js';
import type { Reason } from '../core/explain.js';

/**
 * Error codes thrown by `crosschannel/arbitration` (besides the core ones): `CONFIG_INVALID` for a bad
 * catalogue, `INPUT_INVALID` for a bad call, and:
 * - `ARBITRATION_PROBLEM_TOO_LARGE`: the exact optimiser was asked to solve an instance beyond its limits.
 *
 * @example
 * ```ts
 * const code: ArbitrationErrorCode = 'ARBITRATION_PROBLEM_TOO_LARGE';
 * ```
 */
export type ArbitrationErrorCode = 'ARBITRATION_PROBLEM_TOO_LARGE' | CoreErrorCode;

/**
 * Stable reason codes of excluded offers, by stage:
 * - eligibility: `OFFER_DISABLED`, `OFFER_NOT_IN_SEGMENT`, `OFFER_IN_EXCLUDED_SEGMENT`, `OFFER_PREDICATE_FALSE`
 * - applicability: `OFFER_WRONG_CHANNEL`, `OFFER_NOT_YET_VALID`, `OFFER_EXPIRED`
 * - suitability: `OFFER_PREREQUISITE_MISSING`, `OFFER_SUPPRESSED_ACCEPTED`, `OFFER_SUPPRESSED_REFUSALS`,
 *   `OFFER_SUPPRESSED_PRESENTATIONS`, `OFFER_SUPPRESSED_NO_RESPONSE`, `OFFER_CANNIBALISATION`,
 *   `OFFER_CAPACITY_EXHAUSTED`, `OFFER_BUDGET_EXHAUSTED`
 * - scoring: `OFFER_BELOW_MIN_PROPENSITY`, `OFFER_ZERO_SCORE`
 * - constraints: `OFFER_EXCLUSION_GROUP`, `OFFER_NO_SLOT`
 *
 * @example
 * ```ts
 * const code: ArbitrationReasonCode = 'OFFER_SUPPRESSED_REFUSALS';
 * ```
 */
export type ArbitrationReasonCode =
  | 'OFFER_DISABLED'
  | 'OFFER_NOT_IN_SEGMENT'
  | 'OFFER_IN_EXCLUDED_SEGMENT'
  | 'OFFER_PREDICATE_FALSE'
  | 'OFFER_WRONG_CHANNEL'
  | 'OFFER_NOT_YET_VALID'
  | 'OFFER_EXPIRED'
  | 'OFFER_PREREQUISITE_MISSING'
  | 'OFFER_SUPPRESSED_ACCEPTED'
  | 'OFFER_SUPPRESSED_REFUSALS'
  | 'OFFER_SUPPRESSED_PRESENTATIONS'
  | 'OFFER_SUPPRESSED_NO_RESPONSE'
  | 'OFFER_CANNIBALISATION'
  | 'OFFER_CAPACITY_EXHAUSTED'
  | 'OFFER_BUDGET_EXHAUSTED'
  | 'OFFER_BELOW_MIN_PROPENSITY'
  | 'OFFER_ZERO_SCORE'
  | 'OFFER_EXCLUSION_GROUP'
  | 'OFFER_NO_SLOT';

/**
 * The fixed, documented order of arbitration stages. An excluded offer names the first stage that excluded it.
 *
 * @example
 * ```ts
 * ARBITRATION_STAGES.indexOf('suitability'); // 2
 * ```
 */
export const ARBITRATION_STAGES = ['eligibility', 'applicability', 'suitability', 'scoring', 'ranking', 'constraints'] as const;

/**
 * One stage of {@link ARBITRATION_STAGES}.
 * @example
 * ```ts
 * const stage: ArbitrationStage = 'suitability';
 * ```
 */
export type ArbitrationStage = (typeof ARBITRATION_STAGES)[number];

/**
 * An offer that was not presented: the first stage that excluded it and why. Offers lost at the `constraints`
 * stage also carry the `score` they ranked with. Exclusions that depend only on the offer (wrong channel,
 * expired, segments, disabled) are shared frozen objects, so a decision over a large catalogue allocates little.
 *
 * @example
 * ```ts
 * const e: ExcludedOffer = { offerId: 'card', stage: 'applicability', reason: { code: 'OFFER_EXPIRED', message: 'Expired' } };
 * ```
 */
export interface ExcludedOffer {
  readonly offerId: string;
  readonly stage: ArbitrationStage;
  readonly reason: Reason<ArbitrationReasonCode>;
  readonly score?: number;
}
