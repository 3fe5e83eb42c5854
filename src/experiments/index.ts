/**
 * `crosschannel/experiments` — A/B/n tests and holdouts across every channel: GrowthBook-compatible assignment
 * (hash versions 1 and 2, bucket ranges, coverage, namespaces), a global holdout and per-experiment holdouts,
 * exposures in the shared history, sticky assignments, and the analysis of uplift with honest intervals. Guide:
 * [docs/experiments.md](../../docs/experiments.md).
 *
 * @example
 * ```ts
 * import { parseExperiment, assign } from 'crosschannel/experiments';
 *
 * declare const now: number;
 *
 * const exp = parseExperiment({ id: 'subject-line', variants: [{ id: 'control' }, { id: 'emoji' }] });
 * assign(exp, 'person-42', { now }).variantId; // 'control' or 'emoji', the same as GrowthBook's SDK
 * ```
 * @packageDocumentation
 *
 * @document ../../docs/experiments.md
 */
export type { ExperimentErrorCode, ExperimentReasonCode } from './errors.js';
export { bucketHash, fnv1a32 } from './hash.js';
export { bucketRanges, chooseVariant, equalWeights } from './ranges.js';
export {
  HOLDOUT_VARIANT_ID,
  experimentSchema,
  holdoutSchema,
  parseExperiment,
  parseHoldout,
  isCompiledExperiment,
  isCompiledHoldout,
  type ExperimentInput,
  type ExperimentDefinition,
  type TargetingPredicate,
  type AssignContext,
  type Assignment,
  type CompiledExperiment,
  type CompiledHoldout,
  type HoldoutInput,
  type ParseExperimentOptions,
} from './config.js';
export { assign, experimentBucket, isHeldOut } from './assign.js';
export { experimentSetSchema, parseExperimentSet, assignAll, experimentById, type ExperimentSetInput, type CompiledExperimentSet } from './set.js';
export { createHoldoutCheck, type HoldoutCheck, type HoldoutCheckOptions } from './holdout.js';
export { EXPOSURE_EVENT_TYPE, WOULD_HAVE_SENT_EVENT_TYPE, exposureEvent, wouldHaveSentEvent, type ExposureInput } from './exposure.js';
export {
  stickyAssignmentSchema,
  parseStickyAssignment,
  enroll,
  type StickyAssignment,
  type AssignmentStore,
  type EnrollUnit,
  type Enrollment,
} from './store.js';
export { normalCdf, normalPdf, normalQuantile, studentTCdf, studentTQuantile, chiSquareSurvival } from './distributions.js';
export { MOMENTS, emptyExperimentStats, checkExperimentStats, mergeExperimentStats, statsFromColumns, type ExperimentStats, type UnitColumns } from './stats.js';
export { welchDifference, relativeLift, sequentialInterval, bayesianSummary, holmAdjust, type Interval, type ArmSummary, type BayesianSummary } from './effects.js';
export { sampleRatioMismatch, type SrmCheck } from './srm.js';
export {
  analysisOptionsSchema,
  analyzeExperiment,
  type AnalysisOptionsInput,
  type VariantSummary,
  type Comparison,
  type ExperimentAnalysis,
} from './analyze.js';
export { metricSchema, parseMetrics, firstExposure, statsFromHistories, type MetricInput, type Metric } from './metrics.js';
export { experimentSqlOptionsSchema, experimentStatsSql, statsFromSql, type ExperimentSqlOptionsInput, type ExperimentStatsSql } from './sql.js';
export { experimentReport, experimentReportHtml, type ExperimentReport, type ExperimentReportRow } from './report.js';
