/**
 * `crosschannel/attribution` — multi-touch attribution: journeys from raw touchpoints of every channel,
 * rule-based models, Markov removal effects (order 1–4, solved exactly), Shapley values (exact by sums over
 * subsets, sampled beyond), mergeable statistics for sharded and warehouse runs, and a report with an SVG
 * chart. See docs/attribution.md.
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
 */
export * from './journeys.js';
export * from './models.js';
export * from './heuristic.js';
export * from './stats.js';
export * from './paths.js';
export * from './markov.js';
export * from './shapley.js';
export * from './attribute.js';
export * from './report.js';
export * from './sql.js';
export * from './errors.js';
