import { CrossChannelError, inputError } from '../core/errors.js';
import { expectFinite, expectIterable, expectObject, expectString } from '../core/guards.js';
import { checkHistoryArg } from '../core/record-checks.js';
import type { History } from '../core/records.js';

/**
 * Presentations and acceptances of one offer (optionally within one segment).
 * @example
 * ```ts
 * const c: AcceptanceCounts = { presented: 100, accepted: 12 };
 * ```
 */
export interface AcceptanceCounts {
  readonly presented: number;
  readonly accepted: number;
}

/**
 * A Beta posterior of an acceptance rate.
 * @example
 * ```ts
 * const post: BetaPosterior = new PropensityTable().posterior('card'); // { alpha: 1, beta: 1, mean: 0.5 }
 * ```
 */
export interface BetaPosterior {
  readonly alpha: number;
  readonly beta: number;
  /** Posterior mean α / (α + β). */
  readonly mean: number;
}

/**
 * JSON form of a {@link PropensityTable} (mergeable, so it can be learned in shards and combined).
 * @example
 * ```ts
 * const json: PropensityTableJSON = new PropensityTable().observe('a', { presented: 3, accepted: 1 }).toJSON();
 * ```
 */
export interface PropensityTableJSON {
  readonly prior: { readonly alpha: number; readonly beta: number };
  readonly offers: Readonly<Record<string, AcceptanceCounts>>;
  readonly segments: Readonly<Record<string, Readonly<Record<string, AcceptanceCounts>>>>;
}

/**
 * The built-in propensity model: a Beta-Binomial acceptance rate per offer, and optionally per segment, learned
 * from the shared history (a presentation is a contact with `offerId`; an acceptance is an `accepted` or
 * `converted` response to that offer). The posterior is Beta(α + accepted, β + presented − accepted).
 * Segment rates use the offer-wide posterior as their prior (partial pooling), so a small segment starts from
 * the offer's overall rate instead of from the flat prior.
 *
 * @example
 * ```ts
 * const table = new PropensityTable({ alpha: 1, beta: 9 });
 * table.observe('card', { presented: 100, accepted: 12 });
 * table.posterior('card').mean; // (1 + 12) / (10 + 100) ≈ 0.118
 * ```
 */
export class PropensityTable {
  readonly prior: { readonly alpha: number; readonly beta: number };
  private readonly offers = new Map<string, { presented: number; accepted: number }>();
  private readonly segments = new Map<string, Map<string, { presented: number; accepted: number }>>();

  constructor(prior: { alpha: number; beta: number } = { alpha: 1, beta: 1 }) {
    expectObject(prior, ['prior']);
    // Number.isFinite first: comparing an object calls its valueOf, which may throw.
    if (!Number.isFinite(prior.alpha) || !Number.isFinite(prior.beta) || !(prior.alpha > 0) || !(prior.beta > 0)) {
      throw new CrossChannelError('CONFIG_INVALID', 'Beta prior needs alpha > 0 and beta > 0', { path: ['prior'], detail: { prior } });
    }
    this.prior = { alpha: prior.alpha, beta: prior.beta };
  }

  /** Adds counts for an offer (and for a segment when given). */
  observe(offerId: string, counts: AcceptanceCounts, segment?: string): this {
    expectString(offerId, ['offerId']);
    expectObject(counts, ['counts']);
    if (segment !== undefined) expectString(segment, ['segment']);
    const { presented, accepted } = counts;
    if (!Number.isFinite(presented) || !Number.isFinite(accepted) || presented < 0 || accepted < 0) {
      throw inputError('Counts must be non-negative finite numbers', [], { offerId, presented, accepted });
    }
    bump(this.offers, offerId, presented, accepted);
    if (segment !== undefined) {
      let m = this.segments.get(segment);
      if (m === undefined) this.segments.set(segment, (m = new Map()));
      bump(m, offerId, presented, accepted);
    }
    return this;
  }

  /**
   * Learns from one customer's history: counts presentations and acceptances per offer, offer-wide and for
   * each of the customer's `segments`. Only records at or before `until` count (default: all).
   */
  observeHistory(history: History, segments: Iterable<string> = [], until = Infinity): this {
    // Every record it reads, checked (a learning pass reads them all anyway).
    checkHistoryArg(history, ['history'], ['contacts', 'responses'], true);
    expectIterable(segments, ['segments']);
    if (typeof until !== 'number' || Number.isNaN(until)) expectFinite(until, ['until']);
    const presented = new Map<string, number>();
    const accepted = new Map<string, number>();
    // Every contact, with its offer or none: a response to a contact without `offerId` answers no presentation,
    // so it is no acceptance, even naming an offer (it made another presentation of that offer look accepted).
    const contactOffer = new Map<string, string | undefined>();
    for (const c of history.contacts) {
      if (c.at > until) break;
      contactOffer.set(c.id, c.offerId);
      if (c.offerId !== undefined) presented.set(c.offerId, (presented.get(c.offerId) ?? 0) + 1);
    }
    // A contact accepted and then converted is one success, not two.
    const won = new Set<string>();
    for (const r of history.responses) {
      if (r.at > until) break;
      if ((r.kind !== 'accepted' && r.kind !== 'converted') || (r.contactId !== undefined && won.size === won.add(r.contactId).size)) continue;
      // A response to a contact in the history counts only when that contact presented an offer; one whose contact
      // is not there (pruned) counts by its own offerId.
      const known = r.contactId !== undefined && contactOffer.has(r.contactId);
      const presentedOffer = known ? contactOffer.get(r.contactId!) : undefined;
      const id = !known ? r.offerId : presentedOffer === undefined ? undefined : (r.offerId ?? presentedOffer);
      if (id !== undefined) accepted.set(id, (accepted.get(id) ?? 0) + 1);
    }
    const segs = [...segments];
    segs.forEach((seg, i) => expectString(seg, ['segments', i]));
    for (const id of new Set([...presented.keys(), ...accepted.keys()])) {
      const n = presented.get(id) ?? 0;
      // An accepted-and-converted contact is one success; never more successes than trials.
      const k = Math.min(accepted.get(id) ?? 0, n);
      this.observe(id, { presented: n, accepted: k });
      for (const s of segs) bump(this.segmentMap(s), id, n, k);
    }
    return this;
  }

  /** Beta posterior of an offer's acceptance rate, within `segment` when given (pooled with the offer-wide rate). */
  posterior(offerId: string, segment?: string): BetaPosterior {
    const o = this.offers.get(offerId);
    let alpha = this.prior.alpha + (o ? Math.min(o.accepted, o.presented) : 0);
    let beta = this.prior.beta + (o ? o.presented - Math.min(o.accepted, o.presented) : 0);
    if (segment !== undefined) {
      const s = this.segments.get(segment)?.get(offerId);
      // Prior for the segment: the offer-wide posterior shrunk to the prior's strength, so large offers don't swamp it.
      const strength = this.prior.alpha + this.prior.beta;
      const mean = alpha / (alpha + beta);
      alpha = mean * strength + (s ? Math.min(s.accepted, s.presented) : 0);
      beta = (1 - mean) * strength + (s ? s.presented - Math.min(s.accepted, s.presented) : 0);
    }
    return { alpha, beta, mean: alpha / (alpha + beta) };
  }

  /** Raw counts of an offer (offer-wide or in a segment). */
  counts(offerId: string, segment?: string): AcceptanceCounts {
    const c = segment === undefined ? this.offers.get(offerId) : this.segments.get(segment)?.get(offerId);
    return { presented: c?.presented ?? 0, accepted: c?.accepted ?? 0 };
  }

  /** Adds another table's counts (same prior required): shards learned in parallel combine exactly. */
  merge(other: PropensityTable): this {
    if (!(other instanceof PropensityTable)) expectObject(null, ['other']);
    if (other.prior.alpha !== this.prior.alpha || other.prior.beta !== this.prior.beta) {
      throw inputError('Cannot merge propensity tables with different priors', [], { ours: this.prior, theirs: other.prior });
    }
    for (const [id, c] of other.offers) bump(this.offers, id, c.presented, c.accepted);
    for (const [seg, m] of other.segments) for (const [id, c] of m) bump(this.segmentMap(seg), id, c.presented, c.accepted);
    return this;
  }

  /** A JSON-able snapshot. */
  toJSON(): PropensityTableJSON {
    // fromEntries, not assignment: a segment named `__proto__` stays a key instead of becoming the prototype.
    const segments: Record<string, Record<string, AcceptanceCounts>> = Object.fromEntries([...this.segments].map(([seg, m]) => [seg, Object.fromEntries([...m].map(([k, v]) => [k, { ...v }]))]));
    return { prior: { ...this.prior }, offers: Object.fromEntries([...this.offers].map(([k, v]) => [k, { ...v }])), segments };
  }

  /** Restores a table from {@link PropensityTable.toJSON}. */
  static fromJSON(json: PropensityTableJSON): PropensityTable {
    checkPropensityJson(json);
    const t = new PropensityTable(json.prior);
    for (const [id, c] of Object.entries(json.offers)) t.observe(id, c);
    for (const [seg, m] of Object.entries(json.segments)) for (const [id, c] of Object.entries(m)) bump(t.segmentMap(seg), id, c.presented, c.accepted);
    return t;
  }

  private segmentMap(seg: string): Map<string, { presented: number; accepted: number }> {
    let m = this.segments.get(seg);
    if (m === undefined) this.segments.set(seg, (m = new Map()));
    return m;
  }
}

function bump(m: Map<string, { presented: number; accepted: number }>, id: string, presented: number, accepted: number): void {
  const c = m.get(id);
  if (c === undefined) m.set(id, { presented, accepted });
  else {
    c.presented += presented;
    c.accepted += accepted;
  }
}

/** Checks a {@link PropensityTableJSON} read back from storage: every count a non-negative finite number. */
function checkPropensityJson(json: unknown): void {
  const bad = (path: ReadonlyArray<string | number>, message: string): never => {
    throw inputError(message, path);
  };
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!obj(json)) bad([], 'a propensity table JSON must be an object { prior, offers, segments }');
  const j = json as Record<string, unknown>;
  if (!obj(j.prior)) bad(['prior'], 'prior must be { alpha, beta }');
  const counts = (v: unknown, path: ReadonlyArray<string | number>): void => {
    if (!obj(v)) bad(path, 'expected { presented, accepted }');
    const c = v as Record<string, unknown>;
    for (const k of ['presented', 'accepted']) if (typeof c[k] !== 'number' || !Number.isFinite(c[k]) || (c[k] as number) < 0) bad([...path, k], `${k} must be a non-negative finite number`);
  };
  if (!obj(j.offers)) bad(['offers'], 'offers must be an object of counts by offer id');
  for (const [id, c] of Object.entries(j.offers as object)) counts(c, ['offers', id]);
  if (!obj(j.segments)) bad(['segments'], 'segments must be an object of offer counts by segment');
  for (const [seg, m] of Object.entries(j.segments as object)) {
    if (!obj(m)) bad(['segments', seg], 'expected counts by offer id');
    for (const [id, c] of Object.entries(m as object)) counts(c, ['segments', seg, id]);
  }
}
