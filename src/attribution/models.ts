import * as z from 'zod/mini';
import { expectObject } from '../core/guards.js';
import { attempt, CrossChannelError, parseWith, type Result, quoted } from '../core/errors.js';
import { DAY } from '../core/time.js';
import { durationSchema } from '../core/schema.js';
import { customSchema, discriminated, refineCheck, intSchema, enumSchema, literalSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, numberSchema, stringSchema } from '../core/zod.js';

/**
 * The attribution models.
 *
 * @example
 * ```ts
 * MODEL_KINDS.includes('markov'); // true
 * ```
 */
export const MODEL_KINDS = ['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based', 'custom', 'markov', 'shapley'] as const;

/** One of {@link MODEL_KINDS}. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/**
 * Models that share each journey's credit by a rule on positions and times (additive over journeys).
 *
 * @example
 * ```ts
 * RULE_MODEL_KINDS.includes('shapley'); // false
 * ```
 */
export const RULE_MODEL_KINDS: ReadonlyArray<ModelKind> = ['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based', 'custom'];

/**
 * A custom model's weight of the touch at `position` (0 = first) in a journey of `length` touches; weights
 * are normalised per journey, so only their ratios matter. `channel` and `msBeforeConversion` allow rules
 * such as "email counts half".
 */
export type PositionWeight = (position: number, length: number, channel: string, msBeforeConversion: number) => number;

const name = /* @__PURE__ */ (() => z.optional(stringSchema().check(minLengthCheck(1), maxLengthCheck(64))))();

/**
 * Schema of one model with its parameters (defaults as the industry uses them): `last_non_direct.directChannels`
 * `['direct']`; `time_decay.halfLife` 7 days (weight `2^(−Δ/halfLife)`); `position_based.first`/`last` 0.4
 * each, the rest shared by the middle; `markov.order` 1 (1–4), `markov.valueCredit` `'valueRemoval'` (or `'conversionShare'`); `shapley.maxExactChannels` 20 (exact up to
 * 22), beyond that `samples` seeded permutations (`seed`). `name` tells two variants of one model apart.
 *
 * @example
 * ```ts
 * modelSpecSchema.parse({ model: 'time_decay', halfLife: '3d' });
 * ```
 */
export const modelSpecSchema = /* @__PURE__ */ (() => discriminated('model', [
  z.strictObject({ model: literalSchema('last_touch'), name }),
  z.strictObject({ model: literalSchema('last_non_direct'), name, directChannels: z._default(z.array(stringSchema().check(minLengthCheck(1))).check(maxLengthCheck(256)), ['direct']) }),
  z.strictObject({ model: literalSchema('first_touch'), name }),
  z.strictObject({ model: literalSchema('linear'), name }),
  z.strictObject({ model: literalSchema('time_decay'), name, halfLife: z._default(durationSchema, 7 * DAY) }).check(refineCheck((m) => m.halfLife > 0, 'halfLife must be positive', ['halfLife'])),
  z.strictObject({ model: literalSchema('position_based'), name, first: z._default(numberSchema().check(gteCheck(0), lteCheck(1)), 0.4), last: z._default(numberSchema().check(gteCheck(0), lteCheck(1)), 0.4) }).check(refineCheck((m) => m.first + m.last <= 1 + 1e-12, 'first + last must not exceed 1', ['last'])),
  z.strictObject({ model: literalSchema('custom'), name: stringSchema().check(minLengthCheck(1), maxLengthCheck(64)), weight: customSchema<PositionWeight>((v) => typeof v === 'function', 'weight must be a function') }),
  z.strictObject({
      model: literalSchema('markov'),
      name,
      order: z._default(intSchema().check(gteCheck(1), lteCheck(4)), 1),
      valueCredit: z._default(enumSchema(['valueRemoval', 'conversionShare']), 'valueRemoval'),
    }),
  z.strictObject({
      model: literalSchema('shapley'),
      name,
      maxExactChannels: z._default(intSchema().check(gteCheck(1), lteCheck(22)), 20),
      samples: z._default(intSchema().check(gteCheck(10), lteCheck(10_000_000)), 2000),
      seed: z._default(z.union([intSchema(), stringSchema()]), 1),
    }),
]))();

/** A model as written by a caller: its kind alone (`'linear'`) or an object with parameters. */
export type ModelSpecInput = Exclude<ModelKind, 'custom'> | z.input<typeof modelSpecSchema>;

/** A parsed model (defaults filled, `name` always set). */
export type ModelSpec = z.output<typeof modelSpecSchema> & { readonly name: string };

/**
 * The models `compareModels` runs when none are given: every built-in one with its defaults.
 *
 * @example
 * ```ts
 * parseAttributionConfig({ models: [...DEFAULT_MODELS, { model: 'markov', name: 'markov_2', order: 2 }] });
 * ```
 */
export const DEFAULT_MODELS: ReadonlyArray<ModelSpecInput> = ['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based', 'markov', 'shapley'];

/**
 * Schema of an attribution configuration: the models to compute, in report order.
 *
 * @example
 * ```ts
 * attributionConfigSchema.parse({ models: ['last_touch', { model: 'markov', order: 2 }] });
 * ```
 */
export const attributionConfigSchema = /* @__PURE__ */ (() => z.strictObject({
    models: z.optional(z.array(z.unknown()).check(minLengthCheck(1), maxLengthCheck(64))),
  }))();

/** A configuration as written by a caller. */
export interface AttributionConfigInput {
  readonly models?: ReadonlyArray<ModelSpecInput>;
}

/** A parsed configuration: models with names, unique. */
export interface AttributionConfig {
  readonly models: ReadonlyArray<ModelSpec>;
}

/**
 * Validates and compiles an attribution configuration, throwing `CrossChannelError` `CONFIG_INVALID` with the
 * path of the bad field (`models[2].halfLife`). Duplicate names are rejected (name variants explicitly).
 *
 * @example
 * ```ts
 * const config = parseAttributionConfig({ models: ['linear', { model: 'markov', name: 'markov_2', order: 2 }] });
 * ```
 */
export function parseAttributionConfig(input: AttributionConfigInput = {}): AttributionConfig {
  const outer = parseWith(attributionConfigSchema, input ?? {}, 'CONFIG_INVALID');
  const seen = new Set<string>();
  const models = (outer.models ?? DEFAULT_MODELS).map((m, i) => {
    const spec = parseWith(modelSpecSchema, typeof m === 'string' ? { model: m } : m, 'CONFIG_INVALID', ['models', i]);
    const named = { ...spec, model: spec.model, name: spec.name ?? spec.model } as ModelSpec;
    if (seen.has(named.name)) {
      throw new CrossChannelError('CONFIG_INVALID', `Two models are named ${quoted(named.name)}`, { path: ['models', i, 'name'] });
    }
    seen.add(named.name);
    return named;
  });
  return { models };
}

/**
 * {@link parseAttributionConfig} without throwing: `{ ok: true, value }` or `{ ok: false, error }` (for
 * configurations that come from users or files).
 *
 * @example
 * ```ts
 * const r = safeParseAttributionConfig(JSON.parse('{"models":["linear",{"model":"markov","order":9}]}'));
 * if (!r.ok) console.log(r.error.path); // 'models[1].order'
 * ```
 */
export function safeParseAttributionConfig(input: unknown): Result<AttributionConfig> {
  return attempt(() => parseAttributionConfig(input as AttributionConfigInput)); // validated at run time
}

/**
 * The JSON-able description of a model (sorted keys, no functions), used to check that statistics can be merged.
 *
 * @example
 * ```ts
 * describeModel(parseAttributionConfig({ models: ['time_decay'] }).models[0]!); // { halfLife: 604800000, model: 'time_decay', name: 'time_decay' }
 * ```
 */
export function describeModel(m: ModelSpec): Record<string, unknown> {
  expectObject(m, ['model']);
  // Sorted keys: parsed and re-parsed specs must describe identically whatever their key order.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(m).sort()) if (key !== 'weight') out[key] = (m as unknown as Record<string, unknown>)[key];
  return out;
}
