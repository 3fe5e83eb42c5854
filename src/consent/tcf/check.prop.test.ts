import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseGvl, tcfCanProcess, type TcString } from '../index.js';
import { gvlJsonArb, tcModelArb } from '../../../test/arbitraries/consent.js';

const queryArb = fc.record({ vendorId: fc.integer({ min: 1, max: 70 }), purposeId: fc.integer({ min: 1, max: 11 }) });
const tcArb = tcModelArb({ maxVendorId: 70 });
// The TC string is valid: IsServiceSpecific 1, and policy version 4+ unless judged (at lastUpdated) by 30 Sep
// 2023, or version 3 created by then.
const CUT = Date.UTC(2023, 9, 1);
const valid = (tc: TcString, now = tc.lastUpdated) => tc.isServiceSpecific && (tc.policyVersion >= 4 || now < CUT || (tc.policyVersion === 3 && tc.created < CUT));

describe('tcfCanProcess properties', () => {
  it('without a GVL or restrictions: allowed exactly when consent or permitted LI signals are complete', () => {
    fc.assert(
      fc.property(tcArb, queryArb, (m, q) => {
        const tc = { ...m, publisherRestrictions: [], disclosedVendors: null, purposeOneTreatment: false };
        const d = tcfCanProcess(tc, q);
        const consent = valid(tc) && tc.purposeConsents.has(q.purposeId) && tc.vendorConsents.has(q.vendorId);
        const liAllowed = valid(tc) && q.purposeId !== 1 && !(tc.policyVersion >= 4 && q.purposeId >= 3 && q.purposeId <= 6);
        const li = liAllowed && tc.purposeLegitimateInterests.has(q.purposeId) && tc.vendorLegitimateInterests.has(q.vendorId);
        expect(d.allowed).toBe(consent || li);
        expect(d.basis).toBe(consent ? 'consent' : li ? 'legitimateInterest' : null);
        expect(d.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('with a GVL: every allowed decision rests on signals the vendor may use', () => {
    fc.assert(
      fc.property(tcArb, gvlJsonArb(70), queryArb, (tc, json, q) => {
        const gvl = parseGvl(json);
        const d = tcfCanProcess(tc, q, gvl);
        const v = gvl.vendors[q.vendorId];
        // Several restrictions for one pair: the lowest type holds (0 before 1 before 2), as the guide says.
        const types = tc.publisherRestrictions.filter((r) => r.purposeId === q.purposeId && r.vendors.has(q.vendorId)).map((r) => r.restrictionType);
        const restriction = types.length ? Math.min(...types) : undefined;
        if (!d.allowed) return;
        expect(valid(tc)).toBe(true);
        expect(v).toBeDefined();
        expect(v!.deletedDate).toBeNull();
        expect(restriction).not.toBe(0);
        if (tc.disclosedVendors) expect(tc.disclosedVendors.has(q.vendorId)).toBe(true);
        if (q.purposeId === 1) expect(tc.purposeOneTreatment).toBe(false);
        if (d.basis === 'consent') {
          expect(tc.purposeConsents.has(q.purposeId) && tc.vendorConsents.has(q.vendorId)).toBe(true);
          expect(v!.purposes.has(q.purposeId) || v!.flexiblePurposes.has(q.purposeId)).toBe(true);
          expect(restriction).not.toBe(2);
        } else {
          expect(d.basis).toBe('legitimateInterest');
          expect(q.purposeId).not.toBe(1);
          if (tc.policyVersion >= 4) expect(q.purposeId < 3 || q.purposeId > 6).toBe(true);
          expect(tc.purposeLegitimateInterests.has(q.purposeId) && tc.vendorLegitimateInterests.has(q.vendorId)).toBe(true);
          expect(v!.legIntPurposes.has(q.purposeId) || v!.flexiblePurposes.has(q.purposeId)).toBe(true);
          expect(restriction).not.toBe(1);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('a type-0 restriction or a missing disclosure always refuses', () => {
    fc.assert(
      fc.property(tcArb, queryArb, (m, q) => {
        const restricted = { ...m, publisherRestrictions: [{ purposeId: q.purposeId, restrictionType: 0 as const, vendors: m.vendorConsents }] };
        if (m.vendorConsents.has(q.vendorId)) expect(tcfCanProcess(restricted, q).allowed).toBe(false);
        const undisclosed = { ...m, disclosedVendors: m.vendorLegitimateInterests };
        if (!m.vendorLegitimateInterests.has(q.vendorId)) expect(tcfCanProcess(undisclosed, q).allowed).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('an invalid string (IsServiceSpecific 0, or an outdated policy version at options.now) is always refused with its code', () => {
    fc.assert(
      fc.property(tcArb, queryArb, fc.option(fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }), { nil: undefined }), (tc, q, now) => {
        if (valid(tc, now ?? tc.lastUpdated)) return;
        const d = tcfCanProcess(tc, q, null, { ...(now === undefined ? {} : { now }), purposeOneTreatment: 'allow' });
        expect(d.allowed).toBe(false);
        expect(d.reasons.map((r) => r.code)).toEqual([tc.isServiceSpecific ? 'TCF_POLICY_VERSION_OUTDATED' : 'TCF_NOT_SERVICE_SPECIFIC']);
      }),
      { numRuns: 1000 },
    );
  });

  it("purpose-one treatment 'allow' changes only purpose 1's consent-bit refusals: every other outcome is the same as 'deny'", () => {
    fc.assert(
      fc.property(tcArb, gvlJsonArb(70), fc.boolean(), queryArb, (tc, json, withGvl, q) => {
        const gvl = withGvl ? parseGvl(json) : null;
        const deny = tcfCanProcess(tc, q, gvl);
        const allow = tcfCanProcess(tc, q, gvl, { purposeOneTreatment: 'allow' });
        if (allow !== deny) {
          expect(q.purposeId === 1 && tc.purposeOneTreatment).toBe(true);
          expect(deny.reasons.map((r) => r.code)).toEqual(['TCF_PURPOSE_ONE_TREATMENT']);
          expect(allow).toMatchObject({ allowed: true, basis: null });
        }
        if (allow.allowed && tc.publisherRestrictions.some((r) => r.purposeId === q.purposeId && r.vendors.has(q.vendorId) && r.restrictionType === 0)) expect.unreachable();
        const v = gvl?.vendors[q.vendorId];
        if (allow.allowed && v) expect(v.purposes.has(q.purposeId) || v.legIntPurposes.has(q.purposeId)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
