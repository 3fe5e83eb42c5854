import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal } from './contact-history.js';

describe('decimal (how the Redis contact store writes the numbers of a reservation)', () => {
  it('is String(x) for every number: safe integers either side of 2^31 and 10^8, and anything else', () => {
    const edges = [0, -0, 1, -1, 99_999_999, 100_000_000, 100_000_001, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 1_781_000_000_000, 1_781_000_000_007, 8.64e15, -8.64e15, 9e15, -9e15, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, 1e21, 0.5, 2 ** 31 + 0.5, NaN, Infinity, -Infinity];
    for (const x of edges) expect(decimal(x)).toBe(String(x));
    fc.assert(
      fc.property(
        fc.oneof(fc.maxSafeInteger(), fc.integer({ min: 2 ** 31 - 10, max: 2 ** 31 + 10 }), fc.integer({ min: 0, max: 3e9 }).map((n) => n * 1e5 + (n % 1e8)), fc.double()),
        (x) => {
          expect(decimal(x)).toBe(String(x));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
