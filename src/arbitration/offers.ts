import * as z from 'zod/mini';
import { CrossChannelError, parseWith, quoted } from '../core/errors.js';
import { channelSchema, durationSchema, idSchema, tagSchema, timestampSchema, timeZoneSchema } from '../core/schema.js';
import { RESPONSE_KINDS } from '../core/records.js';
import { fnv1a } from '../core/random.js';
import { reason } from '../core/explain.js';
import type { ArbitrationErrorCode, ArbitrationReasonCode, ArbitrationStage, ExcludedOffer } from './errors.js';
import type { ArbitrationContext } from './context.js';
import { customSchema, intSchema, enumSchema, literalSchema, booleanSchema, gteCheck, gtCheck, lteCheck, minLengthCheck, maxLengthCheck, numberSchema, stringSchema } from '../core/zod.js';

const forever = /* @__PURE__ */ (() => literalSchema('forever'))();
const count = /* @__PURE__ */ (() => intSchema().check(gteCheck(1), lteCheck(1_000_000)))();
const nonNegative = /* @__PURE__ */ (() => numberSchema().check(gteCheck(0)))();

/**
 * Per-customer contact policy of an offer, checked against the shared history on every channel.
 *
 * @example
 * ```ts
 * contactPolicySchema.parse({ afterRefusals: { count: 3, window: '30d', suppressFor: '60d' } });
 * ```
 */
export const contactPolicySchema = /* @__PURE__ */ (() => z.strictObject({
    /** At most `count` presentations in the trailing `window` (lifetime when `window` is absent). */
    maxPresentations: z.optional(z.strictObject({ count, window: z.optional(durationSchema) })),
    /** After an `accepted` (or `converted`) response, suppress for a duration or forever. */
    afterAcceptance: z.optional(z.strictObject({ suppressFor: z.union([forever, durationSchema]) })),
    /** After `count` refusals within `window`, suppress for `suppressFor` from the last of them. */
    afterRefusals: z.optional(z.strictObject({
        count,
        window: durationSchema,
        suppressFor: durationSchema,
        kinds: z._default(z.array(enumSchema(RESPONSE_KINDS)).check(minLengthCheck(1)), ['refused']),
      })),
    /** After `count` presentations with no response since (an `ignored` response is no response), suppress. */
    withoutResponse: z.optional(z.strictObject({ count, suppressFor: z._default(z.union([forever, durationSchema]), 'forever') })),
  }))();

/**
 * Contact policy as written in a catalogue.
 * @example
 * ```ts
 * const policy: ContactPolicyInput = { afterRefusals: { count: 3, window: '30d', suppressFor: '60d' } };
 * ```
 */
export type ContactPolicyInput = z.input<typeof contactPolicySchema>;

/**
 * An eligibility predicate: true when the customer may receive the offer. Must be pure and fast (it runs
 * once per offer per decision); a predicate that throws makes the offer ineligible with the error in the reason.
 *
 * @example
 * ```ts
 * const adult: EligibilityPredicate = (ctx) => Number(ctx.attributes?.age ?? 0) >= 18;
 * ```
 */
export type EligibilityPredicate = (context: ArbitrationContext, offer: Offer) => boolean;

const predicateFn = /* @__PURE__ */ (() => customSchema<EligibilityPredicate>((v) => typeof v === 'function', 'Expected a predicate function'))();

/**
 * Who may receive an offer: a segment id (the customer must be a member), a predicate (a function, or the name
 * of one registered with `parseCatalogue(…, { predicates })`), or an object combining segment lists and a
 * predicate. Memberships are supplied by the caller in the context (the `decide` pipeline evaluates segments).
 *
 * @example
 * ```ts
 * eligibilitySchema.parse({ segments: ['gold'], notSegments: ['in-collections'], predicate: 'adult' });
 * ```
 */
export const eligibilitySchema = /* @__PURE__ */ (() => z.union([
  idSchema,
  predicateFn,
  z.strictObject({
      segments: z.optional(z.array(idSchema)),
      anyOfSegments: z.optional(z.array(idSchema).check(minLengthCheck(1))),
      notSegments: z.optional(z.array(idSchema)),
      predicate: z.optional(z.union([idSchema, predicateFn])),
    }),
]))();

/**
 * One offer of the catalogue.
 *
 * @example
 * ```ts
 * offerSchema.parse({ id: 'shoes-10', channels: ['web', 'email'], value: 12, tags: ['discount', 'category:shoes'] });
 * ```
 */
export const offerSchema = /* @__PURE__ */ (() => z.strictObject({
    id: idSchema,
    name: z.optional(stringSchema().check(maxLengthCheck(512))),
    /** Channels where the offer may be presented; absent means every channel. */
    channels: z.optional(z.array(channelSchema).check(minLengthCheck(1))),
    /** Validity period, half-open `[validFrom, validUntil)`. */
    validFrom: z.optional(timestampSchema),
    validUntil: z.optional(timestampSchema),
    eligibility: z.optional(eligibilitySchema),
    /** Business value of one acceptance (margin, CLV uplift, …), normalised by the catalogue's `valueScale`. */
    value: z._default(nonNegative, 1),
    /** Static context weight (relevance multiplier). */
    weight: z._default(nonNegative, 1),
    /** Per-channel context weight multipliers. */
    channelWeights: z.optional(z.record(channelSchema, nonNegative)),
    /** Business lever (boost or dampen). */
    lever: z._default(nonNegative, 1),
    /** Tie-break priority: higher wins among equal scores. */
    priority: z._default(intSchema(), 0),
    /** A given propensity in [0, 1] used when neither the context nor a learned model supplies one. */
    propensity: z.optional(numberSchema().check(gteCheck(0), lteCheck(1))),
    tags: z._default(z.array(tagSchema).check(maxLengthCheck(64)), []),
    /** At most one offer of each group is presented in one decision. */
    exclusionGroups: z._default(z.array(idSchema).check(maxLengthCheck(32)), []),
    /** Offer ids that must have been accepted (or converted) before this offer is presented. */
    prerequisites: z._default(z.array(idSchema).check(maxLengthCheck(32)), []),
    policy: z.optional(contactPolicySchema),
    /** Global capacity (presentations) per local day / week and in total. */
    capacity: z.optional(z.strictObject({ perDay: z.optional(intSchema().check(gteCheck(0))), perWeek: z.optional(intSchema().check(gteCheck(0))), total: z.optional(intSchema().check(gteCheck(0))) })),
    /** Global budget: `total` spendable, `cost` spent per presentation. */
    budget: z.optional(z.strictObject({ total: nonNegative, cost: z._default(nonNegative, 1) })),
    enabled: z._default(booleanSchema(), true),
  }))();

/**
 * An offer as written in a catalogue.
 * @example
 * ```ts
 * const offer: OfferInput = { id: 'card', value: 40, channels: ['email', 'web'] };
 * ```
 */
export type OfferInput = z.input<typeof offerSchema>;
/**
 * An offer after parsing.
 * @example
 * ```ts
 * const offer: Offer = parseCatalogue({ offers: [{ id: 'card' }] }).offers[0]!.source; // defaults filled in
 * ```
 */
export type Offer = z.output<typeof offerSchema>;

/**
 * Cannibalisation guard: offers carrying any of `offerTags` (e.g. `discount`) are excluded for a category the
 * customer bought at full price within `window`, on any channel. An offer's categories are its tags starting
 * with `categoryTagPrefix`. Purchases are behaviour events of `events.types` whose `events.categoryProperty`
 * equals (or, as an array, contains) the category and whose properties match `events.where`; and responses of
 * `responses.kinds` tagged with the category tag and every tag of `responses.requireTags`.
 *
 * @example
 * ```ts
 * cannibalisationGuardSchema.parse({ id: 'full-price-buyers', offerTags: ['discount'], window: '30d' });
 * ```
 */
export const cannibalisationGuardSchema = /* @__PURE__ */ (() => z.strictObject({
    id: idSchema,
    offerTags: z.array(tagSchema).check(minLengthCheck(1)),
    window: durationSchema,
    categoryTagPrefix: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(64)), 'category:'),
    events: z.prefault(z.strictObject({
        types: z._default(z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))).check(minLengthCheck(1)), ['purchase']),
        categoryProperty: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'category'),
        where: z._default(z.record(stringSchema(), z.union([stringSchema(), numberSchema(), booleanSchema(), z.null()])), { fullPrice: true }),
      }), {}),
    responses: z.prefault(z.strictObject({
        kinds: z._default(z.array(enumSchema(RESPONSE_KINDS)).check(minLengthCheck(1)), ['converted']),
        requireTags: z._default(z.array(tagSchema), ['full-price']),
      }), {}),
  }))();

/**
 * A cannibalisation guard as written.
 * @example
 * ```ts
 * const guard: CannibalisationGuardInput = { id: 'full-price', offerTags: ['discount'], window: '30d' };
 * ```
 */
export type CannibalisationGuardInput = z.input<typeof cannibalisationGuardSchema>;

/**
 * How business value enters the score, after division by the catalogue's largest value so that it lies in
 * [0, 1]: `linear` (v / max), `log` (ln(1+v) / ln(1+max), the default: compresses a 100× price gap to ~2×,
 * so an expensive offer must also be likely to be accepted), `{ power: γ }` ((v / max)^γ, 0 < γ ≤ 1), or
 * `none` (raw value, no normalisation).
 */
export const valueScaleSchema = /* @__PURE__ */ (() => z.union([
  enumSchema(['linear', 'log', 'none']),
  z.strictObject({ power: numberSchema().check(gtCheck(0), lteCheck(1)) }),
]))();

/**
 * The offer catalogue.
 *
 * @example
 * ```ts
 * const input: CatalogueInput = { offers: [{ id: 'a', value: 10 }], valueScale: 'log', timeZone: 'Europe/Paris' };
 * catalogueSchema.parse(input);
 * ```
 */
export const catalogueSchema = /* @__PURE__ */ (() => z.strictObject({
    offers: z.array(offerSchema).check(maxLengthCheck(100_000)),
    /** Policy applied to offers that do not define their own. */
    defaultPolicy: z.optional(contactPolicySchema),
    guards: z._default(z.array(cannibalisationGuardSchema).check(maxLengthCheck(64)), []),
    valueScale: z._default(valueScaleSchema, 'log'),
    /** Offers whose propensity is below this are excluded at the scoring stage. */
    minPropensity: z._default(numberSchema().check(gteCheck(0), lteCheck(1)), 0),
    /** Beta prior of the built-in propensity (acceptances, refusals pseudo-counts). */
    prior: z._default(z.strictObject({ alpha: numberSchema().check(gtCheck(0)), beta: numberSchema().check(gtCheck(0)) }), { alpha: 1, beta: 1 }),
    /** Zone of the calendar days/weeks of global capacities. */
    timeZone: z._default(timeZoneSchema, 'UTC'),
    weekStartsOn: z._default(intSchema().check(gteCheck(0), lteCheck(6)), 1),
  }))();

/**
 * A catalogue as written (JSON-able unless predicates are inline functions).
 * @example
 * ```ts
 * const input: CatalogueInput = { offers: [{ id: 'card', value: 40 }], valueScale: 'log' };
 * ```
 */
export type CatalogueInput = z.input<typeof catalogueSchema>;

/**
 * Compiled contact policy: durations in ms, `Infinity` for "forever", -1 when a rule is absent.
 * @example
 * ```ts
 * parseCatalogue({ offers: [{ id: 'a', policy: { afterAcceptance: { suppressFor: 'forever' } } }] }).offers[0]!.policy?.acceptFor; // Infinity
 * ```
 */
export interface CompiledPolicy {
  readonly maxCount: number;
  readonly maxWindow: number;
  readonly acceptFor: number;
  readonly refusalCount: number;
  readonly refusalWindow: number;
  readonly refusalFor: number;
  readonly refusalKinds: ReadonlyArray<string>;
  readonly silentCount: number;
  readonly silentFor: number;
}

/**
 * An offer compiled for the hot path.
 * @example
 * ```ts
 * const offer: CompiledOffer = parseCatalogue({ offers: [{ id: 'a', channels: ['web'] }] }).offers[0]!;
 * offer.channels?.has('web'); // true
 * ```
 */
export interface CompiledOffer {
  readonly id: string;
  readonly index: number;
  readonly source: Offer;
  readonly channels: ReadonlySet<string> | null;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly segmentsAll: ReadonlyArray<string>;
  readonly segmentsAny: ReadonlyArray<string>;
  readonly segmentsNot: ReadonlyArray<string>;
  readonly predicate: EligibilityPredicate | null;
  readonly predicateName: string | undefined;
  /** Business value after `valueScale` normalisation. */
  readonly normalisedValue: number;
  readonly weight: number;
  readonly channelWeights: Readonly<Record<string, number>> | null;
  readonly lever: number;
  readonly priority: number;
  /** Position of the id in ascending code-unit order within the catalogue: the last tie-break, as a number. */
  readonly idRank: number;
  readonly propensity: number | undefined;
  readonly tags: ReadonlyArray<string>;
  readonly exclusionGroups: ReadonlyArray<string>;
  readonly prerequisites: ReadonlyArray<string>;
  readonly policy: CompiledPolicy | null;
  /** Guards that apply to this offer (index into `Catalogue.guards`) and the offer's categories under each. */
  readonly guards: ReadonlyArray<{ readonly index: number; readonly categories: ReadonlyArray<string>; readonly exclusions: ReadonlyArray<ExcludedOffer> }>;
  readonly capacity: { readonly perDay: number; readonly perWeek: number; readonly total: number } | null;
  readonly budget: { readonly total: number; readonly cost: number } | null;
  /** Stable 32-bit hash of the id, seeds per-offer Thompson draws. */
  readonly hash: number;
  /** Exclusions that depend only on the offer, built once and shared (frozen) by every decision. */
  readonly exclusions: StaticExclusions;
}

/**
 * Frozen exclusions of one offer, see {@link CompiledOffer.exclusions}.
 * @example
 * ```ts
 * parseCatalogue({ offers: [{ id: 'a' }] }).offers[0]!.exclusions.expired.reason.code; // 'OFFER_EXPIRED'
 * ```
 */
export interface StaticExclusions {
  readonly disabled: ExcludedOffer;
  readonly wrongChannel: ExcludedOffer;
  readonly notYetValid: ExcludedOffer;
  readonly expired: ExcludedOffer;
  readonly predicateFalse: ExcludedOffer;
  readonly notInAny: ExcludedOffer;
  /** Aligned with `segmentsAll`. */
  readonly notInSegment: ReadonlyArray<ExcludedOffer>;
  /** Aligned with `segmentsNot`. */
  readonly inExcludedSegment: ReadonlyArray<ExcludedOffer>;
}

/**
 * A compiled cannibalisation guard.
 * @example
 * ```ts
 * parseCatalogue({ offers: [], guards: [{ id: 'g', offerTags: ['discount'], window: '7d' }] }).guards[0]!.window; // 604800000
 * ```
 */
export interface CompiledGuard {
  readonly id: string;
  readonly offerTags: ReadonlyArray<string>;
  readonly window: number;
  readonly categoryTagPrefix: string;
  readonly eventTypes: ReadonlySet<string>;
  readonly categoryProperty: string;
  readonly where: ReadonlyArray<readonly [string, string | number | boolean | null]>;
  readonly responseKinds: ReadonlySet<string>;
  readonly requireTags: ReadonlyArray<string>;
}

/**
 * A parsed, compiled catalogue: what {@link arbitrate} takes. Build it once with {@link parseCatalogue}.
 * @example
 * ```ts
 * const catalogue: Catalogue = parseCatalogue({ offers: [{ id: 'a' }] });
 * catalogue.byId.get('a')?.index; // 0
 * ```
 */
export interface Catalogue {
  readonly offers: ReadonlyArray<CompiledOffer>;
  readonly byId: ReadonlyMap<string, CompiledOffer>;
  readonly guards: ReadonlyArray<CompiledGuard>;
  readonly valueScale: z.output<typeof valueScaleSchema>;
  readonly maxValue: number;
  readonly minPropensity: number;
  readonly prior: { readonly alpha: number; readonly beta: number };
  readonly timeZone: string;
  readonly weekStartsOn: 0 | 1 | 2 | 3 | 4 | 5 | 6;
}

/**
 * Options of {@link parseCatalogue}.
 * @example
 * ```ts
 * parseCatalogue({ offers: [{ id: 'a', eligibility: { predicate: 'adult' } }] }, { predicates: { adult: (ctx) => Number(ctx.attributes?.age) >= 18 } });
 * ```
 */
export interface ParseCatalogueOptions {
  /** Named eligibility predicates that offers reference by name (`eligibility: { predicate: 'adult' }`). */
  readonly predicates?: Readonly<Record<string, EligibilityPredicate>>;
}

/**
 * Validates a catalogue and compiles it once for {@link arbitrate}. Throws `CrossChannelError` `CONFIG_INVALID`
 * with the path of the bad field (duplicate ids, unknown prerequisites or predicates, empty validity…).
 *
 * @example
 * ```ts
 * const catalogue = parseCatalogue({
 *   offers: [
 *     { id: 'card', value: 40, channels: ['email', 'web'], policy: { afterRefusals: { count: 3, window: '30d', suppressFor: '60d' } } },
 *     { id: 'loan', value: 900, eligibility: 'prime' },
 *   ],
 * });
 * ```
 */
export function parseCatalogue(input: CatalogueInput, options: ParseCatalogueOptions = {}): Catalogue {
  const parsed = parseWith(catalogueSchema, input, 'CONFIG_INVALID' as ArbitrationErrorCode);
  const bad = (message: string, path: Array<string | number>, detail?: Record<string, unknown>): CrossChannelError<ArbitrationErrorCode> =>
    new CrossChannelError<ArbitrationErrorCode>('CONFIG_INVALID', message, detail === undefined ? { path } : { path, detail });
  const ids = new Map<string, number>();
  parsed.offers.forEach((o, i) => {
    const prev = ids.get(o.id);
    if (prev !== undefined) throw bad(`Duplicate offer id ${quoted(o.id)} (also offers[${prev}])`, ['offers', i, 'id']);
    ids.set(o.id, i);
  });
  const idRanks = new Map([...ids.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((id, r) => [id, r]));
  let maxValue = 0;
  for (const o of parsed.offers) if (o.value > maxValue) maxValue = o.value;
  const guards: CompiledGuard[] = parsed.guards.map((g) => ({
    id: g.id,
    offerTags: g.offerTags,
    window: g.window,
    categoryTagPrefix: g.categoryTagPrefix,
    eventTypes: new Set(g.events.types),
    categoryProperty: g.events.categoryProperty,
    where: Object.entries(g.events.where),
    responseKinds: new Set(g.responses.kinds),
    requireTags: g.responses.requireTags,
  }));
  const offers = parsed.offers.map((o, i): CompiledOffer => {
    const at = (...rest: Array<string | number>): Array<string | number> => ['offers', i, ...rest];
    if (o.validFrom !== undefined && o.validUntil !== undefined && o.validUntil <= o.validFrom) {
      throw bad('validUntil must be after validFrom', at('validUntil'));
    }
    o.prerequisites.forEach((p, j) => {
      if (p === o.id) throw bad('An offer cannot be its own prerequisite', at('prerequisites', j));
      if (!ids.has(p)) throw bad(`Unknown prerequisite offer ${quoted(p)}`, at('prerequisites', j));
    });
    const el = compileEligibility(o.eligibility, options.predicates ?? {}, (name) =>
      bad(`Unknown eligibility predicate ${quoted(name)}; register it in parseCatalogue(…, { predicates })`, at('eligibility'), { predicate: name }),
    );
    const policySource = o.policy ?? parsed.defaultPolicy;
    const applying: Array<{ index: number; categories: string[]; exclusions: ExcludedOffer[] }> = [];
    guards.forEach((g, gi) => {
      if (!g.offerTags.some((t) => o.tags.includes(t))) return;
      const prefix = g.categoryTagPrefix;
      const categories = o.tags.filter((t) => t.startsWith(prefix) && t.length > prefix.length).map((t) => t.slice(prefix.length));
      const exclusions = categories.map((cat) =>
        frozen(o.id, 'suitability', 'OFFER_CANNIBALISATION', `Bought ${cat} at full price recently`, { rule: g.id, detail: { category: cat, windowMs: g.window } }),
      );
      if (categories.length > 0) applying.push({ index: gi, categories, exclusions });
    });
    return {
      id: o.id,
      index: i,
      source: o,
      channels: o.channels ? new Set(o.channels) : null,
      validFrom: o.validFrom ?? -Infinity,
      validUntil: o.validUntil ?? Infinity,
      ...el,
      normalisedValue: normaliseValue(o.value, maxValue, parsed.valueScale),
      weight: o.weight,
      channelWeights: o.channelWeights ?? null,
      lever: o.lever,
      priority: o.priority,
      idRank: idRanks.get(o.id)!,
      propensity: o.propensity,
      tags: o.tags,
      exclusionGroups: [...new Set(o.exclusionGroups)],
      prerequisites: o.prerequisites,
      policy: policySource ? compilePolicy(policySource) : null,
      guards: applying,
      capacity: o.capacity
        ? { perDay: o.capacity.perDay ?? Infinity, perWeek: o.capacity.perWeek ?? Infinity, total: o.capacity.total ?? Infinity }
        : null,
      budget: o.budget ?? null,
      hash: fnv1a(o.id),
      exclusions: staticExclusions(o, el),
    };
  });
  return {
    offers,
    byId: new Map(offers.map((o) => [o.id, o])),
    guards,
    valueScale: parsed.valueScale,
    maxValue,
    minPropensity: parsed.minPropensity,
    prior: parsed.prior,
    timeZone: parsed.timeZone,
    weekStartsOn: parsed.weekStartsOn as 0 | 1 | 2 | 3 | 4 | 5 | 6,
  };
}

/**
 * Normalises a business value to the catalogue's scale (see {@link valueScaleSchema}). Division by the
 * catalogue-wide maximum is a common factor, so it never reorders offers; the `log`/`power` curves do, on
 * purpose: they stop price alone from deciding.
 */
export function normaliseValue(value: number, maxValue: number, scale: z.output<typeof valueScaleSchema>): number {
  if (scale === 'none') return value;
  if (maxValue <= 0) return value > 0 ? 1 : 0;
  if (scale === 'linear') return value / maxValue;
  if (scale === 'log') return Math.log1p(value) / Math.log1p(maxValue);
  return Math.pow(value / maxValue, scale.power);
}

function compileEligibility(
  el: Offer['eligibility'],
  predicates: Readonly<Record<string, EligibilityPredicate>>,
  unknown: (name: string) => Error,
): Pick<CompiledOffer, 'segmentsAll' | 'segmentsAny' | 'segmentsNot' | 'predicate' | 'predicateName'> {
  const none: string[] = [];
  if (el === undefined) return { segmentsAll: none, segmentsAny: none, segmentsNot: none, predicate: null, predicateName: undefined };
  if (typeof el === 'string') return { segmentsAll: [el], segmentsAny: none, segmentsNot: none, predicate: null, predicateName: undefined };
  if (typeof el === 'function') return { segmentsAll: none, segmentsAny: none, segmentsNot: none, predicate: el, predicateName: el.name || undefined };
  let predicate: EligibilityPredicate | null = null;
  let predicateName: string | undefined;
  if (typeof el.predicate === 'string') {
    const fn = Object.prototype.hasOwnProperty.call(predicates, el.predicate) ? predicates[el.predicate] : undefined;
    if (fn === undefined) throw unknown(el.predicate);
    predicate = fn;
    predicateName = el.predicate;
  } else if (el.predicate !== undefined) {
    predicate = el.predicate;
    predicateName = el.predicate.name || undefined;
  }
  return { segmentsAll: el.segments ?? none, segmentsAny: el.anyOfSegments ?? none, segmentsNot: el.notSegments ?? none, predicate, predicateName };
}

function frozen(offerId: string, stage: ArbitrationStage, code: ArbitrationReasonCode, message: string, extra: { rule?: string | undefined; detail?: Record<string, unknown> } = {}): ExcludedOffer {
  const r = reason(code, message, extra);
  if (r.detail !== undefined) deepFreeze(r.detail);
  return Object.freeze({ offerId, stage, reason: Object.freeze(r) });
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

function staticExclusions(o: Offer, el: Pick<CompiledOffer, 'segmentsAll' | 'segmentsAny' | 'segmentsNot' | 'predicateName'>): StaticExclusions {
  const id = o.id;
  return {
    disabled: frozen(id, 'eligibility', 'OFFER_DISABLED', `Offer ${id} is disabled`),
    wrongChannel: frozen(id, 'applicability', 'OFFER_WRONG_CHANNEL', 'Not presented on this channel', { detail: { channels: o.channels ? [...o.channels] : [] } }),
    notYetValid: frozen(id, 'applicability', 'OFFER_NOT_YET_VALID', 'Not valid yet', { detail: { validFrom: o.validFrom ?? null } }),
    expired: frozen(id, 'applicability', 'OFFER_EXPIRED', 'Expired', { detail: { validUntil: o.validUntil ?? null } }),
    predicateFalse: frozen(id, 'eligibility', 'OFFER_PREDICATE_FALSE', `Eligibility predicate${el.predicateName ? ` ${el.predicateName}` : ''} is false`, { rule: el.predicateName }),
    notInAny: frozen(id, 'eligibility', 'OFFER_NOT_IN_SEGMENT', 'Customer is in none of the offer segments', { detail: { anyOf: [...el.segmentsAny] } }),
    notInSegment: el.segmentsAll.map((seg) => frozen(id, 'eligibility', 'OFFER_NOT_IN_SEGMENT', `Customer is not in segment ${seg}`, { rule: seg, detail: { segment: seg } })),
    inExcludedSegment: el.segmentsNot.map((seg) => frozen(id, 'eligibility', 'OFFER_IN_EXCLUDED_SEGMENT', `Customer is in excluded segment ${seg}`, { rule: seg, detail: { segment: seg } })),
  };
}

function compilePolicy(p: z.output<typeof contactPolicySchema>): CompiledPolicy {
  const dur = (d: number | 'forever'): number => (d === 'forever' ? Infinity : d);
  return {
    maxCount: p.maxPresentations?.count ?? -1,
    maxWindow: p.maxPresentations?.window ?? Infinity,
    acceptFor: p.afterAcceptance ? dur(p.afterAcceptance.suppressFor) : -1,
    refusalCount: p.afterRefusals?.count ?? -1,
    refusalWindow: p.afterRefusals?.window ?? 0,
    refusalFor: p.afterRefusals?.suppressFor ?? 0,
    refusalKinds: p.afterRefusals?.kinds ?? ['refused'],
    silentCount: p.withoutResponse?.count ?? -1,
    silentFor: p.withoutResponse ? dur(p.withoutResponse.suppressFor) : 0,
  };
}
