/**
 * zod's tree-shakable API (`zod/mini`) is what every schema of the package is built with: the classic `zod`
 * import attaches every method to every schema, so one `z.string()` pulled ≈ 92 kB min+gzip into each entry.
 * `zod/mini` ships no messages of its own ("Invalid input"), so every parse passes {@link ENGLISH}: zod's
 * English messages as the parse's error map. Messages a schema sets itself still win, and zod's global
 * configuration is never touched (a user's own locale stays theirs). Internal: not exported from the entries.
 */
import * as z from 'zod/mini';

/**
 * Parse options giving zod's English messages (`zod/v4/locales/en`, word for word) to the issues a schema does
 * not word itself — for the package's own schemas, and only the issues they can raise: the locale's table of
 * string-format names (`email` → "email address", …), its units for files, sets and maps, and its messages for
 * `startsWith` / `endsWith` / `includes`, `multipleOf`, map or set elements and exclusive unions (`z.xor`) are left out (≈ 0.5 kB min+gzip in
 * every entry), since no schema of the package uses them; such an issue reads `Invalid <format>` or
 * `Invalid input`. The public `parseWith`, which takes any schema, uses the complete locale (src/core/parse.ts).
 * src/core/english.test.ts checks both halves of that: the same words as zod, and no such construct in `src/`.
 */
export const ENGLISH: z.core.ParseContext<z.core.$ZodIssue> = { error: englishMessage };

// Units of the sizable origins the package's schemas have (zod's `Sizable` also has file, set and map).
const UNITS: Record<string, string> = { string: 'characters', array: 'items' };

// zod's util.parsedType, util.stringifyPrimitive and util.joinValues (zod/v4/core re-exports its util as one
// namespace object, which a bundler keeps whole).
function parsedType(data: unknown): string {
  const t = typeof data;
  if (t === 'number') return Number.isNaN(data) ? 'nan' : 'number';
  if (t === 'object') {
    if (data === null) return 'null';
    if (Array.isArray(data)) return 'array';
    const obj = data as { constructor?: { name: string } };
    if (Object.getPrototypeOf(obj) !== Object.prototype && 'constructor' in obj && obj.constructor) return obj.constructor.name;
  }
  return t;
}

function stringifyPrimitive(value: unknown): string {
  if (typeof value === 'bigint') return `${value.toString()}n`;
  if (typeof value === 'string') return `"${value}"`;
  return `${value as string}`;
}

const joinValues = (values: readonly unknown[], separator: string): string => values.map(stringifyPrimitive).join(separator);

function typeName(type: string, input?: unknown): string {
  if (type === 'number' && typeof input === 'number' && !Number.isFinite(input)) return String(input);
  return type === 'nan' ? 'NaN' : type;
}

/**
 * zod's English message for an issue the package's schemas can raise (see {@link ENGLISH}).
 */
export function englishMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${typeName(issue.expected)}, received ${typeName(parsedType(issue.input), issue.input)}`;
    case 'invalid_value':
      if (issue.values.length === 1) return `Invalid input: expected ${stringifyPrimitive(issue.values[0])}`;
      return `Invalid option: expected one of ${joinValues(issue.values, '|')}`;
    case 'too_big': {
      const adj = issue.exact ? 'exactly ' : issue.inclusive ? '<=' : '<';
      const unit = UNITS[issue.origin] ?? null;
      if (unit) return `Too big: expected ${issue.origin ?? 'value'} to have ${adj}${issue.maximum.toString()} ${unit ?? 'elements'}`;
      return `Too big: expected ${issue.origin ?? 'value'} to be ${adj}${issue.maximum.toString()}`;
    }
    case 'too_small': {
      const adj = issue.exact ? 'exactly ' : issue.inclusive ? '>=' : '>';
      const unit = UNITS[issue.origin] ?? null;
      if (unit) return `Too small: expected ${issue.origin} to have ${adj}${issue.minimum.toString()} ${unit}`;
      return `Too small: expected ${issue.origin} to be ${adj}${issue.minimum.toString()}`;
    }
    case 'invalid_format': {
      const f = issue as z.core.$ZodRawIssue<z.core.$ZodIssueInvalidStringFormat> & { pattern?: string };
      if (f.format === 'regex') return `Invalid string: must match pattern ${f.pattern}`;
      return `Invalid ${f.format}`;
    }
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${joinValues(issue.keys, ', ')}`;
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`;
    case 'invalid_union': {
      const u = issue as { options?: unknown };
      if (u.options && Array.isArray(u.options) && u.options.length > 0) return `Invalid discriminator value. Expected ${u.options.map((o) => `'${o as string}'`).join(' | ')}`;
      return 'Invalid input';
    }
    default:
      return 'Invalid input';
  }
}

/**
 * `z.refine(ok, { message, path })` as a plain check function: the same issue (code `custom`, the message, at
 * `path`; later checks still run) and the same place in the schema's checks, without zod's custom type (its class,
 * its refine result handling and its factory cost an entry ≈ 0.15 kB min+gzip when nothing else uses them).
 * Internal: not exported from the entries.
 */
export function refineCheck<T>(ok: (value: T) => boolean, message: string, path: ReadonlyArray<PropertyKey> = []): (payload: z.core.ParsePayload<T>) => void {
  return (payload) => {
    // A fresh path per issue, as zod's refine makes: enclosing schemas prefix it in place.
    if (!ok(payload.value)) payload.issues.push({ code: 'custom', input: payload.value, path: [...path], continue: true, message });
  };
}

/**
 * `z.superRefine((value, ctx) => …)` as a plain check function: `fn` reports each problem with `add(message, path)`
 * and gets the same issue `ctx.addIssue({ code: 'custom', message, path })` gives (later checks still run), without
 * zod's superRefine wrapper (its `addIssue` shim and factory). Internal: not exported from the entries.
 */
export function issuesCheck<T>(fn: (value: T, add: (message: string, path?: PropertyKey[]) => void) => void): (payload: z.core.ParsePayload<T>) => void {
  return (payload) => fn(payload.value, (message, path = []) => void payload.issues.push({ code: 'custom', message, path: [...path], input: payload.value, continue: true }));
}

/**
 * `z.custom<T>(ok, message)` as `z.unknown()` with a check: the same value, the same issue (code `custom`, the
 * message; like `z.custom`, it aborts the checks after it) and the same input and output type, without zod's custom
 * type (see {@link refineCheck}). Internal: not exported from the entries.
 */
export function customSchema<T>(ok: (value: unknown) => boolean, message: string): z.ZodMiniType<T, T> {
  return z.unknown().check((payload) => {
    if (!ok(payload.value)) payload.issues.push({ code: 'custom', input: payload.value, path: [], continue: false, message });
  }) as unknown as z.ZodMiniType<T, T>;
}

/**
 * A check zod runs like any other, described to zod's JSON Schema generator by `def` as its own check of that kind
 * (`def.check`), without that kind's class.
 */
const describedCheck = <T>(def: object, check: (payload: z.core.ParsePayload<T>) => void): z.core.$ZodCheck<T> => ({ _zod: { def, check, onattach: [] } }) as never;

/** A message for a check's issue the way zod words one given to its check (from the check's `error`, when it finalizes the issue). */
const worded = (message?: string): never => ({ _zod: { def: { error: () => message } } }) as never;

/**
 * `z.int()` as `z.number()` with a check: the same value and issues word for word — `invalid_type` (expected `int`;
 * the checks after it do not run) for a fraction, `too_big` / `too_small` (the safe-integer note) past 2^53 − 1 —
 * and the same JSON Schema (`type: "integer"` and the safe range), without zod's number-format check and its table
 * of ranges (≈ 0.5 kB min+gzip of every entry). Add bounds after it: `intSchema().check(gteCheck(1))`. Internal: not
 * exported from the entries.
 */
export const intSchema = (): z.ZodMiniType<number, number> =>
  numberSchema().check(
    describedCheck<number>({ check: 'number_format', format: 'safeint' }, (payload) => {
      const input = payload.value;
      if (!Number.isInteger(input)) payload.issues.push({ expected: 'int', format: 'safeint', code: 'invalid_type', continue: false, input });
      else if (!Number.isSafeInteger(input)) {
        const big = input > 0;
        payload.issues.push({ input, code: big ? 'too_big' : 'too_small', [big ? 'maximum' : 'minimum']: big ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER, note: 'Integers must be within the safe integer range.', origin: 'int', inclusive: true, continue: true } as never);
      }
    }),
  );

/**
 * `z.regex(pattern, message)`: the same issue (`invalid_format`, format `regex`, the pattern; the message, or the
 * English default without one; later checks still run) and the same JSON Schema `pattern`, without zod's
 * string-format check classes. Internal: not exported from the entries.
 */
export const regexCheck = (pattern: RegExp, message?: string): z.core.$ZodCheck<string> => {
  const inst = worded(message);
  return describedCheck<string>({ check: 'string_format', format: 'regex', pattern }, (payload) => {
    pattern.lastIndex = 0;
    if (!pattern.test(payload.value)) payload.issues.push({ origin: 'string', code: 'invalid_format', format: 'regex', input: payload.value, pattern: String(pattern), inst, continue: true });
  });
};

/**
 * `z.gte(value, message?)` (`z.gt`, `z.lte`, `z.lt`: {@link gtCheck}, {@link lteCheck}, {@link ltCheck}): the same
 * issue (`too_small` / `too_big`, the bound, `inclusive`; later checks still run) and JSON Schema bound, without
 * zod's comparison check classes. Internal: not exported from the entries.
 */
export const gteCheck = (value: number | bigint, message?: string): z.core.$ZodCheck<number | bigint> => boundCheck(value, true, false, message);
/** `z.gt(value, message?)`: see {@link gteCheck}. Internal. */
export const gtCheck = (value: number | bigint, message?: string): z.core.$ZodCheck<number | bigint> => boundCheck(value, false, false, message);
/** `z.lte(value, message?)`: see {@link gteCheck}. Internal. */
export const lteCheck = (value: number | bigint, message?: string): z.core.$ZodCheck<number | bigint> => boundCheck(value, true, true, message);
/** `z.lt(value, message?)`: see {@link gteCheck}. Internal. */
export const ltCheck = (value: number | bigint, message?: string): z.core.$ZodCheck<number | bigint> => boundCheck(value, false, true, message);

const NUMERIC_ORIGIN: Readonly<Record<string, string>> = { number: 'number', bigint: 'bigint', object: 'date' };
function boundCheck(value: number | bigint, inclusive: boolean, upper: boolean, message: string | undefined): z.core.$ZodCheck<number | bigint> {
  const inst = worded(message);
  return describedCheck<number | bigint>({ check: upper ? 'less_than' : 'greater_than', value, inclusive }, (payload) => {
    const v = payload.value;
    if (upper ? (inclusive ? v <= value : v < value) : inclusive ? v >= value : v > value) return;
    payload.issues.push({ origin: NUMERIC_ORIGIN[typeof v] ?? NUMERIC_ORIGIN[typeof value], code: upper ? 'too_big' : 'too_small', [upper ? 'maximum' : 'minimum']: value, input: v, inclusive, inst, continue: true } as never);
  });
}

/**
 * `z.minLength(n, message?)` (and {@link maxLengthCheck}): the same issue (`too_small` / `too_big`, origin `string`
 * or `array`; strings counted in code points, as zod does), the same rule for when it runs (on any value with a
 * length, even after a failed type check) and the same JSON Schema bound, without zod's length check classes.
 * Internal: not exported from the entries.
 */
export const minLengthCheck = (n: number, message?: string): z.core.$ZodCheck<{ length: number }> => lengthCheck(n, false, message);
/** `z.maxLength(n, message?)`: see {@link minLengthCheck}. Internal. */
export const maxLengthCheck = (n: number, message?: string): z.core.$ZodCheck<{ length: number }> => lengthCheck(n, true, message);

function lengthCheck(limit: number, upper: boolean, message: string | undefined): z.core.$ZodCheck<{ length: number }> {
  const inst = worded(message);
  const when = (payload: z.core.ParsePayload): boolean => payload.value != null && (payload.value as { length?: unknown }).length !== undefined;
  return describedCheck<{ length: number }>({ check: upper ? 'max_length' : 'min_length', [upper ? 'maximum' : 'minimum']: limit, when }, (payload) => {
    const input = payload.value;
    const units = input.length;
    // Code points only where they can change the answer (a code point is one or two UTF-16 units).
    const length = typeof input === 'string' && (upper ? units > limit : units >= limit && units < limit * 2) ? codePoints(input) : units;
    if (upper ? length <= limit : length >= limit) return;
    payload.issues.push({ origin: Array.isArray(input) ? 'array' : typeof input === 'string' ? 'string' : 'unknown', code: upper ? 'too_big' : 'too_small', [upper ? 'maximum' : 'minimum']: limit, inclusive: true, input, inst, continue: true } as never);
  });
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

/**
 * `z.unknown()` checked by `check` that zod's JSON Schema generator, unions, objects and records see as the type
 * `def` describes (with the allowed `values` when given), without that type's class. `values` lives on the instance:
 * a `.check(…)` copy of an enum or literal would not carry it (none is made; wrap such a schema instead).
 */
function describedType<T>(def: object, check: (payload: z.core.ParsePayload<unknown>) => void, values?: ReadonlySet<unknown>): z.ZodMiniType<T, T> {
  const schema = z.unknown().check(check);
  Object.assign(schema._zod.def, def);
  if (values) schema._zod.values = values as Set<never>;
  return schema as never;
}

/** An `invalid_value` issue unless the value is one of `values` (zod's enum and literal issue; the checks after it do not run). */
function oneOf<T>(def: object, values: readonly T[]): z.ZodMiniType<T, T> {
  const set = new Set<unknown>(values);
  return describedType(def, (payload) => void (set.has(payload.value) || payload.issues.push({ code: 'invalid_value', values: values as never, input: payload.value })), set);
}

/**
 * `z.enum(values)` for strings: the same value and issue (`invalid_value`, the allowed values) and, to zod, the
 * same schema — an `enum` to its JSON Schema generator, the same `values` to the unions and records that read them
 * — without zod's enum type. Internal: not exported from the entries.
 */
export function enumSchema<const T extends readonly string[]>(values: T): z.ZodMiniType<T[number], T[number]> {
  const allowed = [...new Set(values)];
  return oneOf({ type: 'enum', entries: Object.fromEntries(allowed.map((v) => [v, v])) }, allowed);
}

/**
 * `z.literal(value)` (or several values): the same value and issue, and to zod the same schema (a `literal`, its
 * values, which discriminated unions read), without zod's literal type. Internal: not exported from the entries.
 */
export function literalSchema<const T extends string | number | boolean | null>(value: T | readonly T[]): z.ZodMiniType<T, T> {
  const values = (Array.isArray(value) ? value : [value]) as readonly T[];
  return oneOf({ type: 'literal', values }, values);
}

/**
 * `z.number()`: the same value and issue (`invalid_type`, with `received` for NaN and ±Infinity; the checks after
 * it do not run), and to zod the same schema, without zod's number type. Internal: not exported from the entries.
 */
export const numberSchema = (): z.ZodMiniType<number, number> =>
  describedType({ type: 'number' }, (payload) => {
    const input = payload.value;
    if (typeof input === 'number' && Number.isFinite(input)) return;
    payload.issues.push({ expected: 'number', code: 'invalid_type', input, ...(typeof input === 'number' ? { received: Number.isNaN(input) ? 'NaN' : String(input) } : {}) });
  });

/** `z.string()`: the same value and issue, and to zod the same schema, without zod's string type. Internal. */
export const stringSchema = (): z.ZodMiniType<string, string> =>
  describedType({ type: 'string' }, (payload) => void (typeof payload.value === 'string' || payload.issues.push({ expected: 'string', code: 'invalid_type', input: payload.value })));

/** `z.boolean()`: the same value and issue, and to zod the same schema, without zod's boolean type. Internal. */
export const booleanSchema = (): z.ZodMiniType<boolean, boolean> =>
  describedType({ type: 'boolean' }, (payload) => void (typeof payload.value === 'boolean' || payload.issues.push({ expected: 'boolean', code: 'invalid_type', input: payload.value })));

/**
 * `z.transform(fn)` (as the second schema of a `z.pipe`): `fn` gets the value and the parse in progress (to push
 * issues, as zod's transform gets it) and its answer becomes the value; to zod the same schema (a `transform`, which
 * its JSON Schema generator leaves out of a pipe's input), without zod's transform type. Internal: not exported.
 */
export function transformSchema<I, O>(fn: (value: I, payload: z.core.ParsePayload) => O): z.ZodMiniType<O, I> {
  const schema = describedType<O>({ type: 'transform', transform: fn }, (payload) => void (payload.value = fn(payload.value as I, payload)));
  schema._zod.optin = 'optional';
  return schema as never;
}

/** A parse in progress (zod's payload): the value and the raw issues, worded later by the parse's error map. */
export interface Parsed {
  value: unknown;
  issues: Array<z.core.$ZodRawIssue | { path?: PropertyKey[] }>;
}

/**
 * `z.array(item)` whose items `item` checks by hand into `out`, pushing the same issues (code, path, message
 * through the parse's error map) as the zod schema it stands for: with {@link tupleItem}, a tuple without zod's
 * tuple type (≈ 0.45 kB min+gzip of an entry where it is the only tuple; attribution's statistics and timing's model
 * JSON are the package's only tuples). Internal: not exported from the entries.
 */
export function arrayOf<T>(item: (input: unknown, at: number, out: Parsed) => T) {
  return z.pipe(z.array(z.unknown()), transformSchema((items: unknown[], out: Parsed): T[] => items.map((input, at) => item(input, at, out))));
}

/** Runs `schema` on `input` (the parse context of a transform) and files its issues under `path`, as zod does. */
function run(schema: z.core.$ZodType, input: unknown, path: PropertyKey[], out: Parsed): unknown {
  const r = schema._zod.run({ value: input, issues: [] }, ENGLISH) as { value: unknown; issues: Array<{ path?: PropertyKey[] }> };
  for (const issue of r.issues) (issue.path ??= []).unshift(...path);
  out.issues.push(...r.issues);
  return r.value;
}

/**
 * `z.tuple(items)` (fixed length, no optional item, no rest) as an {@link arrayOf} item at index `at`: the same
 * issues as zod's tuple, in the same order. Internal: not exported from the entries.
 */
export function tupleItem<const S extends readonly z.core.$ZodType[]>(items: S): (input: unknown, at: number, out: Parsed) => { -readonly [K in keyof S]: z.output<S[K]> } {
  return (input, at, out) => {
    const n = items.length;
    if (!Array.isArray(input)) return out.issues.push({ input, expected: 'tuple', code: 'invalid_type', path: [at] }) as never;
    if (input.length < n) return out.issues.push({ code: 'too_small', minimum: n, inclusive: true, input, origin: 'array', path: [at] }) as never;
    if (input.length > n) out.issues.push({ code: 'too_big', maximum: n, inclusive: true, input, origin: 'array', path: [at] });
    return items.map((schema, i) => run(schema, input[i], [at, i], out)) as never;
  };
}

/**
 * `z.discriminatedUnion(key, options)` without zod's discriminated-union type (≈ 0.5 kB min+gzip of every entry
 * that has one): the option whose literal `key` matches checks the object; anything else gets zod's issues, word
 * for word — `invalid_type` (expected object) for a non-object, `invalid_union` ("No matching discriminator", the
 * allowed values) at `key` for an unknown value. The schema stays a union to zod's JSON Schema generator (`oneOf`
 * the options, as a discriminated union is), so `toJSONSchema` still describes it. Internal: not exported from the
 * entries.
 */
export function discriminated<const O extends readonly z.core.$ZodType[]>(key: string, options: O): z.ZodMiniType<z.output<O[number]>, z.input<O[number]>> {
  const byValue = new Map<unknown, z.core.$ZodType>();
  for (const option of options) for (const value of option._zod.propValues![key]!) byValue.set(value, option);
  const schema = z.unknown().check((payload) => {
    const input = payload.value as Record<string, unknown>;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return void payload.issues.push({ code: 'invalid_type', expected: 'object', input });
    const option = byValue.get(input[key]);
    if (option === undefined) return void payload.issues.push({ code: 'invalid_union', errors: [], note: 'No matching discriminator', discriminator: key, options: [...byValue.keys()], input, path: [key] } as never);
    const r = option._zod.run({ value: input, issues: [] }, ENGLISH) as Parsed;
    payload.value = r.value;
    payload.issues.push(...(r.issues as never[]));
  });
  Object.assign(schema._zod.def, { type: 'union', options, inclusive: false });
  return schema as never;
}

/** A raw issue as the hand checks build it (zod's `$ZodRawIssue`, loosely typed): worded later, or by {@link finished}. */
export type RawIssue = { [key: string]: unknown; path?: PropertyKey[] };

/** zod's `invalid_type` issue for `input` where `expected` was wanted (`more`: e.g. `received` for a number). */
export const typeIssue = (expected: string, input: unknown, more?: object): RawIssue => ({ expected, code: 'invalid_type', input, ...more });

/**
 * zod's finalised issue (as a union's `errors` or a record key's `issues` hold it): the raw fields but `input`, its
 * path, its message (the package's English). Internal: not exported from the entries.
 */
export function finished(issue: RawIssue): RawIssue {
  const { input: _input, ...rest } = issue;
  return { ...rest, path: issue.path ?? [], message: englishMessage(issue as z.core.$ZodRawIssue) };
}

/** zod's `util.isPlainObject`: what `z.record` accepts. Internal: not exported from the entries. */
export function isPlainObject(o: unknown): o is Record<PropertyKey, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const ctor = (o as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function') return true;
  const proto: unknown = ctor.prototype;
  return typeof proto === 'object' && proto !== null && !Array.isArray(proto) && Object.prototype.hasOwnProperty.call(proto, 'isPrototypeOf');
}

/** zod's issue for a record's symbol key (`z.record(z.string(), …)` refuses it), at `path`. Internal. */
export const symbolKeyIssue = (key: symbol, path: PropertyKey[]): RawIssue => ({ code: 'invalid_key', origin: 'record', issues: [finished(typeIssue('string', key))], input: key, path });

/** The keys `z.record` reads: own enumerable keys (symbols included, to be refused) but `__proto__`. Internal. */
export const recordKeys = (o: object): PropertyKey[] => Reflect.ownKeys(o).filter((k) => k !== '__proto__' && Object.prototype.propertyIsEnumerable.call(o, k));
