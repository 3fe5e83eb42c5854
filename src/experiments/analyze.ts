import * as z from 'zod/mini';
import { enumSchema, booleanSchema, gtCheck, ltCheck, numberSchema } from '../core/zod.js';
import { CrossChannelError, parseWith, quoted } from '../core/errors.js';
import { idSchema } from '../core/schema.js';
import { bayesianSummary, holmAdjust, lift, sequentialInterval, welchDifference, type ArmSummary, type BayesianSummary, type Interval } from './effects.js';
import type { ExperimentErrorCode } from './errors.js';
import { sampleRatioMismatch, type SrmCheck } from './srm.js';
import { checkExperimentStats, MOMENTS, type ExperimentStats } from './stats.js';
import { invalidInput } from './check.js';

/**
 * Options of {@link analyzeExperiment}.
 *
 * @example
 * ```ts
 * analysisOptionsSchema.parse({ metric: 'revenue', alpha: 0.05, sequential: { tau: 2 } });
 * ```
 */
export const analysisOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    /** The metric to analyse (one of the statistics' `metricIds`). */
    metric: idSchema,
    /**
     * `mean` (Welch t) or `proportion` (for 0/1 metrics such as conversion: the unpooled Wald z interval, variance
     * p̂(1 − p̂) with n in the denominator, and the matching unpooled z-test). Default `mean`.
     */
    kind: z._default(enumSchema(['mean', 'proportion']), 'mean'),
    /** Two-sided error rate of every interval. */
    alpha: z._default(numberSchema().check(gtCheck(0), ltCheck(0.5)), 0.05),
    /** The control variant (default: the first). */
    control: z.optional(idSchema),
    /** Use the pre-exposure covariate (CUPED) when the statistics carry one. Default true. */
    cuped: z._default(booleanSchema(), true),
    /**
     * Always-valid intervals (mSPRT normal mixture): `tau` is the standard deviation of the mixing distribution,
     * in the metric's units — the size of effect you expect, fixed before the test starts. Default: 5 % of the
     * control mean, or the control's standard deviation when that is 0, else 1 (a guess; fix it in advance for
     * strict validity).
     */
    sequential: z._default(z.strictObject({ tau: z.optional(numberSchema().check(gtCheck(0))) }), {}),
    /** Expected share of each variant (same order as the statistics' variants) for the SRM check; default equal. */
    expectedShares: z.optional(z.array(numberSchema().check(gtCheck(0)))),
    /** p-value below which the SRM check flags a mismatch. */
    srmThreshold: z._default(numberSchema().check(gtCheck(0), ltCheck(1)), 0.001),
  }))();

/** Options of {@link analyzeExperiment} as a caller writes them. */
export type AnalysisOptionsInput = z.input<typeof analysisOptionsSchema>;

/** One variant's numbers. */
export interface VariantSummary {
  readonly variantId: string;
  readonly units: number;
  readonly mean: number;
  /** Standard deviation: the sample's (n − 1) for `kind: 'mean'`, √(p̂(1 − p̂)) for `kind: 'proportion'`. */
  readonly sd: number;
  /** The CUPED-adjusted mean (equal to `mean` without a covariate). */
  readonly adjustedMean: number;
}

/** One treatment compared with the control. */
export interface Comparison {
  readonly variantId: string;
  readonly control: string;
  /** Absolute difference treatment − control (Welch; CUPED-adjusted when a covariate is used). */
  readonly difference: Interval & { readonly df: number };
  /**
   * Relative lift: the difference over the magnitude of the control's unadjusted mean (with CUPED, the adjusted
   * difference over it; |c̄| so that its sign is the difference's, as GrowthBook), delta-method interval with the
   * two estimates' correlation; null when the control mean is 0, the comparison is not estimable or its interval
   * overflows.
   */
  readonly relative: Interval | null;
  /**
   * Always-valid interval of the difference at this look (safe to peek at every day). Keep the running minimum of
   * its p-value and the running intersection of its intervals across looks (see `sequentialInterval`).
   */
  readonly sequential: Interval & { readonly tau: number };
  readonly bayesian: BayesianSummary;
  /**
   * False when the comparison has no interval: `kind: 'proportion'` with a Wald standard error of 0, i.e. each arm
   * all 0 or all 1 (0/20 against 20/20, or 0/50 against 0/50). The intervals are then the point estimate, every
   * p-value is 1 (so `significant` is false), `relative` is null and `bayesian` is that of no difference (chance ½,
   * losses 0): a zero-variance estimate of a proportion is no evidence. Always true for `kind: 'mean'`, where a
   * standard error of 0 (both arms constant) gives p = 0 when the means differ, as SciPy's `ttest_ind`.
   */
  readonly estimable: boolean;
  /** Holm-adjusted p-value of the difference across all treatments. */
  readonly adjustedPValue: number;
  /** True when the Holm-adjusted p-value is below alpha. */
  readonly significant: boolean;
}

/** The result of {@link analyzeExperiment}: JSON-able. */
export interface ExperimentAnalysis {
  readonly experimentId: string;
  readonly metric: string;
  readonly kind: 'mean' | 'proportion';
  readonly alpha: number;
  readonly control: string;
  readonly variants: ReadonlyArray<VariantSummary>;
  readonly comparisons: ReadonlyArray<Comparison>;
  /** The CUPED coefficient and the share of variance it removed; null when no covariate was used. */
  readonly cuped: { readonly theta: number; readonly varianceReduction: number } | null;
  readonly srm: SrmCheck;
  /** Multiple-comparison correction applied to `adjustedPValue`. */
  readonly correction: 'holm';
}

/**
 * Analyses one metric of an experiment from its (merged) statistics: per variant units and means; per treatment
 * vs control the Welch difference, the relative lift (delta method), an always-valid sequential interval, the
 * Bayesian chance to beat control and expected loss, Holm-adjusted p-values; CUPED variance reduction with the
 * pre-exposure covariate; and the sample-ratio-mismatch check.
 *
 * Throws `EXPERIMENT_METRIC_UNKNOWN` for a metric not in the statistics, `EXPERIMENT_EMPTY_VARIANT` (path
 * `units[i]`) when a variant has fewer than 2 units, `EXPERIMENT_STATS_INVALID` for non-finite statistics: no NaN
 * interval is ever returned.
 *
 * @example
 * ```ts
 * declare const stats: ExperimentStats;
 *
 * const a = analyzeExperiment(stats, { metric: 'revenue', sequential: { tau: 1.5 } });
 * for (const c of a.comparisons) console.log(c.variantId, c.difference.lower, c.difference.upper, c.bayesian.chanceToBeatControl);
 * ```
 */
export function analyzeExperiment(stats: ExperimentStats, options: AnalysisOptionsInput): ExperimentAnalysis {
  const s = checkExperimentStats(stats);
  const o = parseWith(analysisOptionsSchema, options, 'INPUT_INVALID', ['options']);
  const m = s.metricIds.indexOf(o.metric);
  if (m < 0) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_METRIC_UNKNOWN', `No metric ${quoted(o.metric)} in the statistics`, { path: ['options', 'metric'], detail: { known: s.metricIds } });
  const V = s.variantIds.length;
  if (V < 2) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_STATS_INVALID', 'An analysis needs ≥ 2 variants', { path: ['variantIds'] });
  const c = o.control === undefined ? 0 : s.variantIds.indexOf(o.control);
  if (c < 0) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_UNKNOWN', `No variant ${quoted(o.control)}`, { path: ['options', 'control'] });
  s.units.forEach((u, i) => {
    if (u < 2) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_EMPTY_VARIANT', `Variant ${quoted(s.variantIds[i])} has ${u} unit(s)`, { path: ['units', i] });
  });
  if (o.expectedShares !== undefined && o.expectedShares.length !== V) {
    throw invalidInput('one share per variant', 'options', 'expectedShares');
  }

  // Per-arm moments, the means taken from the control's references (see ExperimentStats: no cancellation when the
  // values are large next to their spread). A proportion's variance is p̂(1 − p̂) (n denominator: the Wald
  // interval's), a mean's the sample variance (n − 1).
  const M = s.metricIds.length;
  const prop = o.kind === 'proportion';
  const K = (v: number, k: number) => s.shifts?.[(v * M + m) * 2 + k] ?? 0;
  const arms = s.units.map((n, v) => {
    const [sy, syy, sx, sxx, sxy] = s.moments.slice((v * M + m) * MOMENTS) as [number, number, number, number, number];
    const d = n - +!prop;
    return { n, d, my: K(v, 0) - K(c, 0) + sy / n, mx: K(v, 1) - K(c, 1) + sx / n, vy: Math.max(0, (syy - (sy * sy) / n) / d), vx: Math.max(0, (sxx - (sx * sx) / n) / d), cxy: (sxy - (sx * sy) / n) / d };
  });

  // CUPED: θ from the pooled within-arm covariance; means shifted by θ(x̄_v − x̄).
  let theta = 0;
  // An arm's variance after CUPED (its own when θ = 0): of y − θx, or with r of ry − θx (the relative lift's).
  const adjusted = (a: (typeof arms)[number], r = 1) => Math.max(0, r * (r * a.vy - 2 * theta * a.cxy) + theta * theta * a.vx);
  let cuped: ExperimentAnalysis['cuped'] = null;
  if (o.cuped) {
    let num = 0;
    let den = 0;
    for (const a of arms) {
      num += a.cxy * a.d;
      den += a.vx * a.d;
    }
    if (den > 0 && Number.isFinite(num / den)) {
      theta = num / den;
      let before = 0;
      let after = 0;
      for (const a of arms) {
        before += a.vy * a.d;
        after += adjusted(a) * a.d;
      }
      cuped = { theta, varianceReduction: before > 0 ? 1 - after / before : 0 };
    }
  }
  const totalN = arms.reduce((t, a) => t + a.n, 0);
  const grandMx = arms.reduce((t, a) => t + a.n * a.mx, 0) / totalN;
  const summaries: ArmSummary[] = arms.map((a) => ({
    n: a.n,
    mean: a.my - (theta && theta * (a.mx - grandMx)),
    variance: adjusted(a),
  }));
  // Means in the metric's units (the summaries' are from the control's reference).
  const ky = K(c, 0);
  const ac = arms[c]!;
  const yc = ac.my + ky;
  // A proportion's Beta(x + 1, n − x + 1) posterior (flat prior) as an arm of n + 3 units: mean m = (x + 1)/(n + 2),
  // variance m(1 − m)/(n + 3).
  const beta = (a: ArmSummary): ArmSummary => {
    const m = ((a.mean + ky) * a.n + 1) / (a.n + 2);
    return { n: a.n + 3, mean: m, variance: Math.max(0, m * (1 - m)) };
  };

  const variants: VariantSummary[] = arms.map((a, v) => ({ variantId: s.variantIds[v]!, units: a.n, mean: a.my + ky, sd: Math.sqrt(a.vy), adjustedMean: summaries[v]!.mean + ky }));
  const control = summaries[c]!;
  // 5 % of the control mean, unless that is 0 or below 1e-300 (a subnormal τ would make the interval infinite).
  const tau = o.sequential.tau ?? ((Math.abs(control.mean + ky) > 1e-300 && 0.05 * Math.abs(control.mean + ky)) || Math.sqrt(control.variance) || 1);
  const comparisons = summaries.flatMap((t, v) => {
    if (v === c) return [];
    try {
      const d = welchDifference(t, control, o.alpha, prop);
      // A proportion with a Wald se of 0 (each arm all 0 or all 1) is not estimable: p-values 1, no lift, no posterior.
      const estimable = !prop || d.se > 0;
      const p1 = <T>(i: T) => (estimable ? i : { ...i, pValue: 1 });
      const b = prop ? welchDifference(beta(t), beta(control), o.alpha, prop) : d;
      // The lift L = Δ/ȳ꜀ over the control's unadjusted mean (GrowthBook's with CUPED), by the delta method: Δ and
      // ȳ꜀ are correlated (CUPED's Δ and the adjusted means share θ and x̄), so its variance is that of the
      // treatment's adjusted values plus the control's (1 + L)y − θx, over ȳ꜀² — (s²ₜ/nₜ + (1 + L)²s²꜀/n꜀)/ȳ꜀²
      // without CUPED. Over |ȳ꜀| (gbstats'), so that its sign is Δ's; the variance is the same. A control mean of 0
      // gives no finite interval: null.
      const r = 1 + d.estimate / yc;
      return [{
        variantId: s.variantIds[v]!,
        control: s.variantIds[c]!,
        difference: p1(d),
        relative: estimable ? lift(d.estimate / Math.abs(yc), Math.sqrt(t.variance / t.n + adjusted(ac, r) / ac.n) / Math.abs(yc), t, control, o.alpha, prop) : null,
        sequential: { ...p1(sequentialInterval(d.estimate, d.se, o.alpha, tau)), tau },
        bayesian: bayesianSummary(b.estimate, b.se),
        estimable,
        adjustedPValue: 0,
        significant: false,
      }];
    } catch (e) {
      // An interval beyond the largest double: of the statistics as a whole (sums near it, or references that put
      // the control's mean, and so the default τ, below the smallest normal double).
      throw invalidInput((e as Error).message);
    }
  });
  // Holm across the treatments, filled in once every p-value is known.
  holmAdjust(comparisons.map((r) => r.difference.pValue)).forEach((p, i) => Object.assign(comparisons[i]!, { adjustedPValue: p, significant: p < o.alpha }));
  const srm = sampleRatioMismatch(s.units, o.expectedShares ?? s.variantIds.map(() => 1), o.srmThreshold);
  return { experimentId: s.experimentId, metric: o.metric, kind: o.kind, alpha: o.alpha, control: s.variantIds[c]!, variants, comparisons, cuped, srm, correction: 'holm' };
}
