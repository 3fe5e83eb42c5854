import { expectArray, expectOptions } from './guards.js';

/**
 * Why a decision came out as it did: a stable `code` tests and users can match, a human `message`, and
 * optionally the `rule` (id of the configured rule involved) and machine-readable `detail` (counts, limits).
 *
 * @example
 * ```ts
 * const r: Reason = { code: 'CAP_LIMIT_REACHED', message: '3 of 3 marketing contacts this week', rule: 'weekly', detail: { count: 3, limit: 3 } };
 * ```
 */
export interface Reason<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
  readonly rule?: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/**
 * A yes/no decision with its explanation. `reasons` is non-empty when `allowed` is false; it may also hold
 * informational reasons (e.g. the legal basis) when allowed.
 *
 * @example
 * ```ts
 * const d: Decision = { allowed: false, reasons: [reason('CONSENT_DENIED', 'email marketing opt-out')] };
 * ```
 */
export interface Decision<Code extends string = string> {
  readonly allowed: boolean;
  readonly reasons: ReadonlyArray<Reason<Code>>;
}

/**
 * Builds a {@link Reason}, leaving out optional fields that are undefined (so objects stay JSON-stable under
 * `exactOptionalPropertyTypes`).
 *
 * @example
 * ```ts
 * reason('CAP_QUIET_HOURS', 'quiet hours 21:00–08:00', { rule: 'night', detail: { until: 1767250800000 } });
 * ```
 */
export function reason<Code extends string>(
  code: Code,
  message: string,
  extra: { rule?: string | undefined; detail?: Readonly<Record<string, unknown>> | undefined } = {},
): Reason<Code> {
  expectOptions(extra, ['extra']);
  const r: { code: Code; message: string; rule?: string; detail?: Readonly<Record<string, unknown>> } = { code, message };
  if (extra.rule !== undefined) r.rule = extra.rule;
  if (extra.detail !== undefined) r.detail = extra.detail;
  return r;
}

/**
 * A decision that is allowed unless a reason says otherwise: `allowed` is true exactly when `blocking` is empty.
 *
 * @example
 * ```ts
 * decisionFrom([]); // { allowed: true, reasons: [] }
 * ```
 */
export function decisionFrom<Code extends string>(blocking: ReadonlyArray<Reason<Code>>, info: ReadonlyArray<Reason<Code>> = []): Decision<Code> {
  expectArray(blocking, ['blocking']);
  expectArray(info, ['info']);
  return { allowed: blocking.length === 0, reasons: blocking.length === 0 ? info : [...blocking, ...info] };
}
