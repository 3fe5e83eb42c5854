/**
 * `crosschannel/attribution` — multi-touch attribution: journeys from raw touchpoints of every channel,
 * rule-based models, Markov removal effects (order 1–4, solved exactly), Shapley values (exact by sums over
 * subsets, sampled beyond), mergeable statistics for sharded and warehouse runs, and a report with an SVG
 * chart. Guide: [docs/attribution.md](../../docs/attribution.md).
 *
 * @example
 * ```ts
 * import { buildJourneys, compareModels, formatAttributionTable, renderAttributionSvg, type TouchpointRow, type ConversionRow } from 'crosschannel/attribution';
 * declare const touchpoints: TouchpointRow[];
 * declare const conversions: ConversionRow[];
 * const comparison = compareModels(buildJourneys(touchpoints, conversions));
 * console.log(formatAttributionTable(comparison));
 * const svg = renderAttributionSvg(comparison);
 * ```
 * @packageDocumentation
 *
 * @document ../../docs/attribution.md
 */
export {
  buildJourneys,
  buildJourneysAsync,
  type ConversionInput,
  type ConversionRow,
  type Journey,
  type JourneyOptions,
  type JourneyOptionsInput,
  journeyOptionsSchema,
  journeysFromHistory,
  parseJourneyOptions,
  safeBuildJourneys,
  streamJourneys,
  type SubjectRows,
  type TouchpointInput,
  type TouchpointRow,
} from './journeys.js';
export {
  type AttributionConfig,
  type AttributionConfigInput,
  attributionConfigSchema,
  DEFAULT_MODELS,
  describeModel,
  MODEL_KINDS,
  type ModelKind,
  type ModelSpec,
  type ModelSpecInput,
  modelSpecSchema,
  parseAttributionConfig,
  type PositionWeight,
  RULE_MODEL_KINDS,
  safeParseAttributionConfig,
} from './models.js';
export { ruleWeights } from './heuristic.js';
export {
  AttributionStatistics,
  type AttributionStatisticsJSON,
  type ChannelSetCounts,
  collectStatistics,
  collectStatisticsAsync,
  createStatistics,
  type JourneyTotals,
  type MarkovCounts,
  MAX_CHANNELS,
  statisticsFromJSON,
  TO_CONVERSION,
  TO_NULL,
  transitionCounts,
} from './stats.js';
export { addPaths, parsePath, type PathRow, statisticsFromPaths } from './paths.js';
export { type MarkovSolution, solveMarkov } from './markov.js';
export { type ShapleyOptions, type ShapleySolution, solveShapley } from './shapley.js';
export {
  attribute,
  type AttributionComparison,
  type AttributionResult,
  type AttributionTotals,
  type ChannelCredit,
  compareModels,
  compareModelsAsync,
  computeAttribution,
  type MarkovDetail,
  type ShapleyDetail,
} from './attribute.js';
export {
  type AttributionMetric,
  type AttributionSvgOptions,
  attributionTable,
  type AttributionTable,
  formatAttributionTable,
  type FormatTableOptions,
  renderAttributionSvg,
} from './report.js';
export {
  attributionSql,
  type AttributionSql,
  type AttributionSqlOptionsInput,
  attributionSqlOptionsSchema,
  statisticsFromSql,
} from './sql.js';
export { type AttributionErrorCode } from './errors.js';
