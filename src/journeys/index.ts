/**
 * `crosschannel/journeys` — durable multi-step, multi-channel conversations that branch on each person's
 * reactions: JSON definitions (versioned, statically checked), a pure engine `advance(journey, instance,
 * inputs, now)` that checks every send against consent and caps at send time, and the `JourneyStore` contract
 * the memory, Redis and PostgreSQL adapters implement. Guide: [docs/journeys.md](../../docs/journeys.md).
 *
 * @example
 * ```ts
 * import { parseJourney, startInstance, advance } from 'crosschannel/journeys';
 *
 * const journey = parseJourney({
 *   id: 'welcome', version: 1, entry: { on: { event: 'signup' } }, start: 'hello',
 *   steps: { hello: { type: 'send', channel: 'email', message: 'welcome-1' } },
 * });
 * const now = Date.parse('2026-03-02T09:00:00Z');
 * const { actions } = advance(journey, startInstance(journey, 'p-42', now), {}, now);
 * ```
 * @packageDocumentation
 *
 * @document ../../docs/journeys.md
 */
export type { JourneyErrorCode, JourneyReasonCode } from './errors.js';
export {
  journeySchema,
  stepSchema,
  entrySchema,
  signalSchema,
  conditionSchema,
  stepIdSchema,
  type JourneyDefinition,
  type JourneyDefinitionInput,
  type Step,
  type StepInput,
  type StepType,
  type Signal,
  type SignalInput,
  type ConditionInput,
} from './definition.js';
export { parseJourney, safeParseJourney, isJourney, type Journey } from './compile.js';
export type { HoldoutCheck, BestMomentCheck } from './hooks.js';
export { startInstance, canEnter, triggersEntry, type JourneyInstance, type JourneyStatus, type EntryHistory, type EntryDecision } from './instance.js';
export type { AdvanceInputs, JourneyResponse, InboundReply } from './inputs.js';
export type { JourneyAction, SendFields, TraceEntry, AdvanceResult } from './actions.js';
export { advance } from './advance.js';
export type { JourneyTelemetry, JourneyStepTelemetry } from './telemetry.js';
export { matchReply, replyWords, type ReplyMatch, type ExpectedReply } from './reply.js';
export { nextLocalTime } from './schedule.js';
export {
  entryPlan,
  inboxInputs,
  type JourneyStore,
  type JourneyInput,
  type JourneyClaim,
  type ClaimOptions,
  type EntryPlan,
  type EnrolResult,
} from './store.js';
export { createJourneyRunner, type JourneyRunner, type JourneyRunnerOptions, type JourneyHandlers, type PersonContext, type TickResult } from './runner.js';
export { diffJourney, migrateInstance, type StepMapping, type PlannedMove, type JourneyDiff } from './migrate.js';
export { simulateJourney, type SimulatedPerson, type ResponseModel, type ResponseRates, type SimulationOptions, type SimulationReport } from './simulate.js';
