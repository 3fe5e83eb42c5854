/**
 * The error codes and reason codes of `crosschannel/identity`, in one place: errors are thrown as
 * `CrossChannelError<…ErrorCode>`, reasons are returned as data in decisions and explanations.
 */
import type { CoreErrorCode } from '../core/errors.js';

/**
 * Error codes of `crosschannel/identity`.
 *
 * @example
 * ```ts
 * declare const input: unknown; // a match model read from configuration
 *
 * const r = safeParseMatchModel(input);
 * if (!r.ok) { const code: IdentityErrorCode = r.error.code as IdentityErrorCode; console.log(code); }
 * ```
 */
export type IdentityErrorCode =
  /** An identifier passed to a lookup or removal is not valid for its type. */
  | 'IDENTITY_IDENTIFIER_INVALID'
  /** A probabilistic match model failed validation. */
  | 'IDENTITY_MATCH_MODEL_INVALID'
  | CoreErrorCode;

/**
 * Stable codes of why an identifier was not accepted.
 *
 * @example
 * ```ts
 * const r = normalizeIdentifier({ type: 'phone', value: '06 12 34 56 78' });
 * if (!r.ok) { const code: IdentifierReasonCode = r.error.code; } // 'IDENTITY_PHONE_COUNTRY_MISSING'
 * ```
 */
export type IdentifierReasonCode =
  | 'IDENTITY_EMPTY_VALUE'
  | 'IDENTITY_VALUE_TOO_LONG'
  | 'IDENTITY_CONTROL_CHARACTERS'
  | 'IDENTITY_EMAIL_INVALID'
  | 'IDENTITY_PHONE_INVALID'
  | 'IDENTITY_PHONE_COUNTRY_MISSING'
  | 'IDENTITY_SHA256_INVALID'
  | 'IDENTITY_TYPE_INVALID';

/**
 * Why a link (or an identifier) was refused by merge protection.
 *
 * @example
 * ```ts
 * declare const report: StitchReport;
 * const codes: RefusalCode[] = report.refused.map((r) => r.code);
 * ```
 */
export type RefusalCode = 'IDENTITY_LIMIT_EXCEEDED' | 'IDENTITY_MAX_IDENTIFIERS' | 'IDENTITY_TTL_EXPIRED' | 'IDENTITY_BLOCKED_VALUE';
