import * as z from 'zod/mini';
import { ENGLISH, literalSchema, booleanSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, numberSchema, stringSchema, type Parsed } from '../core/zod.js';
import { CrossChannelError, parseWith, quoted } from '../core/errors.js';
import { reason, type Reason } from '../core/explain.js';
import { channelSchema, idSchema, timestampSchema } from '../core/schema.js';
import type { EpochMs } from '../core/time.js';
import type { ExperimentErrorCode, ExperimentReasonCode } from './errors.js';
import { FNV_OFFSET, fnv1a32Continue } from './hash.js';
import { bucketRanges, equalWeights } from './ranges.js';
import { invalidInput } from './check.js';

/** The variant id of the units an experiment's own holdout keeps out of every contact. */
export const HOLDOUT_VARIANT_ID = '__holdout';

const shareSchema = /* @__PURE__ */ (() => numberSchema().check(gteCheck(0), lteCheck(1)))();

/**
 * @internal `z.tuple([share, share])` (a namespace's range) checked by hand with zod's issues, in zod's order — not
 * an array: `invalid_type` (expected tuple); shorter: `too_small`; longer: `too_big`, then the items at their
 * index — as `tupleItem` (src/core/zod.ts) does: zod's tuple type cost this entry ≈ 0.45 kB min+gzip. The schema
 * stays a tuple to zod's JSON Schema generator.
 */
export const rangeSchema = /* @__PURE__ */ (() => {
  const schema = z.unknown().check((payload) => {
    const input = payload.value;
    const issue = (more: object) => payload.issues.push({ input, ...more } as never);
    if (!Array.isArray(input)) return void issue({ expected: 'tuple', code: 'invalid_type' });
    if (input.length < 2) return void issue({ code: 'too_small', minimum: 2, inclusive: true, origin: 'array' });
    if (input.length > 2) issue({ code: 'too_big', maximum: 2, inclusive: true, origin: 'array' });
    payload.value = [0, 1].map((i) => {
      const r = shareSchema._zod.run({ value: input[i], issues: [] }, ENGLISH) as Parsed & { issues: Array<{ path?: PropertyKey[] }> };
      for (const x of r.issues) (x.path ??= []).unshift(i);
      payload.issues.push(...(r.issues as never[]));
      return r.value;
    });
  });
  Object.assign(schema._zod.def, { type: 'tuple', items: [shareSchema, shareSchema], rest: null });
  return schema as unknown as z.ZodMiniType<[number, number], [number, number]>;
})();

/**
 * Schema of one experiment. Field names follow GrowthBook's experiment so a definition maps one to one:
 * `variants[i].weight` ↔ `weights[i]`, `coverage`, `seed` (default: the id, GrowthBook's `key`), `hashVersion`,
 * `namespace: { id, range: [start, end] }` ↔ `namespace: [id, start, end]`. The first variant is the control.
 *
 * @example
 * ```ts
 * experimentSchema.parse({ id: 'subject-line', variants: [{ id: 'control' }, { id: 'emoji' }] });
 * ```
 */
export const experimentSchema = /* @__PURE__ */ (() => z.strictObject({
    id: idSchema,
    name: z.optional(stringSchema().check(maxLengthCheck(256))),
    variants: z
      .array(z.strictObject({ id: idSchema, weight: z.optional(shareSchema), name: z.optional(stringSchema().check(maxLengthCheck(256))) })).check(minLengthCheck(2, 'An experiment needs two variants or more'), maxLengthCheck(64)),
    /** Share of eligible units that enter the experiment (GrowthBook's traffic coverage). */
    coverage: z._default(shareSchema, 1),
    seed: z.optional(stringSchema().check(minLengthCheck(1), maxLengthCheck(256))),
    /** 2 (unbiased, the default here) or 1 (GrowthBook's original, still its default when unset). */
    hashVersion: z._default(z.union([literalSchema(1), literalSchema(2)]), 2),
    namespace: z.optional(z.strictObject({ id: idSchema, range: rangeSchema })),
    start: z.optional(timestampSchema),
    stop: z.optional(timestampSchema),
    active: z._default(booleanSchema(), true),
    /** Segment membership required, read from the context's `segments` (ids computed by `crosschannel/segments`). */
    targeting: z.optional(z.strictObject({ all: z._default(z.array(idSchema).check(maxLengthCheck(64)), []), any: z._default(z.array(idSchema).check(maxLengthCheck(64)), []), none: z._default(z.array(idSchema).check(maxLengthCheck(64)), []) })),
    /** Share of the experiment's units kept out of every contact (its own holdout), before variants are hashed. */
    holdout: z.optional(z.strictObject({ share: numberSchema().check(gteCheck(0), lteCheck(0.5)) })),
    /** Campaigns whose sends this experiment's holdout suppresses (see `createHoldoutCheck`). */
    campaigns: z.optional(z.array(idSchema).check(maxLengthCheck(256))),
    /** Channels the experiment applies to (default: all). */
    channels: z.optional(z.array(channelSchema).check(maxLengthCheck(32))),
  }))();

/** An experiment definition as a caller writes it. */
export type ExperimentInput = z.input<typeof experimentSchema>;
/** A validated experiment definition. */
export type ExperimentDefinition = z.output<typeof experimentSchema>;

/** A custom targeting rule checked after segments: `(unitId, context) => boolean`. */
export type TargetingPredicate = (unitId: string, context: AssignContext) => boolean;

/**
 * What {@link assign} needs besides the unit: the instant, and what targeting reads.
 *
 * @example
 * ```ts
 * declare const now: number;
 * const ctx: AssignContext = { now, segments: new Set(['vip']) };
 * ```
 */
export interface AssignContext {
  readonly now: EpochMs;
  /** Ids of the segments the person is in (a Set is fastest). */
  readonly segments?: ReadonlySet<string> | ReadonlyArray<string> | undefined;
  /** Free attributes for a {@link TargetingPredicate}. */
  readonly attributes?: Readonly<Record<string, unknown>> | undefined;
  /** A global holdout: a held person enters no experiment. */
  readonly holdout?: CompiledHoldout | undefined;
}

/**
 * The outcome of {@link assign}. Outcomes are precomputed per experiment and shared (frozen): assigning allocates
 * nothing.
 */
export interface Assignment {
  readonly experimentId: string;
  /** True for a variant and for the experiment's own holdout. */
  readonly inExperiment: boolean;
  /** True when the person must get no contact (the experiment's holdout or the global holdout). */
  readonly held: boolean;
  /** Index of the variant (0 = control), -1 when none. */
  readonly variantIndex: number;
  /** Id of the variant, {@link HOLDOUT_VARIANT_ID} for the experiment's holdout, undefined when not in it. */
  readonly variantId: string | undefined;
  readonly reason: Reason<ExperimentReasonCode>;
}

const COMPILED = Symbol.for('crosschannel.experiments.compiled');
const COMPILED_HOLDOUT = Symbol.for('crosschannel.experiments.holdout');

/** A parsed experiment in the form the hot path reads. Build it once with {@link parseExperiment}. */
export interface CompiledExperiment {
  readonly [COMPILED]: true;
  readonly id: string;
  readonly definition: ExperimentDefinition;
  readonly variantIds: ReadonlyArray<string>;
  readonly weights: ReadonlyArray<number>;
  readonly hashVersion: 1 | 2;
  readonly seed: string;
  /** @internal FNV state after the seed (hash version 2). */
  readonly seedState: number;
  /** @internal `[start0, end0, start1, end1, …]`. */
  readonly ranges: Float64Array;
  /** @internal `"__" + namespace id`, or null. */
  readonly namespaceSuffix: string | null;
  readonly namespaceStart: number;
  readonly namespaceEnd: number;
  readonly start: number;
  readonly stop: number;
  readonly holdoutShare: number;
  /** @internal FNV state after `seed + "/holdout"`. */
  readonly holdoutState: number;
  readonly targeting: { readonly all: ReadonlyArray<string>; readonly any: ReadonlyArray<string>; readonly none: ReadonlyArray<string> } | null;
  readonly predicate: TargetingPredicate | null;
  /** @internal The shared outcome objects. */
  readonly outcomes: {
    readonly variants: ReadonlyArray<Assignment>;
    readonly sticky: ReadonlyArray<Assignment>;
    readonly holdout: Assignment;
    readonly out: Readonly<Record<Exclude<ExperimentReasonCode, 'EXPERIMENT_ASSIGNED' | 'EXPERIMENT_STICKY' | 'EXPERIMENT_HOLDOUT' | 'HOLDOUT_HELD' | 'HOLDOUT_NOT_HELD'>, Assignment>>;
  };
}

/** Options of {@link parseExperiment}. */
export interface ParseExperimentOptions {
  /** A targeting rule in code, checked after the segment targeting. */
  readonly predicate?: TargetingPredicate;
}

/**
 * Validates and compiles an experiment. Throws `CONFIG_INVALID` (with the path) for a bad field and
 * `EXPERIMENT_WEIGHTS_INVALID` when weights are partly given or do not sum to 1 (± 0.01, GrowthBook's tolerance;
 * where GrowthBook silently falls back to equal weights, crosschannel refuses).
 *
 * @example
 * ```ts
 * const exp = parseExperiment({
 *   id: 'subject-line',
 *   variants: [{ id: 'control', weight: 0.5 }, { id: 'emoji', weight: 0.5 }],
 *   coverage: 0.8,
 *   holdout: { share: 0.05 },
 * });
 * ```
 */
export function parseExperiment(input: ExperimentInput | CompiledExperiment, options: ParseExperimentOptions = {}, path: ReadonlyArray<string | number> = []): CompiledExperiment {
  if (isCompiledExperiment(input)) return input;
  if (typeof options !== 'object' || options === null || (options.predicate !== undefined && typeof options.predicate !== 'function')) {
    throw invalidInput('options.predicate must be a function', 'options', 'predicate');
  }
  if (!Array.isArray(path)) throw invalidInput('path must be an array', 'path');
  const def = parseWith(experimentSchema, input, 'CONFIG_INVALID', path);
  const n = def.variants.length;
  const given = def.variants.filter((v) => v.weight !== undefined).length;
  let weights: number[];
  if (given === 0) weights = equalWeights(n);
  else if (given !== n) {
    throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_WEIGHTS_INVALID', 'Give a weight to every variant or to none', { path: [...path, 'variants'] });
  } else {
    weights = def.variants.map((v) => v.weight!);
    // GrowthBook's sum: reduce in variant order.
    const total = weights.reduce((s, w) => s + w, 0);
    if (total < 0.99 || total > 1.01) {
      throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_WEIGHTS_INVALID', `Variant weights sum to ${total}, not 1`, { path: [...path, 'variants'], detail: { total } });
    }
  }
  const ids = new Set<string>();
  def.variants.forEach((v, i) => {
    if (ids.has(v.id) || v.id === HOLDOUT_VARIANT_ID) throw new CrossChannelError('CONFIG_INVALID', `Duplicate or reserved variant id ${quoted(v.id)}`, { path: [...path, 'variants', i, 'id'] });
    ids.add(v.id);
  });
  if (def.namespace && def.namespace.range[0] >= def.namespace.range[1]) {
    throw new CrossChannelError('CONFIG_INVALID', 'A namespace range needs start < end', { path: [...path, 'namespace', 'range'] });
  }
  if (def.start !== undefined && def.stop !== undefined && def.stop <= def.start) {
    throw new CrossChannelError('CONFIG_INVALID', 'stop must be after start', { path: [...path, 'stop'] });
  }
  const seed = def.seed ?? def.id;
  const id = def.id;
  const outcome = (code: ExperimentReasonCode, message: string, inExperiment: boolean, held: boolean, variantIndex: number, variantId?: string): Assignment =>
    Object.freeze({ experimentId: id, inExperiment, held, variantIndex, variantId, reason: Object.freeze(reason(code, message, { rule: id })) });
  const out = (code: ExperimentReasonCode, message: string, held = false): Assignment => outcome(code, message, false, held, -1);
  const variantOutcome = (code: 'EXPERIMENT_ASSIGNED' | 'EXPERIMENT_STICKY', i: number, v = def.variants[i]!.id): Assignment =>
    outcome(code, code === 'EXPERIMENT_STICKY' ? `kept in variant ${v} (sticky)` : `hashed into variant ${v}`, true, false, i, v);
  const t = def.targeting;
  return Object.freeze({
    [COMPILED]: true as const,
    id,
    definition: def,
    variantIds: def.variants.map((v) => v.id),
    weights,
    hashVersion: def.hashVersion,
    seed,
    seedState: fnv1a32Continue(FNV_OFFSET, seed),
    ranges: bucketRanges(weights, def.coverage),
    namespaceSuffix: def.namespace ? `__${def.namespace.id}` : null,
    namespaceStart: def.namespace?.range[0] ?? 0,
    namespaceEnd: def.namespace?.range[1] ?? 1,
    start: def.start ?? -Infinity,
    stop: def.stop ?? Infinity,
    holdoutShare: def.holdout?.share ?? 0,
    holdoutState: fnv1a32Continue(FNV_OFFSET, `${seed}/holdout`),
    targeting: t && (t.all.length > 0 || t.any.length > 0 || t.none.length > 0) ? t : null,
    predicate: options.predicate ?? null,
    outcomes: {
      variants: def.variants.map((_, i) => variantOutcome('EXPERIMENT_ASSIGNED', i)),
      sticky: def.variants.map((_, i) => variantOutcome('EXPERIMENT_STICKY', i)),
      holdout: outcome('EXPERIMENT_HOLDOUT', 'in the experiment holdout: no contact', true, true, -1, HOLDOUT_VARIANT_ID),
      out: {
        EXPERIMENT_INACTIVE: out('EXPERIMENT_INACTIVE', 'experiment is not active'),
        EXPERIMENT_NOT_STARTED: out('EXPERIMENT_NOT_STARTED', 'experiment has not started'),
        EXPERIMENT_STOPPED: out('EXPERIMENT_STOPPED', 'experiment has stopped'),
        EXPERIMENT_NO_UNIT: out('EXPERIMENT_NO_UNIT', 'no unit id to hash'),
        EXPERIMENT_NOT_TARGETED: out('EXPERIMENT_NOT_TARGETED', 'person is not in the targeted segments'),
        EXPERIMENT_NOT_IN_NAMESPACE: out('EXPERIMENT_NOT_IN_NAMESPACE', 'person is outside the namespace range'),
        EXPERIMENT_NOT_IN_COVERAGE: out('EXPERIMENT_NOT_IN_COVERAGE', 'person is outside the traffic coverage'),
        EXPERIMENT_GLOBAL_HOLDOUT: out('EXPERIMENT_GLOBAL_HOLDOUT', 'person is in the global holdout', true),
      },
    },
  });
}

/**
 * True when `value` came out of {@link parseExperiment}.
 *
 * @example
 * ```ts
 * isCompiledExperiment(parseExperiment({ id: 'e', variants: [{ id: 'a' }, { id: 'b' }] })); // true
 * ```
 */
export function isCompiledExperiment(value: unknown): value is CompiledExperiment {
  return typeof value === 'object' && value !== null && (value as { [COMPILED]?: unknown })[COMPILED] === true;
}

/**
 * Schema of a global holdout: `share` of all people receive no marketing contact on any channel while it runs.
 *
 * @example
 * ```ts
 * holdoutSchema.parse({ id: 'global-2026', share: 0.05 });
 * ```
 */
export const holdoutSchema = /* @__PURE__ */ (() => z.strictObject({
    id: idSchema,
    share: numberSchema().check(gteCheck(0), lteCheck(0.5)),
    seed: z.optional(stringSchema().check(minLengthCheck(1), maxLengthCheck(256))),
    hashVersion: z._default(z.union([literalSchema(1), literalSchema(2)]), 2),
    start: z.optional(timestampSchema),
    stop: z.optional(timestampSchema),
    /** Channels the holdout silences (default: every channel). */
    channels: z.optional(z.array(channelSchema).check(maxLengthCheck(32))),
  }))();

/** A global holdout as a caller writes it. */
export type HoldoutInput = z.input<typeof holdoutSchema>;

/** A parsed global holdout. Build it once with {@link parseHoldout}. */
export interface CompiledHoldout {
  readonly [COMPILED_HOLDOUT]: true;
  readonly id: string;
  readonly share: number;
  readonly hashVersion: 1 | 2;
  readonly seed: string;
  /** @internal */
  readonly seedState: number;
  readonly start: number;
  readonly stop: number;
  readonly channels: ReadonlyArray<string> | null;
}

/**
 * Validates and compiles a global holdout.
 *
 * @example
 * ```ts
 * const holdout = parseHoldout({ id: 'global-2026', share: 0.05, start: '2026-01-01' });
 * ```
 */
export function parseHoldout(input: HoldoutInput | CompiledHoldout): CompiledHoldout {
  if (isCompiledHoldout(input)) return input;
  const def = parseWith(holdoutSchema, input, 'CONFIG_INVALID');
  const seed = def.seed ?? def.id;
  return Object.freeze({
    [COMPILED_HOLDOUT]: true as const,
    id: def.id,
    share: def.share,
    hashVersion: def.hashVersion,
    seed,
    seedState: fnv1a32Continue(FNV_OFFSET, seed),
    start: def.start ?? -Infinity,
    stop: def.stop ?? Infinity,
    channels: def.channels ?? null,
  });
}

/**
 * True when `value` came out of {@link parseHoldout}.
 *
 * @example
 * ```ts
 * isCompiledHoldout(parseHoldout({ id: 'h', share: 0.05 })); // true
 * ```
 */
export function isCompiledHoldout(value: unknown): value is CompiledHoldout {
  return typeof value === 'object' && value !== null && (value as { [COMPILED_HOLDOUT]?: unknown })[COMPILED_HOLDOUT] === true;
}
