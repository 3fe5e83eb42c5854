/**
 * Decoder fuzzing: random strings, character flips and truncations of valid TC and GPP strings (>100k inputs
 * in total). Every input either decodes to something that re-encodes consistently, or is rejected with the
 * module's typed error; nothing else is ever thrown.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeGpp, encodeGpp, decodeTcString, encodeTcString, safeDecodeGpp, safeDecodeTcString, type GppSection, type GppSectionInput } from './index.js';
import { gppSectionsArb, tcModelArb } from '../../test/arbitraries/consent.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const tcPool = fc.sample(tcModelArb(), { seed: 42, numRuns: 300 }).map((m, i) => encodeTcString(m, { vendorEncoding: (['auto', 'bitfield', 'range'] as const)[i % 3]! }));
const gppPool = fc.sample(gppSectionsArb, { seed: 43, numRuns: 300 }).map((s) => encodeGpp(s));

function toInput(s: GppSection): GppSectionInput {
  return s.kind === 'tcfeuv2' ? { kind: 'tcfeuv2', tcString: s.tcString } : s;
}

// Plain comparisons (not expect) in the 100k-input loops: vitest's deep equality would dominate the run time.
function checkTc(text: string): boolean {
  const r = safeDecodeTcString(text);
  if (!r.ok) return r.error.code === 'CONSENT_TCF_MALFORMED';
  const again = decodeTcString(encodeTcString(r.value));
  return JSON.stringify(again) === JSON.stringify(r.value);
}

function checkGpp(text: string): boolean {
  const r = safeDecodeGpp(text);
  if (!r.ok) return r.error.code === 'CONSENT_GPP_MALFORMED';
  const again = decodeGpp(encodeGpp(r.value.sections.map(toInput)));
  return JSON.stringify(again) === JSON.stringify(r.value);
}

/** A valid string with one character replaced (a 6-bit flip), inserted or removed. */
function mutated(pool: string[], alphabet: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...pool), fc.nat(), fc.nat({ max: alphabet.length - 1 }), fc.constantFrom('flip', 'insert', 'delete', 'truncate'))
    .map(([s, pos, ch, op]) => {
      const i = pos % (s.length + 1);
      const c = alphabet[ch]!;
      if (op === 'flip') return s.slice(0, i) + c + s.slice(i + 1);
      if (op === 'insert') return s.slice(0, i) + c + s.slice(i);
      if (op === 'delete') return s.slice(0, i) + s.slice(i + 1);
      return s.slice(0, i);
    });
}

/** A valid string with a single bit flipped inside one base64url character. */
function bitFlipped(pool: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...pool), fc.nat(), fc.integer({ min: 0, max: 5 })).map(([s, pos, bit]) => {
    const i = pos % s.length;
    const v = B64.indexOf(s[i]!);
    if (v < 0) return s;
    return s.slice(0, i) + B64[v ^ (1 << bit)] + s.slice(i + 1);
  });
}

describe('decoder fuzzing', () => {
  it('TC strings: 60k random, mutated, bit-flipped and truncated inputs', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...(B64 + '.=+/ ~').split('')), maxLength: 120 }), checkTc), { numRuns: 15_000 });
    fc.assert(fc.property(fc.string({ maxLength: 40 }), checkTc), { numRuns: 5_000 });
    fc.assert(fc.property(mutated(tcPool, B64 + '.'), checkTc), { numRuns: 20_000 });
    fc.assert(fc.property(bitFlipped(tcPool), checkTc), { numRuns: 20_000 });
  });

  it('GPP strings: 45k random, mutated, bit-flipped and truncated inputs', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...(B64 + '.~').split('')), maxLength: 80 }), checkGpp), { numRuns: 10_000 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'DBA~1YN-.'.split('')), maxLength: 30 }), checkGpp), { numRuns: 5_000 });
    fc.assert(fc.property(mutated(gppPool, B64 + '.~'), checkGpp), { numRuns: 15_000 });
    fc.assert(fc.property(bitFlipped(gppPool), checkGpp), { numRuns: 15_000 });
  });

  it('a hostile range (4095 entries of 1..65535) decodes in bounded time', () => {
    // maxVendorId 65535, range encoding, 4095 entries each covering every id: word-wise range filling keeps it fast.
    const bits: number[] = [];
    const push = (v: number, n: number): void => {
      for (let i = n - 1; i >= 0; i--) bits.push(Math.floor(v / 2 ** i) % 2);
    };
    const head = decodeTcString(tcPool[0]!);
    push(2, 6);
    push(head.created / 100, 36);
    push(head.lastUpdated / 100, 36);
    push(10, 12);
    push(1, 12);
    push(0, 6);
    push(4, 6);
    push(13, 6);
    push(1, 12);
    push(4, 6);
    push(0, 2);
    push(0, 12 + 24 + 24 + 1);
    push(3, 6);
    push(4, 6);
    push(65_535, 16);
    push(1, 1);
    push(4095, 12);
    for (let i = 0; i < 4095; i++) {
      push(1, 1);
      push(1, 16);
      push(65_535, 16);
    }
    push(0, 17);
    push(0, 12);
    while (bits.length % 6) bits.push(0);
    let s = '';
    for (let i = 0; i < bits.length; i += 6) s += B64[parseInt(bits.slice(i, i + 6).join(''), 2)];
    const tc = decodeTcString(s);
    expect(tc.vendorConsents.size).toBe(65_535);
  });
});
