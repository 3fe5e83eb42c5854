/**
 * The analysis's numerics at the edges (audit of 2026-12): moments of values large next to their spread, the
 * proportion's Wald interval, zero standard errors, and standard errors or mixing scales far from 1.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHistory } from '../core/records.js';
import { analyzeExperiment } from './analyze.js';
import { normalCdf, normalQuantile, studentTCdf, studentTQuantile } from './distributions.js';
import { relativeLift, sequentialInterval, welchDifference } from './effects.js';
import { exposureEvent } from './exposure.js';
import { parseMetrics, statsFromHistories } from './metrics.js';
import { checkExperimentStats, mergeExperimentStats, statsFromColumns, type ExperimentStats } from './stats.js';

const near = (a: number, b: number, tol: number, scale = 0) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * (Math.abs(b) + scale));

/** A seeded standard normal (Box–Muller on a 31-bit LCG), so the data are the same on every run. */
function gaussians(seed: number, n: number): Float64Array {
  let s = seed >>> 0 || 1;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

/** The two-pass oracle: per arm the mean, then the sum of squared deviations; Welch's t interval and p-value. */
function twoPassWelch(y: ArrayLike<number>, variant: ArrayLike<number>, alpha: number) {
  const arm = (v: number) => {
    const xs = Array.from(y).filter((_, i) => variant[i] === v);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { n: xs.length, mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) };
  };
  const [c, t] = [arm(0), arm(1)];
  const a = t.variance / t.n;
  const b = c.variance / c.n;
  const se = Math.sqrt(a + b);
  const df = (a + b) ** 2 / (a ** 2 / (t.n - 1) + b ** 2 / (c.n - 1));
  const d = t.mean - c.mean;
  const q = studentTQuantile(1 - alpha / 2, df);
  return { estimate: d, lower: d - q * se, upper: d + q * se, pValue: 2 * studentTCdf(-Math.abs(d / se), df), se };
}

describe('moments of values large next to their spread (finding 1)', () => {
  it('10,000 units per arm, y = c + N(0, 1), lift 0.05: the same p-value at every offset up to 1e9 (SciPy Welch: 0.002505)', () => {
    const n = 10_000;
    const g = gaussians(77, 2 * n);
    const variant = Uint8Array.from({ length: 2 * n }, (_, i) => (i < n ? 0 : 1));
    for (const c of [0, 1e6, 3e7, 1e9]) {
      const y = g.map((b, i) => c + b + (i >= n ? 0.05 : 0));
      const a = analyzeExperiment(statsFromColumns('e', ['a', 'b'], ['y'], { variant, values: [y] }), { metric: 'y', cuped: false });
      // The oracle reads y − c (exact: Sterbenz), the same data without the offset its naive sums would lose.
      const oracle = twoPassWelch(y.map((v) => v - c), variant, 0.05);
      near(oracle.pValue, 0.002505, 1e-3);
      expect(a.variants[0]!.sd).toBeGreaterThan(0.9); // was 0 at c = 3e7: Σy² − n·ȳ² cancelled
      near(a.comparisons[0]!.difference.pValue, oracle.pValue, 1e-6);
      near(a.comparisons[0]!.difference.lower, oracle.lower, 1e-6, oracle.se);
    }
  });

  it('property: p-value and interval with a random offset up to 1e9 equal those without it, and the two-pass oracle (columns, shards, histories)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 3, max: 60 }), fc.double({ min: 0, max: 1e9, noNaN: true }), fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.boolean(), (seed, half, c, cx, cuped) => {
        const n = 2 * half;
        const g = gaussians(seed, 2 * n);
        const variant = Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 3 === 0 ? 0 : i % 2);
        // y and its offset-free twin: y − c is exact (Sterbenz), so both hold the same data.
        const y = Float64Array.from({ length: n }, (_, i) => c + g[i]! + 0.3 * variant[i]!);
        const y0 = y.map((v) => v - c);
        const x = Float64Array.from({ length: n }, (_, i) => cx + 0.8 * g[i]! + 0.6 * g[n + i]!);
        const x0 = x.map((v) => v - cx);
        if (Array.from(variant).filter((v) => v === 0).length < 2 || Array.from(variant).filter((v) => v === 1).length < 2) return;
        const options = { metric: 'y', cuped, sequential: { tau: 0.5 } };
        const columns = (yy: Float64Array, xx: Float64Array, from = 0, to = n) => statsFromColumns('e', ['a', 'b'], ['y'], { variant: variant.subarray(from, to), values: [yy.subarray(from, to)], covariates: [xx.subarray(from, to)] });
        const shifted = analyzeExperiment(columns(y, x), options).comparisons[0]!;
        const plain = analyzeExperiment(columns(y0, x0), options).comparisons[0]!;
        const shards = analyzeExperiment(mergeExperimentStats([columns(y, x, 0, half), columns(y, x, half)]), options).comparisons[0]!;
        for (const r of [shifted, shards]) {
          near(r.difference.pValue, plain.difference.pValue, 1e-6, 1e-300);
          for (const k of ['estimate', 'lower', 'upper'] as const) {
            near(r.difference[k], plain.difference[k], 1e-6, plain.difference.se);
            near(r.sequential[k], plain.sequential[k], 1e-6, plain.difference.se);
          }
        }
        if (!cuped) {
          const oracle = twoPassWelch(y0, variant, 0.05);
          near(plain.difference.pValue, oracle.pValue, 1e-6, 1e-300);
          near(plain.difference.lower, oracle.lower, 1e-6, oracle.se);
          near(plain.difference.upper, oracle.upper, 1e-6, oracle.se);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('statsFromHistories centres on the means too: durations near 6e6 ms keep their variance', () => {
    const T = Date.parse('2026-03-01T00:00:00Z');
    const g = gaussians(5, 400);
    const histories = Array.from({ length: 400 }, (_, i) => {
      const id = `p${i}`;
      const exposure = exposureEvent({ experimentId: 'e', inExperiment: true, held: false, variantIndex: i % 2, variantId: i % 2 ? 'b' : 'a' } as never, { subjectId: id, at: T })!;
      return createHistory(id, { events: [exposure, { id: `d${i}`, subjectId: id, type: 'session', at: T + 1000, properties: { ms: 6e6 + 100 * g[i]! } }] });
    });
    const metrics = parseMetrics([{ id: 'ms', type: 'session', aggregate: 'sum', property: 'ms', window: '1d' }]);
    const a = analyzeExperiment(statsFromHistories('e', ['a', 'b'], metrics, histories, T + 86_400_000), { metric: 'ms', cuped: false });
    const ms = histories.map((h) => h.events[1]!.properties.ms as number);
    const oracle = twoPassWelch(ms, ms.map((_, i) => i % 2), 0.05);
    near(a.comparisons[0]!.difference.pValue, oracle.pValue, 1e-9);
    near(a.variants[0]!.sd, Math.sqrt(ms.filter((_, i) => i % 2 === 0).reduce((t, v, _, xs) => t + (v - xs.reduce((p, q) => p + q, 0) / xs.length) ** 2, 0) / 199), 1e-9);
  });

  it('statistics written as raw sums (no shifts: the format before) are still read, merged with centred ones and analysed alike', () => {
    const raw: ExperimentStats = { experimentId: 'e', variantIds: ['a', 'b'], metricIds: ['m'], units: [3, 3], moments: [6, 14, 0, 0, 0, 12, 50, 0, 0, 0] };
    const centred = statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 0, 0, 1, 1, 1], values: [[1, 2, 3, 3, 4, 5]] });
    expect(centred.shifts).toEqual([2, 0, 4, 0]);
    expect(centred.moments).toEqual([0, 2, 0, 0, 0, 0, 2, 0, 0, 0]);
    const a = analyzeExperiment(checkExperimentStats(raw), { metric: 'm' }).comparisons[0]!.difference;
    const b = analyzeExperiment(centred, { metric: 'm' }).comparisons[0]!.difference;
    near(a.pValue, b.pValue, 1e-12);
    near(a.lower, b.lower, 1e-12);
    const both = analyzeExperiment(mergeExperimentStats([raw, centred]), { metric: 'm' });
    expect(both.variants.map((v) => [v.units, v.mean, v.sd])).toEqual([
      [6, 2, Math.sqrt(0.8)],
      [6, 4, Math.sqrt(0.8)],
    ]);
    expect(() => checkExperimentStats({ ...raw, shifts: [0, 0, 0] })).toThrow(expect.objectContaining({ code: 'EXPERIMENT_STATS_INVALID', path: 'shifts' }));
    expect(() => checkExperimentStats({ ...raw, shifts: [0, 0, Number.NaN, 0] })).toThrow(expect.objectContaining({ code: 'EXPERIMENT_STATS_INVALID', path: 'shifts[2]' }));
  });
});

describe("kind 'proportion': the unpooled Wald interval and z-test (findings 2 and 3)", () => {
  const conversions = (n: [number, number], k: [number, number]) =>
    statsFromColumns('e', ['a', 'b'], ['c'], {
      variant: [...Array<number>(n[0]).fill(0), ...Array<number>(n[1]).fill(1)],
      values: [[...Array.from({ length: n[0] }, (_, i) => +(i < k[0])), ...Array.from({ length: n[1] }, (_, i) => +(i < k[1]))]],
    });

  it('2/10 against 6/10: se = √(p̂(1 − p̂)/n) summed = 0.2, 95 % [0.0080, 0.7920], p 0.0455 (it used n − 1: se 0.2108, p 0.0578)', () => {
    const a = analyzeExperiment(conversions([10, 10], [2, 6]), { metric: 'c', kind: 'proportion' });
    const d = a.comparisons[0]!.difference;
    near(d.se, 0.2, 1e-14);
    near(d.lower, 0.4 - normalQuantile(0.975) * 0.2, 1e-12);
    near(d.upper, 0.4 + normalQuantile(0.975) * 0.2, 1e-12);
    near(d.pValue, 2 * normalCdf(-2), 1e-12);
    near(a.variants[0]!.sd, Math.sqrt(0.16), 1e-15);
    near(a.variants[1]!.sd, Math.sqrt(0.24), 1e-15);
    // The sequential interval reads the same standard error; the posterior the normal approximation of the
    // Beta(x + 1, n − x + 1) posteriors (audit 2, F4): means 7/12 and 3/12, variances m(1 − m)/13.
    near(a.comparisons[0]!.sequential.se, 0.2, 1e-14);
    near(a.comparisons[0]!.bayesian.chanceToBeatControl, normalCdf((4 / 12) / Math.sqrt((35 + 27) / 144 / 13)), 1e-12);
    // kind 'mean' keeps the sample variance (n − 1) and Welch's t.
    near(analyzeExperiment(conversions([10, 10], [2, 6]), { metric: 'c' }).comparisons[0]!.difference.se, Math.sqrt((0.16 + 0.24) / 9), 1e-14);
  });

  it('a Wald standard error of 0 (0/2 against 2/2) is not estimable: p-values 1, not significant; kind mean follows SciPy (p 0)', () => {
    const a = analyzeExperiment(conversions([2, 2], [0, 2]), { metric: 'c', kind: 'proportion' }).comparisons[0]!;
    expect(a).toMatchObject({ estimable: false, significant: false, adjustedPValue: 1, relative: null, difference: { estimate: 1, lower: 1, upper: 1, se: 0, pValue: 1 }, sequential: { pValue: 1 } });
    // The posteriors Beta(3, 1) and Beta(1, 3) are proper: chance Φ(0.5/√0.075) = 0.966 (exact 0.95), not ½.
    near(a.bayesian.chanceToBeatControl, normalCdf(0.5 / Math.sqrt(0.075)), 1e-12);
    expect(analyzeExperiment(conversions([50, 60], [50, 60]), { metric: 'c', kind: 'proportion' }).comparisons[0]!.estimable).toBe(false);
    expect(analyzeExperiment(conversions([20, 20], [0, 3]), { metric: 'c', kind: 'proportion' }).comparisons[0]!.estimable).toBe(true);
    const mean = analyzeExperiment(conversions([2, 2], [0, 2]), { metric: 'c' }).comparisons[0]!;
    expect(mean).toMatchObject({ estimable: true, significant: true, difference: { se: 0, pValue: 0 } });
  });
});

describe('standard errors and mixing scales far from 1 (finding 4)', () => {
  it('the sequential interval scales with se and τ and keeps its p-value, from 1e-200 to 1e200 (V = se² under- or overflowed)', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.05, max: 5, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.integer({ min: -200, max: 200 }), (d, se, tau, e) => {
        const k = 10 ** e;
        const base = sequentialInterval(d, se, 0.05, tau);
        const r = sequentialInterval(d * k, se * k, 0.05, tau * k);
        near(r.pValue, base.pValue, 1e-9, 1e-300);
        near(r.lower / k, base.lower, 1e-9, se);
        near(r.upper / k, base.upper, 1e-9, se);
      }),
    );
    // τ and se 300 orders of magnitude apart: finite, as the formula says.
    for (const [se, tau] of [[1, 1e-155], [1, 1e155], [1e-150, 1e-150], [1e150, 1], [1e-300, 1e300]] as const) {
      expect(Object.values(sequentialInterval(se, se, 0.05, tau)).every(Number.isFinite)).toBe(true);
    }
    expect(sequentialInterval(1e-150, 1e-150, 0.05, 1e-150).pValue).toBeCloseTo(sequentialInterval(1, 1, 0.05, 1).pValue, 12);
  });

  it('analyzeExperiment with τ = 1e155 answers finite numbers (it answered NaN)', () => {
    const s = statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 0, 0, 1, 1, 1], values: [[1, 2, 3, 3, 4, 5]] });
    const c = analyzeExperiment(s, { metric: 'm', sequential: { tau: 1e155 } }).comparisons[0]!;
    expect(Object.values(c.sequential).every(Number.isFinite)).toBe(true);
    expect(c.sequential.pValue).toBe(1);
  });

  it('an interval beyond the largest double is INPUT_INVALID naming the argument, never ±Infinity', () => {
    const arm = (mean: number) => ({ n: 2, mean, variance: 1 });
    expect(() => welchDifference(arm(1e308), arm(-1e308), 0.05)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'treatment' }));
    expect(() => sequentialInterval(1, 1e160, 0.05, 1)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'se' }));
    expect(() => sequentialInterval(1, 0.2, 0.05, 5e-324)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'tau' }));
    // Welch's degrees of freedom with variances whose squares underflow (values in units of 1e-90).
    const tiny = welchDifference({ n: 10, mean: 2e-90, variance: 1e-180 }, { n: 30, mean: 0, variance: 4e-180 }, 0.05);
    const unit = welchDifference({ n: 10, mean: 2, variance: 1 }, { n: 30, mean: 0, variance: 4 }, 0.05);
    near(tiny.df, unit.df, 1e-12);
    near(tiny.pValue, unit.pValue, 1e-12);
  });
});

describe('tiny α, a control mean near 0 and sums near the largest double (mutation fuzz, seed 31337)', () => {
  const t = { n: 1000, mean: 10.4, variance: 25 };
  const c = { n: 1000, mean: 10, variance: 25 };
  it('an α far below 1e-16 still has finite quantiles (1 − α/2 rounded to 1, its quantile to ∞, blamed on the arms)', () => {
    for (const alpha of [1e-20, 7e-107, 9e-323]) {
      for (const r of [welchDifference(t, c, alpha), welchDifference(t, c, alpha, true), relativeLift(t, c, alpha)!, sequentialInterval(0.4, 0.2, alpha, 0.5)]) {
        expect(Number.isFinite(r.lower) && Number.isFinite(r.upper), String(alpha)).toBe(true);
      }
    }
    // The quantile itself passes the largest double only when α/2 rounds to 0: named as α.
    expect(() => welchDifference({ n: 2, mean: 1, variance: 1 }, { n: 2, mean: 0, variance: 1 }, 5e-324)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'alpha' }));
  });
  it('a control mean so near 0 that the ratio overflows has no relative interval (it was a NaN passed on, named x)', () => {
    for (const mean of [5.4e-323, -4e-323, 0]) expect(relativeLift(t, { ...c, mean }, 0.05)).toBeNull();
  });
  it('statistics whose sums make an interval beyond the largest double are refused as a whole (it named se)', () => {
    const s = statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 1, 0, 1, 0, 1], values: [[1, 2, 3, 5, 2, 4]] });
    const moments = [...s.moments];
    moments[6] = 1e308;
    let error: unknown;
    try {
      analyzeExperiment({ ...s, moments }, { metric: 'm' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INPUT_INVALID', pathSegments: [] });
  });
  it('a control mean below 1e-300 (its reference near 0) takes the sd as the default τ, not a subnormal one (seed 2718)', () => {
    const s = statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 1, 0, 1, 0, 1], values: [[1, 2, 3, 5, 2, 4]] });
    // References that put the control's mean at −9e-323: 5 % of it was a τ of 5e-324, and the interval ±∞.
    const r = analyzeExperiment({ ...s, shifts: [-9e-323, 0, s.shifts![2]!, 0] }, { metric: 'm' });
    expect(r.comparisons[0]!.sequential.tau).toBe(1);
    expect(Number.isFinite(r.comparisons[0]!.sequential.upper)).toBe(true);
  });
});
