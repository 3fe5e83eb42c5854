import { reason, type Reason } from '../core/explain.js';
import type { ArbitrationReasonCode, ExcludedOffer } from './errors.js';
import type { CompiledOffer, Offer } from './offers.js';

/**
 * What is known about the customer at decision time. Segment memberships are evaluated by the caller (the
 * `decide` pipeline runs `crosschannel/segments`) and passed in; arbitration never evaluates segments itself.
 *
 * @example
 * ```ts
 * const context: ArbitrationContext = { subjectId: 'p1', segments: ['gold'], attributes: { age: 34 }, weights: { card: 1.5 } };
 * ```
 */
export interface ArbitrationContext {
  readonly subjectId?: string;
  /** Ids of the segments the customer belongs to. */
  readonly segments?: ReadonlySet<string> | ReadonlyArray<string>;
  /** Free attributes for predicates (age, country, device…). */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Context weight per offer id (situational relevance); multiplies the offer's static weight. */
  readonly weights?: Readonly<Record<string, number>>;
  /** Propensity per offer id from a model (in [0, 1]); wins over the built-in model. */
  readonly propensities?: Readonly<Record<string, number>>;
  /** Segment whose learned acceptance rates the built-in propensity should use (see `PropensityTable`). */
  readonly propensitySegment?: string;
}

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

const EMPTY: ReadonlySet<string> = new Set();

/**
 * The context's segment memberships as a set (arrays are converted once per decision).
 *
 * @example
 * ```ts
 * membershipsOf({ segments: ['gold', 'web'] }).has('gold'); // true
 * ```
 */
export function membershipsOf(context: ArbitrationContext): ReadonlySet<string> {
  const s = context.segments;
  if (s === undefined) return EMPTY;
  return s instanceof Set ? s : new Set(s as ReadonlyArray<string>);
}

/**
 * First eligibility stage of an offer: enabled, segment memberships (all of `segments`, one of `anyOfSegments`,
 * none of `notSegments`), then the predicate. Returns the excluding reason, or `null` when eligible.
 *
 * @example
 * ```ts
 * const cat = parseCatalogue({ offers: [{ id: 'loan', eligibility: 'prime' }] });
 * checkEligibility(cat.offers[0]!, {}, new Set(['prime'])); // null
 * checkEligibility(cat.offers[0]!, {}, new Set()); // { code: 'OFFER_NOT_IN_SEGMENT', … }
 * ```
 */
export function checkEligibility(offer: CompiledOffer, context: ArbitrationContext, memberships: ReadonlySet<string>): Reason<ArbitrationReasonCode> | null {
  return eligibilityExclusion(offer, context, memberships)?.reason ?? null;
}

/**
 * {@link checkEligibility} returning the whole exclusion (shared frozen objects except for a throwing predicate).
 *
 * @example
 * ```ts
 * const cat = parseCatalogue({ offers: [{ id: 'gold-card', eligibility: { segments: ['gold'] } }] });
 *
 * eligibilityExclusion(cat.offers[0]!, {}, new Set())?.stage; // 'eligibility'
 * ```
 */
export function eligibilityExclusion(offer: CompiledOffer, context: ArbitrationContext, memberships: ReadonlySet<string>): ExcludedOffer | null {
  const ex = offer.exclusions;
  if (!offer.source.enabled) return ex.disabled;
  for (let i = 0; i < offer.segmentsAll.length; i++) {
    if (!memberships.has(offer.segmentsAll[i]!)) return ex.notInSegment[i]!;
  }
  if (offer.segmentsAny.length > 0) {
    let any = false;
    for (let i = 0; i < offer.segmentsAny.length && !any; i++) any = memberships.has(offer.segmentsAny[i]!);
    if (!any) return ex.notInAny;
  }
  for (let i = 0; i < offer.segmentsNot.length; i++) {
    if (memberships.has(offer.segmentsNot[i]!)) return ex.inExcludedSegment[i]!;
  }
  if (offer.predicate !== null) {
    let pass: boolean;
    try {
      pass = offer.predicate(context, offer.source) === true;
    } catch (e) {
      return {
        offerId: offer.id,
        stage: 'eligibility',
        reason: reason('OFFER_PREDICATE_FALSE', `Eligibility predicate of ${offer.id} threw`, {
          rule: offer.predicateName,
          detail: { error: e instanceof Error ? e.message : String(e) },
        }),
      };
    }
    if (!pass) return ex.predicateFalse;
  }
  return null;
}
