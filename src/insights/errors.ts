import type { CoreErrorCode } from '../core/errors.js';

/**
 * Error codes thrown by `crosschannel/insights` (besides the core `CONFIG_INVALID`, `INPUT_INVALID`,
 * `TIME_INVALID`, `TIMEZONE_INVALID`):
 * - `INSIGHTS_KPI_UNKNOWN`: a KPI name that is not in the registry ({@link KPI_NAMES}).
 * - `INSIGHTS_SPEND_INVALID`: a spend table row is malformed, negative, or names a channel no record in the range has (whatever the grouping).
 * - `INSIGHTS_AMOUNT_NEGATIVE`: a purchase amount or response value below zero.
 * - `INSIGHTS_STATE_MISMATCH`: two partial states computed with different options were merged.
 * - `INSIGHTS_FIT_FAILED`: a model could not be fitted (too few customers, no repeat buyers).
 *
 * @example
 * ```ts
 * const code: InsightsErrorCode = 'INSIGHTS_KPI_UNKNOWN';
 * ```
 */
export type InsightsErrorCode =
  | 'INSIGHTS_KPI_UNKNOWN'
  | 'INSIGHTS_SPEND_INVALID'
  | 'INSIGHTS_AMOUNT_NEGATIVE'
  | 'INSIGHTS_STATE_MISMATCH'
  | 'INSIGHTS_FIT_FAILED'
  | CoreErrorCode;

/**
 * Why a number is missing or an answer is empty, as data:
 * - `ZERO_DENOMINATOR`: a rate whose denominator is zero (e.g. conversion rate of a group with no delivered contact).
 * - `NO_PREVIOUS_PERIOD`: retention of the table's first period, or of a grouping without periods (a later period after one
 *   with nobody active is `ZERO_DENOMINATOR`).
 * - `NO_SPEND`: acquisition cost asked for a group the spend table does not cover.
 * - `NO_DATA`: no record fell in the requested range.
 *
 * @example
 * ```ts
 * const code: InsightsReasonCode = 'ZERO_DENOMINATOR';
 * ```
 */
export type InsightsReasonCode = 'ZERO_DENOMINATOR' | 'NO_PREVIOUS_PERIOD' | 'NO_SPEND' | 'NO_DATA';
