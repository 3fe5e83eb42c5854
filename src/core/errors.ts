import * as z from 'zod/mini';
import { ENGLISH } from './zod.js';

/**
 * Error codes shared by every module. Each module adds its own union (e.g. `ConsentErrorCode`) and throws
 * `CrossChannelError<ThatUnion>`; matching on `error.code` narrows as usual.
 */
export type CoreErrorCode =
  /** A rule set / configuration object failed validation. */
  | 'CONFIG_INVALID'
  /** A call's input (a record, a request) failed validation. */
  | 'INPUT_INVALID'
  /** A timestamp could not be read as an instant. */
  | 'TIME_INVALID'
  /** A time-zone name is not a known IANA zone. */
  | 'TIMEZONE_INVALID'
  /** A store (adapter) failed; `cause` holds the underlying error. */
  | 'STORE_ERROR'
  /** A store did not answer within its deadline. */
  | 'STORE_TIMEOUT'
  /** A store was asked to do something that contradicts its current state. */
  | 'STORE_CONFLICT'
  /** The runtime lacks a platform API the call needs. No call throws it today (hashing is in JavaScript since 2026-12-06); kept so code that matches it still compiles. */
  | 'RUNTIME_UNSUPPORTED'
  /** An optional peer dependency the call needs is not installed (`detail.package` names it). */
  | 'DEPENDENCY_MISSING';

/** Options of {@link CrossChannelError}. */
export interface CrossChannelErrorOptions {
  /** Where in the input the problem is, as path segments (`['rules', 2, 'limit']`). */
  readonly path?: ReadonlyArray<string | number>;
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Machine-readable extra data (offending value, limits, …). Never contains secrets. */
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The brand every {@link CrossChannelError} carries: a registered symbol, the same in every copy of the package
 * (its ESM and CJS builds, two installed versions), so errors are recognised whichever copy threw them.
 */
const ERROR_BRAND: unique symbol = Symbol.for('crosschannel.error') as never;

function isBranded(value: unknown): value is CrossChannelError {
  return typeof value === 'object' && value !== null && (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === true;
}

/**
 * The single error class of crosschannel. Every public function that rejects input throws this, with a stable
 * `code`, a human `message`, and the `path` of the bad field when there is one.
 *
 * `instanceof CrossChannelError` and {@link isCrossChannelError} recognise errors thrown by any copy of the
 * package — its ESM and CommonJS builds loaded side by side (a dependency may load the other format), or two
 * versions — through a registered symbol brand, not the prototype chain. `instanceof` a subclass still checks
 * the prototype chain.
 *
 * @example
 * ```ts
 * import { CrossChannelError } from 'crosschannel';
 * try {
 *   toEpochMs('not a date');
 * } catch (e) {
 *   if (e instanceof CrossChannelError && e.code === 'TIME_INVALID') console.log(e.message, e.path);
 * }
 * ```
 */
export class CrossChannelError<C extends string = string> extends Error {
  /** Stable, matchable error code, e.g. `CONFIG_INVALID` or `CONSENT_TCF_MALFORMED`. */
  readonly code: C;
  /** Path of the bad field as a readable string (`rules[2].limit`), or `undefined`. */
  readonly path: string | undefined;
  /** Path of the bad field as segments, empty when the whole input is at fault. */
  readonly pathSegments: ReadonlyArray<string | number>;
  /** Machine-readable detail. */
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string, options: CrossChannelErrorOptions = {}) {
    // Plain JavaScript may pass anything: an error must still be constructible from it.
    const o: CrossChannelErrorOptions = options !== null && typeof options === 'object' ? options : {};
    super(safeText(message), o.cause === undefined ? undefined : { cause: o.cause });
    this.name = 'CrossChannelError';
    this.code = (typeof code === 'string' ? code : safeText(code)) as C;
    const path = Array.isArray(o.path) ? o.path.map((s) => (typeof s === 'number' || typeof s === 'string' ? s : safeText(s))) : [];
    this.pathSegments = path;
    this.path = path.length > 0 ? formatPath(path) : undefined;
    this.detail = o.detail !== null && typeof o.detail === 'object' ? o.detail : undefined;
    Object.defineProperty(this, ERROR_BRAND, { value: true, enumerable: false });
  }

  /** Brand check for the class itself (every copy's errors), prototype chain for subclasses. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === CrossChannelError) return isBranded(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /** A plain JSON-able view (for logs and HTTP responses). */
  toJSON(): { name: string; code: C; message: string; path?: string; detail?: Readonly<Record<string, unknown>> } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

/**
 * Formats path segments the way a reader writes them: `rules[2].window.days`.
 *
 * @example
 * ```ts
 * formatPath(['rules', 2, 'limit']); // 'rules[2].limit'
 * ```
 */
export function formatPath(path: ReadonlyArray<string | number | symbol>): string {
  if (!Array.isArray(path)) throw inputError('path must be an array of keys and indices', ['path']);
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    // A number as itself, anything else quoted (plain JavaScript may put a BigInt or an object in a path).
    else out += `[${typeof seg === 'number' ? seg : quoted(seg)}]`;
  }
  return out;
}

/**
 * True when `value` is a {@link CrossChannelError}, optionally with the given code — thrown by this copy of the
 * package or any other (ESM and CommonJS builds, other versions): the check reads a registered symbol brand.
 *
 * @example
 * ```ts
 * declare const e: unknown; // e.g. what a `catch` caught
 *
 * if (isCrossChannelError(e, 'CONFIG_INVALID')) console.log(e.path);
 * ```
 */
export function isCrossChannelError<C extends string = string>(value: unknown, code?: C): value is CrossChannelError<C> {
  return isBranded(value) && (code === undefined || value.code === code);
}

/** The shape returned by every non-throwing `safe…` variant. */
export type Result<T, E = CrossChannelError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/**
 * Wraps a value as a successful {@link Result}.
 *
 * @example
 * ```ts
 * const r = ok(42); // { ok: true, value: 42 }
 * ```
 */
export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

/**
 * Wraps an error as a failed {@link Result}.
 *
 * @example
 * ```ts
 * const r = fail(new CrossChannelError('INPUT_INVALID', 'no')); // { ok: false, error }
 * ```
 */
export function fail<E>(error: E): Result<never, E> {
  return { ok: false, error };
}

/**
 * Runs `fn` and turns a thrown {@link CrossChannelError} into a failed {@link Result}. Any other exception is a
 * bug and is re-thrown.
 *
 * @example
 * ```ts
 * const safeParse = (s: string) => attempt(() => toEpochMs(s));
 * safeParse('2026-01-01T00:00:00Z'); // { ok: true, value: 1767225600000 }
 * ```
 */
export function attempt<T>(fn: () => T): Result<T> {
  if (typeof fn !== 'function') throw inputError('attempt needs a function', ['fn']);
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof CrossChannelError) return { ok: false, error: e };
    throw e;
  }
}

/**
 * Translates a zod error into a {@link CrossChannelError} carrying the path of the first bad field. zod issues
 * are never leaked raw: the message is rewritten, the issue list is kept in `detail.issues` (path + message).
 *
 * @example
 * ```ts
 * import * as z from 'zod/mini';
 *
 * declare const schema: z.ZodMiniType;
 * declare const input: unknown;
 *
 * const r = z.safeParse(schema, input);
 * if (!r.success) throw fromZodError(r.error, 'CONFIG_INVALID', ['caps']);
 * ```
 */
export function fromZodError<C extends string>(
  error: z.core.$ZodError,
  code: C,
  basePath: ReadonlyArray<string | number> = [],
): CrossChannelError<C> {
  if (error === null || typeof error !== 'object' || !Array.isArray((error as { issues?: unknown }).issues)) {
    throw inputError('fromZodError needs a ZodError', ['error']);
  }
  const issues = error.issues;
  const first = issues[0];
  const firstPath = first ? [...basePath, ...issuePath(first)] : [...basePath];
  const where = firstPath.length > 0 ? ` at ${formatPath(firstPath)}` : '';
  const message = `${first?.message ?? 'Invalid input'}${where}`;
  return new CrossChannelError(code, message, {
    path: firstPath,
    cause: error,
    detail: {
      issues: issues.slice(0, 20).map((i) => ({ path: formatPath([...basePath, ...issuePath(i)]), message: i.message })),
    },
  });
}

/** The issue's path; for an unknown key, down to the key itself (zod reports it at the enclosing object). */
function issuePath(issue: z.core.$ZodIssue): Array<string | number> {
  const path = issue.path.map(toSegment);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0]!);
  return path;
}

function toSegment(seg: PropertyKey): string | number {
  return typeof seg === 'symbol' ? String(seg) : seg;
}

/**
 * Validates `input` with one of the package's own schemas and returns the parsed value, or throws a
 * {@link CrossChannelError} with the given code and the path of the first bad field: the building block of
 * every `parseX(unknown)`. Its messages are zod's English ones for every issue the package's schemas raise
 * ({@link ENGLISH}); the public `parseWith` (src/core/parse.ts) takes any schema. Internal: not exported from the
 * entries.
 *
 * @example
 * ```ts
 * import { capRuleSetSchema } from 'crosschannel/capping';
 *
 * declare const json: unknown;
 *
 * const rules = parseWith(capRuleSetSchema, json, 'CONFIG_INVALID');
 * ```
 */
export function parseWith<S extends z.core.$ZodType, C extends string>(
  schema: S,
  input: unknown,
  code: C,
  basePath: ReadonlyArray<string | number> = [],
): z.output<S> {
  return parseIn(ENGLISH, schema, input, code, basePath);
}

/** {@link parseWith} with the given parse context (its error map). Internal. */
export function parseIn<S extends z.core.$ZodType, C extends string>(
  context: z.core.ParseContext<z.core.$ZodIssue>,
  schema: S,
  input: unknown,
  code: C,
  basePath: ReadonlyArray<string | number>,
): z.output<S> {
  if (schema === null || typeof schema !== 'object' || typeof (schema as { safeParse?: unknown }).safeParse !== 'function') {
    throw inputError('parseWith needs a zod schema', ['schema']);
  }
  const r = z.safeParse(schema, input, context);
  if (!r.success) throw fromZodError(r.error, code, basePath);
  return r.data;
}

/**
 * What a store or SQL client threw, as `STORE_ERROR` (its text as the message, the original as the cause); a
 * `CrossChannelError` passes through. Internal: not exported from the package's entries.
 */
export function asStoreError(e: unknown): CrossChannelError {
  return e instanceof CrossChannelError ? e : new CrossChannelError('STORE_ERROR', safeText(e), { cause: e });
}

/**
 * An `INPUT_INVALID` error at `path` (the whole input when empty), with `detail` when given: the one way the
 * package's argument checks word a bad input. Internal: not exported from the package's entries.
 */
export function inputError(message: string, path: ReadonlyArray<string | number> = [], detail?: Readonly<Record<string, unknown>>): CrossChannelError<'INPUT_INVALID'> {
  return new CrossChannelError('INPUT_INVALID', message, { path, detail });
}

/**
 * `e` named at `path` instead of its own place when it is a `CrossChannelError` (same code, message — after
 * `label: ` when given — and detail, `e` as the cause); anything else unchanged. For a caller whose own argument
 * names the place differently from the function it called (`horizonMs` for `horizon`, `journeys[3]` for
 * `journey`). Internal: not exported from the package's entries.
 */
export function atPath(e: unknown, path: ReadonlyArray<string | number>, label?: string): unknown {
  if (!(e instanceof CrossChannelError)) return e;
  return new CrossChannelError(e.code, label === undefined ? e.message : `${label}: ${e.message}`, { path, cause: e, detail: e.detail });
}

/**
 * `e` named under `path` when it is a `CrossChannelError` (its path after `path`; see {@link atPath}); anything
 * else unchanged. For a caller that passed part of its own input on and names that part's place in it. Internal:
 * not exported from the package's entries.
 */
export function underPath(e: unknown, path: ReadonlyArray<string | number>, label?: string): unknown {
  return e instanceof CrossChannelError ? atPath(e, [...path, ...e.pathSegments], label) : e;
}

/**
 * `fn()`, with what it throws named under `path` ({@link underPath}, `label` as there): for a caller that passes part
 * of its own input on to a parser or check. Internal: not exported from the package's entries.
 */
export function namingUnder<T>(path: ReadonlyArray<string | number>, fn: () => T, label?: string): T {
  try {
    return fn();
  } catch (e) {
    throw underPath(e, path, label);
  }
}

/**
 * `String(value)` that never throws (an object whose `toString` is not a function cannot be converted). Internal:
 * not exported from the package's entries.
 */
export function safeText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * `fn()`, or `undefined` when it throws: for calls into a caller's optional sink (telemetry) that must never change
 * what the package does, and for reads that have a fallback. Internal: not exported from the package's entries.
 */
export function quietly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/**
 * A value for a message, never throwing: numbers and BigInts as `String` gives them (`NaN`, `Infinity`, `10`), the
 * rest as `JSON.stringify` does; what JSON cannot hold reads as `String(value)` (`undefined`, a symbol), or as its
 * tag when neither works (a cycle: `[object Object]`). Internal: not exported from the package's entries.
 */
export function quoted(value: unknown): string {
  try {
    return typeof value === 'number' || typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Runs `read`, a function that reads a caller's nested data without checking every field first (a report of
 * results, a trace): anything it throws that is not a `CrossChannelError` — a `TypeError` from a field of the wrong
 * shape — becomes `INPUT_INVALID` at `path` with `message`, the original error as its cause. Internal: not exported
 * from the package's entries.
 */
export function readingInput<T>(path: ReadonlyArray<string | number>, message: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw isCrossChannelError(e) ? e : new CrossChannelError('INPUT_INVALID', message, { path, cause: e });
  }
}
