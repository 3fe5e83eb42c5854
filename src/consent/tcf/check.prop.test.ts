import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseGvl, tcfCanProcess } from '../index.js';
import { gvlJsonArb, tcModelArb } from '../../../test/arbitraries/consent.js';

const queryArb = fc.record({ vendorId: fc.integer({ min: 1, max: 70 }), purposeId: fc.integer({ min: 1, max: 11 }) });
const tcArb = tcModelArb({ maxVendorId: 70 });

describe('tcfCanProcess properties', () => {
  it('without a GVL or restrictions: allowed exactly when consent or permitted LI signals are complete', () => {
    fc.assert(
      fc.property(tcArb, queryArb, (m, q) => {
        const tc = { ...m, publisherRestrictions: [], disclosedVendors: null, purposeOneTreatment: false };
        const d = tcfCanProcess(tc, q);
        const consent = tc.purposeConsents.has(q.purposeId) && tc.vendorConsents.has(q.vendorId);
        const liAllowed = q.purposeId !== 1 && !(tc.policyVersion >= 4 && q.purposeId >= 3 && q.purposeId <= 6);
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
        const restriction = tc.publisherRestrictions.find((r) => r.purposeId === q.purposeId && r.vendors.has(q.vendorId))?.restrictionType;
        if (!d.allowed) return;
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
});
