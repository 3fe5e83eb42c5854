/**
 * `crosschannel/adapters/otel` — OpenTelemetry for `decide`: one `crosschannel.decide` span per call with a
 * child span per stage, and the decision, refusal and store-latency metrics. The entry has no runtime
 * import of `@opentelemetry/api`: you pass the API object, so users who do not install it load nothing.
 * See [Telemetry in docs/decide.md](../../../docs/decide.md#telemetry).
 * @packageDocumentation
 */
import type { DecideTelemetry, DecisionTelemetry } from '../../decide/telemetry.js';
import type { JourneyStepTelemetry, JourneyTelemetry } from '../../journeys/telemetry.js';
import { inputError } from '../../core/errors.js';
import { expectFunction, expectObject, expectOptions } from '../../core/guards.js';

/** The package's version: the instrumentation scope's version of the tracer and meter (held equal to package.json by a test). */
const PACKAGE_VERSION = '0.1.0';

/** Attribute values as OpenTelemetry accepts them. */
type Attributes = Record<string, string | number | boolean>;

/**
 * The part of an OpenTelemetry `Span` the adapter uses (structural, so `@opentelemetry/api` is not needed
 * at build time).
 *
 * @example
 * ```ts
 * declare const api: OtelApiLike; // `import * as api from '@opentelemetry/api'`
 * const span: OtelSpanLike = api.trace.getTracer('x').startSpan('y');
 * span.end();
 * ```
 */
export interface OtelSpanLike {
  setAttributes(attributes: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  addEvent(name: string, attributes?: Attributes, time?: number): unknown;
  end(endTime?: number): void;
}

/**
 * The part of the OpenTelemetry API object the adapter uses: `trace`, `context` and `metrics` of
 * `@opentelemetry/api` (pass `import * as api from '@opentelemetry/api'`).
 *
 * @example
 * ```ts
 * declare const api: OtelApiLike; // `import * as api from '@opentelemetry/api'` fits this shape
 * const tracer = api.trace.getTracer('crosschannel');
 * ```
 */
export interface OtelApiLike {
  readonly trace: {
    getTracer(name: string, version?: string): { startSpan(name: string, options?: { startTime?: number; attributes?: Attributes }, context?: unknown): OtelSpanLike };
    setSpan(context: never, span: never): unknown;
  };
  readonly context: { active(): unknown };
  readonly metrics: {
    getMeter(name: string, version?: string): {
      createCounter(name: string, options?: { description?: string; unit?: string }): { add(value: number, attributes?: Attributes): void };
      createHistogram(name: string, options?: { description?: string; unit?: string }): { record(value: number, attributes?: Attributes): void };
    };
  };
}

/**
 * Options of {@link otelTelemetry}.
 *
 * @example
 * ```ts
 * const options: OtelTelemetryOptions = { name: 'checkout-service', wallClock: () => Date.now() };
 * ```
 */
export interface OtelTelemetryOptions {
  /** Instrumentation scope name (default `crosschannel`). */
  readonly name?: string;
  /**
   * Wall clock in epoch ms (default `Date.now`): dates journey step spans, and a decide span only when the tracer's span
   * does not expose the start it stamped (the SDK's does). Stage durations come from the trace.
   */
  readonly wallClock?: () => number;
  /**
   * How stages appear: `spans` (default, one child span per stage) or `events` (one span event per stage on
   * the decide span, about half the cost; see bench/telemetry.ts).
   */
  readonly stages?: 'spans' | 'events';
}

/** Stages that are store round trips: their durations feed `crosschannel.store.duration`. */
const STORE_STAGES: Record<string, string> = { identity: 'identity', load: 'history', reserve: 'contact_history' };

/**
 * Checks what plain JavaScript may pass: the API object's `trace`, `context` and `metrics` and the functions the
 * adapter calls on them, and the options, so a wrong argument is an `INPUT_INVALID` naming it when the adapter is
 * made, not a `TypeError` at the first decision.
 */
function checkArguments(api: unknown, options: unknown, spans: boolean): void {
  expectObject(api, ['api']);
  const a = api as Record<string, Record<string, unknown> | undefined>;
  for (const [part, fns] of [['trace', spans ? ['getTracer', 'setSpan'] : ['getTracer']], ['context', spans ? ['active'] : []], ['metrics', ['getMeter']]] as const) {
    if (fns.length > 0) expectObject(a[part], ['api', part]);
    for (const fn of fns) expectFunction(a[part]![fn], ['api', part, fn]);
  }
  expectOptions(options, ['options']);
  const o = (options ?? {}) as Record<string, unknown>;
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) throw inputError('name must be a non-empty string', ['options', 'name']);
  if (o.wallClock !== undefined) expectFunction(o.wallClock, ['options', 'wallClock']);
  if (o.stages !== undefined && o.stages !== 'spans' && o.stages !== 'events') throw inputError(`stages must be 'spans' or 'events'`, ['options', 'stages']);
}

/**
 * A span started now under the active context, and its start in epoch ms: the SDK's span exposes the start it
 * stamped (`startTime`, an HrTime); another implementation's is read from `wall` just after.
 */
function begin(tracer: ReturnType<OtelApiLike['trace']['getTracer']>, name: string, wall: () => number): [OtelSpanLike, number] {
  const span = tracer.startSpan(name);
  const t = (span as { startTime?: unknown }).startTime;
  return [span, Array.isArray(t) ? t[0] * 1e3 + t[1] / 1e6 : wall()];
}

/**
 * Marks a span failed as the OpenTelemetry semantic conventions for errors ask: `error.type`, error status and, with
 * `at`, an `exception` event, all carrying the error's code only. Its message is never copied: free text may hold a
 * caller's value (`requestId "…" was used for another decision`) or a store's own text (`STORE_ERROR` quotes it).
 */
function fail(span: OtelSpanLike, code: string, at?: number): void {
  span.setAttributes({ 'error.type': code });
  span.setStatus({ code: 2, message: code }); // SpanStatusCode.ERROR
  if (at !== undefined) span.addEvent('exception', { 'exception.type': code }, at);
}

/**
 * A {@link DecideTelemetry} on OpenTelemetry. Per decision: a `crosschannel.decide` span (attributes
 * `crosschannel.channel`, `crosschannel.outcome`, `crosschannel.offers`, `crosschannel.request_id`,
 * `crosschannel.refusal_reasons`, `crosschannel.error_code`) with one child span `crosschannel.decide.<stage>`
 * per stage that ran, laid end to end from the stage timings `decide` records; metrics
 * `crosschannel.decide.decisions` {channel, outcome}, `crosschannel.decide.refusals` {reason} and
 * `crosschannel.store.duration` (ms) {store, operation, status}. Counters carry UCUM annotation units (`{decision}`,
 * `{refusal}`); the tracer and meter carry the package's version as their instrumentation scope's.
 *
 * The decide span starts when the decision does (the port's `start`), under the caller's active span and stamped by
 * the tracer, so it never starts before its caller; the stage spans are laid from that start and the decide span
 * ends with the last. A failure sets `error.type` (the code), an error status whose description is the code, and an
 * `exception` event with `exception.type` on the failing stage; the error's message, free text that may quote a
 * caller's value or a store's own text, is never exported.
 *
 * @example
 * ```ts
 * import { parseDecideConfig } from 'crosschannel/decide';
 * declare const api: OtelApiLike; // `import * as api from '@opentelemetry/api'`
 * const config = parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] } }, { telemetry: otelTelemetry(api) });
 * ```
 */
export function otelTelemetry(api: OtelApiLike, options: OtelTelemetryOptions = {}): DecideTelemetry {
  checkArguments(api, options, (options as OtelTelemetryOptions | null)?.stages !== 'events');
  const scope = options.name ?? 'crosschannel';
  const wall = options.wallClock ?? Date.now;
  const asEvents = options.stages === 'events';
  const tracer = api.trace.getTracer(scope, PACKAGE_VERSION);
  const meter = api.metrics.getMeter(scope, PACKAGE_VERSION);
  const decisions = meter.createCounter('crosschannel.decide.decisions', { description: 'Decisions by channel and outcome', unit: '{decision}' });
  const refusals = meter.createCounter('crosschannel.decide.refusals', { description: 'Refusal reasons of decisions without contact', unit: '{refusal}' });
  const storeDuration = meter.createHistogram('crosschannel.store.duration', { description: 'Store round trips of decide stages', unit: 'ms' });
  const DECIDE = 'crosschannel.decide';
  return {
    // The span starts when the decision does, under the caller's active span, stamped by the SDK itself (the clock of
    // the caller's span); the stages are laid from that start. The SDK's span exposes it (`startTime`, an HrTime);
    // another implementation's is read from `wallClock` just after.
    start: () => begin(tracer, DECIDE, wall),
    decision(d: DecisionTelemetry, started?: unknown): void {
      const t = d.trace;
      // Without `start` (it threw), dated after the fact.
      const [root, start] = (started as [OtelSpanLike, number] | undefined) ?? ((at: number) => [tracer.startSpan(DECIDE, { startTime: at }), at] as const)(wall() - t.totalMs);
      const attributes: Attributes = { 'crosschannel.channel': t.channel, 'crosschannel.outcome': d.outcome, 'crosschannel.offers': d.offers, 'crosschannel.request_id': t.requestId };
      if (d.reasons.length) attributes['crosschannel.refusal_reasons'] = d.reasons.map((r) => r.code).join(',');
      if (d.error) attributes['crosschannel.error_code'] = d.error.code;
      root.setAttributes(attributes);
      if (d.error) fail(root, d.error.code);
      const parent = asEvents ? undefined : api.trace.setSpan(api.context.active() as never, root as never);
      let cursor = start;
      for (const s of t.stages) {
        const stageAttrs: Attributes = { 'crosschannel.stage': s.stage, 'crosschannel.stage.status': s.status, 'crosschannel.stage.ms': s.ms };
        for (const [k, v] of Object.entries(s.output)) stageAttrs[`crosschannel.stage.output.${k}`] = v;
        if (s.removed.length) stageAttrs['crosschannel.stage.removed'] = s.removed.length;
        if (asEvents) {
          if (s.error) stageAttrs['crosschannel.error_code'] = s.error.code;
          root.addEvent(`${DECIDE}.${s.stage}`, stageAttrs, cursor + s.ms);
          cursor += s.ms;
        } else {
          const span = tracer.startSpan(`${DECIDE}.${s.stage}`, { startTime: cursor, attributes: stageAttrs }, parent);
          cursor += s.ms;
          if (s.error) fail(span, s.error.code, cursor);
          span.end(cursor);
        }
        const store = STORE_STAGES[s.stage];
        if (store !== undefined && s.status !== 'skipped') storeDuration.record(s.ms, { store, operation: s.stage, status: s.status });
      }
      // It ends with its last stage, so every stage lies inside it.
      root.end(cursor);
      decisions.add(1, { channel: t.channel, outcome: d.outcome });
      for (const r of d.reasons) refusals.add(1, { reason: r.code });
    },
  };
}

/**
 * A {@link JourneyTelemetry} on OpenTelemetry for `createJourneyRunner`: a `crosschannel.journey.step` span per
 * processed step (attributes `crosschannel.journey`, `crosschannel.journey.version`, `crosschannel.instance`,
 * `crosschannel.step.from`, `crosschannel.step.to`, `crosschannel.outcome`, `crosschannel.status`,
 * `crosschannel.actions`, `crosschannel.error_code`; on failure `error.type`, error status and an `exception` event
 * carrying the code, never the message; one event per action performed, a failed step's too), and metrics
 * `crosschannel.journey.steps` {journey, outcome}, `crosschannel.journey.actions` {journey, kind, channel} and
 * `crosschannel.journey.step.duration` (ms) {journey, outcome}.
 *
 * @example
 * ```ts
 * import { createJourneyRunner, type JourneyRunnerOptions } from 'crosschannel/journeys';
 * declare const api: OtelApiLike; // `import * as api from '@opentelemetry/api'`
 * declare const options: JourneyRunnerOptions;
 * const runner = createJourneyRunner({ ...options, telemetry: otelJourneyTelemetry(api) });
 * ```
 */
export function otelJourneyTelemetry(api: OtelApiLike, options: Pick<OtelTelemetryOptions, 'name' | 'wallClock'> = {}): JourneyTelemetry {
  checkArguments(api, options, false);
  const scope = options.name ?? 'crosschannel';
  const wall = options.wallClock ?? Date.now;
  const tracer = api.trace.getTracer(scope, PACKAGE_VERSION);
  const meter = api.metrics.getMeter(scope, PACKAGE_VERSION);
  const steps = meter.createCounter('crosschannel.journey.steps', { description: 'Journey steps processed by the runner, by outcome', unit: '{step}' });
  const actions = meter.createCounter('crosschannel.journey.actions', { description: 'Actions performed by journey steps, by kind and channel', unit: '{action}' });
  const duration = meter.createHistogram('crosschannel.journey.step.duration', { description: 'Duration of a journey step in the runner', unit: 'ms' });
  const STEP = 'crosschannel.journey.step';
  return {
    // As decide's: the span starts when the step does, under the caller's active span, stamped by the tracer.
    start: () => begin(tracer, STEP, wall),
    step(s: JourneyStepTelemetry, started?: unknown): void {
      // Without `start` (a sink without it, or it threw), dated after the fact.
      const [span, end] = started === undefined ? [undefined, wall()] : [(started as [OtelSpanLike, number])[0], (started as [OtelSpanLike, number])[1] + s.ms];
      const attributes: Attributes = {
        'crosschannel.journey': s.journeyId,
        'crosschannel.journey.version': s.version,
        'crosschannel.instance': s.instanceId,
        'crosschannel.step.from': s.fromStep,
        'crosschannel.outcome': s.outcome,
        'crosschannel.actions': s.actions.length,
      };
      if (s.toStep !== undefined) attributes['crosschannel.step.to'] = s.toStep;
      if (s.status !== undefined) attributes['crosschannel.status'] = s.status;
      if (s.error) attributes['crosschannel.error_code'] = s.error.code;
      const step = span ?? tracer.startSpan(STEP, { startTime: end - s.ms });
      step.setAttributes(attributes);
      if (s.error) fail(step, s.error.code, end);
      for (const a of s.actions) step.addEvent(`crosschannel.journey.action.${a.kind}`, a.channel === undefined ? {} : { 'crosschannel.channel': a.channel }, end);
      step.end(end);
      steps.add(1, { journey: s.journeyId, outcome: s.outcome });
      for (const a of s.actions) actions.add(1, a.channel === undefined ? { journey: s.journeyId, kind: a.kind } : { journey: s.journeyId, kind: a.kind, channel: a.channel });
      duration.record(s.ms, { journey: s.journeyId, outcome: s.outcome });
    },
  };
}

