import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalQuantileStdlib from '@stdlib/stats-base-dists-normal-quantile';
import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { analyzeExperiment } from './analyze.js';
import { experimentReport } from './report.js';
import { bayesianSummary, holmAdjust, sequentialInterval, welchDifference } from './effects.js';
import { sampleRatioMismatch } from './srm.js';
import { mergeExperimentStats, statsFromColumns } from './stats.js';

function simulate(seed: number, n: number, effect: number, rho = 0.8) {
  const rng = createRng(seed);
  const variant = new Uint8Array(n);
  const y = new Float64Array(n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.int(2);
    const pre = 10 + 3 * rng.normal();
    variant[i] = v;
    x[i] = pre;
    y[i] = 10 + rho * (pre - 10) + Math.sqrt(1 - rho * rho) * 3 * rng.normal() + (v === 1 ? effect : 0);
  }
  return { variant, y, x };
}

describe('intervals against an independent implementation (stdlib) and closed forms', () => {
  it('Welch interval: estimate ± t(df) · se with the Welch–Satterthwaite df', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5000 }),
        fc.integer({ min: 2, max: 5000 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (n1, n0, v1, v0, d) => {
          const r = welchDifference({ n: n1, mean: d, variance: v1 }, { n: n0, mean: 0, variance: v0 }, 0.05);
          const se = Math.sqrt(v1 / n1 + v0 / n0);
          const df = (v1 / n1 + v0 / n0) ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1));
          const q = tQuantileStdlib(0.975, df);
          expect(r.df).toBeCloseTo(df, 8);
          expect(r.upper).toBeCloseTo(d + q * se, 6);
          expect(r.lower).toBeCloseTo(d - q * se, 6);
          expect(r.pValue).toBeGreaterThanOrEqual(0);
          expect(r.pValue).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("matches R's documented outputs: t.test(extra ~ group, data = sleep) and chisq.test(c(A = 20, B = 15, C = 25))", () => {
    // Student's sleep data (Cushny and Peebles, 1905), as in R's ?t.test: Welch t = -1.8608, df = 17.776,
    // p-value = 0.07939, 95 % CI -3.3654832 to 0.2054832.
    const summary = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { n: xs.length, mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) };
    };
    const r = welchDifference(summary([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0, 2]), summary([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]), 0.05);
    expect(r.estimate / r.se).toBeCloseTo(-1.8608, 4);
    expect(r.df).toBeCloseTo(17.776, 3);
    expect(r.pValue).toBeCloseTo(0.07939, 5);
    expect(r.lower).toBeCloseTo(-3.3654832, 7);
    expect(r.upper).toBeCloseTo(0.2054832, 7);
    // R's ?chisq.test: X-squared = 2.5, df = 2, p-value = 0.2865.
    const srm = sampleRatioMismatch([20, 15, 25], [1 / 3, 1 / 3, 1 / 3]);
    expect(srm.chiSquare).toBeCloseTo(2.5, 12);
    expect(srm.pValue).toBeCloseTo(0.2865, 4);
  });

  it('a p-value far below 1e-16 keeps its digits (the lower tail at −|t|, not 1 − the CDF; SciPy: stdtr, ndtr)', () => {
    const arm = (mean: number) => ({ n: 1000, mean, variance: 1 });
    const t = welchDifference(arm(1), arm(0), 0.05);
    expect(Math.abs(t.pValue / 5.012825213402718e-99 - 1)).toBeLessThan(1e-10);
    const z = welchDifference(arm(1), arm(0), 0.05, true);
    expect(Math.abs(z.pValue / 9.505397766553548e-111 - 1)).toBeLessThan(1e-10);
  });

  it('proportion interval uses the normal quantile', () => {
    const r = welchDifference({ n: 1000, mean: 0.12, variance: 0.12 * 0.88 }, { n: 1000, mean: 0.1, variance: 0.09 }, 0.1, true);
    expect(r.upper - r.estimate).toBeCloseTo(normalQuantileStdlib(0.95, 0, 1) * r.se, 10);
  });

  it('SRM p-value matches the stdlib chi-square', () => {
    const r = sampleRatioMismatch([5000, 5210, 4900], [1, 1, 1]);
    expect(r.pValue).toBeCloseTo(1 - chisquareCdf(r.chiSquare, 2), 10);
    expect(sampleRatioMismatch([5000, 5600], [0.5, 0.5]).mismatch).toBe(true);
    expect(sampleRatioMismatch([5000, 5010], [0.5, 0.5]).mismatch).toBe(false);
  });

  it('Bayesian chance and expected loss agree with a Monte Carlo of the normal posterior', () => {
    const rng = createRng(7);
    for (const [d, se] of [[0.3, 0.2], [-0.1, 0.5], [0, 1]] as const) {
      const b = bayesianSummary(d, se);
      let wins = 0;
      let loss = 0;
      const N = 200_000;
      for (let i = 0; i < N; i++) {
        const delta = d + se * rng.normal();
        if (delta > 0) wins++;
        else loss -= delta;
      }
      expect(b.chanceToBeatControl).toBeCloseTo(wins / N, 2);
      expect(b.expectedLoss).toBeCloseTo(loss / N, 2);
    }
  });

  it('Holm adjustment', () => {
    expect(holmAdjust([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }), (ps) => holmAdjust(ps).every((a, i) => a >= ps[i]! && a <= 1)));
  });

  it('the sequential interval contains the fixed one and keeps the A/A error rate at most alpha across daily peeks', () => {
    const fixed = welchDifference({ n: 500, mean: 1, variance: 4 }, { n: 500, mean: 0.8, variance: 4 }, 0.05);
    const seq = sequentialInterval(fixed.estimate, fixed.se, 0.05, 0.2);
    expect(seq.lower).toBeLessThan(fixed.lower);
    expect(seq.upper).toBeGreaterThan(fixed.upper);
    // 200 A/A tests, 20 looks each: a fixed-horizon test peeked daily rejects far more than 5 %; mSPRT does not.
    const rng = createRng(11);
    let seqRejected = 0;
    let fixedRejected = 0;
    for (let sim = 0; sim < 200; sim++) {
      let n = 0;
      let s1 = 0;
      let s0 = 0;
      let everSeq = false;
      let everFixed = false;
      for (let look = 0; look < 20; look++) {
        for (let i = 0; i < 50; i++) {
          s1 += rng.normal();
          s0 += rng.normal();
        }
        n += 50;
        const d = s1 / n - s0 / n;
        const se = Math.sqrt(2 / n);
        if (sequentialInterval(d, se, 0.05, 0.2).pValue < 0.05) everSeq = true;
        if (Math.abs(d / se) > 1.96) everFixed = true;
      }
      if (everSeq) seqRejected++;
      if (everFixed) fixedRejected++;
    }
    expect(seqRejected / 200).toBeLessThanOrEqual(0.06);
    expect(fixedRejected).toBeGreaterThan(seqRejected);
  });
});

describe('analyzeExperiment', () => {
  it('finds a true effect; CUPED narrows the interval by about 1 − ρ² in variance and keeps it covering the truth', () => {
    const { variant, y, x } = simulate(1, 20_000, 0.15);
    const stats = statsFromColumns('e', ['control', 'treat'], ['revenue'], { variant, values: [y], covariates: [x] });
    const plain = analyzeExperiment(stats, { metric: 'revenue', cuped: false });
    const cuped = analyzeExperiment(stats, { metric: 'revenue' });
    const cp = plain.comparisons[0]!.difference;
    const cc = cuped.comparisons[0]!.difference;
    expect(cuped.cuped!.varianceReduction).toBeGreaterThan(0.55);
    expect(cuped.cuped!.varianceReduction).toBeLessThan(0.72);
    expect(cc.upper - cc.lower).toBeLessThan(0.7 * (cp.upper - cp.lower));
    expect(cc.lower).toBeLessThan(0.15);
    expect(cc.upper).toBeGreaterThan(0.15);
    expect(cuped.comparisons[0]!.significant).toBe(true);
    expect(cuped.comparisons[0]!.bayesian.chanceToBeatControl).toBeGreaterThan(0.99);
    expect(cuped.srm.mismatch).toBe(false);
    expect(JSON.parse(JSON.stringify(cuped))).toEqual(cuped);
  });

  it('merging shard statistics gives the same analysis as the whole', () => {
    const { variant, y, x } = simulate(2, 3000, 0.1);
    const whole = statsFromColumns('e', ['a', 'b'], ['m'], { variant, values: [y], covariates: [x] });
    const parts = [0, 1000, 2000].map((from) => statsFromColumns('e', ['a', 'b'], ['m'], { variant: variant.subarray(from, from + 1000), values: [y.subarray(from, from + 1000)], covariates: [x.subarray(from, from + 1000)] }));
    const merged = mergeExperimentStats(parts);
    expect(merged.units).toEqual(whole.units);
    // The merge keeps the first shard's means as references and the whole its own, so the sums differ; what they
    // say (means, spreads, CUPED-adjusted means) does not.
    const summary = (s: typeof whole) => analyzeExperiment(s, { metric: 'm' }).variants.map((v) => [v.mean, v.sd, v.adjustedMean]);
    summary(merged).forEach((row, v) => row.forEach((x, k) => expect(x).toBeCloseTo(summary(whole)[v]![k]!, 10)));
    const a = analyzeExperiment(merged, { metric: 'm' }).comparisons[0]!.difference;
    const b = analyzeExperiment(whole, { metric: 'm' }).comparisons[0]!.difference;
    expect(a.lower).toBeCloseTo(b.lower, 8);
  });

  it('applies Holm across several arms', () => {
    const rng = createRng(3);
    const n = 9000;
    const variant = new Uint8Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      variant[i] = i % 3;
      y[i] = rng.normal() + (variant[i] === 2 ? 0.2 : 0);
    }
    const r = analyzeExperiment(statsFromColumns('e', ['c', 'b', 'x'], ['m'], { variant, values: [y] }), { metric: 'm' });
    expect(r.comparisons.map((c) => c.variantId)).toEqual(['b', 'x']);
    expect(r.comparisons[1]!.significant).toBe(true);
    for (const c of r.comparisons) expect(c.adjustedPValue).toBeGreaterThanOrEqual(c.difference.pValue);
  });

  it('rejects bad input with typed errors and paths, never a NaN interval', () => {
    const ok = statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 0, 1, 1], values: [[1, 2, 3, 4]] });
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as { code: string; path?: string };
      }
      throw new Error('did not throw');
    };
    expect(err(() => analyzeExperiment(ok, { metric: 'nope' }))).toMatchObject({ code: 'EXPERIMENT_METRIC_UNKNOWN', path: 'options.metric' });
    expect(err(() => analyzeExperiment(statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 0, 0], values: [[1, 2, 3]] }), { metric: 'm' }))).toMatchObject({ code: 'EXPERIMENT_EMPTY_VARIANT', path: 'units[1]' });
    expect(err(() => statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 1, 1], values: [[1, Number.NaN, 3]] }))).toMatchObject({ code: 'EXPERIMENT_STATS_INVALID', path: 'columns.values[0][1]' });
    expect(err(() => analyzeExperiment({ ...ok, moments: ok.moments.map(() => Number.NaN) }, { metric: 'm' }))).toMatchObject({ code: 'EXPERIMENT_STATS_INVALID', path: 'moments[0]' });
    expect(err(() => analyzeExperiment(ok, { metric: 'm', alpha: 2 }))).toMatchObject({ code: 'INPUT_INVALID', path: 'options.alpha' });
    expect(err(() => statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 2], values: [[1, 2]] }))).toMatchObject({ code: 'INPUT_INVALID', path: 'columns.variant[1]' });
    // constant data: a point interval, not NaN
    const flat = analyzeExperiment(statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 0, 1, 1], values: [[1, 1, 1, 1]] }), { metric: 'm' });
    expect(Object.values(flat.comparisons[0]!.difference).every(Number.isFinite)).toBe(true);
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        try {
          analyzeExperiment(a as never, b as never);
        } catch (e) {
          expect(isCrossChannelError(e)).toBe(true);
        }
      }),
    );
  });
});

describe('analyzeExperiment on extreme data', () => {
  it('picks a positive mixing scale when 5 % of the control mean underflows (it failed with "tau must be a number")', () => {
    const stats = statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 1, 0, 1], values: [[5e-323, 0, 0, 5e-323]] });
    const a = analyzeExperiment(stats, { metric: 'm' });
    expect(a.comparisons[0]!.sequential.tau).toBeGreaterThan(0);
  });
});

describe('experimentReport given analyses of the wrong shape', () => {
  it('names the analysis, with what failed as the cause (a comparison without its difference was a TypeError)', () => {
    const a = analyzeExperiment(statsFromColumns('e', ['a', 'b'], ['m'], { variant: [0, 1, 0, 1], values: [[1, 2, 3, 5]] }), { metric: 'm' });
    expect(experimentReport([a]).rows).toHaveLength(1);
    for (const bad of [{ ...a, comparisons: [{}] }, { ...a, variants: 'x' }, { ...a, srm: null }, null]) {
      expect(() => experimentReport([a, bad] as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: '[1]', cause: expect.any(TypeError) }));
    }
  });
});
