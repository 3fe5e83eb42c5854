/**
 * The BG/NBD conditional expectation where the published form breaks down: frequent buyers (its ₂F₁ overflows),
 * horizons far beyond α + T (its series needs millions of terms), a = 1 (0/0), and fits that cannot start.
 *
 * Reference values: Fader, Hardie & Lee (2005) eq. 10 evaluated with mpmath at 50 significant digits
 * (`mp.mp.dps = 50`; `mp.hyp2f1(r+x, b+x, a+b+x−1, z)` times the other factors in mpf arithmetic; a = 1 as the
 * mean of a = 1 ± 1e−25; t = 1e300 at `mp.mp.dps = 700`, where 1 − z ≈ 5e−301 needs the digits, and checked
 * against the leading term of the integral over p), printed to 17 digits with `mp.nstr(v, 17)`. The whole grid
 * behind them (7 parameter sets × x ∈ {0 … 2000} × T × tₓ × t ∈ {1e−6 … 1e300}, 2,205 cases) agreed within
 * 1.1e−12 relative.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bgNbdExpectedPurchases, fitBgNbd } from './bgnbd.js';
import { predictCustomerValue } from './clv.js';

const WEEK = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const DAY = { r: 0.243, alpha: 30.898, a: 0.793, b: 2.426 };

const close = (got: number, want: number, rel = 1e-11) => expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(rel);

describe('bgNbdExpectedPurchases against mpmath (50 digits)', () => {
  it('a frequent buyer in days: x = 320, tₓ = T = 365, t = 3650 is 956.58, not Infinity', () => {
    close(bgNbdExpectedPurchases(DAY, { frequency: 320, recency: 365, age: 365 }, 3650), 956.58166722674924);
    close(bgNbdExpectedPurchases(WEEK, { frequency: 400, recency: 1, age: 1 }, 52), 1219.4725032364082);
    const v = predictCustomerValue(DAY, { p: 6.25, q: 3.74, gamma: 15.44 }, { frequency: 320, recency: 365, age: 365, monetaryValue: 5 }, { horizon: 3650, discountRate: 0.0002 });
    expect(Number.isFinite(v.value)).toBe(true);
    close(v.expectedPurchases, 956.58166722674924);
  });

  it('horizons far beyond α + T: t = 1e6 and t = 1e300 weeks', () => {
    close(bgNbdExpectedPurchases(WEEK, { frequency: 20, recency: 1, age: 1 }, 1e6), 1145.6063253201581);
    close(bgNbdExpectedPurchases(WEEK, { frequency: 20, recency: 1, age: 1 }, 1e300), 9.0074402688504913e63);
    close(bgNbdExpectedPurchases(WEEK, { frequency: 0, recency: 0, age: 1 }, 1e300), 4.4156655895234415e62);
  });

  it('a = 1 is the limit (≈ 1.1021), not Infinity; the CDNOW worked example is unchanged', () => {
    close(bgNbdExpectedPurchases({ ...WEEK, a: 1 }, { frequency: 2, recency: 30.43, age: 38.86 }, 39), 1.1021367860399558);
    close(bgNbdExpectedPurchases({ ...WEEK, a: 1 + 1e-12 }, { frequency: 2, recency: 30.43, age: 38.86 }, 39), 1.1021367860399558, 1e-9);
    close(bgNbdExpectedPurchases(WEEK, { frequency: 2, recency: 30.43, age: 38.86 }, 39), 1.2260281747671444);
  });

  it('r ≫ a + b: where the transformed series would cancel catastrophically, the integral takes over', () => {
    close(bgNbdExpectedPurchases({ r: 61.419033882758654, alpha: 0.01, a: 0.01, b: 0.01 }, { frequency: 0, recency: 0, age: 0.01 }, 1), 1423.844907137492);
  });

  it('a horizon whose expectation exceeds the number range is refused at t', () => {
    expect(() => bgNbdExpectedPurchases({ r: 1, alpha: 1e-300, a: 0.01, b: 1 }, { frequency: 1000, recency: 1e-300, age: 1e-300 }, 1e300)).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', path: 't' }),
    );
  });

  it('a fit whose likelihood is not finite from the start fails with INSIGHTS_FIT_FAILED (was −Infinity)', () => {
    expect(() =>
      fitBgNbd([
        { frequency: 0, recency: 0, age: 1e300 },
        { frequency: 1, recency: 1e300, age: 1e300 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'INSIGHTS_FIT_FAILED' }));
  });
});

describe('bgNbdExpectedPurchases, properties', () => {
  // The documented ranges: r, α, a, b in [0.01, 100] (fits on real data land well inside), any summary
  // (x ≤ 2,000 here), horizons up to 1e6 units.
  const param = fc.double({ min: 0.01, max: 100, noNaN: true });
  const customer = fc
    .record({ x: fc.integer({ min: 0, max: 2000 }), T: fc.double({ min: 0.01, max: 1000, noNaN: true }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(({ x, T, share }) => ({ frequency: x, recency: x === 0 ? 0 : T * share, age: T }));
  const horizon = fc.double({ min: 0, max: 1e6, noNaN: true });

  it('is finite, ≥ 0 and non-decreasing in t', () => {
    fc.assert(
      fc.property(fc.record({ r: param, alpha: param, a: param, b: param }), customer, horizon, horizon, (p, c, t1, t2) => {
        const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const e1 = bgNbdExpectedPurchases(p, c, lo);
        const e2 = bgNbdExpectedPurchases(p, c, hi);
        expect(Number.isFinite(e1) && Number.isFinite(e2)).toBe(true);
        expect(e1).toBeGreaterThanOrEqual(0);
        // Non-decreasing up to rounding (1e−12 relative: the two evaluations may take different numerical paths).
        expect(e2).toBeGreaterThanOrEqual(e1 * (1 - 1e-12));
      }),
      { numRuns: 300 },
    );
  });
});
