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
