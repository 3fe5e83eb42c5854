/**
 * statsFromColumns centres each variant on its own means (audit 2 of 2026-12, F1): it centred every variant on
 * unit 0's values, so an extreme unit 0 cancelled the other variants' variances (sd 0, p = 0 where SciPy's Welch
 * test gives 0.548).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeExperiment } from './analyze.js';
import { MOMENTS, statsFromColumns } from './stats.js';

/** Per variant, the two-pass mean, variance and covariance (n − 1) of y and x. */
function twoPass(variant: ReadonlyArray<number>, y: ReadonlyArray<number>, x: ReadonlyArray<number>, v: number) {
  const idx = variant.flatMap((w, i) => (w === v ? [i] : []));
  const n = idx.length;
  const my = idx.reduce((a, i) => a + y[i]!, 0) / n;
  const mx = idx.reduce((a, i) => a + x[i]!, 0) / n;
  const s = (f: (i: number) => number) => idx.reduce((a, i) => a + f(i), 0) / (n - 1);
  return { n, my, mx, vy: s((i) => (y[i]! - my) ** 2), vx: s((i) => (x[i]! - mx) ** 2), cxy: s((i) => (x[i]! - mx) * (y[i]! - my)) };
}

describe('statsFromColumns: each variant centred on its own values', () => {
  it('an extreme unit 0 in another arm leaves the arms\' sd and Welch p-value as SciPy (sd 0.1826, p 0.548; it gave sd 0, p 0)', () => {
    const a = [10.1, 9.9, 10.2, 9.8, 10.0, 10.3, 9.7, 10.1, 9.9, 10.0];
    const b = a.map((v) => v + 0.05);
    const variant = [2, ...a.map(() => 0), ...b.map(() => 1), 2];
    const y = [1e8, ...a, ...b, 10];
    const r = analyzeExperiment(statsFromColumns('e', ['a', 'b', 'c'], ['m'], { variant, values: [y] }), { metric: 'm' });
    expect(r.variants[0]!.sd).toBeCloseTo(0.18257418583505536, 12);
    expect(r.variants[1]!.sd).toBeCloseTo(0.18257418583505536, 12);
    expect(r.comparisons[0]!.difference.pValue).toBeCloseTo(0.5479501508336031, 9);
    expect(r.comparisons[0]!.significant).toBe(false);
  });

  it('property: any offsets per arm and an extreme first unit in one arm give each arm\'s two-pass mean, variance and covariance', () => {
    const arm = fc.record({
      n: fc.integer({ min: 2, max: 30 }),
      offset: fc.constantFrom(0, 1, -3e3, 6e6, 1e9, -2e8),
      scale: fc.constantFrom(2 ** -10, 1, 64),
      seed: fc.integer({ min: 1, max: 1e6 }),
    });
    fc.assert(
      fc.property(fc.array(arm, { minLength: 2, maxLength: 4 }), fc.constantFrom(0, 1e8, -5e9, 1e12), fc.nat(), (arms, extreme, pick) => {
        const variant: number[] = [];
        const y: number[] = [];
        const x: number[] = [];
        arms.forEach((a, v) => {
          let s = a.seed;
          const k = () => ((s = (s * 16807) % 2147483647) % 4096) - 2048;
          for (let i = 0; i < a.n; i++) {
            // On a grid of the scale (a power of 2) near the offset: every value, and its deviation from the
            // offset, is exact in binary64, so the oracle works on the deviations.
            const xk = k();
            variant.push(v);
            x.push(a.offset + a.scale * xk);
            y.push(a.offset + a.scale * (xk + k()));
          }
        });
        // The extreme unit comes first (unit 0) and belongs to one arm.
        const e = pick % arms.length;
        variant.unshift(e);
        y.unshift(arms[e]!.offset + extreme);
        x.unshift(arms[e]!.offset - extreme);
        const s = statsFromColumns('e', arms.map((_, v) => `v${v}`), ['m'], { variant, values: [y], covariates: [x] });
        arms.forEach((_, v) => {
          const off = arms[v]!.offset;
          const o = twoPass(variant, y.map((w) => w - off), x.map((w) => w - off), v);
          const [sy, syy, sx, sxx, sxy] = s.moments.slice(v * MOMENTS, v * MOMENTS + MOMENTS) as [number, number, number, number, number];
          const n = s.units[v]!;
          expect(n).toBe(o.n);
          const close = (a: number, b: number, scale: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * (Math.abs(b) + scale));
          close(s.shifts![2 * v]! + sy / n - off, o.my, 1 + Math.abs(off));
          close(s.shifts![2 * v + 1]! + sx / n - off, o.mx, 1 + Math.abs(off));
          close((syy - (sy * sy) / n) / (n - 1), o.vy, 1e-12);
          close((sxx - (sx * sx) / n) / (n - 1), o.vx, 1e-12);
          close((sxy - (sx * sy) / n) / (n - 1), o.cxy, Math.sqrt(o.vx * o.vy) + 1e-12);
        });
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});

describe('statsFromColumns: bad values', () => {
  it('a NaN or infinite value throws EXPERIMENT_STATS_INVALID with the column and the unit', () => {
    const cols = (y: number[], x: number[]) => () => statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 1, 0, 1], values: [y], covariates: [x] });
    expect(cols([1, 2, Number.NaN, 4], [1, 2, 3, 4])).toThrow(expect.objectContaining({ code: 'EXPERIMENT_STATS_INVALID', pathSegments: ['columns', 'values', 0, 2] }));
    expect(cols([1, 2, 3, 4], [1, Number.NEGATIVE_INFINITY, 3, 4])).toThrow(expect.objectContaining({ code: 'EXPERIMENT_STATS_INVALID', pathSegments: ['columns', 'covariates', 0, 1] }));
    expect(cols([1, 2, 3, Infinity], [1, 2, 3, Number.NaN])).toThrow(expect.objectContaining({ pathSegments: ['columns', 'values', 0, 3] }));
  });
});
