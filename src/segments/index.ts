/**
 * `crosschannel/segments` — one audience rule language for every channel: JSON rules over profile attributes
 * and behaviour events, compiled once, evaluated per event or over whole populations, explained, and RFM.
 * Guide: [docs/segments.md](../../docs/segments.md).
 * @packageDocumentation
 *
 * @document ../../docs/segments.md
 */
export {
  type AgeCondition,
  type RfmCondition,
  type AggregateCondition,
  type AnniversaryCondition,
  ATTRIBUTE_OPERATORS,
  type AttributeCondition,
  attributeConditionSchema,
  type AttributeOperator,
  attributePathSchema,
  type CountCondition,
  type EventFilter,
  eventFilterSchema,
  NUMERIC_OPERATORS,
  type OccurrenceCondition,
  parseSegmentRule,
  parseSegments,
  type PropertyCondition,
  propertyConditionSchema,
  referencedSegments,
  type RuleKind,
  scalarSchema,
  SEGMENT_LIMITS,
  type SegmentDefinition,
  type SegmentDefinitionInput,
  segmentDefinitionSchema,
  type SegmentReference,
  type SegmentRule,
  segmentRuleSchema,
  segmentsJsonSchema,
  type SequenceCondition,
  type TimeCondition,
  type Window,
  windowSchema,
} from './dsl.js';
export { compileGlob, compileSafeRegex, type SafePattern } from './pattern.js';
export type { EvalContext, Profile } from './conditions.js';
export {
  type CompiledNode,
  type CompiledSegments,
  compileNode,
  compileSegment,
  type CompileSegmentOptions,
  compileSegments,
  safeCompileSegments,
  type SegmentPredicate,
} from './compile.js';
export { type ConditionExplanation, explainSegment, type SegmentExplanation } from './explain.js';
export {
  applyEvents,
  type BatchChanges,
  type BatchOptions,
  type BatchResult,
  diffMemberships,
  evaluateBatch,
  type IncrementalInput,
  type IncrementalResult,
  type MembershipChange,
  mergeBatchResults,
  mergeEvents,
  refreshBatch,
  type RefreshSubject,
  type SegmentSubject,
} from './batch.js';
export {
  fitRfm,
  parseRfmMapping,
  RFM_SEGMENTS,
  type RfmClassifier,
  type RfmEventOptions,
  type RfmInput,
  rfmInputFromEvents,
  type RfmMapping,
  rfmMappingSchema,
  type RfmModel,
  type RfmScore,
  rfmScores,
  scoreRfm,
} from './rfm.js';
export { type EventReadOptions, type EventStore, parseEventBatch } from './store.js';
export { type SegmentErrorCode, type SegmentReasonCode } from './errors.js';
export {
  segmentsSql,
  segmentsFromSql,
  segmentsIntoSql,
  segmentsIntoSqlTargetSchema,
  segmentsSqlOptionsSchema,
  type SegmentsIntoSqlTarget,
  type SegmentsSqlOptionsInput,
  type SqlMembershipCounts,
  type SqlMemberships,
} from './sql.js';
