/**
 * The error codes and reason codes of `crosschannel/consent`, in one place: errors are thrown as
 * `CrossChannelError<…ErrorCode>`, reasons are returned as data in decisions and explanations.
 */
/**
 * Error codes of `crosschannel/consent`.
 *
 * @example
 * ```ts
 * const r = safeDecodeTcString('');
 * if (!r.ok) { const code: ConsentErrorCode = r.error.code; }
 * ```
 */
export type ConsentErrorCode =
  | 'CONSENT_TCF_MALFORMED'
  | 'CONSENT_GPP_MALFORMED'
  | 'CONSENT_GVL_INVALID'
  | 'CONFIG_INVALID'
  | 'INPUT_INVALID'
  | 'STORE_ERROR'
  | 'STORE_CONFLICT'
  | 'TIME_INVALID';

/**
 * Stable reason codes of {@link tcfCanProcess}.
 *
 * @example
 * ```ts
 * declare const d: TcfDecision;
 * const codes: TcfReasonCode[] = d.reasons.map((r) => r.code);
 * ```
 */
export type TcfReasonCode =
  | 'TCF_CONSENT'
  | 'TCF_LEGITIMATE_INTEREST'
  | 'TCF_NOT_SERVICE_SPECIFIC'
  | 'TCF_POLICY_VERSION_OUTDATED'
  | 'TCF_PURPOSE_UNKNOWN'
  | 'TCF_VENDOR_NOT_IN_GVL'
  | 'TCF_VENDOR_DELETED'
  | 'TCF_VENDOR_NOT_DISCLOSED'
  | 'TCF_DISCLOSED_VENDORS_MISSING'
  | 'TCF_SPECIAL_FEATURE_NOT_DECLARED'
  | 'TCF_SPECIAL_FEATURE_NO_OPT_IN'
  | 'TCF_SPECIAL_PURPOSE'
  | 'TCF_SPECIAL_PURPOSE_NOT_DECLARED'
  | 'TCF_PURPOSE_ONE_TREATMENT'
  | 'TCF_RESTRICTION_NOT_ALLOWED'
  | 'TCF_RESTRICTION_BASIS_UNAVAILABLE'
  | 'TCF_PURPOSE_NOT_DECLARED'
  | 'TCF_LI_NOT_PERMITTED'
  | 'TCF_NO_PURPOSE_CONSENT'
  | 'TCF_NO_VENDOR_CONSENT'
  | 'TCF_NO_PURPOSE_LI'
  | 'TCF_NO_VENDOR_LI';

/**
 * Stable reason codes of {@link canContact}.
 *
 * @example
 * ```ts
 * declare const d: ContactDecision;
 * const blocked = d.reasons.some((r) => (r.code as ContactReasonCode) === 'CONSENT_WITHDRAWN');
 * ```
 */
export type ContactReasonCode =
  | 'CONSENT_GRANTED'
  | 'CONSENT_SOFT_OPT_IN'
  | 'CONSENT_OPT_OUT_REGIME'
  | 'CONSENT_UNKNOWN'
  | 'CONSENT_PENDING'
  | 'CONSENT_DENIED'
  | 'CONSENT_WITHDRAWN'
  | 'CONSENT_EXPIRED'
  | 'CONSENT_GPC_OPT_OUT'
  | 'CONSENT_TCF_DENIED';
