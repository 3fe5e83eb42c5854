/**
 * Identity rules: type priority, merge-protection limits, blocked values, anonymous-id time-to-live and
 * normalisation options. A plain JSON-able object validated and compiled once by {@link parseIdentityRules}.
 */
import * as z from 'zod/mini';
import { intSchema, regexCheck, enumSchema, booleanSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';
import { CrossChannelError, parseWith, type Result, attempt } from '../core/errors.js';
import { durationSchema } from '../core/schema.js';
import { expectOptions } from '../core/guards.js';
import type { NormalizerKind, NormalizeOptions } from './normalize.js';
import { expectPhoneLibrary, type PhoneNumberLibrary } from './phone-lib-type.js';
import { phoneLib } from './phone-lib.js';

const typeNameSchema = /* @__PURE__ */ (() => stringSchema().check(regexCheck(/^[a-z][a-z0-9_]{0,63}$/, 'Identifier type must match [a-z][a-z0-9_]* (at most 64 characters)')))();

/**
 * Default priority, strongest first: a login id outranks a CRM id, a loyalty card, an email… down to cookies.
 *
 * @example
 * ```ts
 * DEFAULT_PRIORITY[0]; // 'user_id'
 * ```
 */
export const DEFAULT_PRIORITY: ReadonlyArray<string> = [
  'user_id',
  'external_id',
  'loyalty_id',
  'email',
  'phone',
  'email_sha256',
  'phone_sha256',
  'device_id',
  'anonymous_id',
  'cookie_id',
];

/**
 * Default per-profile limits: one login, five emails, five phones; every other type unlimited.
 *
 * @example
 * ```ts
 * DEFAULT_LIMITS.user_id; // 1
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Record<string, number>> = { user_id: 1, email: 5, phone: 5 };

/**
 * Placeholder values typed by cashiers, forms and SDKs that must never link two people: `null`, `undefined`,
 * `test@test.com`, `0000000000`, the all-zero advertising id of users who opted out of tracking, …
 * Patterns are case-insensitive and tested against the normalised value.
 *
 * @example
 * ```ts
 * DEFAULT_BLOCKED_PATTERNS.some((p) => new RegExp(p.pattern, 'i').test('null')); // true
 * ```
 */
export const DEFAULT_BLOCKED_PATTERNS: ReadonlyArray<{ readonly type?: string; readonly pattern: string }> = [
  { pattern: '^(?:null|undefined|none|nil|nan|n/?a|unknown|anonymous|test|false|true|\\[object object\\]|-+|\\.+|_+|x+|\\*+)$' },
  { pattern: '^(?:0+|1+|2+|3+|4+|5+|6+|7+|8+|9+)$' },
  { pattern: '^[0-]+$' },
  { type: 'email', pattern: '^(?:test|testing|noemail|no-email|none|null|nobody|noreply|no-reply|donotreply|do-not-reply|asdf|abc|xxx|email|mail|sample|dummy|fake|na|n-a)@' },
  { type: 'email', pattern: '@(?:test\\.com|email\\.com|mailinator\\.com|noemail\\.com|none\\.com|domain\\.com)$' },
  { type: 'phone', pattern: '^\\+\\d{1,3}(?:0{7,}|1{7,}|2{7,}|3{7,}|4{7,}|5{7,}|6{7,}|7{7,}|8{7,}|9{7,})$' },
  // A number whose national part is 123456789 or 987654321 (a trailing 0 allowed): the whole number, so a real
  // number that contains the run (+13123456789 in Chicago, +4915123456789) is not refused. +1 is written apart:
  // its national part has 10 digits, and a country code read as "13" would match the Chicago number.
  { type: 'phone', pattern: '^\\+(?:1(?:1234567890|9876543210)|[2-9]\\d{0,2}0?(?:123456789|987654321)0?)$' },
];

const blockedPatternSchema = /* @__PURE__ */ (() => z.union([stringSchema().check(minLengthCheck(1)), z.strictObject({ type: z.optional(typeNameSchema), pattern: stringSchema().check(minLengthCheck(1)) })]))();

/**
 * The identity rules as written in a config file. Every field has a default, so `{}` is a valid rule set.
 *
 * @example
 * ```ts
 * const input: IdentityRulesInput = { limits: { user_id: 1, email: 3 }, ttl: { anonymous_id: '90d' } };
 * ```
 */
export const identityRulesSchema = /* @__PURE__ */ (() => z.strictObject({
    /** Identifier types, strongest first. Unlisted types rank after these, in name order. */
    priority: z._default(z.array(typeNameSchema), [...DEFAULT_PRIORITY]),
    /** At most this many identifiers of a type per profile; unlisted types are unlimited. */
    limits: z._default(z.record(typeNameSchema, intSchema().check(gteCheck(1))), { ...DEFAULT_LIMITS }),
    /** At most this many identifiers in one profile, all types together. */
    maxIdentifiers: z._default(intSchema().check(gteCheck(2), lteCheck(1_000_000)), 1000),
    /**
     * Identifier types that never link two identifiers (a shared device cookie, a household IP, a family tablet's
     * device id): an identifier of such a type is attached to every profile it is seen with, and is a profile of its
     * own when seen alone, but never merges anything. See `IdentityGraph.attachedProfileIds`.
     */
    nonLinking: z._default(z.array(typeNameSchema).check(maxLengthCheck(256)), []),
    /** Per type: an identifier links only observations made within this duration of its first sighting. */
    ttl: z._default(z.record(typeNameSchema, durationSchema), {}),
    /** Values that never link anything. */
    blocked: z._default(z.strictObject({
        /** Exact normalised values: `'type:value'` for one type, or a bare value for every type. */
        values: z._default(z.array(stringSchema().check(minLengthCheck(1))), []),
        /** Case-insensitive regular expressions on the normalised value, for all types or one. */
        patterns: z._default(z.array(blockedPatternSchema), []),
        /** Also apply {@link DEFAULT_BLOCKED_PATTERNS}. */
        defaults: z._default(booleanSchema(), true),
      }), { values: [], patterns: [], defaults: true }),
    normalization: z._default(z.strictObject({
        /** ISO 3166-1 alpha-2 country for national phone numbers. */
        defaultCountry: z.optional(stringSchema().check(regexCheck(/^[A-Z]{2}$/, 'Country must be an ISO 3166-1 alpha-2 code in capitals'))),
        emailProviderRules: z._default(booleanSchema(), false),
        types: z._default(z.record(typeNameSchema, enumSchema(['email', 'phone', 'sha256', 'verbatim'])), {}),
      }), { emailProviderRules: false, types: {} }),
    /** Mixed into profile ids so that a profile id does not reveal its identifier (set a secret per deployment). */
    profileIdSalt: z._default(stringSchema().check(maxLengthCheck(256)), ''),
  }))();

/**
 * Identity rules as written (input side).
 *
 * @example
 * ```ts
 * const rules: IdentityRulesInput = { limits: { user_id: 1, email: 3 }, ttl: { cookie_id: '90d' }, nonLinking: ['device_id'], normalization: { defaultCountry: 'FR' } };
 * ```
 */
export type IdentityRulesInput = z.input<typeof identityRulesSchema>;
/**
 * Identity rules after validation, with defaults filled in.
 *
 * @example
 * ```ts
 * const rules: IdentityRules = parseIdentityRules({ limits: { user_id: 1 } }).source;
 * console.log(rules.priority, rules.maxIdentifiers);
 * ```
 */
export type IdentityRules = z.output<typeof identityRulesSchema>;

/**
 * Compiled identity rules: what the stitching hot path reads. Build with {@link parseIdentityRules}.
 *
 * @example
 * ```ts
 * const rules: CompiledIdentityRules = parseIdentityRules({ limits: { user_id: 1 } });
 * rules.limitOf('user_id'); // 1
 * rules.rankOf('user_id') < rules.rankOf('cookie_id'); // true
 * ```
 */
export interface CompiledIdentityRules {
  readonly source: IdentityRules;
  readonly normalize: NormalizeOptions;
  /** Rank of a type (0 = strongest); unlisted types get `priority.length` and tie-break on their name. */
  rankOf(type: string): number;
  /** Per-profile limit of a type, `Infinity` when unlimited. */
  limitOf(type: string): number;
  /** Time-to-live of a type in ms, `Infinity` when none. */
  ttlOf(type: string): number;
  /** True for a type listed in `nonLinking`: its identifiers are attached to profiles but never link them. */
  isNonLinking(type: string): boolean;
  readonly maxIdentifiers: number;
  /** The rule that blocks this normalised identifier (`blocked:value` or `blocked:pattern:<source>`), or `undefined`. */
  blockedBy(type: string, value: string): string | undefined;
  readonly profileIdSalt: string;
}

/**
 * What {@link parseIdentityRules} takes beside the JSON rules.
 *
 * @example
 * ```ts
 * import * as phone from 'libphonenumber-js/min';
 * const options: IdentityRulesOptions = { phone };
 * const rules = parseIdentityRules({ normalization: { defaultCountry: 'FR' } }, options);
 * ```
 */
export interface IdentityRulesOptions {
  /**
   * The phone library that normalises `phone` identifiers: the optional peer `libphonenumber-js` (its `min`
   * module for the same results as when it is found on its own). Needed where Node cannot find the installed
   * peer itself: a bundle or a browser. Without it and without the peer, a phone throws `DEPENDENCY_MISSING`.
   */
  readonly phone?: PhoneNumberLibrary | undefined;
}

/**
 * Validates and compiles identity rules once. Throws `CONFIG_INVALID` with the path of the bad field (including
 * a blocked pattern that is not a valid regular expression).
 *
 * @example
 * ```ts
 * const rules = parseIdentityRules({ limits: { user_id: 1 }, ttl: { anonymous_id: '30d' }, blocked: { values: ['email:info@shop.example'] } });
 * rules.limitOf('user_id'); // 1
 *
 * // In a bundle or a browser, pass the phone library (Node finds the installed peer on its own):
 * import * as phone from 'libphonenumber-js/min';
 * const withPhones = parseIdentityRules({ normalization: { defaultCountry: 'FR' } }, { phone });
 * ```
 */
export function parseIdentityRules(input: IdentityRulesInput = {}, options: IdentityRulesOptions = {}): CompiledIdentityRules {
  expectOptions(options, ['options']);
  const phone = options.phone === undefined ? undefined : expectPhoneLibrary(options.phone, ['options', 'phone']);
  const src = parseWith(identityRulesSchema, input, 'CONFIG_INVALID');
  // A country the phone metadata does not know ('UK' for 'GB') would refuse every national number later: say so
  // now, when the library is at hand (passed in, or found in Node).
  const country = src.normalization.defaultCountry;
  const lib = phone ?? phoneLib;
  if (country !== undefined && lib !== null && !lib.isSupportedCountry(country)) {
    throw new CrossChannelError('CONFIG_INVALID', `Unknown phone country ${country}`, { path: ['normalization', 'defaultCountry'], detail: { value: country } });
  }
  const rank = new Map<string, number>();
  src.priority.forEach((t, i) => {
    if (!rank.has(t)) rank.set(t, i);
  });
  const unlisted = src.priority.length;
  const limits = new Map(Object.entries(src.limits));
  const ttls = new Map(Object.entries(src.ttl));
  const nonLinking = new Set(src.nonLinking);
  for (const [t, ms] of ttls) {
    if (!(ms > 0)) throw new CrossChannelError('CONFIG_INVALID', 'Time-to-live must be positive', { path: ['ttl', t], detail: { value: ms } });
  }
  const exact = new Set(src.blocked.values);
  const patterns: Array<{ type: string | undefined; re: RegExp; source: string }> = [];
  const all = [...(src.blocked.defaults ? DEFAULT_BLOCKED_PATTERNS : []), ...src.blocked.patterns];
  const userOffset = src.blocked.defaults ? DEFAULT_BLOCKED_PATTERNS.length : 0;
  all.forEach((p, i) => {
    const spec = typeof p === 'string' ? { type: undefined, pattern: p } : { type: p.type, pattern: p.pattern };
    try {
      patterns.push({ type: spec.type, re: new RegExp(spec.pattern, 'i'), source: spec.pattern });
    } catch (cause) {
      throw new CrossChannelError('CONFIG_INVALID', `Invalid regular expression: ${spec.pattern}`, {
        path: ['blocked', 'patterns', i - userOffset, ...(typeof p === 'string' ? [] : ['pattern'])],
        cause,
      });
    }
  });
  // Memo of the patterns that apply to each type (a cache of a pure function of the compiled rules).
  const patternsByType = new Map<string, { list: typeof patterns; combined: RegExp | undefined; alone: typeof patterns }>();
  const normalize: NormalizeOptions = {
    defaultCountry: src.normalization.defaultCountry,
    emailProviderRules: src.normalization.emailProviderRules,
    types: src.normalization.types as Record<string, NormalizerKind>,
    ...(phone === undefined ? {} : { phone }),
  };
  return {
    source: src,
    normalize,
    rankOf: (type) => rank.get(type) ?? unlisted,
    limitOf: (type) => limits.get(type) ?? Infinity,
    ttlOf: (type) => ttls.get(type) ?? Infinity,
    isNonLinking: (type) => nonLinking.has(type),
    maxIdentifiers: src.maxIdentifiers,
    blockedBy: (type, value) => {
      if (exact.size > 0 && (exact.has(value) || exact.has(`${type}:${value}`))) return 'blocked:value';
      let entry = patternsByType.get(type);
      if (entry === undefined) {
        const list = patterns.filter((p) => p.type === undefined || p.type === type);
        // Patterns without back-references are OR-ed into one expression: one scan per value on the common
        // (not blocked) path. Back-references would be renumbered by the alternation, so those run alone.
        const plain = list.filter((p) => !/\\[1-9]|\\k</.test(p.source));
        entry = {
          list,
          combined: plain.length > 1 ? new RegExp(plain.map((p) => `(?:${p.source})`).join('|'), 'i') : undefined,
          alone: plain.length > 1 ? list.filter((p) => !plain.includes(p)) : list,
        };
        patternsByType.set(type, entry);
      }
      if (entry.combined !== undefined && entry.combined.test(value)) {
        for (const p of entry.list) if (p.re.test(value)) return `blocked:pattern:${p.source}`;
      }
      for (const p of entry.alone) if (p.re.test(value)) return firstMatch(entry.list, value);
      return undefined;
    },
    profileIdSalt: src.profileIdSalt,
  };
}

function firstMatch(list: ReadonlyArray<{ re: RegExp; source: string }>, value: string): string | undefined {
  for (const p of list) if (p.re.test(value)) return `blocked:pattern:${p.source}`;
  return undefined;
}

/**
 * Non-throwing {@link parseIdentityRules}.
 *
 * @example
 * ```ts
 * const r = safeParseIdentityRules({ limits: { email: 0 } });
 * if (!r.ok) console.log(r.error.path); // 'limits.email'
 * ```
 */
export function safeParseIdentityRules(input: unknown, options?: IdentityRulesOptions): Result<CompiledIdentityRules> {
  return attempt(() => parseIdentityRules(input as IdentityRulesInput, options));
}
