import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaroWinkler, levenshtein } from './strings.js';

const word = fc.string({ maxLength: 12 });

describe('string similarity properties', () => {
  it('Levenshtein is a metric and its bound only caps the answer', () => {
    fc.assert(
      fc.property(word, word, word, fc.integer({ min: 0, max: 5 }), (a, b, c, max) => {
        const ab = levenshtein(a, b);
        expect(ab).toBe(levenshtein(b, a));
        expect(ab === 0).toBe(a === b);
        expect(levenshtein(a, c)).toBeLessThanOrEqual(ab + levenshtein(b, c));
        expect(ab).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(levenshtein(a, b, max)).toBe(ab <= max ? ab : max + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('Levenshtein equals the textbook full-matrix distance, call after call of any lengths', () => {
    // Oracle: the Wagner–Fischer matrix, fresh for every pair.
    const oracle = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      return d[a.length]![b.length]!;
    };
    const text = fc.string({ maxLength: 90, size: 'medium', unit: fc.constantFrom('a', 'b', 'x', 'é') });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 6 }), (pairs) => {
        for (const [a, b] of pairs) {
          const d = oracle(a, b);
          expect(levenshtein(a, b)).toBe(d);
          // Every bound up to just past the distance: the early stop must never change an answer within it.
          for (let max = 0; max <= d + 1; max++) expect(levenshtein(a, b, max)).toBe(d <= max ? d : max + 1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('Levenshtein on long strings (over 4,096 characters)', () => {
    const a = 'ab'.repeat(2100);
    expect(levenshtein(a, `${a.slice(0, -1)}x`)).toBe(1);
    expect(levenshtein(a, `x${a}`)).toBe(1);
    expect(levenshtein(`${a}yz`, a, 1)).toBe(2);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
  });

  it('Jaro–Winkler is in [0, 1], 1 exactly for equal strings, and symmetric', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const s = jaroWinkler(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1 + 1e-12);
        if (a === b) expect(s).toBe(1);
        expect(s).toBeCloseTo(jaroWinkler(b, a), 10);
      }),
      { numRuns: 300 },
    );
  });
});

describe('string similarity counts characters, not UTF-16 code units', () => {
  it('gives the same answer when every character outside the BMP is renamed to one inside it', () => {
    // Oracle: Jaro–Winkler and Levenshtein are defined over characters, so renaming characters one-to-one cannot
    // change them; each astral character here is renamed to a BMP letter the alphabet does not otherwise use.
    const rename: Record<string, string> = { '😀': 'Ā', '😁': 'ā', '𠮷': 'Ă', '𝒜': 'ă' };
    const text = fc.array(fc.constantFrom('a', 'b', 'é', ...Object.keys(rename)), { maxLength: 12 }).map((cs) => cs.join(''));
    const bmp = (s: string) => Array.from(s, (c) => rename[c] ?? c).join('');
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinkler(bmp(a), bmp(b)), 12);
        expect(levenshtein(a, b)).toBe(levenshtein(bmp(a), bmp(b)));
        expect(levenshtein(a, b, 1)).toBe(levenshtein(bmp(a), bmp(b), 1));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps lone surrogates distinct from the characters it renames', () => {
    // Two emoji share their high surrogate: in code units they half-matched (0.822, and a distance of 2 for 𠮷/😀).
    expect(jaroWinkler('a😀', 'a😁')).toBeCloseTo(2 / 3, 12);
    expect(levenshtein('𠮷', '😀')).toBe(1);
    expect(levenshtein('\ud83d😀', '\ud83d\ud83d')).toBe(1);
    expect(levenshtein('😀\ud800', '\ud800😀')).toBe(2);
    expect(jaroWinkler('x\ud83d', '\ude00y')).toBe(0);
  });
});
