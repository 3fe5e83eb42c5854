import { CrossChannelError } from '../core/errors.js';
import { reason, type Reason } from '../core/explain.js';
import type { History } from '../core/records.js';
import { checkEligibility, membershipsOf, type ArbitrationContext } from './eligibility.js';
import type { ArbitrationReasonCode, ArbitrationStage } from './errors.js';
import type { Catalogue, CompiledOffer, Offer } from './offers.js';
import { compareRanked, contextWeightOf, propensityOf, seedHashOf, type PropensityOptions, type ScoreFactors } from './score.js';
import type { OfferUsage } from './store.js';
import { checkContactPolicy, guardCategories, indexHistory, missingPrerequisites, type OfferHistory } from './suppression.js';

/** Options of {@link arbitrate}. */
export interface ArbitrateOptions extends PropensityOptions {
  /** Decision time, epoch ms. */
  readonly now: number;
  /** Channel the offers would be presented on. */
  readonly channel: string;
  /** How many offers to present (default 1). */
  readonly slots?: number;
  /**
   * Current global usage per offer id in the windows containing `now` (from an `OfferCapacityStore`). Offers
   * with a capacity or budget and no entry count as unused.
   */
  readonly usage?: ReadonlyMap<string, Partial<OfferUsage>> | Readonly<Record<string, Partial<OfferUsage>>>;
  /** Offers scoring below this are excluded at the scoring stage (default: only scores ≤ 0 are). */
  readonly minScore?: number;
}

/** A presented offer, with its score and the score's factors. */
export interface RankedOffer {
  readonly offerId: string;
  /** 1-based position among the presented offers. */
  readonly rank: number;
  readonly score: number;
  readonly factors: ScoreFactors;
  readonly offer: Offer;
}

/** An offer that was not presented: the first stage that excluded it and why. */
export interface ExcludedOffer {
  readonly offerId: string;
  readonly stage: ArbitrationStage;
  readonly reason: Reason<ArbitrationReasonCode>;
}

/** The decision: offers for the slots, best first, and every other offer with its exclusion. */
export interface ArbitrationResult {
  readonly channel: string;
  readonly now: number;
  readonly selected: ReadonlyArray<RankedOffer>;
  /**
   * Offers excluded before ranking come first, in catalogue order; then offers lost to per-slot constraints,
   * in rank order.
   */
  readonly excluded: ReadonlyArray<ExcludedOffer>;
}

interface Candidate {
  readonly offer: CompiledOffer;
  readonly score: number;
  readonly priority: number;
  readonly id: string;
  readonly factors: ScoreFactors;
}

/**
 * Chooses which offers to present to one customer on one channel, from one catalogue and the shared history.
 * Stages run in a fixed order and an offer stops at the first that excludes it:
 *
 * 1. **eligibility** — enabled, segment memberships, predicate;
 * 2. **applicability** — channel, validity period `[validFrom, validUntil)`;
 * 3. **suitability** — prerequisites accepted, contact policy (acceptance, refusals, presentation limit,
 *    presentations without response) on every channel, cannibalisation guards, global capacity and budget;
 * 4. **scoring** — score = propensity × context weight × normalised value × lever; below `minPropensity`,
 *    a zero factor, or a score below `minScore` excludes;
 * 5. **ranking** — score descending, then `priority` descending, then offer id ascending (deterministic);
 * 6. **constraints** — at most one offer per exclusion group (the better ranked wins), then `slots`.
 *
 * Pure: same inputs (and Thompson seed) give the same result.
 *
 * @example
 * ```ts
 * const catalogue = parseCatalogue({ offers: [{ id: 'card', value: 40 }, { id: 'loan', value: 900, channels: ['call_center'] }] });
 * const history = createHistory('p1');
 * const result = arbitrate({ subjectId: 'p1' }, catalogue, history, { now: Date.parse('2026-01-05T10:00:00Z'), channel: 'email' });
 * result.selected[0]?.offerId; // 'card'
 * result.excluded[0]?.reason.code; // 'OFFER_WRONG_CHANNEL'
 * ```
 */
export function arbitrate(context: ArbitrationContext, catalogue: Catalogue, history: History, options: ArbitrateOptions): ArbitrationResult {
  const { now, channel } = options;
  const slots = options.slots ?? 1;
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new CrossChannelError('INPUT_INVALID', 'now must be epoch milliseconds', { path: ['now'] });
  if (typeof channel !== 'string' || channel.length === 0) throw new CrossChannelError('INPUT_INVALID', 'channel must be a non-empty string', { path: ['channel'] });
  if (!Number.isInteger(slots) || slots < 0) throw new CrossChannelError('INPUT_INVALID', 'slots must be a non-negative integer', { path: ['slots'] });
  const minScore = options.minScore ?? 0;
  const memberships = membershipsOf(context);
  const usage = options.usage;
  const usageOf =
    usage === undefined
      ? (): Partial<OfferUsage> | undefined => undefined
      : usage instanceof Map
        ? (id: string): Partial<OfferUsage> | undefined => (usage as ReadonlyMap<string, Partial<OfferUsage>>).get(id)
        : (id: string): Partial<OfferUsage> | undefined =>
            Object.prototype.hasOwnProperty.call(usage, id) ? (usage as Readonly<Record<string, Partial<OfferUsage>>>)[id] : undefined;
  const seedHash = options.thompson !== undefined ? seedHashOf(options.thompson.seed) : 0;
  const excluded: ExcludedOffer[] = [];
  const candidates: Candidate[] = [];
  let index: Map<string, OfferHistory> | null = null;
  const guardSets: Array<Set<string> | undefined> = [];

  const offers = catalogue.offers;
  for (let i = 0; i < offers.length; i++) {
    const offer = offers[i]!;
    const el = checkEligibility(offer, context, memberships);
    if (el !== null) {
      excluded.push({ offerId: offer.id, stage: 'eligibility', reason: el });
      continue;
    }
    if (offer.channels !== null && !offer.channels.has(channel)) {
      excluded.push({
        offerId: offer.id,
        stage: 'applicability',
        reason: reason('OFFER_WRONG_CHANNEL', `Not presented on ${channel}`, { detail: { channel, channels: offer.source.channels } }),
      });
      continue;
    }
    if (now < offer.validFrom) {
      excluded.push({ offerId: offer.id, stage: 'applicability', reason: reason('OFFER_NOT_YET_VALID', 'Not valid yet', { detail: { validFrom: offer.validFrom } }) });
      continue;
    }
    if (now >= offer.validUntil) {
      excluded.push({ offerId: offer.id, stage: 'applicability', reason: reason('OFFER_EXPIRED', 'Expired', { detail: { validUntil: offer.validUntil } }) });
      continue;
    }
    const suit = suitability(offer);
    if (suit !== null) {
      excluded.push({ offerId: offer.id, stage: 'suitability', reason: suit });
      continue;
    }
    const { p, source } = propensityOf(offer, catalogue, context, options, seedHash);
    const factors: ScoreFactors = { propensity: p, propensitySource: source, contextWeight: contextWeightOf(offer, channel, context), value: offer.normalisedValue, lever: offer.lever };
    if (p < catalogue.minPropensity) {
      excluded.push({
        offerId: offer.id,
        stage: 'scoring',
        reason: reason('OFFER_BELOW_MIN_PROPENSITY', `Propensity ${p.toPrecision(3)} below ${catalogue.minPropensity}`, { detail: { propensity: p, minPropensity: catalogue.minPropensity } }),
      });
      continue;
    }
    const score = factors.propensity * factors.contextWeight * factors.value * factors.lever;
    // Zero is tested on the factors, not on the product: a tiny value normalised by a huge catalogue maximum may
    // underflow, and adding an unrelated offer must not turn a presentable offer into an excluded one.
    if (factors.propensity === 0 || factors.contextWeight === 0 || offer.source.value === 0 || factors.lever === 0 || score < minScore) {
      excluded.push({ offerId: offer.id, stage: 'scoring', reason: reason('OFFER_ZERO_SCORE', `Score ${score} too low`, { detail: { score, minScore, factors } }) });
      continue;
    }
    candidates.push({ offer, score, priority: offer.priority, id: offer.id, factors });
  }

  candidates.sort(compareRanked);
  const selected: RankedOffer[] = [];
  const takenGroups = new Map<string, string>();
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const groups = c.offer.exclusionGroups;
    let clash: string | undefined;
    for (let g = 0; g < groups.length && clash === undefined; g++) if (takenGroups.has(groups[g]!)) clash = groups[g];
    if (clash !== undefined) {
      excluded.push({
        offerId: c.id,
        stage: 'constraints',
        reason: reason('OFFER_EXCLUSION_GROUP', `Group ${clash} already has ${takenGroups.get(clash)!}`, { rule: clash, detail: { group: clash, by: takenGroups.get(clash), score: c.score } }),
      });
      continue;
    }
    if (selected.length >= slots) {
      excluded.push({ offerId: c.id, stage: 'constraints', reason: reason('OFFER_NO_SLOT', `Ranked below the ${slots} slot(s)`, { detail: { slots, score: c.score } }) });
      continue;
    }
    for (let g = 0; g < groups.length; g++) takenGroups.set(groups[g]!, c.id);
    selected.push({ offerId: c.id, rank: selected.length + 1, score: c.score, factors: c.factors, offer: c.offer.source });
  }
  return { channel, now, selected, excluded };

  function suitability(offer: CompiledOffer): Reason<ArbitrationReasonCode> | null {
    if (offer.prerequisites.length > 0 || offer.policy !== null) {
      index ??= indexHistory(history, now);
      if (offer.prerequisites.length > 0) {
        const missing = missingPrerequisites(offer, index);
        if (missing.length > 0) return reason('OFFER_PREREQUISITE_MISSING', `Needs ${missing.join(', ')} accepted first`, { detail: { missing } });
      }
      const r = checkContactPolicy(offer, index.get(offer.id), now);
      if (r !== null) return r;
    }
    for (let g = 0; g < offer.guards.length; g++) {
      const { index: gi, categories } = offer.guards[g]!;
      const cats = (guardSets[gi] ??= guardCategories(catalogue.guards[gi]!, history, now));
      for (let k = 0; k < categories.length; k++) {
        const cat = categories[k]!;
        if (cats.has(cat)) {
          const guard = catalogue.guards[gi]!;
          return reason('OFFER_CANNIBALISATION', `Bought ${cat} at full price recently`, { rule: guard.id, detail: { category: cat, windowMs: guard.window } });
        }
      }
    }
    if (offer.capacity !== null || offer.budget !== null) {
      const u = usageOf(offer.id);
      if (offer.capacity !== null) {
        const cap = offer.capacity;
        const checks: Array<['day' | 'week' | 'total', number, number]> = [
          ['day', u?.day ?? 0, cap.perDay],
          ['week', u?.week ?? 0, cap.perWeek],
          ['total', u?.total ?? 0, cap.total],
        ];
        for (const [period, used, limit] of checks) {
          if (used + 1 > limit) return reason('OFFER_CAPACITY_EXHAUSTED', `Capacity per ${period} used up (${used}/${limit})`, { rule: period, detail: { period, used, limit } });
        }
      }
      if (offer.budget !== null) {
        const spent = u?.spent ?? 0;
        if (spent + offer.budget.cost > offer.budget.total + 1e-9) {
          return reason('OFFER_BUDGET_EXHAUSTED', `Budget left ${offer.budget.total - spent} < cost ${offer.budget.cost}`, { detail: { spent, total: offer.budget.total, cost: offer.budget.cost } });
        }
      }
    }
    return null;
  }
}
