import { reason, type Reason } from '../core/explain.js';
import type { ArbitrationReasonCode, ExcludedOffer } from './errors.js';
import type { ArbitrationContext } from './context.js';
import type { CompiledOffer } from './offers.js';

/**
 * First eligibility stage of an offer: enabled, segment memberships (all of `segments`, one of `anyOfSegments`,
 * none of `notSegments`), then the predicate. Returns the excluding reason, or `null` when eligible.
 */
export function checkEligibility(offer: CompiledOffer, context: ArbitrationContext, memberships: ReadonlySet<string>): Reason<ArbitrationReasonCode> | null {
  return eligibilityExclusion(offer, context, memberships)?.reason ?? null;
}

/**
 * {@link checkEligibility} returning the whole exclusion (shared frozen objects except for a throwing predicate).
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
