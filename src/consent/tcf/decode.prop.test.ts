import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PurposeRestriction, TCModel, TCString } from '@iabtcf/core';
import { decodeTcString, encodeTcString, IdSet } from '../index.js';
import { idSetFromPairs } from './bits.js';
import { idSetArb, plain, tcModelArb } from '../../../test/arbitraries/consent.js';
import { ourView, peerGvl, peerView } from '../../../test/oracles/tcf-peer.js';

describe('TC string properties', () => {
  it('decode(encode(m)) equals m, whatever the vendor encoding', () => {
    fc.assert(
      fc.property(tcModelArb(), fc.constantFrom('auto', 'bitfield', 'range' as const), (m, vendorEncoding) => {
        expect(plain(decodeTcString(encodeTcString(m, { vendorEncoding })))).toEqual(plain(m));
      }),
      { numRuns: 1000 },
    );
  });

  it('encoding is canonical: encode(decode(s)) == s for strings we wrote', () => {
    fc.assert(
      fc.property(tcModelArb(), (m) => {
        const s = encodeTcString(m);
        expect(encodeTcString(decodeTcString(s))).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('auto encoding is never longer than either forced encoding', () => {
    fc.assert(
      fc.property(idSetArb(1400, 200), (vendors) => {
        const base = fc.sample(tcModelArb({ maxVendorId: 10 }), { seed: 1, numRuns: 1 })[0]!;
        const m = { ...base, vendorConsents: vendors };
        const len = (e: 'auto' | 'bitfield' | 'range'): number => encodeTcString(m, { vendorEncoding: e }).split('.')[0]!.length;
        expect(len('auto')).toBeLessThanOrEqual(Math.min(len('bitfield'), len('range')));
      }),
      { numRuns: 200 },
    );
  });
});

describe('cross-check with @iabtcf/core', () => {
  it('strings crosschannel encodes decode to the same fields with @iabtcf/core', () => {
    fc.assert(
      fc.property(tcModelArb(), fc.constantFrom('auto', 'bitfield', 'range' as const), (m, vendorEncoding) => {
        const s = encodeTcString(m, { vendorEncoding });
        expect(peerView(TCString.decode(s))).toEqual(ourView(decodeTcString(s)));
        expect(ourView(decodeTcString(s))).toEqual(ourView(m as never));
      }),
      { numRuns: 1200 },
    );
  });

  // A GVL of 400 vendor ids with gaps: every vendor declares consent and (flexible) LI purposes.
  const vendors: Record<string, unknown> = {};
  for (let id = 1; id <= 400; id++) {
    if (id % 7 === 0) continue;
    vendors[String(id)] = { id, name: `v${id}`, purposes: [1, 3, 4], legIntPurposes: [2, 7], flexiblePurposes: [2, 3, 4, 7], specialPurposes: [1], features: [], specialFeatures: [1] };
  }
  const purposes: Record<string, unknown> = {};
  for (let p = 1; p <= 11; p++) purposes[String(p)] = { id: p, name: `p${p}`, description: '', illustrations: [] };
  const gvlJson = { gvlSpecificationVersion: 3, vendorListVersion: 150, tcfPolicyVersion: 5, lastUpdated: '2026-01-01T00:00:00Z', purposes, specialPurposes: { '1': { id: 1, name: 'sp1' } }, features: {}, specialFeatures: { '1': { id: 1, name: 'sf1' }, '2': { id: 2, name: 'sf2' } }, stacks: {}, dataCategories: {}, vendors };

  it('strings @iabtcf/core encodes decode to the same fields with crosschannel', () => {
    fc.assert(
      fc.property(tcModelArb({ maxVendorId: 420 }), (m) => {
        const gvl = peerGvl(gvlJson);
        const t = new TCModel(gvl);
        t.created = new Date(m.created);
        t.lastUpdated = new Date(m.lastUpdated);
        t.cmpId = m.cmpId;
        t.cmpVersion = m.cmpVersion;
        t.consentScreen = m.consentScreen;
        t.publisherCountryCode = m.publisherCountryCode;
        t.isServiceSpecific = m.isServiceSpecific;
        t.useNonStandardStacks = m.useNonStandardTexts;
        t.purposeOneTreatment = m.purposeOneTreatment;
        t.policyVersion = m.policyVersion;
        t.purposeConsents.set(m.purposeConsents.toArray());
        t.purposeLegitimateInterests.set(m.purposeLegitimateInterests.toArray());
        t.specialFeatureOptins.set(m.specialFeatureOptIns.toArray());
        t.vendorConsents.set(m.vendorConsents.toArray());
        t.vendorLegitimateInterests.set(m.vendorLegitimateInterests.toArray());
        for (const r of m.publisherRestrictions) for (const v of r.vendors) t.publisherRestrictions.add(v, new PurposeRestriction(r.purposeId, r.restrictionType));
        if (m.publisherTc) {
          t.publisherConsents.set(m.publisherTc.purposeConsents.toArray());
          t.publisherLegitimateInterests.set(m.publisherTc.purposeLegitimateInterests.toArray());
          t.numCustomPurposes = m.publisherTc.numCustomPurposes;
          t.publisherCustomConsents.set(m.publisherTc.customPurposeConsents.toArray());
          t.publisherCustomLegitimateInterests.set(m.publisherTc.customPurposeLegitimateInterests.toArray());
        }
        const s = TCString.encode(t);
        expect(ourView(decodeTcString(s))).toEqual(peerView(TCString.decode(s)));
      }),
      { numRuns: 800 },
    );
  });
});

describe('IdSet forms', () => {
  it('the range form (any order, overlaps) and the bitset form hold the same ids and answer has() alike', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 60 })), { maxLength: 30 }), (entries) => {
        const pairs = new Uint16Array(entries.flatMap(([a, len]) => [a, Math.min(65_535, a + len)]));
        const expected = [...new Set(entries.flatMap(([a, len]) => Array.from({ length: Math.min(65_535, a + len) - a + 1 }, (_, i) => a + i)))].sort((x, y) => x - y);
        const ranged = idSetFromPairs(pairs);
        const bitset = IdSet.from(expected);
        expect(ranged.toArray()).toEqual(expected);
        expect(ranged.size).toBe(expected.length);
        expect(ranged.max).toBe(bitset.max);
        const probes = Array.from({ length: 444 }, (_, k) => k * 7);
        expect(probes.map((id) => ranged.has(id))).toEqual(probes.map((id) => bitset.has(id)));
        expect(expected.every((id) => ranged.has(id))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
