/**
 * The journey definition: plain JSON, versioned, validated by zod. The schema is the type; static checks of
 * the step graph (unknown steps, unreachable steps, loops without a wait) live in `compile.ts`.
 */
import * as z from 'zod/mini';
import { RESPONSE_KINDS } from '../core/records.js';
import { channelSchema, durationSchema, idSchema, jsonObjectSchema, tagSchema, timeZoneSchema } from '../core/schema.js';
import { DAY, MAX_EPOCH_MS } from '../core/time.js';
import { propertyConditionSchema, segmentRuleSchema } from '../segments/dsl.js';
import { discriminated, refineCheck, intSchema, regexCheck, enumSchema, literalSchema, booleanSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, stringSchema, transformSchema } from '../core/zod.js';

/**
 * A step id: letters, digits, `_`, `-`, `.`, at most 64 characters.
 *
 * @example
 * ```ts
 * stepIdSchema.parse('call-j1'); // 'call-j1'
 * ```
 */
export const stepIdSchema = /* @__PURE__ */ (() => stringSchema().check(minLengthCheck(1), maxLengthCheck(64), regexCheck(/^(?!__proto__$)[A-Za-z0-9_.-]+$/, 'Step id must be letters, digits, "_", "-" or "." (and not __proto__)')))();

/**
 * A duration of a definition, at most 100,000,000 days (8.64e15 ms, the span of a `Date`): a larger one would put a
 * wake-up time past the end of representable time.
 */
const durSchema = /* @__PURE__ */ (() => durationSchema.check(refineCheck((ms: number) => ms <= MAX_EPOCH_MS, 'A duration is at most 100,000,000 days')))();

const oneOrMany = <T extends z.ZodMiniType>(s: T) => z.pipe(z.union([s, z.array(s).check(minLengthCheck(1), maxLengthCheck(32))]), transformSchema((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]));

const responseKindSchema = /* @__PURE__ */ (() => enumSchema(RESPONSE_KINDS))();

/**
 * Something that can happen to a person while in a journey: a reaction to a message (`opened`, `clicked`, …,
 * optionally of one step's message) or a behaviour event (by type, with property conditions).
 *
 * @example
 * ```ts
 * signalSchema.parse({ response: ['opened', 'clicked'], step: 'newsletter' });
 * signalSchema.parse({ event: 'purchase', where: [{ prop: 'amount', op: 'gt', value: 0 }] });
 * ```
 */
export const signalSchema = /* @__PURE__ */ (() => z.union([
  z.strictObject({ response: oneOrMany(responseKindSchema), step: z.optional(stepIdSchema) }),
  z.strictObject({ event: oneOrMany(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))), where: z.optional(z.array(propertyConditionSchema).check(maxLengthCheck(16))) }),
]))();

/** A signal as written. */
export type SignalInput = z.input<typeof signalSchema>;
/** A signal (parsed). */
export type Signal = z.output<typeof signalSchema>;

/** A split condition as written: a segment rule, a reaction (or its absence) to a step's message, or a combination. */
export type ConditionInput =
  | { segment: unknown }
  | { reacted: { step: string; kind: (typeof RESPONSE_KINDS)[number] } }
  | { notReacted: { step: string; kind: (typeof RESPONSE_KINDS)[number] } }
  | { all: ConditionInput[] }
  | { any: ConditionInput[] };

/**
 * A split condition: `{ segment: <segment rule> }` (over the profile and the person's events dated up to the split:
 * `AdvanceInputs.recentEvents` when given, else only the events of that advance),
 * `{ reacted: { step, kind } }` / `{ notReacted: { step, kind } }` (the person did / did not react that way to
 * the message of that step), `{ all: [...] }`, `{ any: [...] }`.
 *
 * @example
 * ```ts
 * conditionSchema.parse({ all: [{ reacted: { step: 'newsletter', kind: 'opened' } }, { notReacted: { step: 'newsletter', kind: 'clicked' } }] });
 * ```
 */
export const conditionSchema: z.ZodMiniType<ConditionInput> = /* @__PURE__ */ (() => z.lazy(() =>
  z.union([
    z.strictObject({ segment: segmentRuleSchema }),
    z.strictObject({ reacted: z.strictObject({ step: stepIdSchema, kind: responseKindSchema }) }),
    z.strictObject({ notReacted: z.strictObject({ step: stepIdSchema, kind: responseKindSchema }) }),
    z.strictObject({ all: z.array(conditionSchema).check(minLengthCheck(1), maxLengthCheck(16)) }),
    z.strictObject({ any: z.array(conditionSchema).check(minLengthCheck(1), maxLengthCheck(16)) }),
  ]),
) as z.ZodMiniType<ConditionInput>)();

const timeOfDaySchema = /* @__PURE__ */ (() => stringSchema().check(regexCheck(/^([01]\d|2[0-3]):[0-5]\d$/, 'Time of day must be HH:MM (24 h)')))();
const weekdaysSchema = /* @__PURE__ */ (() => z.array(intSchema().check(gteCheck(0), lteCheck(6))).check(minLengthCheck(1), maxLengthCheck(7)))();

const sendStep = /* @__PURE__ */ (() => z.strictObject({
  type: literalSchema('send'),
  /** One channel, or `{ best: [...] }`: the first channel in preference order that consent and caps allow. */
  channel: z.union([channelSchema, z.strictObject({ best: z.array(channelSchema).check(minLengthCheck(1), maxLengthCheck(11)) })]),
  /** The message (template) id the host renders. */
  message: idSchema,
  offerId: z.optional(idSchema),
  campaignId: z.optional(idSchema),
  tags: z._default(z.array(tagSchema).check(maxLengthCheck(16)), ['marketing']),
  transactional: z._default(booleanSchema(), false),
  /** Consent purpose checked at send time. */
  purpose: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(64)), 'marketing'),
  priority: z.optional(intSchema().check(gteCheck(0), lteCheck(1000))),
  /** When consent or caps block the send: skip it, hold until the next legal time, or go to another step. */
  onBlocked: z._default(z.union([enumSchema(['skip', 'hold']), z.strictObject({ goto: stepIdSchema })]), 'hold'),
  /** How long a held send may wait before it is skipped. */
  holdAtMost: z._default(durSchema, 7 * DAY),
  /** `'bestMoment'`: ask the host's best-moment hook for the time within `within`. */
  at: z.optional(literalSchema('bestMoment')),
  within: z._default(durSchema, DAY),
  next: z.optional(stepIdSchema),
}))();

const waitStep = /* @__PURE__ */ (() => z
  .strictObject({
    type: literalSchema('wait'),
    /** Wait this long after the step is entered. */
    duration: z.optional(durSchema),
    /** Wait until a date read from the profile (ISO string or epoch ms), shifted by `offsetMonths`/`offset`. */
    date: z.optional(z
      .strictObject({
        attr: stringSchema().check(minLengthCheck(1), maxLengthCheck(128)),
        offsetMonths: z._default(intSchema().check(gteCheck(-1200), lteCheck(1200)), 0),
        offset: z.optional(durSchema),
        /** Step to take when the profile has no usable date (default: `next`). */
        ifMissing: z.optional(stepIdSchema),
      })),
    /** Then wait until this local time of day (in the person's zone), on one of these weekdays (0 = Sunday). */
    until: z.optional(z.strictObject({ time: timeOfDaySchema, weekdays: z.optional(weekdaysSchema) })),
    next: z.optional(stepIdSchema),
  }).check(refineCheck((s) => s.duration !== undefined || s.date !== undefined || s.until !== undefined, 'A wait needs a duration, a date or an until')))();

const waitForStep = /* @__PURE__ */ (() => z.strictObject({
  type: literalSchema('waitFor'),
  signal: signalSchema,
  timeout: durSchema,
  next: stepIdSchema,
  onTimeout: z.optional(stepIdSchema),
}))();

const replyStep = /* @__PURE__ */ (() => z.strictObject({
  type: literalSchema('reply'),
  channel: z._default(channelSchema, 'sms'),
  /** Accepted answers; keywords match case-, accent- and (where unambiguous) typo-insensitively. */
  choices: z
    .array(z.strictObject({ id: idSchema, keywords: z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(64))).check(minLengthCheck(1), maxLengthCheck(16)), next: z.optional(stepIdSchema) })).check(minLengthCheck(1), maxLengthCheck(16)),
  /** Profile attribute with the names a reply must carry (e.g. the children's first names): "YES PAUL". */
  names: z.optional(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))),
  /** Message sent once on the first unrecognised reply. */
  help: z.optional(idSchema),
  /** Words that opt the person out of the channel. */
  stopKeywords: z._default(z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(32))).check(maxLengthCheck(16)), ['stop', 'stopall', 'unsubscribe', 'arret', 'arreter', 'desabonner']),
  timeout: durSchema,
  onTimeout: z.optional(stepIdSchema),
}))();

const splitStep = /* @__PURE__ */ (() => z.strictObject({
  type: literalSchema('split'),
  branches: z.array(z.strictObject({ id: z.optional(idSchema), when: conditionSchema, next: stepIdSchema })).check(minLengthCheck(1), maxLengthCheck(32)),
  otherwise: z.optional(stepIdSchema),
}))();

const randomSplitStep = /* @__PURE__ */ (() => z.strictObject({
  type: literalSchema('randomSplit'),
  /** Arms with integer weights; the person's arm is a deterministic hash of salt + subject id. */
  arms: z.array(z.strictObject({ id: idSchema, weight: intSchema().check(gteCheck(1), lteCheck(1_000_000)), next: stepIdSchema })).check(minLengthCheck(1), maxLengthCheck(32)),
  salt: z.optional(stringSchema().check(maxLengthCheck(128))),
}))();

const taskStep = /* @__PURE__ */ (() => z.strictObject({
  type: literalSchema('task'),
  /** What the host performs: `call_center`, `webhook`, `update_attribute`, `direct_mail`, … */
  task: stringSchema().check(minLengthCheck(1), maxLengthCheck(64)),
  payload: z._default(jsonObjectSchema, {}),
  next: z.optional(stepIdSchema),
}))();

const goalStep = /* @__PURE__ */ (() => z.strictObject({ type: literalSchema('goal'), goal: z.optional(idSchema) }))();
const endStep = /* @__PURE__ */ (() => z.strictObject({ type: literalSchema('end') }))();

/**
 * One step of a journey, discriminated by `type`: `send`, `wait`, `waitFor`, `reply`, `split`, `randomSplit`,
 * `task`, `goal`, `end`. A step without `next` ends the journey.
 *
 * @example
 * ```ts
 * stepSchema.parse({ type: 'send', channel: 'email', message: 'white-paper-thanks', next: 'wait-1d' });
 * ```
 */
export const stepSchema = /* @__PURE__ */ (() => discriminated('type', [sendStep, waitStep, waitForStep, replyStep, splitStep, randomSplitStep, taskStep, goalStep, endStep]))();

/** A step as written. */
export type StepInput = z.input<typeof stepSchema>;
/** A step (parsed: durations in ms, defaults filled). Segment rules inside conditions stay as written. */
export type Step = z.output<typeof stepSchema>;
/** The step types. */
export type StepType = Step['type'];

/**
 * How people enter: on a behaviour event (with property filters), when they are in a segment (evaluated by
 * the host's segment refresh), or only by explicit enrolment. Plus the re-entry policy and an entry cap.
 *
 * @example
 * ```ts
 * entrySchema.parse({ on: { event: 'white_paper_download' }, reentry: { cooldown: '90d' }, cap: { max: 1000, per: '1d' } });
 * ```
 */
export const entrySchema = /* @__PURE__ */ (() => z.strictObject({
  on: z.union([
    z.strictObject({ event: oneOrMany(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))), where: z.optional(z.array(propertyConditionSchema).check(maxLengthCheck(16))) }),
    z.strictObject({ segment: segmentRuleSchema }),
    literalSchema('manual'),
  ]),
  /** Enter again after leaving: never, always, or after a cooldown since the last entry. One active instance per person at most. */
  reentry: z._default(z.union([enumSchema(['never', 'always']), z.strictObject({ cooldown: durSchema })]), 'never'),
  /** At most `max` entries (per rolling `per` window when given). */
  cap: z.optional(z.strictObject({ max: intSchema().check(gteCheck(1)), per: z.optional(durSchema) })),
}))();

/**
 * A journey definition: id, version, entry, the step graph from `start`, goals (leave with success) and exits
 * (leave: unsubscribed, left a segment, …). JSON-able; parse it with `parseJourney`.
 *
 * @example
 * ```ts
 * journeySchema.parse({
 *   id: 'welcome', version: 1, entry: { on: 'manual' }, start: 'hello',
 *   steps: { hello: { type: 'send', channel: 'email', message: 'welcome-1' } },
 * });
 * ```
 */
export const journeySchema = /* @__PURE__ */ (() => z.strictObject({
  id: idSchema,
  version: intSchema().check(gteCheck(1), lteCheck(1_000_000)),
  name: z.optional(stringSchema().check(maxLengthCheck(256))),
  /** Default zone for local-time waits; a profile's `timeZoneAttr` attribute overrides it. */
  timeZone: z._default(timeZoneSchema, 'UTC'),
  timeZoneAttr: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'timeZone'),
  /** Campaign id of the contacts (default: the journey id). */
  campaignId: z.optional(idSchema),
  entry: entrySchema,
  start: stepIdSchema,
  steps: z.record(stepIdSchema, stepSchema).check(refineCheck((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= 500, 'A journey has 1 to 500 steps')),
  goals: z._default(z.array(z.strictObject({ id: idSchema, when: signalSchema })).check(maxLengthCheck(16)), []),
  exits: z._default(z
    .array(z.strictObject({ id: idSchema, when: z.union([signalSchema, z.strictObject({ leftSegment: segmentRuleSchema })]) })).check(maxLengthCheck(16)), []),
}))();

/** A journey definition as written (what editors autocomplete). */
export type JourneyDefinitionInput = z.input<typeof journeySchema>;
/** A journey definition after schema validation (durations in ms). */
export type JourneyDefinition = z.output<typeof journeySchema>;
