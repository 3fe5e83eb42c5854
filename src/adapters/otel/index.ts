/**
 * `crosschannel/adapters/otel` — OpenTelemetry for `decide`: one `crosschannel.decide` span per call with a
 * child span per stage, and the decision, refusal and store-latency metrics. The entry has no runtime
 * import of `@opentelemetry/api`: you pass the API object, so users who do not install it load nothing.
 * See [Telemetry in docs/decide.md](../../../docs/decide.md#telemetry).
 * @packageDocumentation
 */
import type { DecideTelemetry, DecisionTelemetry } from '../../decide/telemetry.js';
import type { JourneyStepTelemetry, JourneyTelemetry } from '../../journeys/telemetry.js';
import { CrossChannelError } from '../../core/errors.js';
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
  /** Whether the tracer records the span (the API's spans all have it; a span without it is taken as recorded). */
  isRecording?(): boolean;
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
      createHistogram(name: string, options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } }): { record(value: number, attributes?: Attributes): void };
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

/**
 * Durations are in seconds, as the semantic conventions ask of every duration metric (`s`, UCUM), with bucket advice
 * from half a millisecond (an in-memory or Redis round trip) to 10 s: the SDK's default boundaries (0, 5, 10, … 10,000)
 * would put every measurement in seconds into one or two buckets.
 */
const SECONDS = { unit: 's', advice: { explicitBucketBoundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] } };

/** `error.type` for a failure's metrics and spans (the code), nothing for a success (as the semantic conventions for errors ask). */
const errorType = (e?: { code: string }): Attributes => (e ? { 'error.type': e.code } : {});

/** An option of the right kind but the wrong value: `CONFIG_INVALID` at `options.<name>`. */
const badOption = (message: string, name: string): CrossChannelError => new CrossChannelError('CONFIG_INVALID', message, { path: ['options', name] });

/** Stages that are store round trips: their durations feed `crosschannel.store.duration`. */
const STORE_STAGES: Record<string, string> = { identity: 'identity', load: 'history', reserve: 'contact_history' };

type Tracer = ReturnType<OtelApiLike['trace']['getTracer']>;
type Meter = ReturnType<OtelApiLike['metrics']['getMeter']>;

/** `value`, once checked to be an object with the functions `fns` (`INPUT_INVALID` at `path` or `path.<fn>` otherwise). */
function shaped<T>(value: T, path: string[], fns: string[]): T {
  expectObject(value, path);
  for (const fn of fns) expectFunction((value as Record<string, unknown>)[fn], [...path, fn]);
  return value;
}

/**
 * The adapter's tracer, meter and wall clock, after checking what plain JavaScript may pass: the API object's `trace`,
 * `context` and `metrics`, the functions the adapter calls on them and on the tracer and meter they give (whose path
 * is the function that gave them), and the options; so a wrong argument is a typed error naming it when the adapter is
 * made, not a `TypeError` then or at the first decision.
 */
function scopeOf(api: OtelApiLike, options: OtelTelemetryOptions, spans: boolean): [Tracer, Meter, () => number] {
  expectObject(api, ['api']);
  shaped(api.trace, ['api', 'trace'], spans ? ['getTracer', 'setSpan'] : ['getTracer']);
  if (spans) shaped(api.context, ['api', 'context'], ['active']);
  shaped(api.metrics, ['api', 'metrics'], ['getMeter']);
  expectOptions(options, ['options']);
  const o = (options ?? {}) as Record<string, unknown>;
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) throw badOption('name must be a non-empty string', 'name');
  if (o.wallClock !== undefined && typeof o.wallClock !== 'function') throw badOption('wallClock must be a function', 'wallClock');
  if (o.stages !== undefined && o.stages !== 'spans' && o.stages !== 'events') throw badOption(`stages must be 'spans' or 'events'`, 'stages');
  const scope = options.name ?? 'crosschannel';
  return [
    shaped(api.trace.getTracer(scope, PACKAGE_VERSION), ['api', 'trace', 'getTracer'], ['startSpan']),
    shaped(api.metrics.getMeter(scope, PACKAGE_VERSION), ['api', 'metrics', 'getMeter'], ['createCounter', 'createHistogram']),
    options.wallClock ?? Date.now,
  ];
}

/**
 * A span started now under the active context, and its start in epoch ms: the SDK's span exposes the start it
 * stamped (`startTime`, an HrTime); another implementation's is read from `wall` just after.
 */
function begin(tracer: Tracer, name: string, wall: () => number): [OtelSpanLike, number] {
  const span = tracer.startSpan(name);
  const t = (span as { startTime?: unknown }).startTime;
  return [span, Array.isArray(t) ? t[0] * 1e3 + t[1] / 1e6 : wall()];
}

/**
 * Marks a span failed as the OpenTelemetry semantic conventions for errors ask: `error.type` (the code), error status
 * and, with `at`, an `exception` event with `exception.type`. The status has no description: the conventions do not
 * recommend repeating `error.type` there, and the one thing that could go there, the error's message, is never copied:
 * free text may hold a caller's value (`requestId "…" was used for another decision`) or a store's own text
 * (`STORE_ERROR` quotes it).
 */
function fail(span: OtelSpanLike, code: string, at?: number): void {
  span.setAttributes(errorType({ code }));
  span.setStatus({ code: 2 }); // SpanStatusCode.ERROR
  if (at !== undefined) span.addEvent('exception', { 'exception.type': code }, at);
}

/**
 * A {@link DecideTelemetry} on OpenTelemetry. Per decision: a `crosschannel.decide` span (attributes
 * `crosschannel.channel`, `crosschannel.outcome`, `crosschannel.offers`, `crosschannel.request_id`,
 * `crosschannel.refusal_reasons`, `crosschannel.error_code`) with one child span `crosschannel.decide.<stage>`
 * per stage that ran, laid end to end from the stage timings `decide` records; metrics
 * `crosschannel.decide.decisions` {channel, outcome, error.type}, `crosschannel.decide.refusals` {reason} and
 * `crosschannel.store.duration` (seconds, with bucket advice) {store, operation, status, error.type}, `error.type`
 * only on failures. Counters carry UCUM annotation units (`{decision}`, `{refusal}`); the tracer and meter carry the
 * package's version as their instrumentation scope's. A decide span the tracer does not record (no-op tracer, sampled
 * out) gets no attributes and no stage spans or events; the metrics are recorded all the same.
 *
 * The decide span starts when the decision does (the port's `start`), under the caller's active span and stamped by
 * the tracer, so it never starts before its caller; the stage spans are laid from that start and the decide span
 * ends with the last. A failure sets `error.type` (the code), an error status without description, and an
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
  const [tracer, meter, wall] = scopeOf(api, options, (options as OtelTelemetryOptions | null)?.stages !== 'events');
  const asEvents = options.stages === 'events';
  const decisions = meter.createCounter('crosschannel.decide.decisions', { description: 'Decisions by channel and outcome', unit: '{decision}' });
  const refusals = meter.createCounter('crosschannel.decide.refusals', { description: 'Refusal reasons of decisions without contact', unit: '{refusal}' });
  const storeDuration = meter.createHistogram('crosschannel.store.duration', { description: 'Store round trips of decide stages', ...SECONDS });
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
      // A span the tracer does not record (a no-op tracer, or sampled out: its stages would be too) gets no attributes and
      // no stage spans or events: building them was most of the adapter's cost, for nothing. The metrics stay.
      const live = root.isRecording?.() !== false;
      let cursor = start;
      // The span ends whatever happens here (a custom API that throws midway would leave it open).
      try {
        if (live) {
          const attributes: Attributes = { 'crosschannel.channel': t.channel, 'crosschannel.outcome': d.outcome, 'crosschannel.offers': d.offers, 'crosschannel.request_id': t.requestId };
          if (d.reasons.length) attributes['crosschannel.refusal_reasons'] = d.reasons.map((r) => r.code).join(',');
          if (d.error) attributes['crosschannel.error_code'] = d.error.code;
          root.setAttributes(attributes);
          if (d.error) fail(root, d.error.code);
        }
        const parent = asEvents || !live ? undefined : api.trace.setSpan(api.context.active() as never, root as never);
        for (const s of t.stages) {
          const from = cursor;
          cursor += s.ms;
          if (live) {
            const stageAttrs: Attributes = { 'crosschannel.stage': s.stage, 'crosschannel.stage.status': s.status, 'crosschannel.stage.ms': s.ms };
            for (const [k, v] of Object.entries(s.output)) stageAttrs[`crosschannel.stage.output.${k}`] = v;
            if (s.removed.length) stageAttrs['crosschannel.stage.removed'] = s.removed.length;
            if (s.error) stageAttrs['crosschannel.error_code'] = s.error.code;
            if (asEvents) {
              root.addEvent(`${DECIDE}.${s.stage}`, stageAttrs, cursor);
            } else {
              const span = tracer.startSpan(`${DECIDE}.${s.stage}`, { startTime: from, attributes: stageAttrs }, parent);
              if (s.error) fail(span, s.error.code, cursor);
              span.end(cursor);
            }
          }
          const store = STORE_STAGES[s.stage];
          if (store !== undefined && s.status !== 'skipped') storeDuration.record(s.ms / 1e3, { store, operation: s.stage, status: s.status, ...errorType(s.error) });
        }
      } finally {
        // It ends with its last stage, so every stage lies inside it.
        root.end(cursor);
      }
      decisions.add(1, { channel: t.channel, outcome: d.outcome, ...errorType(d.error) });
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
 * `crosschannel.journey.steps` {journey, outcome, error.type}, `crosschannel.journey.actions` {journey, kind, channel}
 * and `crosschannel.journey.step.duration` (seconds) {journey, outcome, error.type}, `error.type` only on failed steps.
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
  const [tracer, meter, wall] = scopeOf(api, options, false);
  const steps = meter.createCounter('crosschannel.journey.steps', { description: 'Journey steps by outcome', unit: '{step}' });
  const actions = meter.createCounter('crosschannel.journey.actions', { description: 'Journey actions by kind and channel', unit: '{action}' });
  const duration = meter.createHistogram('crosschannel.journey.step.duration', { description: 'Journey step durations', ...SECONDS });
  const STEP = 'crosschannel.journey.step';
  return {
    // As decide's: the span starts when the step does, under the caller's active span, stamped by the tracer.
    start: () => begin(tracer, STEP, wall),
    step(s: JourneyStepTelemetry, started?: unknown): void {
      // Without `start` (a sink without it, or it threw), dated after the fact.
      const [span, end] = started === undefined ? [undefined, wall()] : [(started as [OtelSpanLike, number])[0], (started as [OtelSpanLike, number])[1] + s.ms];
      const step = span ?? tracer.startSpan(STEP, { startTime: end - s.ms });
      // As decide's: a span the tracer does not record gets nothing built for it, and it ends whatever happens.
      try {
        if (step.isRecording?.() !== false) {
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
          step.setAttributes(attributes);
          if (s.error) fail(step, s.error.code, end);
          for (const a of s.actions) step.addEvent(`crosschannel.journey.action.${a.kind}`, a.channel === undefined ? {} : { 'crosschannel.channel': a.channel }, end);
        }
      } finally {
        step.end(end);
      }
      const outcome = { journey: s.journeyId, outcome: s.outcome, ...errorType(s.error) };
      steps.add(1, outcome);
      for (const a of s.actions) actions.add(1, a.channel === undefined ? { journey: s.journeyId, kind: a.kind } : { journey: s.journeyId, kind: a.kind, channel: a.channel });
      duration.record(s.ms / 1e3, outcome);
    },
  };
}

