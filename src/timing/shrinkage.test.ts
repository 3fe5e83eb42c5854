import { describe, expect, it } from 'vitest';
import { addBinomialUnit, addUnit, concentrationOf, type MomentSums } from './shrinkage.js';

describe('moment sums', () => {
  it('refuses an n that is not an integer, at n (Infinity gave Infinity sums, then the concentration 10⁴; audit, 2026-12-07)', () => {
    const s: MomentSums = { units: 0, squares: 0, expected: 0, pairs: 0 };
    for (const n of [Infinity, -Infinity, Number.NaN, 2.5]) {
      expect(() => addUnit(s, n, 3, 0.5)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'n' }));
      expect(() => addBinomialUnit(s, 1, n, 0.5)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'n' }));
    }
    expect(s).toEqual({ units: 0, squares: 0, expected: 0, pairs: 0 });
    addUnit(s, 1, 0, 0.5); // one observation: ignored
    for (let i = 0; i < 10; i++) addUnit(s, 5, 3, 0.5);
    expect(s).toEqual({ units: 10, squares: 30, expected: 25, pairs: 100 });
    expect(concentrationOf(s, 24)).toBeCloseTo(19, 9); // c = (30 − 25) / 100, α = 1 / c − 1
  });
});
