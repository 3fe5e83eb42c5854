/**
 * `crosschannel/decide` — one explained next-best-action call across identity, consent, segments,
 * arbitration and capping, with atomic reservation in the shared contact history, and the calls that feed
 * responses and conversions back. Guide: [docs/decide.md](../../docs/decide.md).
 * @packageDocumentation
 *
 * @document ../../docs/decide.md
 */
export { decide, safeDecide } from './pipeline.js';
export { contactIdFor } from './reserve.js';
export { holdoutReason, type DecideHoldoutCheck, type WouldHaveSent } from './holdout.js';
export { parseDecideConfig, safeParseDecideConfig, isDecideConfig, compiledDecideConfig, decideConfigSchema, type DecideConfig, type DecideConfigInput, type ParseDecideConfigOptions } from './config.js';
export {
  decideRequestSchema,
  parseDecideRequest,
  safeParseDecideRequest,
  seenIdentifierSchema,
  responseRequestSchema,
  conversionRequestSchema,
  type DecideRequest,
  type DecideRequestInput,
  type ResponseRequest,
  type ResponseRequestInput,
  type ConversionRequest,
  type ConversionRequestInput,
  type DecideResult,
  type DecideFailure,
  type ChosenOffer,
  type AlternativeChannel,
} from './request.js';
export { recordResponse, recordConversion, type RecordedResponse, type RecordedConversion } from './record.js';
export { rekeyHistories } from './rekey.js';
export { maskIdentifier } from './mask.js';
export type { DecideStores, ProfileSource } from './stores.js';
export type { LoadedState } from './load.js';
export type { DecideErrorCode, DecideReasonCode } from './errors.js';
export { withDeadline, allWithDeadline, storeError, type DecideErrorDetail } from './deadline.js';
export { noTelemetry, type DecideTelemetry, type DecisionTelemetry } from './telemetry.js';
export { decideScheduled, type DecideBestMoment, type ScheduledDecision } from './schedule.js';
export {
  DECIDE_STAGES,
  formatTrace,
  withoutTimings,
  performanceClock,
  type DecideStage,
  type DecisionTrace,
  type StageTrace,
  type RemovedItem,
  type TraceClock,
} from './trace.js';
