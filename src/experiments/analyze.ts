import * as z from 'zod/mini';
import { enumSchema, booleanSchema, gtCheck, ltCheck, numberSchema } from '../core/zod.js';
import { CrossChannelError, parseWith, quoted } from '../core/errors.js';
import { idSchema } from '../core/schema.js';
import { bayesianSummary, holmAdjust, relativeLift, sequentialInterval, welchDifference, type ArmSummary, type BayesianSummary, type Interval } from './effects.js';
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
    /** `mean` (Welch t) or `proportion` (z; for 0/1 metrics such as conversion). Default `mean`. */
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
     * control mean (a guess; fix it in advance for strict validity).
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
  /** Relative lift (delta method); null when the control mean is 0. */
  readonly relative: Interval | null;
  /** Always-valid interval of the difference (safe to peek at every day). */
  readonly sequential: Interval & { readonly tau: number };
  readonly bayesian: BayesianSummary;
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
  if (V < 2) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_STATS_INVALID', 'An analysis needs at least two variants', { path: ['variantIds'] });
  const c = o.control === undefined ? 0 : s.variantIds.indexOf(o.control);
  if (c < 0) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_UNKNOWN', `No variant ${quoted(o.control)}`, { path: ['options', 'control'] });
  s.units.forEach((u, i) => {
    if (u < 2) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_EMPTY_VARIANT', `Variant ${quoted(s.variantIds[i])} has ${u} unit(s): no interval`, { path: ['units', i] });
  });
  if (o.expectedShares !== undefined && o.expectedShares.length !== V) {
    throw invalidInput('expectedShares needs one share per variant', 'options', 'expectedShares');
  }

  // Per-arm moments.
  const M = s.metricIds.length;
  const arm = (v: number) => {
    const base = (v * M + m) * MOMENTS;
    const n = s.units[v]!;
    const [sy, syy, sx, sxx, sxy] = [0, 1, 2, 3, 4].map((k) => s.moments[base + k]!) as [number, number, number, number, number];
    const my = sy / n;
    const mx = sx / n;
    return { n, sy, sx, sxx, sxy, my, mx, vy: Math.max(0, (syy - n * my * my) / (n - 1)), vx: Math.max(0, (sxx - n * mx * mx) / (n - 1)), cxy: (sxy - n * mx * my) / (n - 1) };
  };
  const arms = s.variantIds.map((_, v) => arm(v));

  // CUPED: θ from the pooled within-arm covariance; means shifted by θ(x̄_v − x̄).
  let theta = 0;
  let cuped: ExperimentAnalysis['cuped'] = null;
  if (o.cuped) {
    let num = 0;
    let den = 0;
    for (const a of arms) {
      num += a.cxy * (a.n - 1);
      den += a.vx * (a.n - 1);
    }
    if (den > 0 && Number.isFinite(num / den)) {
      theta = num / den;
      let before = 0;
      let after = 0;
      for (const a of arms) {
        before += a.vy * (a.n - 1);
        after += Math.max(0, a.vy - 2 * theta * a.cxy + theta * theta * a.vx) * (a.n - 1);
      }
      cuped = { theta, varianceReduction: before > 0 ? 1 - after / before : 0 };
    }
  }
  const totalN = arms.reduce((t, a) => t + a.n, 0);
  const grandMx = arms.reduce((t, a) => t + a.sx, 0) / totalN;
  const summaries: ArmSummary[] = arms.map((a) => ({
    n: a.n,
    mean: theta === 0 ? a.my : a.my - theta * (a.mx - grandMx),
    variance: theta === 0 ? a.vy : Math.max(0, a.vy - 2 * theta * a.cxy + theta * theta * a.vx),
  }));

  const variants: VariantSummary[] = arms.map((a, v) => ({ variantId: s.variantIds[v]!, units: a.n, mean: a.my, sd: Math.sqrt(a.vy), adjustedMean: summaries[v]!.mean }));
  const control = summaries[c]!;
  // 5 % of the control mean, unless that is 0 (a mean of 0, or one so small that 5 % of it underflows).
  const tau = o.sequential.tau ?? (0.05 * Math.abs(control.mean) || Math.sqrt(control.variance) || 1);
  const raw = summaries.flatMap((t, v) => {
    if (v === c) return [];
    const difference = welchDifference(t, control, o.alpha, o.kind === 'proportion');
    return [{ v, difference, relative: relativeLift(t, control, o.alpha), sequential: { ...sequentialInterval(difference.estimate, difference.se, o.alpha, tau), tau }, bayesian: bayesianSummary(difference.estimate, difference.se) }];
  });
  const adjusted = holmAdjust(raw.map((r) => r.difference.pValue));
  const comparisons: Comparison[] = raw.map((r, i) => ({
    variantId: s.variantIds[r.v]!,
    control: s.variantIds[c]!,
    difference: r.difference,
    relative: r.relative,
    sequential: r.sequential,
    bayesian: r.bayesian,
    adjustedPValue: adjusted[i]!,
    significant: adjusted[i]! < o.alpha,
  }));
  const srm = sampleRatioMismatch(s.units, o.expectedShares ?? s.variantIds.map(() => 1), o.srmThreshold);
  return { experimentId: s.experimentId, metric: o.metric, kind: o.kind, alpha: o.alpha, control: s.variantIds[c]!, variants, comparisons, cuped, srm, correction: 'holm' };
}
