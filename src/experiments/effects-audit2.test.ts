/**
 * The proportion posterior and the relative lift (audit 2 of 2026-12, F4, F5, F9). Exact values: the auditor's
 * SciPy quadrature of the Beta(x + 1, n − x + 1) posteriors (.cache/audit2-experiments/beta.py) and SciPy's t.
 */
import { describe, expect, it } from 'vitest';
import { analyzeExperiment } from './analyze.js';
import { relativeLift, welchDifference } from './effects.js';
import { statsFromColumns } from './stats.js';

const near = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);
/** Control xc/nc (variant 0) against treatment xt/nt, as 0/1 values. */
const conversions = (xc: number, nc: number, xt: number, nt: number) =>
  analyzeExperiment(
    statsFromColumns('e', ['c', 't'], ['m'], {
      variant: [...Array<number>(nc).fill(0), ...Array<number>(nt).fill(1)],
      values: [[...Array.from({ length: nc }, (_, i) => +(i < xc)), ...Array.from({ length: nt }, (_, i) => +(i < xt))]],
    }),
    { metric: 'm', kind: 'proportion' },
  ).comparisons[0]!.bayesian;

describe('the Bayesian summary of proportions reads the Beta posteriors (F4)', () => {
  it('3/3 against 999/1000 points the right way: chance 0.887 (exact 0.9921; the Wald normal gave 0.1585)', () => {
    const b = conversions(3, 3, 999, 1000);
    expect(b.chanceToBeatControl).toBeGreaterThan(0.5);
    near(b.chanceToBeatControl, 0.8873350253406759, 1e-12);
    expect(b.expectedLoss).toBeLessThan(b.expectedLossControl);
  });

  it('close to the exact Beta posteriors with large arms (60/1000 against 50/1000: exact 0.83560, loss 0.000893)', () => {
    const b = conversions(50, 1000, 60, 1000);
    near(b.chanceToBeatControl, 0.8356, 0.002);
    near(b.expectedLoss, 0.000893, 0.00002);
  });

  it('never degenerate: 20/20 against 20/20 is a coin flip, 0/20 against 20/20 certain', () => {
    near(conversions(20, 20, 20, 20).chanceToBeatControl, 0.5, 1e-12);
    near(conversions(0, 20, 20, 20).chanceToBeatControl, 1, 1e-12);
  });
});

describe('relativeLift uses the Welch t of the difference (F5) and (t̄ − c̄)/c̄ (F9)', () => {
  it('n = 3 per arm: the relative interval uses t(4) like the difference, so both say "not significant" (z said p 0.027)', () => {
    const t = { n: 3, mean: 12, variance: 1 };
    const c = { n: 3, mean: 10, variance: 1 };
    const d = welchDifference(t, c, 0.05);
    const r = relativeLift(t, c, 0.05)!;
    // SciPy: t.ppf(0.975, 4) = 2.7764451051977934; 2 * t.sf(0.2 / se, 4) with se = √(1/3 + 1.44/3)/10.
    const se = Math.sqrt(1 / 3 + 1.44 / 3) / 10;
    near(r.upper - r.estimate, 2.7764451051977934 * se, 1e-12);
    near(r.pValue, 0.09084798213814552, 1e-9);
    expect(d.pValue > 0.05 && r.pValue > 0.05).toBe(true);
    expect(r.lower < 0 && d.lower < 0).toBe(true);
    // normal: the z interval, as welchDifference's.
    near(relativeLift(t, c, 0.05, true)!.pValue, 0.02657776336501623, 1e-12);
  });

  it('a lift of 1e-12 on 1e4 keeps its digits (exact for these doubles: 1.0000804e-12; t̄/c̄ − 1 gave 1.0000889e-12)', () => {
    const r = relativeLift({ n: 100, mean: 1e4 + 1e-8, variance: 1 }, { n: 100, mean: 1e4, variance: 1 }, 0.05)!;
    near(r.estimate / ((1e4 + 1e-8 - 1e4) / 1e4) - 1, 0, 1e-15);
  });
});
