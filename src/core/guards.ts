/**
 * Argument guards for functions that plain JavaScript may call with anything: each is a type test and, on a
 * wrong shape, a `CrossChannelError` `INPUT_INVALID` with the path of the argument, instead of a `TypeError` from
 * deep inside. Internal to the package (not exported from any entry).
 */
import { CrossChannelError, quoted, inputError } from './errors.js';

type Path = ReadonlyArray<string | number>;

function wrong(what: string, value: unknown, path: Path): CrossChannelError<'INPUT_INVALID'> {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return inputError(`Expected ${what}, got ${got}`, path, { expected: what, got });
}

/** Throws unless `value` is an array. */
export function expectArray(value: unknown, path: Path): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw wrong('an array', value, path);
}

/** Throws unless `value` is a non-null object (arrays included: callers that care check `expectArray` first). */
export function expectObject(value: unknown, path: Path): asserts value is object {
  if (value === null || typeof value !== 'object') throw wrong('an object', value, path);
}

/** Throws unless `value` is a non-null object or `undefined` (an options argument). */
export function expectOptions(value: unknown, path: Path): void {
  if (value !== undefined && (value === null || typeof value !== 'object')) throw wrong('an options object', value, path);
}

/** Throws unless `value` is a string. */
export function expectString(value: unknown, path: Path): asserts value is string {
  if (typeof value !== 'string') throw wrong('a string', value, path);
}

/** Throws unless `value` is a function. */
export function expectFunction(value: unknown, path: Path): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw wrong('a function', value, path);
}

/** Throws unless `value` is a finite number. */
export function expectFinite(value: unknown, path: Path): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong('a finite number', value, path);
}

/** Throws unless every item of `list` is a non-null object (a list of records). */
export function expectObjects(list: readonly unknown[], path: Path): void {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === null || typeof v !== 'object') throw wrong('an object', v, [...path, i]);
  }
}

/** Throws unless `value` is a catalogue from `parseCatalogue` (its offers and its index by id). */
export function expectCatalogue(value: unknown, path: Path): void {
  const v = value as { byId?: unknown; offers?: unknown } | null;
  if (typeof v !== 'object' || v === null || !(v.byId instanceof Map) || !Array.isArray(v.offers)) {
    throw inputError('Expected a catalogue from parseCatalogue', path);
  }
}

/** Throws unless `value` is an identifier `{ type: string, value: string }`. */
export function expectIdentifier(value: unknown, path: Path): void {
  const v = value as { type?: unknown; value?: unknown } | null;
  if (typeof v !== 'object' || v === null || typeof v.type !== 'string' || typeof v.value !== 'string') {
    throw inputError('Expected an identifier { type: string, value: string }', path);
  }
}

/** Throws unless both arguments are strings (string comparisons). */
export function expectStrings(a: unknown, b: unknown): void {
  expectString(a, ['a']);
  expectString(b, ['b']);
}

/** Throws unless `value` is iterable (or async-iterable when `async` is set). */
export function expectIterable(value: unknown, path: Path, async = false): void {
  const v = value as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  const ok = v !== null && v !== undefined && (typeof v[Symbol.iterator] === 'function' || (async && typeof v[Symbol.asyncIterator] === 'function'));
  if (!ok) throw inputError(async ? 'Expected an iterable or async iterable' : 'Expected an iterable', path);
}

/** Throws unless `value` is a compiled segment set from `compileSegments`. */
export function expectCompiledSegments(value: unknown, path: Path = ['segments']): void {
  const v = value as { evaluate?: unknown; ids?: unknown; root?: unknown } | null;
  if (typeof v !== 'object' || v === null || typeof v.evaluate !== 'function' || !Array.isArray(v.ids)) {
    throw inputError('Expected compiled segments from compileSegments', path);
  }
}

export { safeText } from './errors.js';

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object of another shape' : `${typeof value} ${quoted(value)}`;
}

/**
 * Throws `STORE_ERROR` unless `ok`: a store (or a callback standing in for one) answered `value` where `expected`
 * was due. Checked where the answer arrives, so a store of the wrong shape is named with its operation instead of
 * failing later as a `TypeError`. `where` follows the operation in the message; `detail` goes on the error.
 */
export function expectStoreAnswer(ok: boolean, operation: string, expected: string, value: unknown, detail: Readonly<Record<string, unknown>> = { operation }, where = ''): void {
  if (!ok) throw new CrossChannelError('STORE_ERROR', `Store operation ${operation} answered ${kindOf(value)}${where}; expected ${expected}`, { detail });
}

/** True for a non-null object that is not an array (a record). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
