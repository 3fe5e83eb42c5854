import type { CoreErrorCode } from '../core/errors.js';

/**
 * Error codes of `crosschannel/journeys`.
 *
 * @example
 * ```ts
 * declare const e: CrossChannelError<JourneyErrorCode>;
 * if (e.code === 'JOURNEY_INVALID') console.log(e.path); // e.g. 'steps.call.next'
 * ```
 */
export type JourneyErrorCode =
  | CoreErrorCode
  /** A definition failed validation: bad field, unknown step, unreachable step, a loop without a wait. */
  | 'JOURNEY_INVALID'
  /** An instance (state) does not belong to the definition, or is malformed. */
  | 'JOURNEY_INSTANCE_INVALID'
  /** An inbound input (event, response, reply) is malformed or belongs to another person. */
  | 'JOURNEY_INPUT_INVALID'
  /** A version migration maps a step to nothing, or to a step the new version does not have. */
  | 'JOURNEY_MIGRATION_INVALID';

/**
 * Stable reason codes in an advance trace.
 *
 * @example
 * ```ts
 * declare const r: AdvanceResult;
 * const held = r.trace.some((t) => t.code === 'JOURNEY_SEND_HELD');
 * ```
 */
export type JourneyReasonCode =
  | 'JOURNEY_STEP_ENTERED'
  | 'JOURNEY_SEND'
  | 'JOURNEY_SEND_SKIPPED'
  | 'JOURNEY_SEND_HELD'
  /** A held send checked again because a new input arrived (a consent change, delivered as an event). */
  | 'JOURNEY_SEND_RECHECKED'
  | 'JOURNEY_SEND_BRANCHED'
  | 'JOURNEY_SEND_WOULD_HAVE'
  | 'JOURNEY_SEND_SCHEDULED'
  | 'JOURNEY_WAITING'
  | 'JOURNEY_WAIT_DONE'
  | 'JOURNEY_MATCHED'
  | 'JOURNEY_TIMEOUT'
  | 'JOURNEY_SPLIT'
  | 'JOURNEY_TASK'
  | 'JOURNEY_REPLY_MATCHED'
  | 'JOURNEY_REPLY_UNRECOGNISED'
  | 'JOURNEY_REPLY_STOP'
  | 'JOURNEY_REACTION'
  | 'JOURNEY_GOAL'
  | 'JOURNEY_EXIT'
  | 'JOURNEY_COMPLETED'
  | 'JOURNEY_STEP_LIMIT';
