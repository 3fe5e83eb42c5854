/**
 * The telemetry port of the journeys runner: called once per instance step the runner processes, after the step
 * is saved (or lost, or failed), and optionally when it starts. `crosschannel/adapters/otel` implements it on OpenTelemetry (a span per step,
 * step and action counters, a step-duration histogram); anything else (logs, StatsD) can too.
 */
import { quietly } from '../core/errors.js';
import type { JourneyAction } from './actions.js';

/**
 * One processed step.
 *
 * @example
 * ```ts
 * const t: JourneyTelemetry = { step: (s: JourneyStepTelemetry) => console.log(s.journeyId, s.fromStep, '→', s.toStep, s.outcome, s.ms) };
 * ```
 */
export interface JourneyStepTelemetry {
  readonly journeyId: string;
  readonly version: number;
  readonly instanceId: string;
  readonly subjectId: string;
  /** The step the instance was at when claimed, and where the step left it (absent when it failed). */
  readonly fromStep: string;
  readonly toStep?: string;
  /** `completed` (saved), `lost` (the lease had passed to another runner: nothing saved) or `failed` (an error). */
  readonly outcome: 'completed' | 'lost' | 'failed';
  /** The instance status after the step (`active`, `completed`, `exited`, …), absent when it failed. */
  readonly status?: string;
  /**
   * The actions the step performed (sends, tasks, answers, opt-outs …): those whose handler returned, whatever the
   * outcome. A step that failed after its send still reports the send (it happened; the retry after the lease hands
   * the handler the same key again).
   */
  readonly actions: ReadonlyArray<Pick<JourneyAction, 'kind'> & { readonly channel?: string }>;
  /** Duration of the step (loading inputs, advancing, performing the actions, saving), from the runner's clock. */
  readonly ms: number;
  /**
   * The error code (`ERROR` for an error that is not a `CrossChannelError`) and message of a failed step. The message
   * is free text (a handler's or a store's own, which may name a person): log it where personal data may go; the OTel
   * adapter exports only the code.
   */
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Where the runner reports its steps. Off by default; a sink that throws is ignored (observability never changes
 * what the runner does).
 *
 * @example
 * ```ts
 * const steps = new Map<string, number>();
 * const telemetry: JourneyTelemetry = { step: (s) => steps.set(s.outcome, (steps.get(s.outcome) ?? 0) + 1) };
 * ```
 */
export interface JourneyTelemetry {
  /**
   * Optional: the runner starts a claimed step (before loading its inputs); `step` is then called once for it, with
   * what this returned. The OpenTelemetry adapter starts the step's span here, so the span is stamped by the tracer
   * when the step starts and lies under the caller's active span (e.g. a span around `tick`).
   */
  start?(): unknown;
  step(event: JourneyStepTelemetry, started?: unknown): void;
}

/** Calls the sink's `start` (when it has one), swallowing its errors. @internal */
export const startStep = (telemetry: JourneyTelemetry): unknown => quietly(() => telemetry.start?.());

/** Calls the sink, swallowing its errors: a broken exporter must not fail a journey step. @internal */
export const emitStep = (telemetry: JourneyTelemetry, event: JourneyStepTelemetry, started?: unknown): void => void quietly(() => telemetry.step(event, started));
