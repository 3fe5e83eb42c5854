/**
 * The decoder's fast paths (4-character base64url steps, char codes read from the native encoder's bytes, the
 * 32-bit window in BitReader.int, range entries OR-ed straight into a bitset) against naive oracles: a fast path
 * may only be faster, never different.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../../core/errors.js';
import { BitReader, BitWriter, BitsError, asciiCodesInto, base64UrlCodesToBytes, base64UrlToBytes, zeroWords } from './bits.js';
import { decodeTcString } from './decode.js';
import { encodeTcString } from './encode.js';
import { plain, tcModelArb } from '../../../test/arbitraries/consent.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 200 }).map((cs) => cs.join(''));

function naiveBits(text: string): number[] {
  const bits: number[] = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    for (let k = 5; k >= 0; k--) bits.push((v >>> k) & 1);
  }
  return bits;
}

describe('fast paths agree with naive decoding', () => {
  it('base64url → bytes equals Node’s decoder on every prefix length', () => {
    fc.assert(
      fc.property(b64, (text) => {
        const { bytes, bitLength } = base64UrlToBytes(text);
        expect(bitLength).toBe(text.length * 6);
        const bits = naiveBits(text);
        for (let p = 0; p < bitLength; p++) expect((bytes[p >>> 3]! >>> (7 - (p & 7))) & 1).toBe(bits[p]);
      }),
    );
  });

  it('an invalid character anywhere is reported at its offset', () => {
    fc.assert(
      fc.property(b64, fc.nat(), fc.constantFrom('=', '+', '/', ' ', 'é', '\u0000', '😀'), (text, at, bad) => {
        const i = text.length === 0 ? 0 : at % text.length;
        const s = text.slice(0, i) + bad + text.slice(i);
        expect(() => base64UrlToBytes(s)).toThrow(BitsError);
        expect(() => base64UrlToBytes(s)).toThrow(`at offset ${i}`);
      }),
    );
  });

  // Base64url text with, now and then, a character from outside the alphabet: ASCII ones, Latin-1, a code unit
  // whose low byte is a base64 letter (U+0141: a truncating reader would see 'A'), a lone surrogate, an emoji.
  const mixed = fc
    .array(fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...ALPHABET) }, { weight: 1, arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '\u007f', 'é', '\u00c1', '\u0141', '\ud800', '😀', '\u0000') }), { maxLength: 120 })
    .map((cs) => cs.join(''));
  const outcome = (f: () => { bytes: Uint8Array; bitLength: number }): unknown => {
    try {
      const { bytes, bitLength } = f();
      return { bytes: [...bytes], bitLength };
    } catch (e) {
      return { error: e instanceof BitsError, message: (e as Error).message };
    }
  };

  it('asciiCodesInto is true exactly for ASCII text, and then holds every char code', () => {
    fc.assert(
      fc.property(mixed, (text) => {
        const codes = new Uint8Array(text.length);
        const ascii = asciiCodesInto(text, codes);
        expect(ascii).toBe([...text].every((ch) => ch.charCodeAt(0) < 128 && ch.length === 1));
        if (ascii) for (let i = 0; i < text.length; i++) expect(codes[i]).toBe(text.charCodeAt(i));
      }),
    );
  });

  it('base64url from char codes gives the same bytes, bit length and errors as from the string, on any slice', () => {
    fc.assert(
      fc.property(mixed, fc.nat(), fc.nat(), (text, x, y) => {
        const codes = new Uint8Array(text.length);
        fc.pre(asciiCodesInto(text, codes));
        const a = text.length === 0 ? 0 : x % (text.length + 1);
        const b = text.length === 0 ? 0 : y % (text.length + 1);
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect(outcome(() => base64UrlCodesToBytes(codes, text, start, end))).toEqual(outcome(() => base64UrlToBytes(text, start, end)));
      }),
      { numRuns: 300 },
    );
  });

  // decodeTcString decodes every segment into one reused scratch buffer: whatever an earlier call left there must
  // not reach a reader (the base64url step writes every byte a reader sees, its zero padding included).
  it('base64url into a buffer holding garbage gives the bytes and zero padding of a fresh buffer', () => {
    fc.assert(
      fc.property(b64, fc.integer({ min: 1, max: 255 }), (text, junk) => {
        const need = ((text.length * 6) >>> 3) + 5;
        const fresh = base64UrlToBytes(text);
        const codes = new Uint8Array(text.length);
        asciiCodesInto(text, codes);
        for (const decode of [(into: Uint8Array) => base64UrlToBytes(text, 0, text.length, into), (into: Uint8Array) => base64UrlCodesToBytes(codes, text, 0, text.length, into)]) {
          const dirty = new Uint8Array(need + 16).fill(junk);
          const { bytes, bitLength } = decode(dirty);
          expect(bitLength).toBe(fresh.bitLength);
          // Every byte up to the last one holding data, plus the four a 32-bit window may read past it.
          const upTo = ((bitLength + 7) >>> 3) + 4;
          expect([...bytes.subarray(0, upTo)]).toEqual([...fresh.bytes.subarray(0, upTo)]);
          expect([...bytes.subarray(upTo - 4, upTo)]).toEqual([0, 0, 0, 0]);
        }
      }),
    );
  });

  it('decoding a TC string gives the same answer whatever was decoded before it (the scratch buffers are reused)', () => {
    fc.assert(
      fc.property(tcModelArb({ maxVendorId: 400 }), tcModelArb({ maxVendorId: 2000 }), fc.constantFrom('bitfield', 'range', 'auto') as fc.Arbitrary<'bitfield' | 'range' | 'auto'>, (small, large, vendorEncoding) => {
        const a = encodeTcString(small, { vendorEncoding });
        const b = encodeTcString(large, { vendorEncoding: 'bitfield' });
        const alone = plain(decodeTcString(a));
        decodeTcString(b);
        expect(plain(decodeTcString(a))).toEqual(alone);
        expect(plain(decodeTcString(a))).toEqual(plain(small));
      }),
      { numRuns: 200 },
    );
  });

  it('decodeTcString refuses a bad character anywhere in a valid string with the charCodeAt decoder’s message', () => {
    const valid = encodeTcString({ created: 0, lastUpdated: 0, cmpId: 1, cmpVersion: 1, consentScreen: 1, consentLanguage: 'EN', vendorListVersion: 1, policyVersion: 4, isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [], purposeConsents: [1, 2], purposeLegitimateInterests: [], purposeOneTreatment: false, publisherCountryCode: 'FR', vendorConsents: [3, 40], vendorLegitimateInterests: [], publisherRestrictions: [], disclosedVendors: [3, 40, 99] });
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom('=', '+', '/', ' ', 'é', '\u0141', '\ud800', '😀'), (at, bad) => {
        const i = at % valid.length;
        fc.pre(valid[i] !== '.');
        const s = valid.slice(0, i) + bad + valid.slice(i + 1);
        // The oracle: the charCodeAt decoder on the bad character's segment.
        const seg = s.slice(0, i).split('.').length - 1;
        const start = s.lastIndexOf('.', i) + 1;
        const end = s.indexOf('.', i) === -1 ? s.length : s.indexOf('.', i);
        const expected = outcome(() => base64UrlToBytes(s, start, end)) as { error: boolean; message: string };
        expect(expected.error).toBe(true);
        expect(() => decodeTcString(s)).toThrow(CrossChannelError);
        expect(() => decodeTcString(s)).toThrow(`segment ${seg}: ${expected.message}`);
      }),
    );
  });

  it('BitReader.int reads the same value as bit-by-bit, at every offset and width, and refuses to overrun', () => {
    fc.assert(
      fc.property(b64.filter((t) => t.length > 0), fc.nat(), fc.integer({ min: 0, max: 48 }), (text, at, n) => {
        const { bytes, bitLength } = base64UrlToBytes(text);
        const bits = naiveBits(text);
        const pos = at % bitLength;
        const r = new BitReader(bytes, bitLength);
        r.pos = pos;
        if (pos + n > bitLength) {
          expect(() => r.int(n, 'field')).toThrow(BitsError);
          return;
        }
        let v = 0;
        for (let k = 0; k < n; k++) v = v * 2 + bits[pos + k]!;
        expect(r.int(n, 'field')).toBe(v);
        expect(r.pos).toBe(pos + n);
      }),
    );
  });

  it('BitReader.bitfield holds exactly the ids whose bits are set, at every offset and width, padded or not', () => {
    fc.assert(
      fc.property(b64.filter((t) => t.length > 0), fc.nat(), fc.nat(), fc.boolean(), (text, at, width, padded) => {
        const decoded = base64UrlToBytes(text);
        const bits = naiveBits(text);
        const pos = at % decoded.bitLength;
        const n = width % (decoded.bitLength - pos + 1);
        // Unpadded: only the bytes holding data, so the word-at-a-time path cannot read past them.
        const bytes = padded ? decoded.bytes : decoded.bytes.slice(0, (decoded.bitLength + 7) >>> 3);
        const r = new BitReader(bytes, decoded.bitLength);
        r.pos = pos;
        const set = r.bitfield(n, 'field', zeroWords(n));
        const oracle: number[] = [];
        for (let k = 0; k < n; k++) if (bits[pos + k] === 1) oracle.push(k + 1);
        expect(set.toArray()).toEqual(oracle);
        expect(set.size).toBe(oracle.length);
        expect(set.max).toBe(oracle.length === 0 ? 0 : oracle[oracle.length - 1]);
        expect(r.pos).toBe(pos + n);
        for (let id = 0; id <= n + 33; id++) expect(set.has(id)).toBe(oracle.includes(id));
        // Every width from here, so each word boundary (ids 31, 32, 63, 64, …) ends a field followed by more bits.
        for (let m = 0; m <= Math.min(decoded.bitLength - pos, 140); m++) {
          const rm = new BitReader(bytes, decoded.bitLength);
          rm.pos = pos;
          const want: number[] = [];
          for (let k = 0; k < m; k++) if (bits[pos + k] === 1) want.push(k + 1);
          expect(rm.bitfield(m, 'field', zeroWords(m)).toArray()).toEqual(want);
        }
      }),
      { numRuns: 300 },
    );
  });

  // Range sections written by hand (unsorted, overlapping, adjacent entries), decoded, against a Set oracle.
  const entry = fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 40 }), fc.boolean());
  it('range-encoded vendor sections (any order, overlaps) decode to the union of their entries', () => {
    const base = decodeTcString(encodeTcString({ created: 0, lastUpdated: 0, cmpId: 1, cmpVersion: 1, consentScreen: 1, consentLanguage: 'EN', vendorListVersion: 1, policyVersion: 4, isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [], purposeConsents: [], purposeLegitimateInterests: [], purposeOneTreatment: false, publisherCountryCode: 'FR', vendorConsents: [], vendorLegitimateInterests: [], publisherRestrictions: [] }));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), fc.integer({ min: 0, max: 400 }), (entries, slack) => {
        const ranges = entries.map(([a, len, single]) => [a, single ? a : a + len] as const);
        const maxId = ranges.reduce((m, [, b]) => Math.max(m, b), 0) + slack;
        const w = new BitWriter();
        // Core segment fields up to the vendor consent section, copied from a valid string.
        w.int(2, 6); w.int(0, 36); w.int(0, 36); w.int(1, 12); w.int(1, 12); w.int(1, 6);
        w.int(4, 6); w.int(13, 6); w.int(1, 12); w.int(4, 6); w.bit(true); w.bit(false);
        w.int(0, 12); w.int(0, 24); w.int(0, 24); w.bit(false); w.int(5, 6); w.int(17, 6);
        w.int(maxId, 16); w.bit(true); w.int(ranges.length, 12);
        for (const [a, b] of ranges) {
          w.bit(a !== b);
          w.int(a, 16);
          if (a !== b) w.int(b, 16);
        }
        w.int(0, 16); w.bit(false); // vendor LI: empty bitfield
        w.int(0, 12); // no publisher restrictions
        const text = w.toBase64Url();
        const oracle = new Set<number>();
        for (const [a, b] of ranges) for (let id = a; id <= b; id++) oracle.add(id);
        const tc = decodeTcString(text);
        expect(tc.vendorConsents.toArray()).toEqual([...oracle].sort((x, y) => x - y));
        expect(tc.vendorConsents.size).toBe(oracle.size);
        expect(tc.vendorConsents.max).toBe(oracle.size === 0 ? 0 : Math.max(...oracle));
        for (let id = 0; id <= maxId + 40; id++) expect(tc.vendorConsents.has(id)).toBe(oracle.has(id));
        expect(tc.cmpId).toBe(base.cmpId);
      }),
      { numRuns: 200 },
    );
  });

  // Restriction vendor ranges (no MaxVendorId) are read into a scratch buffer, then OR-ed into a bitset or kept as
  // merged ranges when the largest id would cost too many words: both forms against a Set oracle.
  const restrictionEntry = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 65_535 })), fc.integer({ min: 0, max: 40 }), fc.boolean());
  it('restriction vendor ranges (any order, overlaps, either form) decode to the union of their entries', () => {
    fc.assert(
      fc.property(fc.array(fc.array(restrictionEntry, { maxLength: 30 }), { minLength: 1, maxLength: 3 }), (restrictions) => {
        const lists = restrictions.map((entries) => entries.map(([a, len, single]) => [a, single ? a : Math.min(65_535, a + len)] as const));
        const w = new BitWriter();
        w.int(2, 6); w.int(0, 36); w.int(0, 36); w.int(1, 12); w.int(1, 12); w.int(1, 6);
        w.int(4, 6); w.int(13, 6); w.int(1, 12); w.int(4, 6); w.bit(true); w.bit(false);
        w.int(0, 12); w.int(0, 24); w.int(0, 24); w.bit(false); w.int(5, 6); w.int(17, 6);
        w.int(0, 16); w.bit(false); // vendor consents: empty bitfield
        w.int(0, 16); w.bit(false); // vendor LI: empty bitfield
        w.int(lists.length, 12);
        lists.forEach((ranges, k) => {
          w.int(k + 1, 6); w.int(k % 3, 2); w.int(ranges.length, 12);
          for (const [a, b] of ranges) {
            w.bit(a !== b);
            w.int(a, 16);
            if (a !== b) w.int(b, 16);
          }
        });
        const tc = decodeTcString(w.toBase64Url());
        expect(tc.publisherRestrictions.length).toBe(lists.length);
        lists.forEach((ranges, k) => {
          const got = tc.publisherRestrictions[k]!;
          expect(got.purposeId).toBe(k + 1);
          expect(got.restrictionType).toBe(k % 3);
          const oracle = new Set<number>();
          for (const [a, b] of ranges) for (let id = a; id <= b; id++) oracle.add(id);
          const max = oracle.size === 0 ? 0 : Math.max(...oracle);
          expect(got.vendors.toArray()).toEqual([...oracle].sort((x, y) => x - y));
          expect(got.vendors.size).toBe(oracle.size);
          expect(got.vendors.max).toBe(max);
          // A bitset whenever it takes no more than four words per entry (plus 64), ranges otherwise.
          expect(got.vendors.bits !== null).toBe((max >>> 5) + 1 <= 4 * ranges.length + 64);
          for (const [a, b] of ranges) for (const id of [a - 1, a, b, b + 1]) expect(got.vendors.has(id)).toBe(oracle.has(id));
          for (let id = 0; id <= 400; id++) expect(got.vendors.has(id)).toBe(oracle.has(id));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a bad range entry is refused with the same error on the fast path', () => {
    const w = new BitWriter();
    w.int(2, 6); w.int(0, 36); w.int(0, 36); w.int(1, 12); w.int(1, 12); w.int(1, 6);
    w.int(4, 6); w.int(13, 6); w.int(1, 12); w.int(4, 6); w.bit(true); w.bit(false);
    w.int(0, 12); w.int(0, 24); w.int(0, 24); w.bit(false); w.int(5, 6); w.int(17, 6);
    w.int(10, 16); w.bit(true); w.int(1, 12); w.bit(true); w.int(5, 16); w.int(11, 16);
    w.int(0, 16); w.bit(false); w.int(0, 12);
    let err: unknown;
    try {
      decodeTcString(w.toBase64Url());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CrossChannelError);
    expect((err as CrossChannelError).code).toBe('CONSENT_TCF_MALFORMED');
    expect((err as CrossChannelError).message).toContain('entry 0 reaches vendor 11 above maxVendorId 10');
  });
});
