import type { CoreErrorCode } from '../core/errors.js';

/**
 * Error codes thrown by `crosschannel/timing` (besides the core ones: `CONFIG_INVALID`, `INPUT_INVALID`,
 * `TIME_INVALID`, `TIMEZONE_INVALID`):
 * - `TIMING_RESPONSE_WITHOUT_CONTACT`: a response names no contact, or its person has no contact on that channel
 *   in the model (a response must answer something that was sent); in `observeHistory`, no contact of the
 *   history with that id on the response's channel.
 * - `TIMING_FUTURE_RECORD`: a record is dated after `now`.
 * - `TIMING_UNKNOWN_CHANNEL`: a channel the model was not built with.
 * - `TIMING_MODEL_INVALID`: a serialised model failed validation (wrong version, shape or sizes).
 * - `TIMING_HORIZON_TOO_LARGE`: `bestSendTime` was asked for more moments than it searches in one call.
 *
 * @example
 * ```ts
 * const code: TimingErrorCode = 'TIMING_RESPONSE_WITHOUT_CONTACT';
 * ```
 */
export type TimingErrorCode =
  | 'TIMING_RESPONSE_WITHOUT_CONTACT'
  | 'TIMING_FUTURE_RECORD'
  | 'TIMING_UNKNOWN_CHANNEL'
  | 'TIMING_MODEL_INVALID'
  | 'TIMING_HORIZON_TOO_LARGE'
  | CoreErrorCode;

/**
 * Stable reason codes of timing answers (capping's own codes — `CAP_QUIET_HOURS`, `CAP_LIMIT_REACHED`,
 * `CAP_MIN_GAP`, `CAP_COOLDOWN` — explain moments the caps exclude):
 * - `TIMING_BEST_MOMENT`: the chosen moment and its expected response.
 * - `TIMING_PRIOR_ONLY`: the person has no response history; the answer comes from the segment or population.
 * - `TIMING_NO_LEGAL_MOMENT`: the caps allow no moment in the horizon.
 * - `TIMING_CHANNEL_NO_CONSENT`: a channel is left out of the channel ranking for lack of consent.
 *
 * @example
 * ```ts
 * const code: TimingReasonCode = 'TIMING_PRIOR_ONLY';
 * ```
 */
export type TimingReasonCode = 'TIMING_BEST_MOMENT' | 'TIMING_PRIOR_ONLY' | 'TIMING_NO_LEGAL_MOMENT' | 'TIMING_CHANNEL_NO_CONSENT';
