/**
 * `tcfCanProcess`: may vendor V process personal data for purpose P under this TC string? Implements the vendor
 * side of the TCF Policies (v4/v5) and the technical specification's "How should a vendor interpret the TC
 * string" rules. Results on the allowed paths are shared frozen objects, so a check allocates nothing.
 */
import { expectArray, expectFinite, expectObject, expectOptions } from '../../core/guards.js';
import { inputError } from '../../core/errors.js';
import type { Reason } from '../../core/explain.js';
import type { Gvl } from './gvl.js';
import type { TcString } from './model.js';
import type { TcfReasonCode } from '../errors.js';
import type { EpochMs } from '../../core/time.js';

/**
 * The legal basis a processing relies on.
 *
 * @example
 * ```ts
 * declare const d: TcfDecision;
 * const basis: TcfBasis | null = d.basis;
 * ```
 */
export type TcfBasis = 'consent' | 'legitimateInterest';

/**
 * Outcome of {@link tcfCanProcess}.
 *
 * @example
 * ```ts
 * declare const tc: TcString;
 * const d: TcfDecision = tcfCanProcess(tc, { vendorId: 755, purposeId: 1 });
 * if (d.allowed) console.log(d.basis); // 'consent'
 * ```
 */
export interface TcfDecision {
  readonly allowed: boolean;
  /** The legal basis the processing relies on, `null` when not allowed (or allowed outside TCF signals). */
  readonly basis: TcfBasis | null;
  readonly reasons: ReadonlyArray<Reason<TcfReasonCode>>;
}

/**
 * What is being asked: a purpose (with the special features it uses), or a special purpose.
 *
 * @example
 * ```ts
 * const q: TcfQuery = { vendorId: 755, purposeId: 3, specialFeatureIds: [1] };
 * const security: TcfQuery = { vendorId: 755, specialPurposeId: 1 };
 * ```
 */
export type TcfQuery =
  | {
      readonly vendorId: number;
      /** A TCF purpose 1..24 (1..11 defined by the v2.2 GVL). */
      readonly purposeId: number;
      /** Special features the processing also uses (1 precise geolocation, 2 device scanning); each needs an opt-in. */
      readonly specialFeatureIds?: ReadonlyArray<number>;
      readonly specialPurposeId?: undefined;
    }
  | {
      readonly vendorId: number;
      /**
       * A special purpose (1 security, fraud prevention and debugging; 2 delivering ads and content): no consent and
       * no right to object, but the vendor must declare it in the GVL and have been disclosed to the user.
       */
      readonly specialPurposeId: number;
      readonly purposeId?: undefined;
      readonly specialFeatureIds?: undefined;
    };

/**
 * Options of {@link tcfCanProcess}.
 *
 * @example
 * ```ts
 * const options: TcfCheckOptions = { requireDisclosedVendors: true, purposeOneTreatment: 'deny', now: Date.now() };
 * ```
 */
export interface TcfCheckOptions {
  /**
   * Require the DisclosedVendors segment even when the string lacks it (TCF 2.3 makes it mandatory after the
   * 28 Feb 2026 deadline). Strings that carry the segment are always checked against it. Default: `true` when
   * `now` is from 2026-03-01T00:00Z, else `false`; an explicit value overrides the date.
   */
  readonly requireDisclosedVendors?: boolean;
  /**
   * What purpose 1 means when the string sets PurposeOneTreatment (purpose 1 was not disclosed because the
   * publisher's country does not require it): `deny` (default) or `allow` (the vendor's counsel decided it
   * may rely on the publisher country's rules; basis `null`).
   */
  readonly purposeOneTreatment?: 'deny' | 'allow';
  /**
   * Epoch ms of the check: judges a GVL vendor's `deletedDate` (without it any `deletedDate` counts as deleted),
   * the policy-version cut-off (without it the string's `lastUpdated`) and the `requireDisclosedVendors` default.
   */
  readonly now?: EpochMs;
}

function r(code: TcfReasonCode, message: string): Reason<TcfReasonCode> {
  return Object.freeze({ code, message });
}

const R = {
  notServiceSpecific: r('TCF_NOT_SERVICE_SPECIFIC', 'IsServiceSpecific 0: invalid'),
  policyOutdated: r('TCF_POLICY_VERSION_OUTDATED', 'policy version < 4: invalid'),
  consent: r('TCF_CONSENT', 'consent to the purpose and the vendor'),
  li: r('TCF_LEGITIMATE_INTEREST', 'LI for the purpose and the vendor'),
  purposeUnknown: r('TCF_PURPOSE_UNKNOWN', 'unknown purpose'),
  notInGvl: r('TCF_VENDOR_NOT_IN_GVL', 'vendor not in the GVL'),
  deleted: r('TCF_VENDOR_DELETED', 'vendor deleted from the GVL'),
  notDisclosed: r('TCF_VENDOR_NOT_DISCLOSED', 'vendor not disclosed to the user'),
  disclosedMissing: r('TCF_DISCLOSED_VENDORS_MISSING', 'no DisclosedVendors segment'),
  sfNotDeclared: r('TCF_SPECIAL_FEATURE_NOT_DECLARED', 'special feature not declared by the vendor'),
  sfNoOptIn: r('TCF_SPECIAL_FEATURE_NO_OPT_IN', 'no opt-in to the special feature'),
  spNotDeclared: r('TCF_SPECIAL_PURPOSE_NOT_DECLARED', 'special purpose not declared by the vendor'),
  p1Treatment: r('TCF_PURPOSE_ONE_TREATMENT', 'PurposeOneTreatment: purpose 1 not disclosed'),
  restrictedOut: r('TCF_RESTRICTION_NOT_ALLOWED', 'publisher restriction: not allowed'),
  basisUnavailable: r('TCF_RESTRICTION_BASIS_UNAVAILABLE', 'publisher restriction: basis not declared'),
  notDeclared: r('TCF_PURPOSE_NOT_DECLARED', 'purpose not declared by the vendor'),
  liNotPermitted: r('TCF_LI_NOT_PERMITTED', 'LI not permitted for this purpose'),
  noPurposeConsent: r('TCF_NO_PURPOSE_CONSENT', 'no consent for the purpose'),
  noVendorConsent: r('TCF_NO_VENDOR_CONSENT', 'no consent for the vendor'),
  noPurposeLi: r('TCF_NO_PURPOSE_LI', 'no LI for the purpose (or objected)'),
  noVendorLi: r('TCF_NO_VENDOR_LI', 'no LI for the vendor (or objected)'),
} as const;

function denial(...reasons: Reason<TcfReasonCode>[]): TcfDecision {
  return Object.freeze({ allowed: false, basis: null, reasons: Object.freeze(reasons) });
}

// Every refusal is one of these shared frozen decisions, so denying allocates nothing either.
const D = Object.fromEntries(Object.entries(R).map(([k, reason]) => [k, denial(reason)])) as Record<keyof typeof R, TcfDecision>;
const NO_CONSENT_BOTH = denial(R.noPurposeConsent, R.noVendorConsent);
const NO_LI_BOTH = denial(R.noPurposeLi, R.noVendorLi);
const LI_REQUIRED_NOT_PERMITTED = denial(R.basisUnavailable, R.liNotPermitted);
// Without a GVL both bases failed: the missing signals as a 4-bit mask (purpose consent, vendor consent,
// purpose LI, vendor LI) index the decision.
const NEITHER_BASIS: ReadonlyArray<TcfDecision> = Array.from({ length: 16 }, (_, mask) =>
  denial(...[R.noPurposeConsent, R.noVendorConsent, R.noPurposeLi, R.noVendorLi].filter((_, bit) => (mask & (1 << bit)) !== 0)),
);

const ALLOWED_CONSENT: TcfDecision = Object.freeze({ allowed: true, basis: 'consent', reasons: Object.freeze([R.consent]) });
const ALLOWED_LI: TcfDecision = Object.freeze({ allowed: true, basis: 'legitimateInterest', reasons: Object.freeze([R.li]) });
const ALLOWED_SP: TcfDecision = Object.freeze({ allowed: true, basis: null, reasons: Object.freeze([r('TCF_SPECIAL_PURPOSE', 'special purpose: no consent needed')]) });
const ALLOWED_P1: TcfDecision = Object.freeze({ allowed: true, basis: null, reasons: Object.freeze([R.p1Treatment]) });

/**
 * Legitimate interest may never be used for purpose 1 (Policies, Appendix A, Purpose 1) and, from TCF policy
 * version 4 (TCF 2.2), not for purposes 3, 4, 5 and 6 (personalised advertising/content profiles).
 */
function liPermitted(purposeId: number, policyVersion: number): boolean {
  if (purposeId === 1) return false;
  return !(policyVersion >= 4 && purposeId >= 3 && purposeId <= 6);
}

/** TCF 2.2's cut-off (policy version 4 mandatory "post 30 September 2023") and TCF 2.3's (DisclosedVendors mandatory). */
const V4_FROM = 1_696_118_400_000; // 2023-10-01T00:00Z
const TCF23_FROM = 1_772_323_200_000; // 2026-03-01T00:00Z

/**
 * The publisher restriction type for (purpose, vendor), or -1. A string may carry several for one pair: the
 * strictest holds (0, not allowed, before 1 and 2), as "a restriction that disallows processing must always be
 * respected" and as @iabtcf/core reads them.
 */
function restrictionFor(tc: TcString, purposeId: number, vendorId: number): number {
  const list = tc.publisherRestrictions;
  let type = -1;
  for (let i = 0; i < list.length; i++) {
    const x = list[i]!;
    if (x.purposeId === purposeId && x.vendors.has(vendorId) && (type < 0 || x.restrictionType < type)) type = x.restrictionType;
  }
  return type;
}

/**
 * Decides whether `vendorId` may process for `purposeId` under the TC string, optionally against the GVL (the
 * vendor's declared purposes / legIntPurposes / flexiblePurposes). Rules, in order (spec sections in brackets):
 *
 * 0. the string must be valid: IsServiceSpecific 1 [IsServiceSpecific]; policy version 4 or more once
 *    `options.now` (else the string's `lastUpdated`) is after 30 Sep 2023, version 3 still valid when created
 *    by that day [Policy version];
 * 1. purpose must be 1..24 and, with a GVL, defined in it [TC String Format: PurposesConsent];
 * 2. with a GVL, the vendor must be listed and not deleted [GVL: vendors, deletedDate];
 * 3. when the DisclosedVendors segment is present (or required: by default from 1 Mar 2026 by `options.now`),
 *    the vendor must be in it [TCF 2.3, DisclosedVendors];
 * 3½. a special purpose (`specialPurposeId`) stops here: allowed (basis `null`) when the vendor declares it in the
 *    GVL; without DisclosedVendors, the vendor's consent or LI bit must show it was disclosed [TCF 2.3,
 *    VendorLegitimateInterest]; no consent, objection or publisher restriction applies;
 * 4. every special feature used needs the user's opt-in and, with a GVL, the vendor's declaration [SpecialFeatureOptIns];
 * 5. publisher restrictions are evaluated before any other signal: type 0 forbids; types 1/2 force consent / LI,
 *    possible only when the vendor declares that basis or declares the purpose flexible [Publisher Restrictions];
 * 6. LI is never a basis for purpose 1, nor for purposes 3–6 from policy version 4 [Policies v4, Appendix A];
 * 7. purpose 1 with PurposeOneTreatment follows `options.purposeOneTreatment`, once rules 1–6 passed: `allow`
 *    skips only the consent bits (purpose 1 was not disclosed) [PurposeOneTreatment];
 * 8. consent basis needs the purpose consent and vendor consent bits; LI basis needs the purpose LI
 *    transparency and vendor LI bits (a cleared bit means no transparency or a user objection) [Core segment].
 *
 * Without a GVL the vendor's declarations are unknown: consent is tried first, then legitimate interest.
 *
 * @example
 * ```ts
 * declare const tcString: string; declare const gvl: Gvl;
 * const tc = decodeTcString(tcString);
 * const d = tcfCanProcess(tc, { vendorId: 755, purposeId: 4 }, gvl);
 * if (!d.allowed) console.log(d.reasons.map((x) => x.code)); // e.g. ['TCF_NO_VENDOR_CONSENT']
 * ```
 */
export function tcfCanProcess(tc: TcString, query: TcfQuery, gvl?: Gvl | null, options?: TcfCheckOptions): TcfDecision {
  if (tc === null || typeof tc !== 'object') expectObject(tc, ['tc']);
  if (query === null || typeof query !== 'object') expectObject(query, ['query']);
  if (options !== undefined) expectOptions(options, ['options']);
  const { vendorId, specialPurposeId: sp } = query;
  // A special purpose query is checked as purpose 1 would be up to rule 3 (its id's range is its own).
  const purposeId = sp === undefined ? query.purposeId : 1;
  // Plain JavaScript may pass anything: an id that is not a number is the caller's error, not an unknown purpose.
  if (typeof vendorId !== 'number') expectFinite(vendorId, ['query', 'vendorId']);
  // Vendor ids are 16-bit integers from 1: 5.5 or 2^32 + 5 would read vendor 5's bits.
  if (!(vendorId >= 1 && vendorId <= 65535 && (vendorId | 0) === vendorId)) throw inputError('vendorId must be an integer from 1 to 65535', ['query', 'vendorId'], { value: vendorId });
  if (typeof purposeId !== 'number') expectFinite(purposeId, ['query', 'purposeId']);
  if (typeof sp !== 'number' && sp !== undefined) expectFinite(sp, ['query', 'specialPurposeId']);
  if (!tc.isServiceSpecific) return D.notServiceSpecific;
  const now = options?.now;
  if (tc.policyVersion < 4 && (now ?? tc.lastUpdated) >= V4_FROM && (tc.policyVersion < 3 || tc.created >= V4_FROM)) return D.policyOutdated;
  if (!(purposeId >= 1 && purposeId <= 24 && (purposeId | 0) === purposeId && (sp === undefined || (sp >= 1 && (sp | 0) === sp)))) return D.purposeUnknown;
  const vendor = gvl ? gvl.vendors[vendorId] : undefined;
  if (gvl) {
    if (sp === undefined && gvl.purposeIds.size > 0 && !gvl.purposeIds.has(purposeId)) return D.purposeUnknown;
    if (vendor === undefined) return D.notInGvl;
    if (vendor.deletedDate !== null && (now === undefined || vendor.deletedDate <= now)) return D.deleted;
  }
  const disclosed = tc.disclosedVendors;
  if (disclosed !== null) {
    if (!disclosed.has(vendorId)) return D.notDisclosed;
  } else if (options?.requireDisclosedVendors ?? (now !== undefined && now >= TCF23_FROM)) return D.disclosedMissing;
  if (sp !== undefined) {
    // Before TCF 2.3 a CMP showed a vendor of special purposes only by setting its LI bit (the user can't object).
    if (disclosed === null && !tc.vendorLegitimateInterests.has(vendorId) && !tc.vendorConsents.has(vendorId)) return D.notDisclosed;
    return vendor === undefined || vendor.specialPurposes.has(sp) ? ALLOWED_SP : D.spNotDeclared;
  }

  const features = query.specialFeatureIds;
  if (features !== undefined) {
    expectArray(features, ['query', 'specialFeatureIds']);
    for (let i = 0; i < features.length; i++) {
      const f = features[i]!;
      if (typeof f !== 'number') expectFinite(f, ['query', 'specialFeatureIds', i]);
      if (vendor !== undefined && !vendor.specialFeatures.has(f)) return D.sfNotDeclared;
      if (!tc.specialFeatureOptIns.has(f)) return D.sfNoOptIn;
    }
  }

  const restriction = restrictionFor(tc, purposeId, vendorId);
  if (restriction === 0) return D.restrictedOut;
  const liOk = liPermitted(purposeId, tc.policyVersion);

  let basis: 'consent' | 'li' | 'either';
  if (vendor !== undefined) {
    const c = vendor.purposes.has(purposeId);
    const l = vendor.legIntPurposes.has(purposeId);
    const flexible = vendor.flexiblePurposes.has(purposeId);
    if (!c && !l) return D.notDeclared;
    if (restriction === 1) {
      if (!c && !flexible) return D.basisUnavailable;
      basis = 'consent';
    } else if (restriction === 2) {
      if (!l && !flexible) return D.basisUnavailable;
      basis = 'li';
    } else basis = c ? 'consent' : 'li';
  } else {
    basis = restriction === 1 ? 'consent' : restriction === 2 ? 'li' : 'either';
  }

  if (basis === 'li' && !liOk) return restriction === 2 ? LI_REQUIRED_NOT_PERMITTED : D.liNotPermitted;
  // Purpose 1 undisclosed: its consent bit can't be set; `allow` relies on the publisher country's rules instead.
  if (purposeId === 1 && tc.purposeOneTreatment) return options?.purposeOneTreatment === 'allow' ? ALLOWED_P1 : D.p1Treatment;

  const pc = tc.purposeConsents.has(purposeId);
  const vc = tc.vendorConsents.has(vendorId);
  if (basis !== 'li') {
    if (pc && vc) return ALLOWED_CONSENT;
    if (basis === 'consent' || !liOk) return pc ? D.noVendorConsent : vc ? D.noPurposeConsent : NO_CONSENT_BOTH;
  }
  // LI basis, or 'either' (no GVL, no restriction) falling back to legitimate interest.
  const pl = tc.purposeLegitimateInterests.has(purposeId);
  const vl = tc.vendorLegitimateInterests.has(vendorId);
  if (pl && vl) return ALLOWED_LI;
  if (basis === 'either') return NEITHER_BASIS[(pc ? 0 : 1) | (vc ? 0 : 2) | (pl ? 0 : 4) | (vl ? 0 : 8)]!;
  return pl ? D.noVendorLi : vl ? D.noPurposeLi : NO_LI_BOTH;
}
