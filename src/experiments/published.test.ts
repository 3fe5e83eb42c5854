/**
 * Published results (audit 3 of 2026-12): the expected numbers of GrowthBook's gbstats unit tests
 * (packages/stats/tests/frequentist/test_tests.py, bayesian/test_tests.py, frequentist/test_post_strat.py; rounded
 * there to 5 decimals), fed through the same summary statistics.
 */
import { describe, expect, it } from 'vitest';
import { analyzeExperiment } from './analyze.js';
import { bayesianSummary, relativeLift, sequentialInterval, welchDifference } from './effects.js';

const near = (a: number, b: number, tol = 5e-6) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);
/** gbstats' SampleMeanStatistic(sum, sum_squares, n) and ProportionStatistic(sum, n) as arms. */
const sampleMean = (sum: number, ss: number, n: number) => ({ n, mean: sum / n, variance: (ss - (sum * sum) / n) / (n - 1) });
const proportion = (x: number, n: number) => ({ n, mean: x / n, variance: (x / n) * (1 - x / n) });
/** gbstats' ρ of its sequential tuning parameter N* (Waudby-Smith et al., eq. 161). */
const rho = (alpha: number, nStar: number) => Math.sqrt((-2 * Math.log(alpha) + Math.log(1 - 2 * Math.log(alpha))) / nStar);
const interval = (i: { estimate: number; lower: number; upper: number; se: number; pValue: number } | null, want: [number, number, number, number, number]) => {
  [i!.estimate, i!.lower, i!.upper, i!.se, i!.pValue].forEach((x, k) => near(x, want[k]!));
};

describe("gbstats' TwoSidedTTest", () => {
  const a = sampleMean(1396.87, 52377.9767, 3407);
  const b = sampleMean(2422.7, 134698.29, 3461);
  it('absolute: 0.29 [0.04538, 0.53462], se 0.12478, p 0.02016', () => interval(welchDifference(b, a, 0.05), [0.29, 0.04538, 0.53462, 0.12478, 0.02016]));
  it('relative: 0.70732 [−0.03526, 1.44989], se 0.37879, p 0.06191', () => interval(relativeLift(b, a, 0.05), [0.70732, -0.03526, 1.44989, 0.37879, 0.06191]));
  it("binomial 16/30 against 14/28: gbstats' Welch t interval; kind 'proportion' takes z (a documented difference)", () => {
    interval(relativeLift(proportion(16, 30), proportion(14, 28), 0.05), [0.06667, -0.47767, 0.61101, 0.2717, 0.80707]);
    const z = relativeLift(proportion(16, 30), proportion(14, 28), 0.05, true)!;
    near(z.se, 0.2717);
    near(z.upper - z.estimate, 1.959963984540054 * z.se, 1e-12);
  });
});

describe("gbstats' SequentialTwoSidedTTest is sequentialInterval with τ = ρ(N*)·se·√N (N both arms' units)", () => {
  it('means, N* = 1000: 0.50336 [−0.55844, 1.56516], p 1', () => {
    const r = relativeLift(sampleMean(2422.7, 134698.29, 3461), sampleMean(1396.87, 52377.9767, 3000), 0.05)!;
    interval(sequentialInterval(r.estimate, r.se, 0.05, rho(0.05, 1000) * r.se * Math.sqrt(6461)), [0.50336, -0.55844, 1.56516, 0.33341, 1]);
  });
  it('proportions, N* = 5000 (its default): 0.50386 [0.40098, 0.60675], p 0', () => {
    const r = relativeLift(proportion(2422, 3461), proportion(1396, 3000), 0.05, true)!;
    interval(sequentialInterval(r.estimate, r.se, 0.05, rho(0.05, 5000) * r.se * Math.sqrt(6461)), [0.50386, 0.40098, 0.60675, 0.03386, 0]);
  });
});

describe("gbstats' regression adjustment (CUPED) and Bayesian risk", () => {
  it('the RA vector of test_sequential_test_runs_ra: relative 0.50338, se 0.33341', () => {
    const stats = { experimentId: 'e', variantIds: ['a', 'b'], metricIds: ['m'], units: [3000, 3461], moments: [1396.87, 52377.9767, 16.87, 527.9767, 1, 2422.7, 134698.29, 22.7, 1348.29, 1] };
    const r = analyzeExperiment(stats, { metric: 'm' }).comparisons[0]!.relative!;
    near(r.estimate, 0.50338);
    near(r.se, 0.33341);
    // Its sequential interval (N* = 5000): [−0.50969, 1.51646]. The θ here is pooled within the arms (−0.011591;
    // gbstats' from both arms' units together: −0.011403), so the se is 0.3334148 against 0.3334120 and the
    // bounds, ≈ 3 se out, agree to 2e-5.
    const q = sequentialInterval(r.estimate, r.se, 0.05, rho(0.05, 5000) * r.se * Math.sqrt(6461));
    near(q.lower, -0.50969, 2e-5);
    near(q.upper, 1.51646, 2e-5);
  });
  it('EffectBayesianABTest, flat prior, on the relative lift: chance to win and the two risks', () => {
    for (const [b, a, want] of [
      [sampleMean(105, 1111.5, 10), sampleMean(100, 1002.25, 10), [0.91923, 0.00131, 0.05131]],
      [proportion(51, 100), proportion(49, 100), [0.60918, 0.04058, 0.0814]],
    ] as const) {
      const r = relativeLift(b, a, 0.05)!;
      const s = bayesianSummary(r.estimate, r.se);
      [s.chanceToBeatControl, s.expectedLoss, s.expectedLossControl].forEach((x, k) => near(x, want[k]!));
    }
  });
});

describe('the relative lift over a negative control mean has the sign of the difference (gbstats, test_post_strat)', () => {
  // SampleMeanStatistic(n = 1000, sum = mean·n, sum_squares = (mean² + 4)·n): control −10; variation −5, −15, 5.
  const arm = (mean: number) => sampleMean(mean * 1000, (mean * mean + 4) * 1000, 1000);
  it('−5, −15, 5 against −10: +0.5, −0.5, +1.5 (it read −0.5, +0.5, −1.5)', () => {
    for (const [m, want] of [[-5, 0.5], [-15, -0.5], [5, 1.5]] as const) {
      const r = relativeLift(arm(m), arm(-10), 0.05)!;
      near(r.estimate, want, 1e-12);
      expect(Math.sign(r.estimate)).toBe(Math.sign(welchDifference(arm(m), arm(-10), 0.05).estimate));
      // The same interval as over +10 mirrored: the delta method's variance does not depend on the sign.
      const mirrored = relativeLift(arm(-m), arm(10), 0.05)!;
      near(r.se, mirrored.se, 1e-15);
      near(r.lower, -mirrored.upper, 1e-12);
    }
  });
  it('in analyzeExperiment, with and without CUPED', () => {
    // Control y = −10 ± 2, treatment −5 ± 2, a covariate x = y + noise.
    const units = [6, 6];
    const moments = (my: number) => [6 * my, 6 * (my * my + 4), 6 * my, 6 * (my * my + 5), 6 * (my * my + 4)];
    const stats = { experimentId: 'e', variantIds: ['c', 't'], metricIds: ['m'], units, moments: [...moments(-10), ...moments(-5)] };
    for (const cuped of [false, true]) {
      const c = analyzeExperiment(stats, { metric: 'm', cuped }).comparisons[0]!;
      expect(c.difference.estimate).toBeGreaterThan(0);
      near(c.relative!.estimate, c.difference.estimate / 10, 1e-12);
      expect(c.relative!.lower).toBeLessThan(c.relative!.estimate);
    }
  });
});
