import * as z from 'zod/mini';
import { discriminated, ENGLISH, issuesCheck, refineCheck, intSchema, enumSchema, literalSchema, booleanSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, numberSchema, stringSchema } from '../core/zod.js';
import { expectArray, expectObject } from '../core/guards.js';
import { CrossChannelError, fromZodError, quoted, inputError } from '../core/errors.js';
import { durationSchema, idSchema, timeZoneSchema, timestampSchema } from '../core/schema.js';
import { unpackJson } from '../core/json-pack.js';
import { SEGMENTS_JSON_SCHEMA } from './json-schema.generated.js';
import type { SegmentErrorCode } from './errors.js';
import { compareCodePoints } from './text.js';

/**
 * The segment rule language: plain JSON, validated by zod, one node kind per distinguishing key (`and`, `or`,
 * `not`, `attr`, `age`, `anniversary`, `time`, `segment`, `count`, `aggregate`, `occurrence`, `did`). Parsing
 * walks the tree itself so that limits (depth, size) are checked before any deep validation and every error
 * names the path of the bad node (`segments[3].rule.and[1].value`).
 */

/**
 * Hard limits on rules, so that a hostile rule cannot exhaust memory or stack.
 *
 * @example
 * ```ts
 * SEGMENT_LIMITS.maxDepth; // 32
 * ```
 */
export const SEGMENT_LIMITS = {
  /** Deepest nesting of rule nodes (the root is depth 1). */
  maxDepth: 32,
  /** Most rule nodes in one segment, counting `where` filters. */
  maxNodes: 2000,
  /** Most segments in one set. */
  maxSegments: 10_000,
  /** Longest `in` / `notIn` list. */
  maxListLength: 10_000,
  /** Longest string operand. */
  maxStringLength: 1024,
  /** Longest glob or regex source. */
  maxPatternLength: 256,
} as const;

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A dotted path into a profile or event properties (`address.country`, `orders.0.total`). Segments must be
 * non-empty; `__proto__`, `constructor` and `prototype` are rejected.
 *
 * @example
 * ```ts
 * attributePathSchema.parse('address.country'); // 'address.country'
 * ```
 */
export const attributePathSchema = /* @__PURE__ */ (() => stringSchema().check(minLengthCheck(1), maxLengthCheck(256), issuesCheck<string>((p, add) => {
    for (const seg of p.split('.')) {
      if (seg === '') add(`Path ${quoted(p)} has an empty segment`);
      else if (FORBIDDEN_SEGMENTS.has(seg)) add(`Path segment ${quoted(seg)} is forbidden`);
    }
  })))();

const boundedString = /* @__PURE__ */ (() => stringSchema().check(maxLengthCheck(SEGMENT_LIMITS.maxStringLength)))();
/**
 * A scalar operand: string, finite number, boolean or null.
 *
 * @example
 * ```ts
 * scalarSchema.parse('FR');
 * ```
 */
export const scalarSchema = /* @__PURE__ */ (() => z.union([boundedString, numberSchema(), booleanSchema(), z.null()]))();
const orderedSchema = /* @__PURE__ */ (() => z.union([numberSchema(), boundedString]))();

/**
 * Operators of attribute (and event-property) conditions.
 *
 * @example
 * ```ts
 * ATTRIBUTE_OPERATORS.includes('between'); // true
 * ```
 */
export const ATTRIBUTE_OPERATORS = [
  'eq', 'neq', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'between', 'exists', 'contains', 'startsWith', 'endsWith', 'matches',
] as const;
/** An attribute operator. */
export type AttributeOperator = (typeof ATTRIBUTE_OPERATORS)[number];

const patternSchema = /* @__PURE__ */ (() => z.union([
  z.strictObject({ glob: stringSchema().check(minLengthCheck(1), maxLengthCheck(SEGMENT_LIMITS.maxPatternLength)) }),
  z.strictObject({ regex: stringSchema().check(minLengthCheck(1), maxLengthCheck(SEGMENT_LIMITS.maxPatternLength)) }),
]))();

function makeAttributeCondition<K extends 'attr' | 'prop'>(key: K) {
  const base = { [key]: attributePathSchema } as { [P in K]: typeof attributePathSchema };
  const ignoreCase = { ignoreCase: z.optional(booleanSchema()) };
  return discriminated('op', [
    z.strictObject({ ...base, op: literalSchema(['eq', 'neq']), value: scalarSchema, ...ignoreCase }),
    z.strictObject({ ...base, op: literalSchema(['in', 'notIn']), value: z.array(scalarSchema).check(maxLengthCheck(SEGMENT_LIMITS.maxListLength)), ...ignoreCase }),
    z.strictObject({ ...base, op: literalSchema(['gt', 'gte', 'lt', 'lte']), value: orderedSchema }),
    z.strictObject({ ...base, op: literalSchema('between'), value: z.tuple([orderedSchema, orderedSchema]) }),
    z.strictObject({ ...base, op: literalSchema('exists') }),
    z.strictObject({ ...base, op: literalSchema('contains'), value: scalarSchema, ...ignoreCase }),
    z.strictObject({ ...base, op: literalSchema(['startsWith', 'endsWith']), value: boundedString, ...ignoreCase }),
    z.strictObject({ ...base, op: literalSchema('matches'), value: patternSchema, ...ignoreCase }),
  ]);
}

/**
 * A condition on a profile attribute: `{ attr: 'country', op: 'in', value: ['FR', 'BE'] }`.
 *
 * @example
 * ```ts
 * attributeConditionSchema.parse({ attr: 'email', op: 'endsWith', value: '@example.com', ignoreCase: true });
 * ```
 */
export const attributeConditionSchema = /* @__PURE__ */ makeAttributeCondition('attr');
/**
 * A condition on an event property, inside an {@link eventFilterSchema}'s `where`.
 *
 * @example
 * ```ts
 * propertyConditionSchema.parse({ prop: 'sku', op: 'startsWith', value: 'SHOE-' });
 * ```
 */
export const propertyConditionSchema = /* @__PURE__ */ makeAttributeCondition('prop');

/** An attribute condition (parsed). */
export type AttributeCondition = z.output<typeof attributeConditionSchema>;
/** An event-property condition (parsed). */
export type PropertyCondition = z.output<typeof propertyConditionSchema>;

const oneOrMany = /* @__PURE__ */ (() => z.union([stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))).check(minLengthCheck(1), maxLengthCheck(256))]))();

/**
 * Which events a condition looks at: by `type`, `channel` (one or a list) and property conditions (`where`,
 * all of which must hold).
 *
 * @example
 * ```ts
 * eventFilterSchema.parse({ type: 'purchase', where: [{ prop: 'amount', op: 'gte', value: 50 }] });
 * ```
 */
export const eventFilterSchema = /* @__PURE__ */ (() => z.strictObject({
    type: z.optional(oneOrMany),
    channel: z.optional(oneOrMany),
    where: z.optional(z.array(propertyConditionSchema).check(maxLengthCheck(64))),
  }))();
/** An event filter (parsed). */
export type EventFilter = z.output<typeof eventFilterSchema>;

/**
 * A time window. Every window is half-open `[start, end)`, and every event condition ignores events after
 * `now`, so a window ends at `min(end, now + 1 ms)`: an event stamped exactly `now` counts.
 * - `{ last: '7d' }`: `[now − 7d, now]`.
 * - `{ from?, to? }`: `[from, to)` (absolute instants).
 * - `{ calendar: 'day' | 'week' | 'month', offset?: -n, weekStartsOn? }`: the local calendar unit containing
 *   `now` in the profile's time zone (`offset: -1` is yesterday / last week / last month).
 * - `{ since: filter, ifNone?: 'all' | 'none' }`: from the most recent matching event (inclusive) to now;
 *   when there is none, all history (`'all'`, default) or nothing (`'none'`).
 *
 * @example
 * ```ts
 * windowSchema.parse({ last: '30d' });
 * ```
 */
export const windowSchema = /* @__PURE__ */ (() => {
  const options = [
    z.strictObject({ from: z.optional(timestampSchema), to: z.optional(timestampSchema) }),
    z.strictObject({ last: durationSchema }),
    z.strictObject({
      calendar: enumSchema(['day', 'week', 'month']),
      offset: z.optional(intSchema().check(gteCheck(-1000), lteCheck(0))),
      weekStartsOn: z.optional(z.union([literalSchema(0), literalSchema(1), literalSchema(2), literalSchema(3), literalSchema(4), literalSchema(5), literalSchema(6)])),
    }),
    z.strictObject({ since: eventFilterSchema, ifNone: z.optional(enumSchema(['all', 'none'])) }),
  ] as const;
  // The form is chosen by its key (last, calendar, since; else from/to, which also refuses a non-object), so an
  // issue is named where it is: as a plain union, the all-optional { from?, to? } form answered every failure
  // ("Unrecognized key: last" for a bad duration, window.calendar for a bad weekStartsOn). Still a union to zod's
  // JSON Schema (anyOf the forms).
  const schema = z.unknown().check((payload) => {
    const v = payload.value;
    const r = options[['last', 'calendar', 'since'].findIndex((k) => k in Object(v)) + 1]!._zod.run({ value: v, issues: [] }, ENGLISH) as z.core.ParsePayload;
    payload.value = r.value;
    payload.issues.push(...(r.issues as never[]));
  });
  Object.assign(schema._zod.def, { type: 'union', options: [options[1], options[0], options[2], options[3]] });
  return schema as unknown as z.ZodMiniType<z.output<(typeof options)[number]>, z.input<(typeof options)[number]>>;
})();
/** A window (parsed: durations and instants in ms). */
export type Window = z.output<typeof windowSchema>;

/**
 * Operators comparing a number (count, aggregate, age).
 *
 * @example
 * ```ts
 * NUMERIC_OPERATORS; // ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between']
 * ```
 */
export const NUMERIC_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between'] as const;

function numericComparison<V extends z.ZodMiniType>(value: V) {
  return {
    op: enumSchema(NUMERIC_OPERATORS),
    value: z.union([value, z.tuple([value, value])]),
  };
}
const finite = /* @__PURE__ */ (() => numberSchema())();

/**
 * Shallow node schemas: each validates one node kind with its children left as `unknown` (the parser recurses
 * into them itself), or, with `child` set to the rule schema, the whole tree (used for the JSON Schema).
 */
function nodeSchemas(child: z.ZodMiniType) {
  return {
    and: z.strictObject({ and: z.array(child).check(maxLengthCheck(256)) }),
    or: z.strictObject({ or: z.array(child).check(maxLengthCheck(256)) }),
    not: z.strictObject({ not: child }),
    attr: attributeConditionSchema,
    age: z.strictObject({ age: attributePathSchema, ...numericComparison(durationSchema) }),
    anniversary: z.strictObject({
        anniversary: attributePathSchema,
        withinDays: z.optional(intSchema().check(gteCheck(0), lteCheck(366))),
        period: z.optional(enumSchema(['day', 'week', 'month'])),
        weekStartsOn: z.optional(intSchema().check(gteCheck(0), lteCheck(6))),
      }).check(refineCheck((r) => (r.withinDays === undefined) !== (r.period === undefined), 'Give either withinDays or period', ['period'])),
    time: z.strictObject({ time: attributePathSchema, window: windowSchema }),
    segment: z.strictObject({ segment: idSchema }),
    count: z.strictObject({ count: eventFilterSchema, window: z.optional(windowSchema), ...numericComparison(finite) }),
    aggregate: z.strictObject({
        aggregate: enumSchema(['sum', 'avg', 'min', 'max', 'distinct']),
        property: attributePathSchema,
        event: eventFilterSchema,
        window: z.optional(windowSchema),
        ...numericComparison(finite),
      }),
    occurrence: z.strictObject({ occurrence: enumSchema(['first', 'last']), event: eventFilterSchema, window: z.optional(windowSchema), ...numericComparison(durationSchema) }),
    did: z.strictObject({ did: eventFilterSchema, notSince: eventFilterSchema, window: z.optional(windowSchema) }),
    rfm: z.strictObject({
        rfm: attributePathSchema,
        in: z.optional(z.union([idSchema, z.array(idSchema).check(minLengthCheck(1), maxLengthCheck(64))])),
        score: z.optional(enumSchema(['r', 'f', 'm'])),
        op: z.optional(enumSchema(NUMERIC_OPERATORS)),
        value: z.optional(z.union([rfmDigit, z.tuple([rfmDigit, rfmDigit])])),
      }).check(
        refineCheck((r) => r.in === undefined || (r.score === undefined && r.op === undefined && r.value === undefined), 'Give either in (RFM segment names), or score with op and value', ['in']),
        refineCheck((r) => r.in !== undefined || (r.score !== undefined && r.op !== undefined && r.value !== undefined), 'A score comparison needs score, op and value', ['score']),
      ),
  };
}
const rfmDigit = /* @__PURE__ */ (() => intSchema().check(gteCheck(1), lteCheck(5)))();

const SHALLOW = /* @__PURE__ */ (() => nodeSchemas(z.unknown()))();
type Shallow = typeof SHALLOW;
/** The distinguishing key of each rule node kind. */
export type RuleKind = keyof Shallow;
const KINDS = /* @__PURE__ */ Object.keys(SHALLOW) as RuleKind[];

/** `{ age: 'signedUpAt', op: 'gt', value: '30d' }`: `now − attribute` compared with a duration (parsed: ms). */
export type AgeCondition = z.output<Shallow['age']>;
/**
 * `{ anniversary: 'birthDate', withinDays: 7 }`: the next anniversary is within N local calendar days; or
 * `{ anniversary: 'birthDate', period: 'month' }`: it falls in the current local day (same day of year), week
 * (`weekStartsOn`, default 1 = Monday) or month of the person's zone.
 */
export type AnniversaryCondition = z.output<Shallow['anniversary']>;
/** `{ time: 'lastLoginAt', window: { calendar: 'day' } }`: a timestamp attribute lies in a window. */
export type TimeCondition = z.output<Shallow['time']>;
/** `{ segment: 'high-value' }`: membership of another segment of the set. */
export type SegmentReference = z.output<Shallow['segment']>;
/** `{ count: filter, window?, op, value }`: number of matching events in a window. */
export type CountCondition = z.output<Shallow['count']>;
/** `{ aggregate: 'sum', property: 'amount', event: filter, window?, op, value }`. */
export type AggregateCondition = z.output<Shallow['aggregate']>;
/** `{ occurrence: 'last', event: filter, window?, op, value: duration }`: age of the first/last match. */
export type OccurrenceCondition = z.output<Shallow['occurrence']>;
/** `{ did: A, notSince: B, window? }`: the last A in the window has no B at or after it up to `now`. */
export type SequenceCondition = z.output<Shallow['did']>;
/**
 * `{ rfm: 'rfm', in: ['champions', 'loyal'] }` or `{ rfm: 'rfm', score: 'r', op: 'gte', value: 4 }`: reads
 * the RFM score `rfmScores` computed and the caller stored on the profile at the path (`{ r, f, m, segment }`).
 */
export type RfmCondition = z.output<Shallow['rfm']>;

/** A rule node (parsed). Recursive, so the boolean nodes are written out; the leaves are the schemas' outputs. */
export type SegmentRule =
  | { readonly and: ReadonlyArray<SegmentRule> }
  | { readonly or: ReadonlyArray<SegmentRule> }
  | { readonly not: SegmentRule }
  | AttributeCondition
  | AgeCondition
  | AnniversaryCondition
  | TimeCondition
  | SegmentReference
  | CountCondition
  | AggregateCondition
  | OccurrenceCondition
  | SequenceCondition
  | RfmCondition;

/**
 * The whole rule language as one zod schema (recursive). Used for the JSON Schema export and for typing;
 * {@link parseSegmentRule} gives better error paths and enforces the size limits.
 *
 * @example
 * ```ts
 * segmentRuleSchema.safeParse({ and: [{ attr: 'country', op: 'eq', value: 'FR' }] }).success; // true
 * ```
 */
export const segmentRuleSchema: z.ZodMiniType<unknown> = /* @__PURE__ */ (() => z.lazy(() => z.union(Object.values(nodeSchemas(segmentRuleSchema)) as unknown as [z.ZodMiniType, z.ZodMiniType])))();

/**
 * A segment definition: an id, a rule, and optionally the time zone used by calendar conditions — a fixed
 * IANA zone, or a profile attribute holding one (`timeZoneAttr`, falling back to `timeZone`, then UTC).
 *
 * @example
 * ```ts
 * segmentDefinitionSchema.parse({ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } });
 * ```
 */
export const segmentDefinitionSchema = /* @__PURE__ */ (() => z.strictObject({
    id: idSchema,
    name: z.optional(stringSchema().check(maxLengthCheck(256))),
    description: z.optional(stringSchema().check(maxLengthCheck(4096))),
    timeZone: z.optional(timeZoneSchema),
    timeZoneAttr: z.optional(attributePathSchema),
    rule: segmentRuleSchema,
  }))();

/** A segment definition (parsed). */
export type SegmentDefinition = Omit<z.output<typeof segmentDefinitionSchema>, 'rule'> & { readonly rule: SegmentRule };
/** What a caller writes for a segment definition. */
export type SegmentDefinitionInput = z.input<typeof segmentDefinitionSchema>;

/**
 * JSON Schema (draft 2020-12) of a segment definition list, for editors and config validation: zod's
 * `toJSONSchema` of `z.array(segmentDefinitionSchema)` (input side), generated at build time
 * (`npx tsx scripts/json-schemas.ts --write`) so the entry does not carry zod's converter. A fresh object on
 * every call.
 *
 * @example
 * ```ts
 * const schema = segmentsJsonSchema(); // { type: 'array', items: { … } , … }
 * ```
 */
export function segmentsJsonSchema(): Record<string, unknown> {
  return unpackJson(SEGMENTS_JSON_SCHEMA);
}

type Path = ReadonlyArray<string | number>;

function invalid(message: string, path: Path, detail?: Record<string, unknown>): CrossChannelError<SegmentErrorCode> {
  return new CrossChannelError<SegmentErrorCode>('SEGMENT_RULE_INVALID', message, detail ? { path, detail } : { path });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walks one rule, validating node by node; `state.nodes` counts nodes across the whole segment. */
function parseNode(input: unknown, path: Path, depth: number, state: { nodes: number; references: Array<{ id: string; path: Path }> }): SegmentRule {
  if (depth > SEGMENT_LIMITS.maxDepth) {
    throw new CrossChannelError<SegmentErrorCode>('SEGMENT_RULE_TOO_LARGE', `Rule nested deeper than ${SEGMENT_LIMITS.maxDepth} levels`, { path, detail: { maxDepth: SEGMENT_LIMITS.maxDepth } });
  }
  if (++state.nodes > SEGMENT_LIMITS.maxNodes) {
    throw new CrossChannelError<SegmentErrorCode>('SEGMENT_RULE_TOO_LARGE', `Rule has more than ${SEGMENT_LIMITS.maxNodes} nodes`, { path, detail: { maxNodes: SEGMENT_LIMITS.maxNodes } });
  }
  if (!isPlainObject(input)) throw invalid('A rule node must be an object', path);
  const kinds = KINDS.filter((k) => Object.prototype.hasOwnProperty.call(input, k));
  if (kinds.length !== 1) {
    const keys = Object.keys(input);
    throw invalid(
      kinds.length === 0
        ? `Unknown rule node (keys ${quoted(keys)}); expected one of ${KINDS.join(', ')}`
        : `Ambiguous rule node: it has ${kinds.join(' and ')}`,
      path,
      { keys },
    );
  }
  const kind = kinds[0]!;
  const r = SHALLOW[kind].safeParse(input, ENGLISH);
  if (!r.success) throw fromZodError(r.error, 'SEGMENT_RULE_INVALID' as SegmentErrorCode, path);
  const node = r.data as Record<string, unknown>;
  state.nodes += countFilterNodes(node);
  if (state.nodes > SEGMENT_LIMITS.maxNodes) {
    throw new CrossChannelError<SegmentErrorCode>('SEGMENT_RULE_TOO_LARGE', `Rule has more than ${SEGMENT_LIMITS.maxNodes} nodes`, { path });
  }
  switch (kind) {
    case 'and':
    case 'or': {
      const children = (node[kind] as unknown[]).map((c, i) => parseNode(c, [...path, kind, i], depth + 1, state));
      return (kind === 'and' ? { and: children } : { or: children }) as SegmentRule;
    }
    case 'not':
      return { not: parseNode(node.not, [...path, 'not'], depth + 1, state) };
    case 'segment':
      state.references.push({ id: node.segment as string, path: [...path, 'segment'] });
      return node as SegmentRule;
    default:
      checkBetween(node, path);
      return node as SegmentRule;
  }
}

function countFilterNodes(node: Record<string, unknown>): number {
  let n = 0;
  for (const key of ['count', 'event', 'did', 'notSince'] as const) {
    const f = node[key];
    if (isPlainObject(f) && Array.isArray(f.where)) n += f.where.length;
  }
  return n;
}

function checkBetween(node: Record<string, unknown>, path: Path): void {
  if (node.op === 'between' || Array.isArray(node.value)) {
    const v = node.value;
    if (node.op !== 'between' && node.op !== 'in' && node.op !== 'notIn') throw invalid(`Operator ${quoted(node.op)} takes one value, not a pair`, [...path, 'value']);
    if (node.op === 'between') {
      if (!Array.isArray(v) || v.length !== 2) throw invalid('between takes a pair [low, high]', [...path, 'value']);
      if (typeof v[0] !== typeof v[1]) throw invalid('between bounds must be of one type', [...path, 'value']);
      // Strings in code-point order, the order the operators compare them in.
      if (typeof v[0] === 'string' ? compareCodePoints(v[0], v[1] as string) > 0 : (v[0] as number) > (v[1] as number)) throw invalid('between bounds must be ordered (low ≤ high)', [...path, 'value']);
    }
  }
}

/**
 * Validates one rule (limits, operators, forbidden paths) and returns it parsed: durations and instants as
 * ms. References are returned unchecked; {@link parseSegments} resolves them.
 *
 * @example
 * ```ts
 * const rule = parseSegmentRule({ count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 2 });
 * ```
 */
export function parseSegmentRule(input: unknown, basePath: Path = []): SegmentRule {
  if (!Array.isArray(basePath)) expectArray(basePath, ['basePath']);
  return parseNode(input, basePath, 1, { nodes: 0, references: [] });
}

/**
 * Segment ids referenced anywhere in a parsed rule.
 *
 * @example
 * ```ts
 * referencedSegments(parseSegmentRule({ and: [{ segment: 'a' }, { not: { segment: 'b' } }] })); // ['a', 'b']
 * ```
 */
export function referencedSegments(rule: SegmentRule): string[] {
  const out: string[] = [];
  // Checked on the way (a parsed rule always passes): plain JavaScript may hand any object to a function of parsed rules.
  const walk = (r: unknown, path: Array<string | number>): void => {
    expectObject(r, path);
    const x = r as Record<string, unknown>;
    const list = 'and' in x ? 'and' : 'or' in x ? 'or' : null;
    if (list !== null) {
      const children = x[list];
      if (!Array.isArray(children)) throw inputError(`${list} must be a list of rules`, [...path, list]);
      children.forEach((c, i) => walk(c, [...path, list, i]));
    } else if ('not' in x) walk(x.not, [...path, 'not']);
    else if ('segment' in x) {
      if (typeof x.segment !== 'string') throw inputError('segment must be a segment id', [...path, 'segment']);
      out.push(x.segment);
    }
  };
  walk(rule, ['rule']);
  return out;
}

/**
 * Validates a list of segment definitions: each rule, unique ids, every reference known and no reference
 * cycle. Returns the parsed definitions in input order.
 *
 * @example
 * ```ts
 * const defs = parseSegments([
 *   { id: 'buyers', rule: { count: { type: 'purchase' }, op: 'gte', value: 1 } },
 *   { id: 'fr-buyers', rule: { and: [{ segment: 'buyers' }, { attr: 'country', op: 'eq', value: 'FR' }] } },
 * ]);
 * ```
 */
export function parseSegments(input: ReadonlyArray<SegmentDefinitionInput>): SegmentDefinition[] {
  if (!Array.isArray(input)) throw invalid('Segments must be an array of segment definitions', []);
  if (input.length > SEGMENT_LIMITS.maxSegments) {
    throw new CrossChannelError<SegmentErrorCode>('SEGMENT_RULE_TOO_LARGE', `More than ${SEGMENT_LIMITS.maxSegments} segments`, { path: [] });
  }
  const byId = new Map<string, { def: SegmentDefinition; index: number; refs: Array<{ id: string; path: Path }> }>();
  const order: string[] = [];
  input.forEach((raw, index) => {
    const path = [index];
    if (!isPlainObject(raw)) throw invalid('A segment definition must be an object', path);
    const { rule, ...rest } = raw;
    if (rule === undefined) throw invalid('A segment definition needs a rule', [...path, 'rule']);
    const head = z.omit(segmentDefinitionSchema, { rule: true }).safeParse(rest, ENGLISH);
    if (!head.success) throw fromZodError(head.error, 'SEGMENT_RULE_INVALID' as SegmentErrorCode, path);
    const state = { nodes: 0, references: [] as Array<{ id: string; path: Path }> };
    const parsed = parseNode(rule, [...path, 'rule'], 1, state);
    if (byId.has(head.data.id)) {
      throw new CrossChannelError<SegmentErrorCode>('SEGMENT_DUPLICATE_ID', `Duplicate segment id ${quoted(head.data.id)}`, { path: [...path, 'id'] });
    }
    byId.set(head.data.id, { def: { ...head.data, rule: parsed }, index, refs: state.references });
    order.push(head.data.id);
  });
  for (const { refs } of byId.values()) {
    for (const ref of refs) {
      if (!byId.has(ref.id)) {
        throw new CrossChannelError<SegmentErrorCode>('SEGMENT_REFERENCE_UNKNOWN', `Unknown segment ${quoted(ref.id)}`, { path: ref.path, detail: { segment: ref.id } });
      }
    }
  }
  // Depth-first topological sort; a grey node met again closes a cycle, reported with its members.
  const colour = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    const c = colour.get(id);
    if (c === 2) return;
    const entry = byId.get(id)!;
    if (c === 1) {
      const cycle = [...stack.slice(stack.indexOf(id)), id];
      throw new CrossChannelError<SegmentErrorCode>('SEGMENT_REFERENCE_CYCLE', `Segment references form a cycle: ${cycle.join(' → ')}`, {
        path: [entry.index, 'rule'],
        detail: { cycle },
      });
    }
    colour.set(id, 1);
    stack.push(id);
    for (const ref of entry.refs) visit(ref.id);
    stack.pop();
    colour.set(id, 2);
  };
  for (const id of order) visit(id);
  return order.map((id) => byId.get(id)!.def);
}
