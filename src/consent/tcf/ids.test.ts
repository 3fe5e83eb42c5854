/** TC string id fields are checked against the ranges the specification gives them. */
import { describe, expect, it } from 'vitest';
import { decodeTcString, safeDecodeTcString } from './decode.js';
import { encodeTcString } from './encode.js';
import { IdSet } from './id-set.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const toBits = (s: string): string => [...s].map((c) => B64.indexOf(c).toString(2).padStart(6, '0')).join('');
const fromBits = (b: string): string => b.match(/.{6}/g)!.map((x) => B64[parseInt(x, 2)]!).join('');

function withRestriction(purposeId: number): string {
  return encodeTcString({
    created: Date.UTC(2026, 0, 1),
    lastUpdated: Date.UTC(2026, 0, 1),
    cmpId: 300,
    cmpVersion: 1,
    consentScreen: 1,
    consentLanguage: 'FR',
    vendorListVersion: 100,
    policyVersion: 5,
    isServiceSpecific: true,
    useNonStandardTexts: false,
    specialFeatureOptIns: [],
    purposeConsents: [1],
    purposeLegitimateInterests: [],
    purposeOneTreatment: false,
    publisherCountryCode: 'FR',
    vendorConsents: [755],
    vendorLegitimateInterests: [],
    publisherRestrictions: [{ purposeId, restrictionType: 0, vendors: [755] }],
  });
}

/** The string with its one restriction's 6-bit purpose id rewritten (the encoder refuses such ids). */
function patchedPurpose(to: number): string {
  const bits = toBits(withRestriction(24));
  // numPubRestrictions = 1, purposeId = 24, type 0, numEntries = 1, single id 755.
  const marker = '000000000001' + '011000' + '00' + '000000000001' + '0' + (755).toString(2).padStart(16, '0');
  const at = bits.lastIndexOf(marker);
  expect(at).toBeGreaterThan(0);
  return fromBits(bits.slice(0, at + 12) + to.toString(2).padStart(6, '0') + bits.slice(at + 18));
}

describe('TC string id ranges', () => {
  it('accepts a restriction on a purpose of the string (1..24)', () => {
    expect(decodeTcString(withRestriction(24)).publisherRestrictions[0]!.purposeId).toBe(24);
    expect(decodeTcString(patchedPurpose(2)).publisherRestrictions[0]!.purposeId).toBe(2);
  });

  it('rejects a restriction on a purpose id no TC string can carry, with the path', () => {
    for (const id of [25, 30, 63]) {
      const r = safeDecodeTcString(patchedPurpose(id));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'CONSENT_TCF_MALFORMED', path: 'segments[0].publisherRestrictions[0].purposeId' });
    }
    expect(() => withRestriction(25)).toThrow(expect.objectContaining({ path: 'publisherRestrictions[0].purposeId' }));
  });
});

describe('IdSet.has', () => {
  it('refuses an id that is not a number (shifting a symbol or an object with a throwing valueOf was a TypeError)', () => {
    const set = IdSet.from([1, 755]);
    expect(set.has(755)).toBe(true);
    for (const id of [Symbol('s'), 10n, { valueOf: () => { throw new Error('boom'); } }]) {
      expect(() => set.has(id as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'id' }));
    }
  });
});
