import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, normalCdf, normalPdf, normalQuantile, studentTCdf, studentTQuantile } from './distributions.js';

describe('the exported distributions', () => {
  it('answer the textbook values', () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 15);
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 16);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138851986274, 13);
    expect(studentTCdf(2.228138851986274, 10)).toBeCloseTo(0.975, 14);
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 15);
    // The tails keep their digits (jStat, which these replaced, answered 0 for the last two).
    expect(Math.abs(normalCdf(-10) / 7.619853024160526e-24 - 1)).toBeLessThan(1e-14);
    expect(Math.abs(chiSquareSurvival(200, 2) / Math.exp(-100) - 1)).toBeLessThan(1e-14);
  });

  it('take Infinity degrees of freedom as the normal for t, and refuse it for chi-square', () => {
    expect(studentTCdf(1.5, Number.POSITIVE_INFINITY)).toBe(normalCdf(1.5));
    expect(studentTQuantile(0.9, Number.POSITIVE_INFINITY)).toBe(normalQuantile(0.9));
    expect(() => chiSquareSurvival(3, Number.POSITIVE_INFINITY)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'df' }));
  });

  it('refuse what is not a number, a probability outside [0, 1] and degrees of freedom ≤ 0, naming the argument', () => {
    const bad: Array<[() => unknown, string]> = [
      [() => normalCdf(Number.NaN), 'x'],
      [() => normalPdf('1' as unknown as number), 'x'],
      [() => normalQuantile(1.5), 'p'],
      [() => normalQuantile(-0.1), 'p'],
      [() => studentTCdf(1, 0), 'df'],
      [() => studentTCdf(Number.NaN, 3), 't'],
      [() => studentTQuantile(0.5, -2), 'df'],
      [() => studentTQuantile(2, 5), 'p'],
      [() => chiSquareSurvival(1, 0), 'df'],
      [() => chiSquareSurvival(undefined as unknown as number, 2), 'x'],
    ];
    for (const [f, path] of bad) expect(f).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
  });

  it('never answer NaN for arguments in their domains', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1e-3, max: 1e12, noNaN: true }), (x, p, df) => {
        for (const v of [normalCdf(x), normalPdf(x), normalQuantile(p), studentTCdf(x, df), studentTQuantile(p, df), chiSquareSurvival(x, df)]) expect(Number.isNaN(v)).toBe(false);
      }),
    );
  });
});
