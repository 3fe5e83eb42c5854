import * as z from 'zod/mini';
import { CrossChannelError, fromZodError, quoted } from '../core/errors.js';
import { NEGATIVE_RESPONSE_KINDS, RESPONSE_KINDS, type ResponseKind } from '../core/records.js';
import { channelSchema, durationSchema, idSchema, tagSchema, timeZoneSchema } from '../core/schema.js';
import { DAY, MAX_EPOCH_MS, type CalendarUnit, type TimeWindow, type WeekStartsOn } from '../core/time.js';
import { coversWholeWeek, type CompiledQuietRange } from './quiet.js';
import { ENGLISH, discriminated, issuesCheck, refineCheck, intSchema, regexCheck, enumSchema, literalSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, numberSchema, stringSchema, transformSchema } from '../core/zod.js';

const oneOrMany = <T extends z.ZodMiniType>(item: T) =>
  z.pipe(z.union([item, z.array(item).check(minLengthCheck(1), maxLengthCheck(256))]), transformSchema((v) => (Array.isArray(v) ? v : [v]) as Array<z.output<T>>));

/**
 * Which contacts a rule counts (and which candidates it applies to). Every field is optional; an empty scope
 * is global (all channels). Fields combine with AND; the values inside one field with OR (`tags` matches a
 * record carrying any of the listed tags).
 *
 * @example
 * ```ts
 * capScopeSchema.parse({ channels: 'sms', tags: ['marketing', 'promotion'] });
 * ```
 */
export const capScopeSchema = /* @__PURE__ */ (() => z.strictObject({
    channels: z.optional(oneOrMany(channelSchema)),
    campaigns: z.optional(oneOrMany(idSchema)),
    offers: z.optional(oneOrMany(idSchema)),
    tags: z.optional(oneOrMany(tagSchema)),
  }))();

/**
 * The longest duration a rule may give: 100,000,000 days (8.64e15 ms, as far as the epoch range reaches from 1970
 * either way). A longer window or gap means nothing for instants inside that range, and sums of a duration and an
 * instant stay exact integers.
 *
 * @example
 * ```ts
 * parseCapRules({ rules: [{ id: 'ever', kind: 'limit', limit: 3, window: { rolling: MAX_CAP_DURATION_MS } }] }); // the longest rolling window
 * ```
 */
export const MAX_CAP_DURATION_MS = MAX_EPOCH_MS;

/**
 * A duration of a rule: whole milliseconds, rounded to the nearest one (`{ hours: 1.1 }` is 3,960,000.0000000005 ms
 * in floating point, `{ seconds: 1.0005 }` is 1,001 ms), from 1 ms to {@link MAX_CAP_DURATION_MS}. Whole
 * milliseconds keep every release instant (`at + duration`) a whole epoch millisecond, as `now` must be.
 */
const capDurationSchema = (what: string) =>
  z.pipe(durationSchema, transformSchema((ms: number) => Math.round(ms))).check(
    refineCheck((ms: number) => ms >= 1, `${what} must be at least 1 ms`),
    refineCheck((ms: number) => ms <= MAX_CAP_DURATION_MS, `${what} must be at most 100,000,000 days (8.64e15 ms)`),
  );

/**
 * A counting window: rolling (`{ rolling: '7d' }`, any duration — rounded to whole ms, from 1 ms to
 * {@link MAX_CAP_DURATION_MS}; it counts contacts with `at > t − D`, those dated after `t` too) or a local calendar
 * day / week / month in the subject's time zone (`'day'`, `{ calendar: 'week', weekStartsOn: 0 }`). A bad window is
 * `CONFIG_INVALID` at its bad sub-field (`rules[0].window.rolling`) through {@link parseCapRules}.
 *
 * @example
 * ```ts
 * capWindowSchema.parse('week'); // { type: 'calendar', unit: 'week' }
 * capWindowSchema.parse({ rolling: '24h' }); // { type: 'rolling', ms: 86400000 }
 * ```
 */
export const capWindowSchema = /* @__PURE__ */ (() => z.union([
  z.pipe(enumSchema(['day', 'week', 'month']), transformSchema((unit) => ({ type: 'calendar' as const, unit: unit as CalendarUnit }))),
  z.pipe(z.strictObject({ rolling: capDurationSchema('A rolling window') }), transformSchema((w) => ({ type: 'rolling' as const, ms: w.rolling }))),
  z.pipe(z.strictObject({ calendar: enumSchema(['day', 'week', 'month']), weekStartsOn: z.optional(intSchema().check(gteCheck(0), lteCheck(6))) }), transformSchema((w) => ({ type: 'calendar' as const, unit: w.calendar as CalendarUnit, ...(w.weekStartsOn === undefined ? {} : { weekStartsOn: w.weekStartsOn as WeekStartsOn }) }))),
]))();

const HHMM = /^([01]\d|2[0-4]):([0-5]\d)$/;
const clockSchema = /* @__PURE__ */ (() => z.pipe(stringSchema().check(regexCheck(HHMM, 'Expected a local time "HH:MM"')), transformSchema((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)))).check(refineCheck((m) => m <= 1440, 'Local time after 24:00')))();

/**
 * A quiet-hours range in local time: `from`–`to` (`to` exclusive), crossing midnight when `to` < `from`
 * (`21:00`–`08:00`). `days` (0 = Sunday … 6 = Saturday, default every day) are the days the range *starts* on.
 *
 * @example
 * ```ts
 * quietRangeSchema.parse({ from: '21:00', to: '08:00', days: [1, 2, 3, 4, 5] });
 * ```
 */
export const quietRangeSchema = /* @__PURE__ */ (() => z.strictObject({
    from: clockSchema,
    to: clockSchema,
    days: z.optional(z.array(intSchema().check(gteCheck(0), lteCheck(6))).check(minLengthCheck(1), maxLengthCheck(7))),
  }).check(refineCheck((r) => r.from !== r.to, 'A quiet range needs from ≠ to', ['to']), refineCheck((r) => r.from < 1440, 'A quiet range cannot start at 24:00', ['from'])))();

const ruleBase = /* @__PURE__ */ (() => ({
  /** Stable id, named in reasons. */
  id: idSchema,
  description: z.optional(stringSchema().check(maxLengthCheck(500))),
  scope: z._default(capScopeSchema, {}),
  /** Count per value of this field: "per campaign" counts only contacts of the candidate's campaign. */
  per: z.optional(enumSchema(['channel', 'campaign', 'offer'])),
  /**
   * Transactional messages: `exempt` (default) — they bypass the rule and do not count toward it; `counted` —
   * they bypass it but consume its slots; `capped` — treated like any other message.
   */
  transactional: z._default(enumSchema(['exempt', 'counted', 'capped']), 'exempt'),
}))();

/**
 * One capping rule. Kinds: `limit` (at most N contacts per window, optionally keeping `reserve.slots` for
 * messages of priority ≥ `reserve.minPriority`), `gap` (minimum time between two contacts in scope), `quiet`
 * (local quiet hours), `cooldown` (no contact in scope for a duration after a negative response).
 *
 * @example
 * ```ts
 * capRuleSchema.parse({ id: 'weekly', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } });
 * ```
 */
export const capRuleSchema = /* @__PURE__ */ (() => discriminated('kind', [
  z.strictObject({
      ...ruleBase,
      kind: literalSchema('limit'),
      limit: intSchema().check(gteCheck(0), lteCheck(1_000_000)),
      window: capWindowSchema,
      reserve: z.optional(z.strictObject({ slots: intSchema().check(gteCheck(1)), minPriority: numberSchema() })),
    }).check(refineCheck((r) => r.reserve === undefined || r.reserve.slots <= r.limit, 'reserve.slots cannot exceed limit', ['reserve', 'slots'])),
  z.strictObject({ ...ruleBase, kind: literalSchema('gap'), minGap: capDurationSchema('minGap') }),
  z.strictObject({ ...ruleBase, kind: literalSchema('quiet'), ranges: z.array(quietRangeSchema).check(minLengthCheck(1), maxLengthCheck(64)) }),
  z.strictObject({
      ...ruleBase,
      kind: literalSchema('cooldown'),
      after: z._default(z.array(enumSchema(RESPONSE_KINDS)).check(minLengthCheck(1)), [...NEGATIVE_RESPONSE_KINDS]),
      duration: z.union([literalSchema('forever'), capDurationSchema('A cooldown')]),
    }),
]))();

/**
 * A rule set: rules plus the defaults they are read with — `timeZone` when the subject has none (default
 * `UTC`) and `weekStartsOn` for calendar weeks (default 1, Monday).
 *
 * @example
 * ```ts
 * capRuleSetSchema.parse({ timeZone: 'Europe/Paris', rules: [{ id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } }] });
 * ```
 */
export const capRuleSetSchema = /* @__PURE__ */ (() => z.strictObject({
    timeZone: z._default(timeZoneSchema, 'UTC'),
    weekStartsOn: z._default(intSchema().check(gteCheck(0), lteCheck(6)), 1),
    rules: z.array(capRuleSchema).check(maxLengthCheck(256)),
  }).check(issuesCheck<{ rules: ReadonlyArray<{ id: string }> }>((set, add) => {
    const seen = new Set<string>();
    set.rules.forEach((r, i) => {
      if (seen.has(r.id)) add(`Duplicate rule id ${quoted(r.id)}`, ['rules', i, 'id']);
      seen.add(r.id);
    });
  })))();

/** A parsed rule. */
export type CapRule = z.output<typeof capRuleSchema>;
/** What a caller may write for a rule (JSON-able). */
export type CapRuleInput = z.input<typeof capRuleSchema>;
/** A parsed rule set. */
export type CapRuleSet = z.output<typeof capRuleSetSchema>;
/** What a caller may write for a rule set (JSON-able). */
export type CapRuleSetInput = z.input<typeof capRuleSetSchema>;
/** A parsed counting window. */
export type CapWindow = z.output<typeof capWindowSchema>;

/**
 * Which records a count reads, as a store executes it: a record is counted when its channel, campaign and offer
 * are each in the list (`null`: any value, a missing campaign or offer never matches a list), it carries one of
 * `tags` (`null`: any), and it is not transactional unless `transactional` is true (contacts only).
 *
 * @example
 * ```ts
 * const scope: CountScope = { channels: ['sms'], campaigns: null, offers: null, tags: ['marketing'], transactional: false };
 * ```
 */
export interface CountScope {
  readonly channels: ReadonlyArray<string> | null;
  readonly campaigns: ReadonlyArray<string> | null;
  readonly offers: ReadonlyArray<string> | null;
  readonly tags: ReadonlyArray<string> | null;
  readonly transactional: boolean;
}

/** A rule in the form hot paths read: plain arrays, numbers and flags, no optional lookups. */
export interface CompiledCapRule {
  readonly id: string;
  readonly kind: 'limit' | 'gap' | 'quiet' | 'cooldown';
  readonly channels: ReadonlyArray<string> | null;
  readonly campaigns: ReadonlyArray<string> | null;
  readonly offers: ReadonlyArray<string> | null;
  readonly tags: ReadonlyArray<string> | null;
  readonly per: 'channel' | 'campaign' | 'offer' | null;
  /** Transactional candidates skip this rule. */
  readonly transactionalBypass: boolean;
  /** Transactional contacts in the history count toward this rule. */
  readonly transactionalCounts: boolean;
  readonly limit: number;
  readonly reserveSlots: number;
  readonly reserveMinPriority: number;
  /** `rolling`: window length in ms; `calendar`: unit + weekStartsOn. */
  readonly window: { readonly type: 'rolling'; readonly ms: number } | { readonly type: 'calendar'; readonly unit: CalendarUnit; readonly weekStartsOn: WeekStartsOn } | null;
  readonly minGap: number;
  readonly ranges: ReadonlyArray<CompiledQuietRange>;
  /** A quiet rule whose ranges cover the whole week: never allowed. */
  readonly alwaysQuiet: boolean;
  readonly cooldownKinds: ReadonlyArray<ResponseKind>;
  /** Cooldown length in ms; `Infinity` for `forever`. */
  readonly cooldownMs: number;
  /** The rule's scope as a store counts it (one object per compiled rule, so stores may cache by it). */
  readonly scope: CountScope;
  /** The parsed rule it came from. */
  readonly source: CapRule;
}

const COMPILED = Symbol.for('crosschannel.capping.compiled');

/**
 * A validated, compiled rule set: what `evaluateCaps`, `planContacts` and the stores take. Build it once with
 * {@link parseCapRules} and reuse it. It carries a small memo of calendar windows so that evaluating many
 * subjects at the same instant computes each local window once.
 */
export interface CompiledCapRules {
  readonly [COMPILED]: true;
  readonly rules: ReadonlyArray<CompiledCapRule>;
  readonly timeZone: string;
  readonly weekStartsOn: WeekStartsOn;
  /** How far back a history must reach for an evaluation at `now` (ms; `Infinity` with a forever cooldown). */
  readonly lookbackMs: number;
  /** The parsed rule set, e.g. to serialise it back to JSON. */
  readonly source: CapRuleSet;
  /** @internal The latest calendar windows per zone, then per unit and week start (see capping/windows.ts). */
  readonly windowMemo: Map<string, Array<TimeWindow | undefined>>;
  /** @internal Whether a combination of quiet rules (key: their indexes) covers the whole week. */
  readonly quietCoverage: Map<string, boolean>;
  /** @internal Whether a rule reads the local calendar (a calendar window or quiet hours): `now` must then fall in years 1–9999. */
  readonly calendar: boolean;
}

/**
 * Validates and compiles a rule set. Throws `CrossChannelError` `CONFIG_INVALID` with the path of the first bad
 * field (e.g. `rules[2].limit`).
 *
 * @example
 * ```ts
 * const caps = parseCapRules({
 *   timeZone: 'Europe/Paris',
 *   rules: [
 *     { id: 'marketing-week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } },
 *     { id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
 *     { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] },
 *     { id: 'after-unsubscribe', kind: 'cooldown', duration: '30d', scope: { tags: 'marketing' } },
 *   ],
 * });
 * ```
 */
export function parseCapRules(input: CapRuleSetInput | CompiledCapRules): CompiledCapRules {
  if (isCompiledCapRules(input)) return input;
  const r = z.safeParse(capRuleSetSchema, input, ENGLISH);
  if (!r.success) {
    const issues = r.error.issues;
    for (let i = 0; i < issues.length; i++) issues[i] = intoUnion(issues[i]!);
    throw fromZodError(r.error, 'CONFIG_INVALID');
  }
  return compileCapRules(r.data);
}

// Codes by which an option of a union says "this value is not my kind of value at all".
const NOT_MINE = ['invalid_type', 'invalid_value', 'invalid_union'];

/**
 * zod reports a value that matches no option of a union (a window, a duration, a cooldown's `duration`) as one
 * `invalid_union` at the union ("Invalid input"). This names the option the value was meant for — the only one
 * whose complaints are all inside the value (`{ rolling: -5 }` is a rolling window whose `rolling` is bad), or
 * else the only one that took the value's type but not all its keys — and gives that option's first issue at its
 * own path (`rules[0].window.rolling`). A value no option takes keeps the union's issue, worded for windows.
 */
function intoUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || !Array.isArray(issue.errors)) return issue;
  const options = issue.errors.filter((o) => o.length > 0);
  const rootIs = (o: ReadonlyArray<z.core.$ZodIssue>, codes: ReadonlyArray<string>): boolean => o.some((i) => i.path.length === 0 && codes.includes(i.code));
  let mine = options.filter((o) => !rootIs(o, [...NOT_MINE, 'unrecognized_keys']));
  if (mine.length !== 1) mine = options.filter((o) => !rootIs(o, NOT_MINE));
  if (mine.length !== 1) {
    if (issue.path[issue.path.length - 1] !== 'window') return issue;
    return { ...issue, message: "Expected 'day', 'week', 'month', { rolling } or { calendar, weekStartsOn? }" };
  }
  const inner = intoUnion(mine[0]![0]!);
  return { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue;
}

/**
 * True when `value` came out of {@link parseCapRules}.
 *
 * @example
 * ```ts
 * isCompiledCapRules(parseCapRules({ rules: [] })); // true
 * isCompiledCapRules({ rules: [] }); // false
 * ```
 */
export function isCompiledCapRules(value: unknown): value is CompiledCapRules {
  return typeof value === 'object' && value !== null && (value as { [COMPILED]?: unknown })[COMPILED] === true;
}

function compileCapRules(set: CapRuleSet): CompiledCapRules {
  const weekStartsOn = set.weekStartsOn as WeekStartsOn;
  let lookbackMs = 0;
  const rules = set.rules.map((r): CompiledCapRule => {
    const scope: CountScope = Object.freeze({
      channels: r.scope.channels ?? null,
      campaigns: r.scope.campaigns ?? null,
      offers: r.scope.offers ?? null,
      tags: r.scope.tags ?? null,
      transactional: r.transactional !== 'exempt',
    });
    const base = {
      id: r.id,
      kind: r.kind,
      channels: r.scope.channels ?? null,
      campaigns: r.scope.campaigns ?? null,
      offers: r.scope.offers ?? null,
      tags: r.scope.tags ?? null,
      per: r.per ?? null,
      transactionalBypass: r.transactional !== 'capped',
      transactionalCounts: r.transactional !== 'exempt',
      limit: 0,
      reserveSlots: 0,
      reserveMinPriority: Number.POSITIVE_INFINITY,
      window: null,
      minGap: 0,
      ranges: [] as CompiledQuietRange[],
      alwaysQuiet: false,
      cooldownKinds: [] as ResponseKind[],
      cooldownMs: 0,
      scope,
      source: r,
    };
    switch (r.kind) {
      case 'limit': {
        const window =
          r.window.type === 'rolling'
            ? { type: 'rolling' as const, ms: r.window.ms }
            : { type: 'calendar' as const, unit: r.window.unit, weekStartsOn: (('weekStartsOn' in r.window ? r.window.weekStartsOn : undefined) ?? weekStartsOn) as WeekStartsOn };
        lookbackMs = Math.max(lookbackMs, window.type === 'rolling' ? window.ms : window.unit === 'day' ? 2 * DAY : window.unit === 'week' ? 8 * DAY : 32 * DAY);
        return {
          ...base,
          limit: r.limit,
          reserveSlots: r.reserve?.slots ?? 0,
          reserveMinPriority: r.reserve?.minPriority ?? Number.POSITIVE_INFINITY,
          window,
        };
      }
      case 'gap':
        lookbackMs = Math.max(lookbackMs, r.minGap);
        return { ...base, minGap: r.minGap };
      case 'quiet': {
        const ranges = r.ranges.map((q) => ({ from: q.from, to: q.to, days: (q.days ?? [0, 1, 2, 3, 4, 5, 6]).reduce((m, d) => m | (1 << d), 0) }));
        return { ...base, ranges, alwaysQuiet: coversWholeWeek(ranges) };
      }
      case 'cooldown': {
        const ms = r.duration === 'forever' ? Number.POSITIVE_INFINITY : r.duration;
        lookbackMs = Math.max(lookbackMs, ms);
        return { ...base, cooldownKinds: r.after, cooldownMs: ms };
      }
    }
  });
  return {
    [COMPILED]: true,
    rules,
    timeZone: set.timeZone,
    weekStartsOn,
    lookbackMs,
    source: set,
    windowMemo: new Map(),
    quietCoverage: new Map(),
    calendar: rules.some((r) => r.kind === 'quiet' || r.window?.type === 'calendar'),
  };
}
