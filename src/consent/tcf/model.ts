/**
 * The decoded shape of an IAB TCF v2.x TC string. Field names follow the "TC String Format" section of the IAB
 * Tech Lab specification, with dates as epoch milliseconds and every id list as an {@link IdSet}.
 */
import type { EpochMs } from '../../core/time.js';
import type { IdSet } from './bits.js';

/**
 * Publisher restriction types ("PubRestrictionEntry" RestrictionType, 2 bits): 0 = purpose flatly not allowed,
 * 1 = require consent, 2 = require legitimate interest; 3 is undefined and rejected by the decoder.
 *
 * @example
 * ```ts
 * declare const tc: TcString;
 * tc.publisherRestrictions.filter((r) => r.restrictionType === RESTRICTION_TYPES.notAllowed);
 * ```
 */
export const RESTRICTION_TYPES = { notAllowed: 0, requireConsent: 1, requireLegitimateInterest: 2 } as const;

/**
 * A publisher restriction type: 0 not allowed, 1 require consent, 2 require legitimate interest.
 *
 * @example
 * ```ts
 * const t: RestrictionType = RESTRICTION_TYPES.requireConsent; // 1
 * ```
 */
export type RestrictionType = 0 | 1 | 2;

/**
 * One publisher restriction: for `purposeId`, the vendors in `vendors` are restricted by `restrictionType`.
 *
 * @example
 * ```ts
 * declare const tc: TcString;
 * const r: PublisherRestriction | undefined = tc.publisherRestrictions.find((x) => x.vendors.has(755));
 * ```
 */
export interface PublisherRestriction {
  readonly purposeId: number;
  readonly restrictionType: RestrictionType;
  readonly vendors: IdSet;
}

/**
 * The Publisher TC segment (segment type 3): the publisher's own purposes and custom purposes.
 *
 * @example
 * ```ts
 * declare const tc: TcString;
 * const p: PublisherTc | null = tc.publisherTc;
 * p?.customPurposeConsents.has(1);
 * ```
 */
export interface PublisherTc {
  readonly purposeConsents: IdSet;
  readonly purposeLegitimateInterests: IdSet;
  /** Number of custom purposes (0..63); custom purpose ids are 1..numCustomPurposes. */
  readonly numCustomPurposes: number;
  readonly customPurposeConsents: IdSet;
  readonly customPurposeLegitimateInterests: IdSet;
}

/**
 * A decoded TC string (version 2). `disclosedVendors`, `allowedVendors` and `publisherTc` are `null` when the
 * optional segment is absent.
 *
 * @example
 * ```ts
 * declare const cookie: string;
 * const tc: TcString = decodeTcString(cookie);
 * const when = new Date(tc.lastUpdated);
 * const disclosed = tc.disclosedVendors?.has(755) ?? false;
 * ```
 */
export interface TcString {
  readonly version: 2;
  readonly created: EpochMs;
  readonly lastUpdated: EpochMs;
  readonly cmpId: number;
  readonly cmpVersion: number;
  readonly consentScreen: number;
  /** Two uppercase ISO 639-1 letters, e.g. `EN`. */
  readonly consentLanguage: string;
  readonly vendorListVersion: number;
  /** TcfPolicyVersion: 2 = TCF Policy v2.0, 4 = v2.2 policies (May 2023), 5 = later policies. */
  readonly policyVersion: number;
  readonly isServiceSpecific: boolean;
  /** Bit named `UseNonStandardStacks` before TCF 2.3, `UseNonStandardTexts` from 2.3 on. */
  readonly useNonStandardTexts: boolean;
  readonly specialFeatureOptIns: IdSet;
  readonly purposeConsents: IdSet;
  readonly purposeLegitimateInterests: IdSet;
  /** True when purpose 1 was not disclosed (publisher country rules); see `publisherCountryCode`. */
  readonly purposeOneTreatment: boolean;
  /** Two uppercase ISO 3166-1 alpha-2 letters. */
  readonly publisherCountryCode: string;
  readonly vendorConsents: IdSet;
  readonly vendorLegitimateInterests: IdSet;
  readonly publisherRestrictions: ReadonlyArray<PublisherRestriction>;
  readonly disclosedVendors: IdSet | null;
  /** Legacy "AllowedVendors" segment (type 2), removed from TCF 2.2 but still decoded. */
  readonly allowedVendors: IdSet | null;
  readonly publisherTc: PublisherTc | null;
}

/** Field sizes in bits from the TC String Format tables. */
export const TCF_BITS = {
  version: 6,
  created: 36,
  lastUpdated: 36,
  cmpId: 12,
  cmpVersion: 12,
  consentScreen: 6,
  consentLanguage: 12,
  vendorListVersion: 12,
  policyVersion: 6,
  specialFeatureOptIns: 12,
  purposes: 24,
  publisherCountryCode: 12,
  maxVendorId: 16,
  numEntries: 12,
  vendorId: 16,
  numRestrictions: 12,
  purposeId: 6,
  restrictionType: 2,
  segmentType: 3,
  numCustomPurposes: 6,
} as const;

/** Segment type ids (3 bits) of the optional segments. */
export const TCF_SEGMENT = { core: 0, disclosedVendors: 1, allowedVendors: 2, publisherTc: 3 } as const;

/**
 * Longest TC string accepted (characters); a maximal legitimate string is about 45k characters.
 *
 * @example
 * ```ts
 * declare const cookie: string; declare function rejectEarly(): void;
 * if (cookie.length > MAX_TC_STRING_LENGTH) rejectEarly();
 * ```
 */
export const MAX_TC_STRING_LENGTH = 65_536;
