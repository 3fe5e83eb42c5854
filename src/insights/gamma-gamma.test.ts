/**
 * Gamma-Gamma's conditional expectation p(γ + mₓ x)/(px + q − 1) for every summary, including repeat purchases of
 * value 0 (which the fit must skip: the model has no density at a mean value of 0).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitGammaGamma, gammaGammaExpectedValue } from './gamma-gamma.js';

const GG = { p: 6.25, q: 3.74, gamma: 15.44 };
const formula = (x: number, m: number) => (GG.p * (GG.gamma + m * x)) / (GG.p * x + GG.q - 1);

describe('gammaGammaExpectedValue', () => {
  it('follows the formula for x > 0 and mₓ = 0 (4.49), not the population mean (35.22)', () => {
    expect(gammaGammaExpectedValue(GG, { frequency: 3, monetaryValue: 0 })).toBeCloseTo(4.490460679385761, 12);
    expect(gammaGammaExpectedValue(GG, { frequency: 3, monetaryValue: 0 })).toBeCloseTo(formula(3, 0), 12);
    // x = 0: the population mean p·γ/(q − 1), whatever mₓ says.
    expect(gammaGammaExpectedValue(GG, { frequency: 0, monetaryValue: 0 })).toBeCloseTo((GG.p * GG.gamma) / (GG.q - 1), 12);
    // The documented example: x = 2, mₓ = 35.5 → 35.449.
    expect(gammaGammaExpectedValue(GG, { frequency: 2, monetaryValue: 35.5 })).toBeCloseTo(35.449, 3);
  });

  it('the fit skips customers without positive spend, and says so when too few are left', () => {
    const spend = [
      { frequency: 2, monetaryValue: 30 },
      { frequency: 5, monetaryValue: 12 },
      { frequency: 1, monetaryValue: 80 },
    ];
    const fit = fitGammaGamma(spend);
    expect(fitGammaGamma([...spend, { frequency: 3, monetaryValue: 0 }, { frequency: 0, monetaryValue: 0 }])).toEqual(fit);
    expect(() => fitGammaGamma([{ frequency: 3, monetaryValue: 0 }, { frequency: 2, monetaryValue: 10 }])).toThrow(expect.objectContaining({ code: 'INSIGHTS_FIT_FAILED' }));
  });

  it('property: the formula, a weighted mean between the population mean and the customer mean', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 1e6, noNaN: true }), (x, m) => {
        const v = gammaGammaExpectedValue(GG, { frequency: x, monetaryValue: m });
        expect(v).toBeCloseTo(formula(x, m), 6);
        const pop = (GG.p * GG.gamma) / (GG.q - 1);
        expect(v).toBeGreaterThanOrEqual(Math.min(pop, m) * (1 - 1e-12));
        expect(v).toBeLessThanOrEqual(Math.max(pop, m) * (1 + 1e-12));
      }),
    );
  });
});
