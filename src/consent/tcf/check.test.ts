import { describe, expect, it } from 'vitest';
import { decodeTcString, encodeTcString, parseGvl, safeParseGvl, tcfCanProcess, type TcStringInput } from '../index.js';

const gvl = parseGvl({
  gvlSpecificationVersion: 3,
  vendorListVersion: 120,
  tcfPolicyVersion: 5,
  lastUpdated: '2026-01-01T00:00:00Z',
  purposes: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [String(i + 1), { id: i + 1, name: `Purpose ${i + 1}` }])),
  specialFeatures: { '1': { id: 1, name: 'Use precise geolocation data' }, '2': { id: 2, name: 'Actively scan device characteristics' } },
  vendors: {
    // consent for 1,3,4; LI for 2,7 (flexible); special feature 1
    '755': { id: 755, name: 'Ad platform', purposes: [1, 3, 4], legIntPurposes: [2, 7], flexiblePurposes: [2, 7], specialPurposes: [1], features: [], specialFeatures: [1] },
    // consent 1,2; LI 7 not flexible
    '10': { id: 10, name: 'Rigid', purposes: [1, 2], legIntPurposes: [7], flexiblePurposes: [], specialPurposes: [], features: [], specialFeatures: [] },
    '11': { id: 11, name: 'Gone', purposes: [1], legIntPurposes: [], deletedDate: '2025-06-01T00:00:00Z' },
  },
});

const BASE: TcStringInput = {
  created: 1_767_225_600_000,
  lastUpdated: 1_767_225_600_000,
  cmpId: 300,
  cmpVersion: 1,
  consentScreen: 1,
  consentLanguage: 'EN',
  vendorListVersion: 120,
  policyVersion: 5,
  isServiceSpecific: true,
  useNonStandardTexts: false,
  specialFeatureOptIns: [1],
  purposeConsents: [1, 2, 3, 4],
  purposeLegitimateInterests: [2, 7],
  purposeOneTreatment: false,
  publisherCountryCode: 'FR',
  vendorConsents: [10, 11, 755],
  vendorLegitimateInterests: [10, 755],
  disclosedVendors: [10, 11, 755],
};
const tc = (over: Partial<TcStringInput> = {}) => decodeTcString(encodeTcString({ ...BASE, ...over }));
const codes = (d: { reasons: ReadonlyArray<{ code: string }> }) => d.reasons.map((r) => r.code);

describe('tcfCanProcess', () => {
  it('applies the strictest of several restrictions of one vendor and purpose, in any order (the first written won)', () => {
    for (const order of [[1, 0], [0, 1], [2, 0], [2, 1, 0]]) {
      const t = tc({ publisherRestrictions: order.map((restrictionType) => ({ purposeId: 2, restrictionType: restrictionType as 0 | 1 | 2, vendors: [755] })) });
      expect(tcfCanProcess(t, { vendorId: 755, purposeId: 2 }).allowed, String(order)).toBe(false);
      expect(codes(tcfCanProcess(t, { vendorId: 755, purposeId: 2 })), String(order)).toEqual(['TCF_RESTRICTION_NOT_ALLOWED']);
    }
    // Require consent (1) wins over require legitimate interest (2): vendor 755 has consent for purpose 2 here.
    const t = tc({ publisherRestrictions: [{ purposeId: 2, restrictionType: 2, vendors: [755] }, { purposeId: 2, restrictionType: 1, vendors: [755] }] });
    expect(tcfCanProcess(t, { vendorId: 755, purposeId: 2 })).toMatchObject({ allowed: true, basis: 'consent' });
  });

  it('refuses a vendorId that is not an integer from 1 to 65535 (5.5 and 2^32 + 10 read vendor 10)', () => {
    for (const vendorId of [10.5, 2 ** 32 + 10, -(2 ** 32) + 10, 0, 65536, Number.NaN]) {
      expect(() => tcfCanProcess(tc(), { vendorId, purposeId: 2 }), String(vendorId)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'query.vendorId' }));
    }
    expect(tcfCanProcess(tc(), { vendorId: 10, purposeId: 2 }).allowed).toBe(true);
  });

  it('allows on consent when the vendor declares consent and both bits are set', () => {
    const d = tcfCanProcess(tc(), { vendorId: 755, purposeId: 4 }, gvl);
    expect(d).toMatchObject({ allowed: true, basis: 'consent' });
    expect(codes(d)).toEqual(['TCF_CONSENT']);
  });

  it('allows on legitimate interest for a declared LI purpose', () => {
    expect(tcfCanProcess(tc(), { vendorId: 755, purposeId: 7 }, gvl)).toMatchObject({ allowed: true, basis: 'legitimateInterest' });
    // Objection (LI bit cleared for the vendor) blocks.
    expect(codes(tcfCanProcess(tc({ vendorLegitimateInterests: [10] }), { vendorId: 755, purposeId: 7 }, gvl))).toEqual(['TCF_NO_VENDOR_LI']);
    expect(codes(tcfCanProcess(tc({ purposeLegitimateInterests: [] }), { vendorId: 755, purposeId: 7 }, gvl))).toEqual(['TCF_NO_PURPOSE_LI']);
  });

  it('uses only the declared basis with a GVL: a consent purpose is not rescued by LI bits', () => {
    const d = tcfCanProcess(tc({ vendorConsents: [] }), { vendorId: 755, purposeId: 4 }, gvl);
    expect(d.allowed).toBe(false);
    expect(codes(d)).toEqual(['TCF_NO_VENDOR_CONSENT']);
    expect(codes(tcfCanProcess(tc({ purposeConsents: [] }), { vendorId: 755, purposeId: 4 }, gvl))).toEqual(['TCF_NO_PURPOSE_CONSENT']);
  });

  it('refuses undeclared purposes, unknown and deleted vendors', () => {
    expect(codes(tcfCanProcess(tc(), { vendorId: 755, purposeId: 9 }, gvl))).toEqual(['TCF_PURPOSE_NOT_DECLARED']);
    expect(codes(tcfCanProcess(tc({ vendorConsents: [12], disclosedVendors: [12] }), { vendorId: 12, purposeId: 1 }, gvl))).toEqual(['TCF_VENDOR_NOT_IN_GVL']);
    expect(codes(tcfCanProcess(tc(), { vendorId: 11, purposeId: 1 }, gvl))).toEqual(['TCF_VENDOR_DELETED']);
    // Before its deletion date the vendor still counts.
    expect(tcfCanProcess(tc(), { vendorId: 11, purposeId: 1 }, gvl, { now: Date.parse('2025-01-01T00:00:00Z') }).allowed).toBe(true);
    expect(codes(tcfCanProcess(tc(), { vendorId: 755, purposeId: 25 }, gvl))).toEqual(['TCF_PURPOSE_UNKNOWN']);
    expect(codes(tcfCanProcess(tc(), { vendorId: 755, purposeId: 0 }))).toEqual(['TCF_PURPOSE_UNKNOWN']);
  });

  it('requires the vendor in DisclosedVendors (TCF 2.3) when the segment is there, or when required', () => {
    expect(codes(tcfCanProcess(tc({ disclosedVendors: [10] }), { vendorId: 755, purposeId: 4 }, gvl))).toEqual(['TCF_VENDOR_NOT_DISCLOSED']);
    expect(tcfCanProcess(tc({ disclosedVendors: null }), { vendorId: 755, purposeId: 4 }, gvl).allowed).toBe(true);
    expect(codes(tcfCanProcess(tc({ disclosedVendors: null }), { vendorId: 755, purposeId: 4 }, gvl, { requireDisclosedVendors: true }))).toEqual(['TCF_DISCLOSED_VENDORS_MISSING']);
    // By default the segment is required from 1 Mar 2026 (TCF 2.3's deadline was 28 Feb 2026), judged by options.now.
    const missing = tc({ disclosedVendors: null });
    const q = { vendorId: 755, purposeId: 4 };
    expect(tcfCanProcess(missing, q, gvl, { now: Date.UTC(2026, 1, 28, 23, 59) }).allowed).toBe(true);
    expect(codes(tcfCanProcess(missing, q, gvl, { now: Date.UTC(2026, 2, 1) }))).toEqual(['TCF_DISCLOSED_VENDORS_MISSING']);
    expect(codes(tcfCanProcess(missing, q, null, { now: Date.UTC(2026, 11, 7) }))).toEqual(['TCF_DISCLOSED_VENDORS_MISSING']);
    // The explicit option overrides the date, both ways.
    expect(tcfCanProcess(missing, q, gvl, { now: Date.UTC(2026, 11, 7), requireDisclosedVendors: false }).allowed).toBe(true);
    expect(codes(tcfCanProcess(missing, q, gvl, { now: Date.UTC(2025, 0, 1), requireDisclosedVendors: true }))).toEqual(['TCF_DISCLOSED_VENDORS_MISSING']);
  });

  it('never uses LI for purpose 1, nor for purposes 3–6 from policy version 4', () => {
    const noGvl = tc({ purposeConsents: [], vendorConsents: [], purposeLegitimateInterests: [1, 2, 3, 4, 5, 6, 7], vendorLegitimateInterests: [755] });
    expect(tcfCanProcess(noGvl, { vendorId: 755, purposeId: 1 }).allowed).toBe(false);
    for (const p of [3, 4, 5, 6]) expect(tcfCanProcess(noGvl, { vendorId: 755, purposeId: p }).allowed).toBe(false);
    expect(tcfCanProcess(noGvl, { vendorId: 755, purposeId: 2 })).toMatchObject({ allowed: true, basis: 'legitimateInterest' });
    // Under policy version 2 (TCF 2.0/2.1), while it was valid, purposes 3–6 could still rest on LI.
    const june2023 = Date.UTC(2023, 5, 1);
    const old = tc({ policyVersion: 2, created: june2023, lastUpdated: june2023, purposeConsents: [], vendorConsents: [], purposeLegitimateInterests: [3], vendorLegitimateInterests: [755] });
    expect(tcfCanProcess(old, { vendorId: 755, purposeId: 3 })).toMatchObject({ allowed: true, basis: 'legitimateInterest' });
  });

  it('refuses a string with IsServiceSpecific 0 ("considered invalid"), before any other rule', () => {
    for (const purposeId of [2, 4, 99]) expect(codes(tcfCanProcess(tc({ isServiceSpecific: false }), { vendorId: 755, purposeId }, gvl))).toEqual(['TCF_NOT_SERVICE_SPECIFIC']);
    expect(codes(tcfCanProcess(tc({ isServiceSpecific: false }), { vendorId: 755, purposeId: 2 }))).toEqual(['TCF_NOT_SERVICE_SPECIFIC']);
  });

  it('refuses policy versions below 4 after 30 Sep 2023 (by options.now, else lastUpdated); version 3 created by that day stays valid', () => {
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
    const li4 = { purposeConsents: [], vendorConsents: [], purposeLegitimateInterests: [4], vendorLegitimateInterests: [755] };
    const q = { vendorId: 755, purposeId: 4 };
    // A 2026 string with policy version 2 or 3 no longer unlocks LI for purpose 4: the string is invalid.
    for (const policyVersion of [0, 2, 3]) expect(codes(tcfCanProcess(tc({ policyVersion, ...li4 }), q))).toEqual(['TCF_POLICY_VERSION_OUTDATED']);
    const pv2 = tc({ policyVersion: 2, created: day('2023-06-01'), lastUpdated: day('2023-06-01'), ...li4 });
    expect(tcfCanProcess(pv2, q, null, { now: day('2023-09-30') + 86_399_999 }).allowed).toBe(true);
    expect(codes(tcfCanProcess(pv2, q, null, { now: day('2023-10-01') }))).toEqual(['TCF_POLICY_VERSION_OUTDATED']);
    expect(tcfCanProcess(pv2, q).allowed).toBe(true); // no now: judged at its own lastUpdated
    // "TC Strings with policy version 3 created until 30 September 2023 may still be returned … post 30 September 2023".
    const pv3 = (created: string) => tc({ policyVersion: 3, created: day(created), lastUpdated: day(created), ...li4 });
    expect(tcfCanProcess(pv3('2023-09-30'), q, null, { now: day('2024-01-01') }).allowed).toBe(true);
    expect(codes(tcfCanProcess(pv3('2023-10-01'), q, null, { now: day('2024-01-01') }))).toEqual(['TCF_POLICY_VERSION_OUTDATED']);
    expect(tcfCanProcess(tc({ policyVersion: 4, ...li4 }), { vendorId: 755, purposeId: 2 }).allowed).toBe(false);
    expect(tcfCanProcess(tc({ policyVersion: 4, purposeLegitimateInterests: [2] }), { vendorId: 755, purposeId: 2 }, null, { now: day('2026-01-01') }).allowed).toBe(true);
  });

  it('without a GVL tries consent, then legitimate interest, and lists every missing signal', () => {
    expect(tcfCanProcess(tc(), { vendorId: 755, purposeId: 2 })).toMatchObject({ allowed: true, basis: 'consent' });
    expect(tcfCanProcess(tc({ purposeConsents: [] }), { vendorId: 755, purposeId: 2 })).toMatchObject({ allowed: true, basis: 'legitimateInterest' });
    const d = tcfCanProcess(tc({ purposeConsents: [], purposeLegitimateInterests: [], vendorConsents: [], vendorLegitimateInterests: [] }), { vendorId: 755, purposeId: 2 });
    expect(codes(d)).toEqual(['TCF_NO_PURPOSE_CONSENT', 'TCF_NO_VENDOR_CONSENT', 'TCF_NO_PURPOSE_LI', 'TCF_NO_VENDOR_LI']);
  });

  describe('publisher restrictions', () => {
    it('type 0 forbids the purpose for the listed vendors only', () => {
      const t = tc({ publisherRestrictions: [{ purposeId: 4, restrictionType: 0, vendors: [755] }] });
      expect(codes(tcfCanProcess(t, { vendorId: 755, purposeId: 4 }, gvl))).toEqual(['TCF_RESTRICTION_NOT_ALLOWED']);
      expect(tcfCanProcess(t, { vendorId: 755, purposeId: 3 }, gvl).allowed).toBe(true);
    });
    it('type 1 (require consent) flips a flexible LI purpose to consent, refuses a rigid one', () => {
      const t = tc({ publisherRestrictions: [{ purposeId: 7, restrictionType: 1, vendors: [10, 755] }], purposeConsents: [7], vendorConsents: [755, 10] });
      expect(tcfCanProcess(t, { vendorId: 755, purposeId: 7 }, gvl)).toMatchObject({ allowed: true, basis: 'consent' });
      expect(codes(tcfCanProcess(t, { vendorId: 10, purposeId: 7 }, gvl))).toEqual(['TCF_RESTRICTION_BASIS_UNAVAILABLE']);
      const noConsent = tc({ publisherRestrictions: [{ purposeId: 7, restrictionType: 1, vendors: [755] }] });
      expect(codes(tcfCanProcess(noConsent, { vendorId: 755, purposeId: 7 }, gvl))).toEqual(['TCF_NO_PURPOSE_CONSENT']);
    });
    it('type 2 (require LI) flips a flexible consent purpose to LI, never for purposes 1 and 3–6', () => {
      const t = tc({ publisherRestrictions: [{ purposeId: 2, restrictionType: 2, vendors: [755, 10] }], purposeLegitimateInterests: [2] });
      // Vendor 755 declares purpose 2 as LI already; vendor 10 declares it as consent without flexibility.
      expect(tcfCanProcess(t, { vendorId: 755, purposeId: 2 }, gvl)).toMatchObject({ allowed: true, basis: 'legitimateInterest' });
      expect(codes(tcfCanProcess(t, { vendorId: 10, purposeId: 2 }, gvl))).toEqual(['TCF_RESTRICTION_BASIS_UNAVAILABLE']);
      const p4 = tc({ publisherRestrictions: [{ purposeId: 4, restrictionType: 2, vendors: [755] }], purposeLegitimateInterests: [4] });
      expect(codes(tcfCanProcess(p4, { vendorId: 755, purposeId: 4 }))).toEqual(['TCF_RESTRICTION_BASIS_UNAVAILABLE', 'TCF_LI_NOT_PERMITTED']);
    });
  });

  it('needs special-feature opt-in and declaration', () => {
    expect(tcfCanProcess(tc(), { vendorId: 755, purposeId: 4, specialFeatureIds: [1] }, gvl).allowed).toBe(true);
    expect(codes(tcfCanProcess(tc({ specialFeatureOptIns: [] }), { vendorId: 755, purposeId: 4, specialFeatureIds: [1] }, gvl))).toEqual(['TCF_SPECIAL_FEATURE_NO_OPT_IN']);
    expect(codes(tcfCanProcess(tc({ specialFeatureOptIns: [2] }), { vendorId: 755, purposeId: 4, specialFeatureIds: [2] }, gvl))).toEqual(['TCF_SPECIAL_FEATURE_NOT_DECLARED']);
  });

  it('answers a special purpose: declared in the GVL and disclosed, no consent or LI bit needed, restrictions and purpose one treatment do not apply (audit, 2026-12-08)', () => {
    // Special purposes have no bits in a TC string; a query for one was INPUT_INVALID (no purposeId).
    const none = tc({ vendorConsents: [], vendorLegitimateInterests: [], purposeConsents: [], purposeLegitimateInterests: [], purposeOneTreatment: true, publisherRestrictions: [{ purposeId: 1, restrictionType: 0, vendors: [755] }] });
    expect(tcfCanProcess(none, { vendorId: 755, specialPurposeId: 1 }, gvl)).toMatchObject({ allowed: true, basis: null, reasons: [{ code: 'TCF_SPECIAL_PURPOSE' }] });
    expect(codes(tcfCanProcess(none, { vendorId: 755, specialPurposeId: 2 }, gvl))).toEqual(['TCF_SPECIAL_PURPOSE_NOT_DECLARED']);
    expect(codes(tcfCanProcess(none, { vendorId: 10, specialPurposeId: 1 }, gvl))).toEqual(['TCF_SPECIAL_PURPOSE_NOT_DECLARED']);
    // Without a GVL the declaration is unknown: validity and disclosure only.
    expect(tcfCanProcess(none, { vendorId: 755, specialPurposeId: 2 }).allowed).toBe(true);
    // The rules before the purpose's own still apply: GVL listing and deletion, disclosure, a valid string.
    expect(codes(tcfCanProcess(none, { vendorId: 9, specialPurposeId: 1 }, gvl))).toEqual(['TCF_VENDOR_NOT_IN_GVL']);
    expect(codes(tcfCanProcess(tc({ disclosedVendors: [10] }), { vendorId: 755, specialPurposeId: 1 }, gvl))).toEqual(['TCF_VENDOR_NOT_DISCLOSED']);
    expect(codes(tcfCanProcess(tc({ isServiceSpecific: false }), { vendorId: 755, specialPurposeId: 1 }, gvl))).toEqual(['TCF_NOT_SERVICE_SPECIFIC']);
    expect(codes(tcfCanProcess(tc({ disclosedVendors: null }), { vendorId: 755, specialPurposeId: 1 }, gvl, { now: Date.UTC(2026, 2, 1) }))).toEqual(['TCF_DISCLOSED_VENDORS_MISSING']);
    // Before TCF 2.3 (no DisclosedVendors segment) a vendor shown for special purposes only has its LI bit set.
    const old = { disclosedVendors: null, vendorConsents: [], purposeConsents: [] };
    expect(tcfCanProcess(tc({ ...old, vendorLegitimateInterests: [755] }), { vendorId: 755, specialPurposeId: 1 }, gvl).allowed).toBe(true);
    expect(codes(tcfCanProcess(tc({ ...old, vendorLegitimateInterests: [] }), { vendorId: 755, specialPurposeId: 1 }, gvl))).toEqual(['TCF_VENDOR_NOT_DISCLOSED']);
    for (const specialPurposeId of [0, 1.5, -1]) expect(codes(tcfCanProcess(none, { vendorId: 755, specialPurposeId }, gvl)), String(specialPurposeId)).toEqual(['TCF_PURPOSE_UNKNOWN']);
    expect(() => tcfCanProcess(none, { vendorId: 755, specialPurposeId: '1' as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'query.specialPurposeId' }));
    // A query names a purpose or a special purpose, not both (plain JavaScript passing both asks about the special purpose).
    // @ts-expect-error purposeId and specialPurposeId together
    expect(tcfCanProcess(none, { vendorId: 755, purposeId: 3, specialPurposeId: 1 }, gvl).reasons[0]?.code).toBe('TCF_SPECIAL_PURPOSE');
  });

  it('follows the configured purpose-one treatment', () => {
    const t = tc({ purposeOneTreatment: true, publisherCountryCode: 'DE' });
    expect(codes(tcfCanProcess(t, { vendorId: 755, purposeId: 1 }, gvl))).toEqual(['TCF_PURPOSE_ONE_TREATMENT']);
    expect(tcfCanProcess(t, { vendorId: 755, purposeId: 1 }, gvl, { purposeOneTreatment: 'allow' })).toMatchObject({ allowed: true, basis: null });
    expect(tcfCanProcess(t, { vendorId: 755, purposeId: 2 }, gvl).allowed).toBe(true);
  });

  it("purpose-one treatment 'allow' never overrides a type-0 restriction, a restriction's basis or the vendor's GVL declaration", () => {
    const allow = { purposeOneTreatment: 'allow' } as const;
    const q = { vendorId: 755, purposeId: 1 };
    const restricted = tc({ purposeOneTreatment: true, publisherRestrictions: [{ purposeId: 1, restrictionType: 0, vendors: [755] }] });
    expect(codes(tcfCanProcess(restricted, q, null, allow))).toEqual(['TCF_RESTRICTION_NOT_ALLOWED']);
    expect(codes(tcfCanProcess(restricted, q, gvl, allow))).toEqual(['TCF_RESTRICTION_NOT_ALLOWED']);
    // Vendor 12 declares purpose 2 only: "not registered for the Purpose then the vendor should not process".
    const g2 = parseGvl({ vendorListVersion: 1, tcfPolicyVersion: 5, vendors: { '12': { id: 12, name: 'x', purposes: [2], legIntPurposes: [] } } });
    const p1t = tc({ purposeOneTreatment: true, vendorConsents: [12], disclosedVendors: [12] });
    expect(codes(tcfCanProcess(p1t, { vendorId: 12, purposeId: 1 }, g2, allow))).toEqual(['TCF_PURPOSE_NOT_DECLARED']);
    // Require-LI on purpose 1 can't be met (LI is never a basis for purpose 1), with or without a GVL.
    const requireLi = tc({ purposeOneTreatment: true, publisherRestrictions: [{ purposeId: 1, restrictionType: 2, vendors: [755] }] });
    expect(tcfCanProcess(requireLi, q, null, allow).allowed).toBe(false);
    expect(codes(tcfCanProcess(requireLi, q, gvl, allow))).toEqual(['TCF_RESTRICTION_BASIS_UNAVAILABLE']);
    // What it legitimately changes stays: purpose 1's consent bit, never set when purpose 1 was not disclosed.
    const undisclosed = tc({ purposeOneTreatment: true, purposeConsents: [2, 3, 4], publisherRestrictions: [{ purposeId: 1, restrictionType: 1, vendors: [755] }] });
    expect(tcfCanProcess(undisclosed, q, gvl, allow)).toMatchObject({ allowed: true, basis: null });
    expect(codes(tcfCanProcess(undisclosed, q, gvl))).toEqual(['TCF_PURPOSE_ONE_TREATMENT']);
  });
});

describe('parseGvl', () => {
  it('compiles vendors to id sets', () => {
    expect(gvl.vendorCount).toBe(3);
    expect(gvl.vendors[755]?.legIntPurposes.toArray()).toEqual([2, 7]);
    expect(gvl.vendors[11]?.deletedDate).toBe(Date.parse('2025-06-01T00:00:00Z'));
  });
  it('rejects invalid documents with CONSENT_GVL_INVALID and a path', () => {
    const r = safeParseGvl({ vendorListVersion: 1, tcfPolicyVersion: 5, vendors: { '5': { id: 5, name: 'x', purposes: ['a'], legIntPurposes: [] } } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('CONSENT_GVL_INVALID');
      expect(r.error.path).toBe('vendors["5"].purposes[0]');
    }
    const mismatch = safeParseGvl({ vendorListVersion: 1, tcfPolicyVersion: 5, vendors: { '5': { id: 6, name: 'x', purposes: [], legIntPurposes: [] } } });
    expect(!mismatch.ok && mismatch.error.message).toMatch(/does not match/);
    const flex = safeParseGvl({ vendorListVersion: 1, tcfPolicyVersion: 5, vendors: { '5': { id: 5, name: 'x', purposes: [1], legIntPurposes: [], flexiblePurposes: [2] } } });
    expect(!flex.ok && flex.error.path).toBe('vendors["5"].flexiblePurposes[0]');
    expect(safeParseGvl(null).ok).toBe(false);
  });
  it('applies the GVL v3 vendor constraints: either purpose list may be missing, no purpose under both bases, ids within the published purposes', () => {
    const doc = (vendor: Record<string, unknown>, purposes = 11): unknown => ({
      vendorListVersion: 1,
      tcfPolicyVersion: 5,
      purposes: Object.fromEntries(Array.from({ length: purposes }, (_, i) => [String(i + 1), { id: i + 1, name: `p${i + 1}` }])),
      vendors: { '5': { id: 5, name: 'x', ...vendor } },
    });
    // "purposes" / "legIntPurposes": conditionally OPTIONAL.
    const liOnly = parseGvl(doc({ legIntPurposes: [2, 7] }));
    expect(liOnly.vendors[5]?.purposes.toArray()).toEqual([]);
    expect(liOnly.vendors[5]?.legIntPurposes.toArray()).toEqual([2, 7]);
    expect(parseGvl(doc({ purposes: [1, 3] })).vendors[5]?.legIntPurposes.toArray()).toEqual([]);
    // "A Purpose id must not be present in both purposes and legIntPurposes."
    const both = safeParseGvl(doc({ purposes: [1, 2], legIntPurposes: [7, 2] }));
    expect(!both.ok && [both.error.code, both.error.path]).toEqual(['CONSENT_GVL_INVALID', 'vendors["5"].legIntPurposes[1]']);
    // "… in the range from 1 to N, where N is the highest purpose id published in this GVL file."
    const beyond = safeParseGvl(doc({ purposes: [1, 12] }));
    expect(!beyond.ok && beyond.error.path).toBe('vendors["5"].purposes[1]');
    expect(!safeParseGvl(doc({ purposes: [1], legIntPurposes: [2], flexiblePurposes: [2, 14] })).ok).toBe(true);
    expect(parseGvl(doc({ purposes: [1, 12] }, 12)).vendors[5]?.purposes.has(12)).toBe(true);
  });
});

describe('tcfCanProcess from plain JavaScript', () => {
  it('refuses a query whose ids are not numbers at their path (an object purposeId or a null specialFeatureIds was a TypeError)', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ vendorId: '755' }, 'query.vendorId'],
      [{ purposeId: { valueOf: 3 } }, 'query.purposeId'],
      [{ specialFeatureIds: null }, 'query.specialFeatureIds'],
      [{ specialFeatureIds: [1, '2'] }, 'query.specialFeatureIds[1]'],
    ];
    for (const [change, path] of cases) {
      expect(() => tcfCanProcess(tc(), { vendorId: 755, purposeId: 4, ...change } as never, gvl)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
    }
    // An unknown purpose stays an answer, not an error.
    expect(tcfCanProcess(tc(), { vendorId: 755, purposeId: 99 }, gvl).allowed).toBe(false);
  });
});
