import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdfStdlib from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileStdlib from '@stdlib/stats-base-dists-normal-quantile';
import tCdfStdlib from '@stdlib/stats-base-dists-t-cdf';
import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/distributions.json' with { type: 'json' };
import { gammaUpperFinite, gammaUpperRegularized, gammaUpperSeries, lgamma, lnBeta, normalCdfOf, normalDensity, normalQuantileOf, studentTCdfOf, studentTQuantileOf } from './special.js';

/** |a / b − 1|, 0 when equal (both 0 included). */
const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a / b - 1));

/** Fails with the row when the relative error exceeds the bound. */
function within(rows: ReadonlyArray<ReadonlyArray<number>>, f: (row: ReadonlyArray<number>) => number, bound: (row: ReadonlyArray<number>) => number): void {
  const misses = rows.map((r) => ({ row: r, got: f(r), err: rel(f(r), r.at(-1)!) })).filter((m) => !(m.err <= bound(m.row)));
  expect(misses).toEqual([]);
}

describe('reference values (mpmath at 40 digits, scripts/distributions-fixture.py)', () => {
  it('Φ in both tails and at each end of its approximations\' intervals, to 2e-15 relative (Φ(−20) = 2.75e-89, Φ(−38) keeps its digits)', () => {
    within(fixture.normalCdf, (r) => normalCdfOf(r[0]!), () => 2e-15);
  });

  it('Φ⁻¹ from 1e-310 to 1 − 1e-6 and at each end of its approximations\' intervals, to 2e-15 relative', () => {
    within(fixture.normalQuantile, (r) => normalQuantileOf(r[0]!), () => 2e-15);
    expect(normalQuantileOf(0.5)).toBe(0);
  });

  it('the t CDF from 0.2 to 10⁶ degrees and |t| up to 10⁶, to 1e-12 relative (1e-11 at 10⁶ degrees)', () => {
    within(fixture.studentTCdf, (r) => studentTCdfOf(r[0]!, r[1]!), (r) => (r[1]! >= 1e6 ? 1e-11 : 1e-12));
  });

  it('the t quantile from 1e-100 to 0.975, 0.3 to 10⁶ degrees, to 1e-13 relative (5e-13 from 10⁵ degrees)', () => {
    within(fixture.studentTQuantile, (r) => studentTQuantileOf(r[0]!, r[1]!), (r) => (r[1]! >= 1e5 ? 5e-13 : 1e-13));
  });

  it('the chi-square upper tail, 1 to 2·10⁶ degrees, to 1e-13 relative (1e-12 from 10⁵ degrees; 1e-14 up to 100 degrees, the finite sums) down to 1e-300', () => {
    within(fixture.chiSquareSurvival, (r) => gammaUpperRegularized(r[1]! / 2, r[0]! / 2), (r) => (r[1]! >= 1e5 ? 1e-12 : r[1]! <= 100 && r[0]! < 1400 ? 1e-14 : 1e-13));
  });
});

describe('closed forms and identities', () => {
  it('ln Γ at integers and halves; ln B without cancellation for large arguments', () => {
    for (let n = 1; n < 30; n++) {
      let f = 0;
      for (let k = 2; k < n; k++) f += Math.log(k);
      expect(Math.abs(lgamma(n) - f)).toBeLessThan(1e-13 * Math.max(1, f));
    }
    expect(rel(lgamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
    expect(rel(lnBeta(0.5, 0.5), Math.log(Math.PI))).toBeLessThan(1e-14);
    // B(a, 1) = 1/a exactly, and ln B(10⁶, ½) ≈ ln √(π / 10⁶) (Γ(a)/Γ(a + ½) ≈ a^−½): the direct difference of
    // ln Γ(10⁶) ≈ 1.28e7 and ln Γ(10⁶ + ½) keeps only 8 of these digits.
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e8, noNaN: true }), (a) => {
        expect(Math.abs(lnBeta(a, 1) + Math.log(a))).toBeLessThan(1e-13 * Math.max(1, Math.abs(Math.log(a))));
      }),
    );
    const a = 1e6;
    const exact = 0.5 * Math.log(Math.PI) - 0.5 * Math.log(a) + 1 / (8 * a); // + O(a⁻²)
    expect(Math.abs(lnBeta(a, 0.5) - exact)).toBeLessThan(1e-12);
  });

  it('ln B(a, b) equals ln Γ(a) + ln Γ(b) − ln Γ(a + b) where that sum does not cancel (a, b below 60)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 60, noNaN: true }), fc.oneof(fc.constant(0.5), fc.double({ min: 1e-3, max: 60, noNaN: true })), (a, b) => {
        const sum = lgamma(a) + lgamma(b) - lgamma(a + b);
        expect(Math.abs(lnBeta(a, b) - sum)).toBeLessThan(1e-13 * Math.max(1, Math.abs(sum), Math.abs(lgamma(a + b))));
      }),
      { numRuns: 500 },
    );
  });

  it('Φ(x) + Φ(−x) = 1, and Φ increases', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, dx) => {
        expect(Math.abs(normalCdfOf(x) + normalCdfOf(-x) - 1)).toBeLessThanOrEqual(4e-16);
        expect(normalCdfOf(x + dx)).toBeGreaterThanOrEqual(normalCdfOf(x));
      }),
    );
  });

  it('Φ(Φ⁻¹(p)) = p to 5e-13 relative, from 1e-300 to ½ and just below ½ (where the first guess may be positive)', () => {
    const p = fc.oneof(fc.double({ min: 1e-300, max: 0.5, noNaN: true }), fc.double({ min: 0.4995, max: 0.5, noNaN: true }));
    fc.assert(
      fc.property(p, fc.double({ min: 0.5, max: 1, noNaN: true, maxExcluded: true }), (q, u) => {
        // Φ's condition number at x is ≈ x², 1,300 at p = 1e-291: the round trip cannot be tighter than that.
        expect(rel(normalCdfOf(normalQuantileOf(q)), q)).toBeLessThan(5e-13);
        expect(normalQuantileOf(u)).toBe(-normalQuantileOf(1 - u) || 0); // 1 − u is exact for u ≥ ½
      }),
    );
  });

  it('Student t with 1 and 2 degrees: the Cauchy CDF and quantile, and the closed form for 2', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: -1e-6, noNaN: true }), fc.double({ min: 1e-12, max: 0.49, noNaN: true }), (t, p) => {
        // Lower tails written without cancellation.
        expect(rel(studentTCdfOf(t, 1), Math.atan2(1, -t) / Math.PI)).toBeLessThan(1e-13);
        const s = Math.sqrt(2 + t * t);
        expect(rel(studentTCdfOf(t, 2), 1 / (s * (s - t)))).toBeLessThan(1e-13);
        expect(rel(studentTQuantileOf(p, 1), -1 / Math.tan(Math.PI * p))).toBeLessThan(1e-12);
        expect(rel(studentTQuantileOf(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)))).toBeLessThan(1e-12);
      }),
    );
  });

  it('P(T ≤ t(p)) = p to 1e-11 relative, 0.1 to 10⁵ degrees (1e-10 to 10⁶), p from 1e-30', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-30, max: 0.5, noNaN: true }), fc.double({ min: 0.1, max: 1e6, noNaN: true }), fc.double({ min: 0.5, max: 1, noNaN: true, maxExcluded: true }), (p, v, u) => {
        const t = studentTQuantileOf(p, v);
        expect(t).toBeLessThanOrEqual(0);
        if (Number.isFinite(t)) expect(rel(studentTCdfOf(t, v), p)).toBeLessThan(v > 1e5 ? 1e-10 : 1e-11);
        expect(studentTQuantileOf(u, v)).toBe(-studentTQuantileOf(1 - u, v) || 0);
      }),
      { numRuns: 300 },
    );
  });

  it('the t quantile is −∞ only when P(T ≤ −1.8e308) > p, and increases with p', () => {
    expect(studentTQuantileOf(1e-300, 0.1)).toBe(Number.NEGATIVE_INFINITY);
    expect(studentTCdfOf(-Number.MAX_VALUE, 0.1)).toBeGreaterThan(1e-300);
    // Beyond |t| = 1.3e154 (t² overflows) the tail is still exact.
    expect(rel(studentTCdfOf(-1e200, 0.2), (0.5 * Math.exp(0.1 * (Math.log(0.2) - 400 * Math.log(10)) - lnBeta(0.1, 0.5))) / 0.1)).toBeLessThan(1e-12);
    fc.assert(
      fc.property(fc.double({ min: 1e-20, max: 0.99, noNaN: true }), fc.double({ min: 1e-9, max: 0.01, noNaN: true }), fc.double({ min: 0.5, max: 1e5, noNaN: true }), (p, dp, v) => {
        expect(studentTQuantileOf(p + dp, v)).toBeGreaterThanOrEqual(studentTQuantileOf(p, v));
      }),
    );
  });

  it('chi-square tails with 2 and 4 degrees: e^(−x/2) and e^(−x/2)(1 + x/2)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1400, noNaN: true }), (x) => {
        expect(rel(gammaUpperRegularized(1, x / 2), Math.exp(-x / 2))).toBeLessThan(1e-13);
        expect(rel(gammaUpperRegularized(2, x / 2), Math.exp(-x / 2) * (1 + x / 2))).toBeLessThan(1e-13);
      }),
    );
  });

  it('Q(a, x) for a multiple of ½ up to 50: the finite sums agree with the series and continued fraction (an independent method) to 5e-13', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.oneof(fc.double({ min: 1e-9, max: 2, noNaN: true }), fc.double({ min: 1e-9, max: 699.99, noNaN: true })), (twoA, x) => {
        const a = twoA / 2;
        const series = gammaUpperSeries(a, x);
        expect(gammaUpperRegularized(a, x)).toBe(gammaUpperFinite(a, x));
        if (series > 1e-300) expect(rel(gammaUpperFinite(a, x), series)).toBeLessThan(5e-13);
      }),
      { numRuns: 500 },
    );
  });

  it('the ends of the domains', () => {
    expect([normalCdfOf(Number.NEGATIVE_INFINITY), normalCdfOf(Number.POSITIVE_INFINITY), normalDensity(Number.POSITIVE_INFINITY)]).toEqual([0, 1, 0]);
    expect([normalQuantileOf(0), normalQuantileOf(1)]).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect([normalQuantileOf(-0.1), normalQuantileOf(1.1), normalCdfOf(Number.NaN)]).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect([studentTCdfOf(Number.NEGATIVE_INFINITY, 3), studentTCdfOf(Number.POSITIVE_INFINITY, 3), studentTCdfOf(0, 3)]).toEqual([0, 1, 0.5]);
    expect([studentTQuantileOf(0, 3), studentTQuantileOf(1, 3), studentTQuantileOf(0.5, 3)]).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 0]);
    expect([gammaUpperRegularized(2, 0), gammaUpperRegularized(2, Number.POSITIVE_INFINITY)]).toEqual([1, 0]);
    // Beyond 1e7 degrees the t is the normal.
    expect(studentTQuantileOf(0.975, 2e7)).toBe(normalQuantileOf(0.975));
  });
});

describe('against an independent implementation (stdlib), over random arguments', () => {
  it('normal CDF and quantile (stdlib’s quantile loses digits below 1e-6: 1.2e-5 relative at 1e-15, −∞ below 1e-16)', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 1e-6, max: 1, noNaN: true, maxExcluded: true }), (x, p) => {
        expect(rel(normalCdfOf(x), normalCdfStdlib(x, 0, 1))).toBeLessThan(1e-12);
        expect(rel(normalQuantileOf(p), normalQuantileStdlib(p, 0, 1))).toBeLessThan(1e-10);
      }),
      { numRuns: 500 },
    );
  });

  it('t CDF and quantile, 0.5 to 10⁵ degrees', () => {
    fc.assert(
      fc.property(fc.double({ min: -200, max: 200, noNaN: true }), fc.double({ min: 1e-12, max: 0.999, noNaN: true }), fc.double({ min: 0.5, max: 1e5, noNaN: true }), (t, p, v) => {
        const reference = tCdfStdlib(t, v);
        // stdlib answers 0 where the tail falls below ≈ 1e-300; ours keeps it down to 5e-324.
        if (reference > 1e-290) expect(rel(studentTCdfOf(t, v), reference)).toBeLessThan(1e-9);
        else expect(studentTCdfOf(t, v)).toBeLessThan(1e-280);
        expect(rel(studentTQuantileOf(p, v), tQuantileStdlib(p, v))).toBeLessThan(1e-9);
      }),
      { numRuns: 500 },
    );
  });

  it('chi-square upper tail where stdlib’s 1 − CDF still has digits', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 60, noNaN: true }), fc.integer({ min: 1, max: 40 }), (x, df) => {
        const q = 1 - chisquareCdf(x, df);
        if (q > 1e-6) expect(Math.abs(gammaUpperRegularized(df / 2, x / 2) - q)).toBeLessThan(1e-12);
      }),
      { numRuns: 500 },
    );
  });
});
