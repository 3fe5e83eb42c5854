/**
 * The error codes and reason codes of `crosschannel/segments`, in one place: errors are thrown as
 * `CrossChannelError<…ErrorCode>`, reasons are returned as data in decisions and explanations.
 */
import type { CoreErrorCode } from '../core/errors.js';

/**
 * Error codes of `crosschannel/segments`.
 *
 * @example
 * ```ts
 * declare const input: unknown; // segment definitions, e.g. parsed from JSON
 *
 * const r = safeCompileSegments(input);
 * if (!r.ok && r.error.code === 'SEGMENT_REFERENCE_CYCLE') console.log(r.error.detail?.cycle);
 * ```
 */
export type SegmentErrorCode =
  /** A rule or segment definition is malformed (wrong shape, unknown operator, forbidden path, bad value). */
  | 'SEGMENT_RULE_INVALID'
  /** A rule is deeper or larger than {@link SEGMENT_LIMITS} allows. */
  | 'SEGMENT_RULE_TOO_LARGE'
  /** A pattern (glob or regex) uses syntax outside the safe subset, or is too long. */
  | 'SEGMENT_PATTERN_UNSAFE'
  /** A `{ segment: id }` reference names no known segment. */
  | 'SEGMENT_REFERENCE_UNKNOWN'
  /** Segment references form a cycle. */
  | 'SEGMENT_REFERENCE_CYCLE'
  /** Two segments share one id. */
  | 'SEGMENT_DUPLICATE_ID'
  /** A segment id asked of a compiled set is not in it. */
  | 'SEGMENT_NOT_FOUND'
  /** A construct has no SQL form (`segmentsSql`); `detail.construct` names it (e.g. `attr.matches`, `window.calendar`). */
  | 'SEGMENT_SQL_UNSUPPORTED'
  | CoreErrorCode;

/** Stable reason codes of segment explanations. */
export type SegmentReasonCode = 'SEGMENT_CONDITION_HELD' | 'SEGMENT_CONDITION_FAILED';
