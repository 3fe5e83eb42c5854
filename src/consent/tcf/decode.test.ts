import { describe, expect, it } from 'vitest';
import { TCString } from '@iabtcf/core';
import { decodeTcString, encodeTcString, IdSet, safeDecodeTcString, type TcStringInput } from '../index.js';
import { BitWriter } from './bits.js';
import { isCrossChannelError } from '../../core/errors.js';
import { ourView, peerView } from '../../../test/oracles/tcf-peer.js';

// Published example from the IAB TCF v2 documentation (core + disclosed vendors).
const SAMPLE =
  'COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA.IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw';

const BASE: TcStringInput = {
  created: 1_767_225_600_000,
  lastUpdated: 1_767_312_000_000,
  cmpId: 300,
  cmpVersion: 2,
  consentScreen: 1,
  consentLanguage: 'FR',
  vendorListVersion: 120,
  policyVersion: 5,
  isServiceSpecific: true,
  useNonStandardTexts: false,
  specialFeatureOptIns: [1],
  purposeConsents: [1, 2, 3, 4, 7],
  purposeLegitimateInterests: [2, 7, 8],
  purposeOneTreatment: false,
  publisherCountryCode: 'DE',
  vendorConsents: [755, 1000, 1001, 1002],
  vendorLegitimateInterests: [755],
  publisherRestrictions: [{ purposeId: 2, restrictionType: 1, vendors: [755, 756, 757] }],
  disclosedVendors: [755, 1000, 1001, 1002],
  publisherTc: { purposeConsents: [1], purposeLegitimateInterests: [], numCustomPurposes: 2, customPurposeConsents: [2], customPurposeLegitimateInterests: [1] },
};

function expectMalformed(text: string, messagePart: RegExp | string): void {
  const r = safeDecodeTcString(text);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe('CONSENT_TCF_MALFORMED');
  expect(r.error.message).toMatch(messagePart);
  expect(() => decodeTcString(text)).toThrow(expect.objectContaining({ code: 'CONSENT_TCF_MALFORMED' }));
}

/** A core segment written field by field; `tail` writes everything after PublisherCC. */
function core(tail: (w: BitWriter) => void, head: { version?: number; language?: [number, number]; cmpId?: number } = {}): string {
  const w = new BitWriter();
  w.int(head.version ?? 2, 6);
  w.int(16_000_000_000, 36);
  w.int(16_000_000_000, 36);
  w.int(head.cmpId ?? 10, 12);
  w.int(1, 12);
  w.int(0, 6);
  w.int(head.language?.[0] ?? 4, 6);
  w.int(head.language?.[1] ?? 13, 6);
  w.int(100, 12);
  w.int(4, 6);
  w.bit(false);
  w.bit(false);
  w.int(0, 12);
  w.int(0, 24);
  w.int(0, 24);
  w.bit(false);
  w.int(3, 6);
  w.int(4, 6);
  tail(w);
  return w.toBase64Url();
}
const emptyVendors = (w: BitWriter): void => {
  w.int(0, 16);
  w.bit(false);
};
const validCore = core((w) => {
  emptyVendors(w);
  emptyVendors(w);
  w.int(0, 12);
});

describe('decodeTcString', () => {
  it('decodes the published sample like @iabtcf/core', () => {
    const tc = decodeTcString(SAMPLE);
    expect(tc.version).toBe(2);
    expect(tc.cmpId).toBe(27);
    expect(tc.created).toBe(1_582_243_059_300);
    expect(tc.consentLanguage).toBe('EN');
    expect(tc.purposeConsents.toArray()).toEqual([1, 2, 3]);
    expect(tc.vendorConsents.toArray()).toEqual([2, 6, 8]);
    expect(tc.disclosedVendors?.size).toBe(79);
    expect(tc.publisherTc).toBeNull();
    expect(ourView(tc)).toEqual(peerView(TCString.decode(SAMPLE)));
  });

  it('decodes every segment of a full string, with the 2.3 name useNonStandardTexts', () => {
    const s = encodeTcString({ ...BASE, useNonStandardTexts: true, allowedVendors: [1000] });
    expect(s.split('.')).toHaveLength(4);
    const tc = decodeTcString(s);
    expect(tc.useNonStandardTexts).toBe(true);
    expect(tc.publisherRestrictions).toHaveLength(1);
    expect(tc.publisherRestrictions[0]!.vendors.toArray()).toEqual([755, 756, 757]);
    expect(tc.allowedVendors?.toArray()).toEqual([1000]);
    expect(tc.publisherTc?.customPurposeLegitimateInterests.toArray()).toEqual([1]);
    expect(tc.lastUpdated).toBe(BASE.lastUpdated);
    expect(ourView(tc)).toEqual(peerView(TCString.decode(s)));
  });

  it('reads range and bitfield vendor encodings identically', () => {
    const model = { ...BASE, vendorConsents: [1, 2, 3, 10, 500, 501, 502, 1400] };
    const a = decodeTcString(encodeTcString(model, { vendorEncoding: 'range' }));
    const b = decodeTcString(encodeTcString(model, { vendorEncoding: 'bitfield' }));
    expect(a.vendorConsents.toArray()).toEqual([1, 2, 3, 10, 500, 501, 502, 1400]);
    expect(b.vendorConsents.toArray()).toEqual(a.vendorConsents.toArray());
    expect(encodeTcString(model, { vendorEncoding: 'range' })).not.toBe(encodeTcString(model, { vendorEncoding: 'bitfield' }));
  });

  it('holds sets compactly with fast has()', () => {
    const tc = decodeTcString(encodeTcString(BASE));
    expect(tc.vendorConsents.has(755)).toBe(true);
    expect(tc.vendorConsents.has(754)).toBe(false);
    expect(tc.vendorConsents.has(70_000)).toBe(false);
    expect(tc.vendorConsents.bits ?? tc.vendorConsents.ranges).toBeTruthy();
    expect(JSON.stringify(tc.vendorLegitimateInterests)).toBe('[755]');
  });

  describe('is strict', () => {
    it('rejects empty, huge, non-string and non-base64url input', () => {
      expectMalformed('', /empty/);
      expectMalformed('A'.repeat(70_000), /more than/);
      expectMalformed(`${validCore}=`, /invalid base64url character/);
      expectMalformed('CO+vFyGB', /invalid base64url/);
      expect(safeDecodeTcString(42 as unknown as string).ok).toBe(false);
    });
    it('rejects empty segments (leading, trailing or double dots)', () => {
      expectMalformed(`${validCore}.`, /segment 1 is empty/);
      expectMalformed(`.${validCore}`, /segment 0 is empty/);
      expectMalformed(`${validCore}..IAAA`, /empty/);
    });
    it('rejects versions other than 2', () => {
      expectMalformed(core(() => undefined, { version: 1 }), /version 1/);
      expectMalformed(core(() => undefined, { version: 3 }), /version 3/);
    });
    it('rejects truncated segments', () => {
      expectMalformed(validCore.slice(0, 20), /truncated/);
      expectMalformed(core((w) => emptyVendors(w)), /truncated/);
    });
    it('rejects letters beyond Z', () => {
      expectMalformed(core((w) => { emptyVendors(w); emptyVendors(w); w.int(0, 12); }, { language: [26, 0] }), /letter index above 25/);
    });
    it('rejects unknown and repeated segment types', () => {
      const seg = (type: number): string => {
        const w = new BitWriter();
        w.int(type, 3);
        emptyVendors(w);
        return w.toBase64Url();
      };
      expectMalformed(`${validCore}.${seg(5)}`, /unknown segment type 5/);
      expectMalformed(`${validCore}.${seg(0)}`, /unknown segment type 0/);
      expectMalformed(`${validCore}.${seg(1)}.${seg(1)}`, /repeated DisclosedVendors/);
      expect(decodeTcString(`${validCore}.${seg(1)}.${seg(2)}`).allowedVendors?.size).toBe(0);
    });
    const rangeCore = (entries: Array<[number, number]>, maxVendorId: number, numEntries = entries.length): string =>
      core((w) => {
        w.int(maxVendorId, 16);
        w.bit(true);
        w.int(numEntries, 12);
        for (const [a, b] of entries) {
          w.bit(a !== b);
          w.int(a, 16);
          if (a !== b) w.int(b, 16);
        }
        emptyVendors(w);
        w.int(0, 12);
      });
    it('rejects range end before start, ids above maxVendorId and id 0', () => {
      expect(decodeTcString(rangeCore([[5, 9]], 9)).vendorConsents.toArray()).toEqual([5, 6, 7, 8, 9]);
      expectMalformed(rangeCore([[9, 5]], 9), /ends at 5 before it starts at 9/);
      expectMalformed(rangeCore([[5, 10]], 9), /above maxVendorId 9/);
      expectMalformed(rangeCore([[12, 12]], 9), /above maxVendorId/);
      expectMalformed(rangeCore([[0, 0]], 9), /vendor id 0/);
    });
    it('rejects absurd maxVendorId and numEntries before allocating', () => {
      expectMalformed(core((w) => { w.int(65_535, 16); w.bit(false); }), /maxVendorId 65535 exceeds/);
      expectMalformed(rangeCore([], 100, 4095), /numEntries 4095 cannot fit/);
      const e = safeDecodeTcString(rangeCore([[9, 5]], 9));
      expect(!e.ok && e.error.path).toBe('segments[0].vendorConsents.entries[0]');
    });
    it('rejects cmpId 0, which names no registered CMP (as @iabtcf/core does)', () => {
      const tail = (w: BitWriter): void => {
        emptyVendors(w);
        emptyVendors(w);
        w.int(0, 12);
      };
      expect(decodeTcString(core(tail, { cmpId: 1 })).cmpId).toBe(1);
      const zero = core(tail, { cmpId: 0 });
      expect(() => TCString.decode(zero)).toThrow(/cmpId/);
      expectMalformed(zero, /cmpId 0/);
      const r = safeDecodeTcString(zero);
      expect(!r.ok && r.error.path).toBe('segments[0].cmpId');
    });
    it('rejects undefined restriction type 3 and restriction purpose 0', () => {
      const withRestriction = (purposeId: number, type: number): string =>
        core((w) => {
          emptyVendors(w);
          emptyVendors(w);
          w.int(1, 12);
          w.int(purposeId, 6);
          w.int(type, 2);
          w.int(1, 12);
          w.bit(false);
          w.int(7, 16);
        });
      expect(decodeTcString(withRestriction(2, 1)).publisherRestrictions[0]).toMatchObject({ purposeId: 2, restrictionType: 1 });
      expectMalformed(withRestriction(2, 3), /undefined restriction type 3/);
      expectMalformed(withRestriction(0, 1), /purpose id 0/);
      const pathOf = (text: string): unknown => {
        const r = safeDecodeTcString(text);
        return !r.ok && r.error.path;
      };
      expect(pathOf(withRestriction(2, 3))).toBe('segments[0].publisherRestrictions[0].restrictionType');
      expect(pathOf(withRestriction(0, 1))).toBe('segments[0].publisherRestrictions[0].purposeId');
    });
    it('names the field of every malformed section in the error path', () => {
      const pathOf = (text: string): unknown => {
        const r = safeDecodeTcString(text);
        return !r.ok && r.error.path;
      };
      // A restriction's vendor range with vendor id 0, after a valid first restriction.
      const restricted = core((w) => {
        emptyVendors(w);
        emptyVendors(w);
        w.int(2, 12);
        for (const id of [7, 0]) {
          w.int(1, 6);
          w.int(0, 2);
          w.int(1, 12);
          w.bit(false);
          w.int(id, 16);
        }
      });
      expect(pathOf(restricted)).toBe('segments[0].publisherRestrictions[1].vendors.entries[0]');
      // A disclosed-vendors bitfield longer than its segment; a bad range in vendor legitimate interests.
      const disclosed = new BitWriter();
      disclosed.int(1, 3);
      disclosed.int(5000, 16);
      disclosed.bit(false);
      expect(pathOf(`${validCore}.${disclosed.toBase64Url()}`)).toBe('segments[1].disclosedVendors.maxVendorId');
      const li = core((w) => {
        emptyVendors(w);
        w.int(9, 16);
        w.bit(true);
        w.int(1, 12);
        w.bit(true);
        w.int(9, 16);
        w.int(5, 16);
        w.int(0, 12);
      });
      expect(pathOf(li)).toBe('segments[0].vendorLegitimateInterests.entries[0]');
      expect(pathOf(core((w) => { emptyVendors(w); emptyVendors(w); w.int(0, 12); }, { language: [26, 0] }))).toBe('segments[0].consentLanguage');
    });
  });
});

describe('encodeTcString', () => {
  it('round-trips and pads segments to whole bytes like @iabtcf/core', () => {
    const s = encodeTcString(BASE);
    for (const seg of s.split('.')) expect(seg.length % 4).toBe(0);
    const again = encodeTcString(decodeTcString(s));
    expect(again).toBe(s);
  });
  it('validates the model with paths', () => {
    const bad = (m: Partial<TcStringInput>, path: string): void => {
      let err: unknown;
      try {
        encodeTcString({ ...BASE, ...m } as TcStringInput);
      } catch (e) {
        err = e;
      }
      expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
      expect((err as { path: string }).path).toBe(path);
    };
    bad({ cmpId: 5000 }, 'cmpId');
    bad({ cmpId: 0 }, 'cmpId');
    bad({ consentLanguage: 'E1' }, 'consentLanguage');
    bad({ purposeConsents: [25] }, 'purposeConsents');
    bad({ vendorConsents: [0] }, 'vendorConsents');
    bad({ created: -1 }, 'created');
    bad({ publisherRestrictions: [{ purposeId: 1, restrictionType: 3 as 0, vendors: [] }] }, 'publisherRestrictions[0].restrictionType');
    bad({ publisherTc: { purposeConsents: [], purposeLegitimateInterests: [], numCustomPurposes: 1, customPurposeConsents: [2], customPurposeLegitimateInterests: [] } }, 'publisherTc.customPurposeConsents');
  });
  it('IdSet.from refuses ids outside 1..65535', () => {
    expect(() => IdSet.from([0])).toThrow(expect.objectContaining({ name: 'CrossChannelError', code: 'INPUT_INVALID', path: '[0]' }));
    expect(() => IdSet.from([1, 70000])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: '[1]' }));
    expect(() => IdSet.from(null as unknown as number[])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(IdSet.from([3, 3, 1]).toArray()).toEqual([1, 3]);
    expect([...IdSet.from([2, 1])]).toEqual([1, 2]);
  });
});
