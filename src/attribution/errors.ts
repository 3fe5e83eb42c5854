/**
 * The error codes and reason codes of `crosschannel/attribution`, in one place: errors are thrown as
 * `CrossChannelError<…ErrorCode>`, reasons are returned as data in decisions and explanations.
 */
import type { CoreErrorCode } from '../core/errors.js';

/** Error codes of `crosschannel/attribution`. */
export type AttributionErrorCode =
  /** More distinct channels than the statistics can index (53: channel sets are exact bit sets in a double). */
  | 'ATTRIBUTION_TOO_MANY_CHANNELS'
  /** Statistics built with different model settings cannot be merged. */
  | 'ATTRIBUTION_STATISTICS_MISMATCH'
  /** A custom model's weight function returned weights that cannot be normalised. */
  | 'ATTRIBUTION_WEIGHT_INVALID'
  /** The Markov linear system could not be solved (should not happen on counts from real journeys). */
  | 'ATTRIBUTION_SOLVER_FAILED'
  | CoreErrorCode;
