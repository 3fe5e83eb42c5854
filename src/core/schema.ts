import * as z from 'zod/mini';
import { $ZodType } from 'zod/v4/core';
import { isValidTimeZone, toEpochMs, durationToMs, type EpochMs } from './time.js';
import { CrossChannelError, inputError } from './errors.js';
import { finished, isPlainObject, recordKeys, refineCheck, symbolKeyIssue, typeIssue, type RawIssue, intSchema, regexCheck, booleanSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, numberSchema, stringSchema, transformSchema } from './zod.js';

/**
 * Well-known channel names. Channels are open strings: these constants exist so that services spell the
 * common ones the same way.
 *
 * @example
 * ```ts
 * import { CHANNELS } from 'crosschannel';
 * const c = CHANNELS.callCenter; // 'call_center'
 * ```
 */
export const CHANNELS = {
  email: 'email',
  sms: 'sms',
  push: 'push',
  web: 'web',
  app: 'app',
  callCenter: 'call_center',
  store: 'store',
  directMail: 'direct_mail',
  display: 'display',
  social: 'social',
  search: 'search',
} as const;

/** A well-known channel name (`email`, `sms`, …). Any other string matching {@link channelSchema} is allowed too. */
export type WellKnownChannel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** A channel name: a well-known one or any other lowercase token. */
export type Channel = WellKnownChannel | (string & {});

// No control characters (C0, DEL, C1) and no lone surrogate (half of a UTF-16 pair: PostgreSQL's text and Redis's
// UTF-8 keys read every one as U+FFFD, so two ids would become one). In `u` mode a pair is one code point.
/** What ids and tags may hold (shared with the checks that stand for {@link idSchema}). Internal. */
export const NO_CONTROL_CHARACTERS = /^[^\p{Cc}\p{Cs}]*$/u;
/**
 * {@link NO_CONTROL_CHARACTERS} spelled with ranges only, as the JSON Schemas carry it (a `\p{…}` class is outside
 * JSON Schema's portable subset of regular expressions): C0 and C1 controls, DEL, and every surrogate code unit that
 * is not half of a pair (read in Unicode mode, as JSON Schema reads patterns; a pair is one code point). Internal.
 */
export const PORTABLE_NO_CONTROL_CHARACTERS = '^[^\\0-\\x1f\\x7f-\\x9f\\ud800-\\udfff]*$';
const CHANNEL_NAME = /^[a-z][a-z0-9_.-]*$/;

/**
 * What {@link idSchema} accepts (at most `max` characters; 256 by default), checked without zod: the hand-checked
 * fast paths of hot parsers (contact records, decide requests) fall back to the schema when this is false.
 * Internal: not exported from the entries.
 */
export function isIdString(v: unknown, max = 256): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= max && NO_CONTROL_CHARACTERS.test(v);
}

/** What {@link channelSchema} accepts, checked without zod (see {@link isIdString}). Internal. */
export function isChannelName(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 64 && CHANNEL_NAME.test(v);
}

/**
 * An identifier: a non-empty string of at most 256 characters without control characters (C0, DEL, C1) or lone
 * surrogates.
 *
 * @example
 * ```ts
 * idSchema.parse('cust-42'); // 'cust-42'
 * ```
 */
export const idSchema = /* @__PURE__ */ (() => stringSchema().check(minLengthCheck(1, 'Must not be empty'), maxLengthCheck(256, 'Must be at most 256 characters'), regexCheck(NO_CONTROL_CHARACTERS, 'Must not contain control or surrogate characters')))();

/**
 * A channel name: lowercase letters, digits, `_`, `-` or `.`, starting with a letter, at most 64 characters.
 *
 * @example
 * ```ts
 * channelSchema.parse('call_center'); // 'call_center'
 * ```
 */
export const channelSchema = /* @__PURE__ */ (() => stringSchema().check(minLengthCheck(1), maxLengthCheck(64), regexCheck(CHANNEL_NAME, 'Channel must be lowercase letters, digits, "_", "-" or "." and start with a letter')))();

/**
 * A tag (`marketing`, `promotion`, `category:shoes`): 1–128 characters without control characters.
 *
 * @example
 * ```ts
 * tagSchema.parse('marketing');
 * ```
 */
export const tagSchema = /* @__PURE__ */ (() => stringSchema().check(minLengthCheck(1), maxLengthCheck(128), regexCheck(NO_CONTROL_CHARACTERS, 'Must not contain control or surrogate characters')))();

/**
 * A timestamp accepted as epoch ms, `Date` or ISO 8601 string with offset; parses to epoch ms.
 *
 * @example
 * ```ts
 * timestampSchema.parse('2026-01-01T00:00:00Z'); // 1767225600000
 * ```
 */
export const timestampSchema = /* @__PURE__ */ (() => z.pipe(z
  .union([numberSchema(), stringSchema(), z.date()]), transformSchema((v, ctx): EpochMs => {
    try {
      return toEpochMs(v);
    } catch (e) {
      ctx.issues.push({ code: 'custom', message: e instanceof CrossChannelError ? e.message : 'Invalid timestamp', input: v });
      return z.NEVER;
    }
  })))();

/**
 * Epoch milliseconds only (integers); what parsed records hold. Use in output schemas and hot-path records.
 *
 * @example
 * ```ts
 * epochMsSchema.parse(1767225600000);
 * ```
 */
export const epochMsSchema = /* @__PURE__ */ (() => intSchema().check(gteCheck(-8.64e15), lteCheck(8.64e15)))();

/**
 * An IANA time-zone name known to the runtime (`Europe/Paris`, `UTC`).
 *
 * @example
 * ```ts
 * timeZoneSchema.parse('Asia/Kolkata');
 * ```
 */
export const timeZoneSchema = /* @__PURE__ */ (() => stringSchema().check(refineCheck(isValidTimeZone, 'Unknown IANA time zone')))();

/**
 * A duration (`'7d'`, `'PT1H'`, `{ days: 30 }` or ms) parsed to milliseconds.
 *
 * @example
 * ```ts
 * durationSchema.parse('30d'); // 2592000000
 * ```
 */
export const durationSchema = /* @__PURE__ */ (() => z.pipe(z
  .union([
    numberSchema(),
    stringSchema(),
    z.strictObject({
        weeks: z.optional(numberSchema()),
        days: z.optional(numberSchema()),
        hours: z.optional(numberSchema()),
        minutes: z.optional(numberSchema()),
        seconds: z.optional(numberSchema()),
        milliseconds: z.optional(numberSchema()),
      }),
  ]), transformSchema((v, ctx): number => {
    try {
      return durationToMs(v as Parameters<typeof durationToMs>[0]);
    } catch (e) {
      ctx.issues.push({ code: 'custom', message: e instanceof CrossChannelError ? e.message : 'Invalid duration', input: v });
      return z.NEVER;
    }
  })))();

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A JSON value (finite numbers only), nested at most 1,000 levels deep. Its issues are those of zod's
 * `z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(),
 * jsonValueSchema)]))`, field for field (a value that is not JSON: one `invalid_union` at its place, whose `errors`
 * hold each option's issues, worded in English); deeper JSON is refused at the place it goes deeper (`custom`, "JSON
 * nested more than 1000 levels deep"), where zod's recursion ends in a `RangeError`.
 *
 * @example
 * ```ts
 * jsonValueSchema.parse({ sku: 'A1', qty: 2 });
 * ```
 */
export const jsonValueSchema: z.ZodMiniType<JsonValue> = /* @__PURE__ */ (() => jsonSchema((v) => valueIssues(v, [], 0), {}))();

/**
 * A JSON object (`properties` of an event, attributes of a profile): `z.record(z.string(), jsonValueSchema)`'s
 * issues and copy (an own `__proto__` key and non-enumerable keys left out), nested at most 1,000 levels deep.
 *
 * @example
 * ```ts
 * jsonObjectSchema.parse({ category: 'shoes' });
 * ```
 */
export const jsonObjectSchema: z.ZodMiniType<Record<string, JsonValue>> = /* @__PURE__ */ (() =>
  // As zod describes the record to a JSON document, whose values are JSON anyway.
  jsonSchema((v) => recordIssues(v, 0), { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} }))();

/*
 * Both JSON schemas are checked by hand (src/core/json-schema.test.ts checks them against the zod schemas they
 * stand for): zod's lazy, record and null types and its recursion cost an entry ≈ 0.85 kB min+gzip when nothing
 * else uses them (experiments and segments read events' properties and nothing else of the kind).
 */
function jsonSchema<T>(issuesOf: (value: unknown) => RawIssue[], json: object): z.ZodMiniType<T> {
  const schema = z.unknown().check((payload) => {
    let issues: RawIssue[];
    try {
      issues = issuesOf(payload.value);
    } catch (e) {
      if (e !== TOO_DEEP) throw e;
      return void payload.issues.push({ code: 'custom', message: `JSON nested more than ${MAX_JSON_DEPTH} levels deep`, input: payload.value, path: tooDeep(payload.value, 0)! });
    }
    if (issues.length > 0) payload.issues.push(...(issues as never[]));
    else payload.value = jsonCopy(payload.value);
  });
  schema._zod.processJSONSchema = (_ctx, out) => void Object.assign(out, json);
  return schema as never;
}

const MAX_JSON_DEPTH = 1000;
/** Thrown by the checks below past MAX_JSON_DEPTH; caught by jsonSchema, which then finds the place. */
const TOO_DEEP = {};

/** The path (from `value`) to the first value nested deeper than MAX_JSON_DEPTH levels, or null. */
function tooDeep(value: unknown, depth: number): PropertyKey[] | null {
  if (typeof value !== 'object' || value === null) return null;
  if (depth > MAX_JSON_DEPTH) return [];
  for (const key of Array.isArray(value) ? value.keys() : recordKeys(value)) {
    const deep = tooDeep((value as Record<PropertyKey, unknown>)[key as string], depth + 1);
    if (deep) return [key, ...deep];
  }
  return null;
}

/** The issues of `value` as one JSON value (none when it is one): zod's union of six options, all failing. */
function valueIssues(value: unknown, path: PropertyKey[], depth: number): RawIssue[] {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null || (typeof value === 'number' && Number.isFinite(value))) return [];
  if (depth > MAX_JSON_DEPTH && typeof value === 'object' && value !== null) throw TOO_DEEP;
  // The array or record option's own issues first: a valid array or object allocates no issue of the other option.
  const array = Array.isArray(value) ? arrayIssues(value, depth) : null;
  if (array?.length === 0) return [];
  const record = array === null ? recordIssues(value, depth) : [typeIssue('record', value)];
  if (record.length === 0) return [];
  const received = typeof value === 'number' ? { received: Number.isNaN(value) ? 'NaN' : String(value) } : undefined;
  const errors = [[typeIssue('string', value)], [typeIssue('number', value, received)], [typeIssue('boolean', value)], [typeIssue('null', value)], array ?? [typeIssue('array', value)], record];
  return [{ code: 'invalid_union', input: value, errors: errors.map((option) => option.map(finished)), path }];
}

function arrayIssues(items: unknown[], depth: number): RawIssue[] {
  const issues: RawIssue[] = [];
  for (let i = 0; i < items.length; i++) issues.push(...valueIssues(items[i], [i], depth + 1));
  return issues;
}

/** The issues of `value` as `z.record(z.string(), jsonValueSchema)`. */
function recordIssues(value: unknown, depth: number): RawIssue[] {
  if (!isPlainObject(value)) return [typeIssue('record', value)];
  const issues: RawIssue[] = [];
  for (const key of recordKeys(value)) {
    if (typeof key === 'symbol') issues.push(symbolKeyIssue(key, [key]));
    else issues.push(...valueIssues(value[key], [key], depth + 1));
  }
  return issues;
}

/** The copy zod's parse returns of a JSON value it accepted. */
function jsonCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonCopy);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of recordKeys(value)) out[key as string] = jsonCopy((value as Record<string, unknown>)[key as string]);
  return out;
}

/**
 * JSON Schema (draft 2020-12) of a public config schema, from zod 4's native converter. Describes the
 * *input* side (what a user writes in a config file), so transforms such as durations show their accepted
 * forms.
 *
 * @example
 * ```ts
 * const jsonSchema = toJSONSchema(channelSchema); // { type: 'string', pattern: '^[a-z][a-z0-9_.-]*$', … }
 * ```
 */
export function toJSONSchema(schema: z.core.$ZodType): Record<string, unknown> {
  if (!(schema instanceof $ZodType)) throw inputError('toJSONSchema needs a zod schema', ['schema']);
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    // The id check's pattern in the portable subset of JSON Schema's regular expressions (no `\p{…}`, which
    // Python's `re`, Go's RE2 without Unicode tables and some validators cannot read): the same characters.
    override: ({ jsonSchema: j }) => {
      if (j.pattern === NO_CONTROL_CHARACTERS.source) j.pattern = PORTABLE_NO_CONTROL_CHARACTERS;
    },
  }) as Record<string, unknown>;
}
