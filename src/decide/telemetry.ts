import { quietly } from '../core/errors.js';
import type { Reason } from '../core/explain.js';
import type { DecisionTrace } from './trace.js';

/**
 * What {@link DecideTelemetry} receives once per decision: the finished trace (its stage boundaries and
 * timings are the ones `decide` already records, so telemetry adds no timing of its own), the outcome, and
 * the typed error when the call failed.
 *
 * @example
 * ```ts
 * const t: DecideTelemetry = { decision: (d: DecisionTelemetry) => console.log(d.trace.requestId, d.outcome, d.error?.code) };
 * ```
 */
export interface DecisionTelemetry {
  readonly trace: DecisionTrace;
  /** `allowed` (a contact was reserved), `refused` (no contact, with reasons) or `failed` (an error was thrown). */
  readonly outcome: 'allowed' | 'refused' | 'failed';
  /** Number of offers chosen (0 when refused or failed). */
  readonly offers: number;
  /** Why no contact (empty when allowed or failed). */
  readonly reasons: ReadonlyArray<Reason>;
  /**
   * The error code and message of a failed call (e.g. `STORE_TIMEOUT`). The message is free text that may hold a
   * caller's value or a store's own text (`STORE_ERROR` quotes what the store threw): log it where personal data may
   * go; the OTel adapter exports only the code.
   */
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * The telemetry port of `decide`: called once per call, after the decision (or failure), with the finished
 * trace. No telemetry configured costs one null check. `crosschannel/adapters/otel` implements it on
 * OpenTelemetry; anything else (logs, StatsD) can too. A throwing sink never breaks the decision.
 *
 * `decide` reads no clock for telemetry: a sink that wants the decision's place in time (a span under the caller's)
 * implements `start`, which `decide` calls when the decision starts (once the request is valid, before the first
 * store call), and dates it by its own clock; what `start` returns comes back as `decision`'s second argument.
 *
 * @example
 * ```ts
 * const counts = new Map<string, number>();
 * const telemetry: DecideTelemetry = { decision: (d) => counts.set(d.outcome, (counts.get(d.outcome) ?? 0) + 1) };
 * const config = parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] } }, { telemetry });
 * ```
 */
export interface DecideTelemetry {
  /** Optional: the decision starts (its request is valid); `decision` is then called once, with what this returned. */
  start?(): unknown;
  decision(event: DecisionTelemetry, started?: unknown): void;
}

/**
 * A telemetry port that does nothing (for measuring the port's own cost, or as an explicit default).
 *
 * @example
 * ```ts
 * parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] } }, { telemetry: noTelemetry });
 * ```
 */
export const noTelemetry: DecideTelemetry = { decision: () => undefined };

/** Calls the sink's `start` (when it has one), swallowing its errors. @internal */
export const start = (telemetry: DecideTelemetry): unknown => quietly(() => telemetry.start?.());

/** Calls the sink, swallowing its errors: a broken exporter must not turn an allowed decision into a failure. @internal */
export const emit = (telemetry: DecideTelemetry, event: DecisionTelemetry, started?: unknown): void => void quietly(() => telemetry.decision(event, started));
