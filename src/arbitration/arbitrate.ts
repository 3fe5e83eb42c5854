import { inputError } from '../core/errors.js';
import { expectCatalogue, expectObject } from '../core/guards.js';
import { checkHistoryArg, namingBadRecords } from '../core/record-checks.js';
import { reason, type Reason } from '../core/explain.js';
import type { History } from '../core/records.js';
import { membershipsOf, type ArbitrationContext } from './context.js';
import { eligibilityExclusion } from './eligibility.js';
import type { ArbitrationReasonCode, ExcludedOffer } from './errors.js';
import type { Catalogue, CompiledOffer, Offer } from './offers.js';
import { contextWeightOf, resolvePropensity, seedHashOf, type PropensityOptions, type ScoreFactors } from './score.js';
import type { OfferUsage } from './store.js';
import { checkContactPolicy, guardCategories, indexHistory, missingPrerequisites, type OfferHistory } from './suppression.js';
import type { EpochMs } from '../core/time.js';

/**
 * Options of {@link arbitrate}.
 * @example
 * ```ts
 * const options: ArbitrateOptions = { now: Date.now(), channel: 'web', slots: 3, usage: { coupon: { day: 120 } }, thompson: { seed: 'req-42' } };
 * ```
 */
export interface ArbitrateOptions extends PropensityOptions {
  /** Decision time, epoch ms. */
  readonly now: EpochMs;
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

/**
 * A presented offer, with its score and the score's factors.
 * @example
 * ```ts
 * declare const ctx: ArbitrationContext;
 * declare const catalogue: Catalogue;
 * declare const history: History;
 * declare const now: number;
 *
 * const top: RankedOffer | undefined = arbitrate(ctx, catalogue, history, { now, channel: 'web' }).selected[0];
 * console.log(top?.offerId, top?.score, top?.factors.propensity);
 * ```
 */
export interface RankedOffer {
  readonly offerId: string;
  /** 1-based position among the presented offers. */
  readonly rank: number;
  readonly score: number;
  readonly factors: ScoreFactors;
  readonly offer: Offer;
}

/**
 * The decision: offers for the slots, best first, and every other offer with its exclusion.
 * @example
 * ```ts
 * declare const ctx: ArbitrationContext;
 * declare const catalogue: Catalogue;
 * declare const history: History;
 * declare const now: number;
 *
 * const r: ArbitrationResult = arbitrate(ctx, catalogue, history, { now, channel: 'email', slots: 2 });
 * for (const e of r.excluded) console.log(e.offerId, e.stage, e.reason.code);
 * ```
 */
export interface ArbitrationResult {
  readonly channel: string;
  readonly now: EpochMs;
  readonly selected: ReadonlyArray<RankedOffer>;
  /**
   * Offers excluded before ranking come first, then offers lost to per-slot constraints (with their `score`), each
   * part in catalogue order.
   */
  readonly excluded: ReadonlyArray<ExcludedOffer>;
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
 * Pure: same inputs (and Thompson seed) give the same result. `prepared` (from {@link prepareArbitration}, for the
 * same catalogue, history and `now`) lets several calls share the work that depends on the history alone; the
 * result is the same with or without it.
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
export function arbitrate(context: ArbitrationContext, catalogue: Catalogue, history: History, options: ArbitrateOptions, prepared?: PreparedArbitration): ArbitrationResult {
  expectObject(context, ['context']);
  const segments = context.segments;
  if (segments !== undefined && !(segments instanceof Set) && !Array.isArray(segments)) throw inputError('segments must be an array or a Set of segment ids', ['context', 'segments']);
  expectCatalogue(catalogue, ['catalogue']);
  checkHistoryArg(history, ['history'], HISTORY_LISTS, false);
  expectObject(options, ['options']);
  // The history's records are read by binary search within windows: a bad one is named only if the run fails.
  return namingBadRecords(history, ['history'], HISTORY_LISTS, () => run(context, catalogue, history, options, prepared));
}

/**
 * One customer's history read for several {@link arbitrate} calls at the same `now` and catalogue (rankings for
 * several channels, or again with other capacity usage): made by {@link prepareArbitration}, passed as
 * `arbitrate`'s last argument. It indexes the history by offer and collects each cannibalisation guard's
 * categories at most once, at the first ranking that needs them, instead of once per ranking. Opaque.
 * @example
 * ```ts
 * declare const catalogue: Catalogue;
 * declare const history: History;
 * const prepared: PreparedArbitration = prepareArbitration(catalogue, history, Date.now());
 * prepared.now; // the instant it was prepared for
 * ```
 */
export interface PreparedArbitration {
  readonly catalogue: Catalogue;
  readonly history: History;
  readonly now: EpochMs;
}

/**
 * Prepares `history` for several {@link arbitrate} calls with the same `catalogue`, `history` and `now` (any
 * context, channel, slots, usage): each call given the result answers exactly as it would without it, and the
 * work that depends only on the history (the index by offer, the guards' categories) is done once, by the first
 * call that needs it. A call with another catalogue, history or `now`, or with an object it did not make, is
 * `INPUT_INVALID` at `prepared`. Records appended to the history (or a list replaced) are read again; a record
 * changed in place is not (what it read is kept): make one per decision and drop it after.
 * @example
 * ```ts
 * const catalogue = parseCatalogue({ offers: [{ id: 'card', value: 40, policy: { maxPresentations: { count: 2, window: '7d' } } }] });
 * const history = createHistory('p1');
 * const now = Date.parse('2026-01-05T10:00:00Z');
 * const prepared = prepareArbitration(catalogue, history, now);
 * const web = arbitrate({ subjectId: 'p1' }, catalogue, history, { now, channel: 'web' }, prepared);
 * const email = arbitrate({ subjectId: 'p1' }, catalogue, history, { now, channel: 'email' }, prepared);
 * web.selected[0]?.offerId; // 'card'
 * ```
 */
export function prepareArbitration(catalogue: Catalogue, history: History, now: EpochMs): PreparedArbitration {
  expectCatalogue(catalogue, ['catalogue']);
  checkHistoryArg(history, ['history'], HISTORY_LISTS, false);
  if (typeof now !== 'number' || !Number.isFinite(now)) throw inputError('now must be epoch milliseconds', ['now']);
  return new Prepared(catalogue, history, now);
}

/** A {@link PreparedArbitration}: made by prepareArbitration, or by decide (one per decision); its state is in `STATES`. Internal. */
export class Prepared {
  constructor(
    readonly catalogue: Catalogue,
    readonly history: History,
    readonly now: EpochMs,
  ) {
    STATES.set(this, { lists: [], index: null, guardSets: [] });
  }
}

/**
 * What a prepared context has read, built lazily and shared by the calls given it. Kept here, not on the object:
 * nothing a caller passes (a forged or tampered object) reaches it. `lists`: each history list and its length
 * when read, so a list added to or replaced since is read again.
 */
interface PreparedState {
  lists: unknown[];
  index: Map<string, OfferHistory> | null;
  guardSets: Array<Set<string> | undefined>;
}
const STATES = new WeakMap<object, PreparedState>();

const HISTORY_LISTS = ['contacts', 'responses', 'events'] as const;

function run(context: ArbitrationContext, catalogue: Catalogue, history: History, options: ArbitrateOptions, prepared: PreparedArbitration | undefined): ArbitrationResult {
  const { now, channel } = options;
  const slots = options.slots ?? 1;
  if (typeof now !== 'number' || !Number.isFinite(now)) throw inputError('now must be epoch milliseconds', ['now']);
  if (typeof channel !== 'string' || channel.length === 0) throw inputError('channel must be a non-empty string', ['channel']);
  if (!Number.isInteger(slots) || slots < 0) throw inputError('slots must be a non-negative integer', ['slots']);
  const minScore = options.minScore ?? 0;
  if (typeof minScore !== 'number' || Number.isNaN(minScore)) throw inputError('minScore must be a number (a NaN would exclude nothing)', ['minScore']);
  // WeakMap#get of a primitive or a foreign object is undefined: only this copy's prepared contexts pass.
  const prep = prepared === undefined ? undefined : STATES.get(prepared as object);
  if (prepared !== undefined && (prep === undefined || prepared.catalogue !== catalogue || prepared.history !== history || prepared.now !== now)) {
    throw inputError('prepared must be prepareArbitration(catalogue, history, now) of this call', ['prepared']);
  }
  if (prep !== undefined) {
    const { contacts: c, responses: r, events: e } = history;
    const l = prep.lists;
    if (l[0] !== c || l[1] !== c.length || l[2] !== r || l[3] !== r.length || l[4] !== e || l[5] !== e.length) {
      // Records added (or a list replaced) since it was read: what it read is stale, read again.
      prep.lists = [c, c.length, r, r.length, e, e.length];
      prep.index = null;
      prep.guardSets.length = 0;
    }
  }
  const memberships = membershipsOf(context);
  const usage = options.usage;
  const usageMap = usage instanceof Map ? (usage as ReadonlyMap<string, Partial<OfferUsage>>) : null;
  const usageRecord = usage !== undefined && usageMap === null ? (usage as Readonly<Record<string, Partial<OfferUsage>>>) : null;
  const seedHash = options.thompson !== undefined ? seedHashOf(options.thompson.seed) : 0;
  const excluded: ExcludedOffer[] = [];
  // What depends on the history alone: the prepared context's when given (filled for the next call), else this call's.
  let index = prep !== undefined ? prep.index : null;
  const guardSets = prep !== undefined ? prep.guardSets : [];

  const offers = catalogue.offers;
  const n = offers.length;
  // Candidates live in parallel arrays by ordinal (no per-offer objects); factor objects are built for winners only.
  const cand: number[] = [];
  const cScore: number[] = [];
  const cProp: number[] = [];
  const cWeight: number[] = [];
  const cSource: number[] = [];
  const scratch: { source: ScoreFactors['propensitySource'] } = { source: 'prior' };
  for (let i = 0; i < n; i++) {
    const offer = offers[i]!;
    const el = eligibilityExclusion(offer, context, memberships);
    if (el !== null) {
      excluded.push(el);
      continue;
    }
    if (offer.channels !== null && !offer.channels.has(channel)) {
      excluded.push(offer.exclusions.wrongChannel);
      continue;
    }
    if (now < offer.validFrom) {
      excluded.push(offer.exclusions.notYetValid);
      continue;
    }
    if (now >= offer.validUntil) {
      excluded.push(offer.exclusions.expired);
      continue;
    }
    if (offer.prerequisites.length > 0 || offer.policy !== null || offer.guards.length > 0 || offer.capacity !== null || offer.budget !== null) {
      const suit = suitability(offer);
      if (suit !== null) {
        excluded.push('stage' in suit ? suit : { offerId: offer.id, stage: 'suitability', reason: suit });
        continue;
      }
    }
    const pp = resolvePropensity(offer, catalogue, context, options, seedHash, scratch);
    const src = SOURCES.indexOf(scratch.source);
    const w = contextWeightOf(offer, channel, context);
    if (pp < catalogue.minPropensity) {
      excluded.push({
        offerId: offer.id,
        stage: 'scoring',
        reason: reason('OFFER_BELOW_MIN_PROPENSITY', `Propensity ${pp.toPrecision(3)} below ${catalogue.minPropensity}`, { detail: { propensity: pp, minPropensity: catalogue.minPropensity } }),
      });
      continue;
    }
    const sc = pp * w * offer.normalisedValue * offer.lever;
    // Zero is tested on the factors, not on the product: a tiny value normalised by a huge catalogue maximum may
    // underflow, and adding an unrelated offer must not turn a presentable offer into an excluded one.
    // `!(sc >= …)`: factors that overflow and underflow (∞ × 0) give NaN, which must not rank.
    if (pp === 0 || w === 0 || offer.source.value === 0 || offer.lever === 0 || !(sc >= minScore)) {
      excluded.push({
        offerId: offer.id,
        stage: 'scoring',
        reason: reason('OFFER_ZERO_SCORE', `Score ${sc} too low`, { detail: { score: sc, minScore, factors: factorsOf(offer, pp, src, w) } }),
      });
      continue;
    }
    cand.push(i);
    cScore.push(sc);
    cProp.push(pp);
    cWeight.push(w);
    cSource.push(src);
  }

  // Ranking without a full sort: the slots are few, so pick the best remaining candidate slot by slot (score,
  // then priority, then id rank — the documented order), skipping those whose exclusion group is taken. Every
  // candidate left over ranks below every selected offer, so its fate follows from the taken groups alone.
  const m = cand.length;
  const mark: number[] = [];
  for (let k = 0; k < m; k++) mark.push(0);
  const selected: RankedOffer[] = [];
  let takenGroups: Map<string, string> | null = null;
  // Many slots over many candidates: one sort beats slot-by-slot scans (same order, same result).
  let sorted: number[] | null = null;
  let cursor = 0;
  if (slots > 8 && m > 64) {
    sorted = [];
    for (let k = 0; k < m; k++) sorted.push(k);
    sorted.sort((a, b) => {
      // Compared, not subtracted: two scores overflowed to ∞ differ by NaN, which sort reads as a tie.
      if (cScore[a] !== cScore[b]) return cScore[b]! > cScore[a]! ? 1 : -1;
      const oa = offers[cand[a]!]!;
      const ob = offers[cand[b]!]!;
      return oa.priority !== ob.priority ? ob.priority - oa.priority : oa.idRank - ob.idRank;
    });
  }
  while (selected.length < slots) {
    let best = -1;
    let bestScore = 0;
    let bestOffer: CompiledOffer | undefined;
    if (sorted !== null) {
      if (cursor < m) {
        best = sorted[cursor++]!;
        bestScore = cScore[best]!;
        bestOffer = offers[cand[best]!]!;
      }
    } else for (let k = 0; k < m; k++) {
      if (mark[k] !== 0) continue;
      const sc = cScore[k]!;
      if (best < 0 || sc > bestScore) {
        best = k;
        bestScore = sc;
        bestOffer = offers[cand[k]!]!;
      } else if (sc === bestScore) {
        const o = offers[cand[k]!]!;
        if (o.priority > bestOffer!.priority || (o.priority === bestOffer!.priority && o.idRank < bestOffer!.idRank)) {
          best = k;
          bestOffer = o;
        }
      }
    }
    if (best < 0) break;
    const groups = bestOffer!.exclusionGroups;
    if (takenGroups !== null && clashOf(groups, takenGroups) !== undefined) {
      mark[best] = 2;
      continue;
    }
    mark[best] = 1;
    if (groups.length > 0) {
      takenGroups ??= new Map();
      for (let g = 0; g < groups.length; g++) takenGroups.set(groups[g]!, bestOffer!.id);
    }
    selected.push({ offerId: bestOffer!.id, rank: selected.length + 1, score: bestScore, factors: factorsOf(bestOffer!, cProp[best]!, cSource[best]!, cWeight[best]!), offer: bestOffer!.source });
  }
  let noSlot: Reason<ArbitrationReasonCode> | null = null;
  for (let k = 0; k < m; k++) {
    if (mark[k] === 1) continue;
    const offer = offers[cand[k]!]!;
    const clash = takenGroups === null ? undefined : clashOf(offer.exclusionGroups, takenGroups);
    if (clash !== undefined) {
      const by = takenGroups!.get(clash)!;
      excluded.push({
        offerId: offer.id,
        stage: 'constraints',
        reason: reason('OFFER_EXCLUSION_GROUP', `Group ${clash} already has ${by}`, { rule: clash, detail: { group: clash, by } }),
        score: cScore[k]!,
      });
    } else {
      noSlot ??= reason('OFFER_NO_SLOT', `Ranked below the ${slots} slot(s)`, { detail: { slots } });
      excluded.push({ offerId: offer.id, stage: 'constraints', reason: noSlot, score: cScore[k]! });
    }
  }
  return { channel, now, selected, excluded };

  function suitability(offer: CompiledOffer): Reason<ArbitrationReasonCode> | ExcludedOffer | null {
    if (offer.prerequisites.length > 0 || offer.policy !== null) {
      if (index === null) {
        index = indexHistory(history, now);
        if (prep !== undefined) prep.index = index;
      }
      if (offer.prerequisites.length > 0) {
        const missing = missingPrerequisites(offer, index);
        if (missing.length > 0) return reason('OFFER_PREREQUISITE_MISSING', `Needs ${missing.join(', ')} accepted first`, { detail: { missing } });
      }
      const r = checkContactPolicy(offer, index.get(offer.id), now);
      if (r !== null) return r;
    }
    for (let g = 0; g < offer.guards.length; g++) {
      const { index: gi, categories, exclusions } = offer.guards[g]!;
      const cats = (guardSets[gi] ??= guardCategories(catalogue.guards[gi]!, history, now));
      for (let k = 0; k < categories.length; k++) if (cats.has(categories[k]!)) return exclusions[k]!;
    }
    if (offer.capacity !== null || offer.budget !== null) {
      return usedUpBy(offer, usageMap !== null ? usageMap.get(offer.id) : usageRecord !== null && Object.prototype.hasOwnProperty.call(usageRecord, offer.id) ? usageRecord[offer.id] : undefined);
    }
    return null;
  }
}

/**
 * Why `u` leaves no room for one more use of `offer` (its capacity per day, week or in total, or its budget), or null.
 * Internal: decide asks it too, to rank again only when the usage it read excludes an offer.
 */
export function usedUpBy(offer: Pick<CompiledOffer, 'capacity' | 'budget'>, u: Partial<OfferUsage> | undefined): Reason<ArbitrationReasonCode> | null {
  if (offer.capacity !== null) {
    const cap = offer.capacity;
    if ((u?.day ?? 0) + 1 > cap.perDay) return capacityReason('day', u?.day ?? 0, cap.perDay);
    if ((u?.week ?? 0) + 1 > cap.perWeek) return capacityReason('week', u?.week ?? 0, cap.perWeek);
    if ((u?.total ?? 0) + 1 > cap.total) return capacityReason('total', u?.total ?? 0, cap.total);
  }
  if (offer.budget !== null) {
    const spent = u?.spent ?? 0;
    const { total, cost } = offer.budget;
    // Exactly spent + cost > total + slack: `left` plus its rounding error (TwoSum, right of `<=`) is total −
    // spent, and cost − left is exact where it matters (Sterbenz); `spent + cost` would round a cost away from a
    // budget past 2^53. `!(… <= …)`: a NaN or ∞ spent, from a broken store, excludes.
    const left = total - spent;
    const z = left - total;
    if (!(cost - left <= total - (left - z) - (spent + z) + 1e-9 * Math.min(1, total))) {
      return reason('OFFER_BUDGET_EXHAUSTED', `Budget left ${left} < cost ${cost}`, { detail: { spent, total, cost } });
    }
  }
  return null;
}

function clashOf(groups: ReadonlyArray<string>, taken: ReadonlyMap<string, string>): string | undefined {
  for (let g = 0; g < groups.length; g++) if (taken.has(groups[g]!)) return groups[g];
  return undefined;
}

const SOURCES: ReadonlyArray<ScoreFactors['propensitySource']> = ['context', 'model', 'thompson', 'offer', 'prior'];

function factorsOf(offer: CompiledOffer, p: number, source: number, w: number): ScoreFactors {
  return { propensity: p, propensitySource: SOURCES[source]!, contextWeight: w, value: offer.normalisedValue, lever: offer.lever };
}

function capacityReason(period: 'day' | 'week' | 'total', used: number, limit: number): Reason<ArbitrationReasonCode> {
  return reason('OFFER_CAPACITY_EXHAUSTED', `Capacity per ${period} used up (${used}/${limit})`, { rule: period, detail: { period, used, limit } });
}
