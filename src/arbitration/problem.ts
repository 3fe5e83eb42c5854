import { inputError, quoted } from '../core/errors.js';
import { expectArray, expectObject, expectObjects, expectOptions } from '../core/guards.js';

/**
 * One offer a customer could receive in the batch, with its expected value (e.g. propensity × value).
 * @example
 * ```ts
 * const c: OptimizationCandidate = { offerId: 'coupon', value: 0.3 * 25, channel: 'email', cost: 5 };
 * ```
 */
export interface OptimizationCandidate {
  readonly offerId: string;
  /** Expected value of presenting it; candidates with value ≤ 0 are never assigned. */
  readonly value: number;
  /** Channel it would go through (for channel capacities). */
  readonly channel?: string;
  /** Budget it consumes (per-offer and global budgets); default 0. */
  readonly cost?: number;
}

/**
 * A customer of the batch and their candidate offers.
 * @example
 * ```ts
 * const c: OptimizationCustomer = { id: 'c1', maxOffers: 2, candidates: [{ offerId: 'coupon', value: 7.5 }] };
 * ```
 */
export interface OptimizationCustomer {
  readonly id: string;
  readonly candidates: ReadonlyArray<OptimizationCandidate>;
  /** Overrides `maxOffersPerCustomer` for this customer. */
  readonly maxOffers?: number;
}

/**
 * Constraints of a batch optimisation. Absent limits are unlimited.
 * @example
 * ```ts
 * const k: OptimizationConstraints = { maxOffersPerCustomer: 1, channels: { call_center: { capacity: 500 } }, budget: 10_000 };
 * ```
 */
export interface OptimizationConstraints {
  /** Offers per customer (default 1). A customer never gets the same offer twice, whatever the channel. */
  readonly maxOffersPerCustomer?: number;
  /** Per-offer capacity (number of customers) and budget (sum of candidate costs). */
  readonly offers?: Readonly<Record<string, { readonly capacity?: number; readonly budget?: number }>>;
  /** Per-channel capacity, e.g. `{ call_center: { capacity: 500 } }`. */
  readonly channels?: Readonly<Record<string, { readonly capacity?: number }>>;
  /** Global budget over all assignments. */
  readonly budget?: number;
}

/**
 * Candidates of a large batch as columns (typed arrays), the input form for millions of pairs: no object per
 * candidate, so building the input and the garbage collector's work stay small. Customer `c` owns candidates
 * `[customerOffsets[c], customerOffsets[c + 1])`; `offer[k]` and `channel[k]` index into `offerIds` and
 * `channelIds` (`-1`: no channel).
 *
 * @example
 * ```ts
 * const columns: CandidateColumns = {
 *   customerIds: ['a', 'b'], customerOffsets: Int32Array.from([0, 2, 3]),
 *   offerIds: ['x', 'y'], offer: Int32Array.from([0, 1, 0]), value: Float64Array.from([10, 9, 10]),
 * };
 * ```
 */
export interface CandidateColumns {
  readonly customerIds: ReadonlyArray<string>;
  readonly customerOffsets: ArrayLike<number>;
  readonly offerIds: ReadonlyArray<string>;
  readonly offer: ArrayLike<number>;
  readonly value: ArrayLike<number>;
  readonly channelIds?: ReadonlyArray<string>;
  readonly channel?: ArrayLike<number>;
  readonly cost?: ArrayLike<number>;
  /** Per customer, overrides `maxOffersPerCustomer`. */
  readonly maxOffers?: ArrayLike<number>;
}

/**
 * Batch input: customers with candidate objects, or {@link CandidateColumns}.
 * @example
 * ```ts
 * const input: OptimizationInput = [{ id: 'c1', candidates: [{ offerId: 'a', value: 1 }] }];
 * ```
 */
export type OptimizationInput = ReadonlyArray<OptimizationCustomer> | CandidateColumns;

/**
 * Compiles either input form. Internal: not exported from the entry.
 * @example
 * ```text
 * compileInput([{ id: 'c1', candidates: [{ offerId: 'a', value: 1 }] }], {}).n; // 1
 * ```
 */
export function compileInput(input: OptimizationInput, constraints: OptimizationConstraints): Compiled {
  checkInputShape(input);
  expectOptions(constraints, ['constraints']);
  return Array.isArray(input) ? compileCustomers(input as ReadonlyArray<OptimizationCustomer>, constraints) : compileColumns(input as CandidateColumns, constraints);
}

/**
 * Number of candidate pairs of an input. Internal: not exported from the entry.
 * @example
 * ```text
 * pairCount([{ id: 'c1', candidates: [{ offerId: 'a', value: 1 }] }]); // 1
 * ```
 */
export function pairCount(input: OptimizationInput): number {
  checkInputShape(input);
  if (Array.isArray(input)) {
    let n = 0;
    for (const c of input as ReadonlyArray<OptimizationCustomer>) n += c.candidates.length;
    return n;
  }
  return (input as CandidateColumns).value.length;
}

function compileColumns(cols: CandidateColumns, constraints: OptimizationConstraints): Compiled {
  if (typeof cols !== 'object' || cols === null) throw inputError('customers must be an array or candidate columns', ['customers']);
  const [defMax, budget] = customerLimits(constraints);
  const nc = cols.customerIds.length;
  const total = cols.value.length;
  const off = cols.customerOffsets;
  if (off.length !== nc + 1 || off[0] !== 0 || off[nc] !== total) throw inputError('customerOffsets must hold one entry per customer and one more, from 0 to the number of candidates', ['customers', 'customerOffsets']);
  if (cols.offer.length !== total) throw inputError('offer must have one entry per candidate', ['customers', 'offer']);
  if (cols.channel !== undefined && cols.channel.length !== total) throw inputError('channel must have one entry per candidate', ['customers', 'channel']);
  if (cols.cost !== undefined && cols.cost.length !== total) throw inputError('cost must have one entry per candidate', ['customers', 'cost']);
  if (cols.maxOffers !== undefined && cols.maxOffers.length !== nc) throw inputError('maxOffers must have one entry per customer', ['customers', 'maxOffers']);
  const nOffers = cols.offerIds.length;
  const nChannels = cols.channelIds?.length ?? 0;
  const pairCustomer = new Int32Array(total);
  const pairOffer = new Int32Array(total);
  const pairChannel = new Int32Array(total);
  const value = new Float64Array(total);
  const cost = new Float64Array(total);
  const customerMax = new Int32Array(nc);
  let n = 0;
  for (let c = 0; c < nc; c++) {
    customerMax[c] = maxOffersOf(cols.maxOffers !== undefined ? cols.maxOffers[c] : defMax, ['customers', 'maxOffers', c]);
    const from = off[c]!;
    const to = off[c + 1]!;
    if (!(Number.isInteger(to) && to >= from && to <= total)) throw inputError('customerOffsets must be integers that do not decrease', ['customers', 'customerOffsets', c + 1]);
    for (let k = from; k < to; k++) {
      const v = cols.value[k]!;
      const w = cols.cost !== undefined ? cols.cost[k]! : 0;
      // typeof first: comparing an object calls its valueOf, which may throw.
      if (typeof v !== 'number' || Number.isNaN(v) || v === Infinity) throw inputError('value must be a finite number', ['customers', 'value', k]);
      if (!isAmount(w) || w === Infinity) throw inputError('cost must be a non-negative finite number', ['customers', 'cost', k]);
      const o = cols.offer[k]!;
      if (!(Number.isInteger(o) && o >= 0 && o < nOffers)) throw inputError('offer must refer to an index of offerIds', ['customers', 'offer', k]);
      const h = cols.channel !== undefined ? cols.channel[k]! : -1;
      if (!(Number.isInteger(h) && h >= -1 && h < nChannels)) throw inputError('channel must refer to an index of channelIds or be -1', ['customers', 'channel', k]);
      if (!(v > 0)) continue;
      pairCustomer[n] = c;
      pairOffer[n] = o;
      pairChannel[n] = h;
      value[n] = v;
      cost[n] = w;
      n++;
    }
  }
  const offerIds = [...cols.offerIds];
  const channelIds = [...(cols.channelIds ?? [])];
  return withLimits(cols.customerIds, n, pairCustomer, pairOffer, pairChannel, value, cost, customerMax, offerIds, channelIds, new Map(offerIds.map((id, i) => [id, i])), new Map(channelIds.map((id, i) => [id, i])), constraints, budget);
}

/**
 * Flattened problem: one row per (customer, candidate) pair with positive value, in input order. Internal: not exported from the entry.
 * @example
 * ```text
 * declare const customers: OptimizationCustomer[];
 * declare const constraints: OptimizationConstraints;
 *
 * compileInput(customers, constraints).value; // Float64Array of positive values
 * ```
 */
export interface Compiled {
  readonly customerIds: ReadonlyArray<string>;
  readonly n: number;
  readonly pairCustomer: Int32Array;
  readonly pairOffer: Int32Array;
  readonly pairChannel: Int32Array;
  readonly value: Float64Array;
  readonly cost: Float64Array;
  readonly customerMax: Int32Array;
  readonly offerCap: Float64Array;
  readonly offerBudget: Float64Array;
  readonly channelCap: Float64Array;
  readonly budget: number;
  readonly offerIds: string[];
  readonly channelIds: string[];
}

/**
 * Compiles candidate objects into the flat problem (validates, drops values ≤ 0, applies the limits). Internal: not exported from the entry.
 * @example
 * ```text
 * compileCustomers([{ id: 'c1', candidates: [{ offerId: 'a', value: 1 }] }], {}).offerIds; // ['a']
 * ```
 */
export function compileCustomers(customers: ReadonlyArray<OptimizationCustomer>, constraints: OptimizationConstraints): Compiled {
  if (!Array.isArray(customers)) throw inputError('customers must be an array', ['customers']);
  const [defMax, budget] = customerLimits(constraints);
  const offerIndex = new Map<string, number>();
  const channelIndex = new Map<string, number>();
  const offerIds: string[] = [];
  const channelIds: string[] = [];
  let total = 0;
  for (const c of customers) total += c.candidates.length;
  const pairCustomer = new Int32Array(total);
  const pairOffer = new Int32Array(total);
  const pairChannel = new Int32Array(total);
  const value = new Float64Array(total);
  const cost = new Float64Array(total);
  const customerMax = new Int32Array(customers.length);
  let n = 0;
  // Customers usually list the same offers in the same order: remember the index seen at each candidate position
  // and confirm it with one string comparison before falling back to the map.
  const offerAt: number[] = [];
  const channelAt: number[] = [];
  for (let ci = 0; ci < customers.length; ci++) {
    const c = customers[ci]!;
    customerMax[ci] = maxOffersOf(c.maxOffers ?? defMax, ['customers', ci, 'maxOffers']);
    const cands = c.candidates;
    for (let k = 0; k < cands.length; k++) {
      const cand = cands[k]!;
      const v = cand.value;
      const w = cand.cost ?? 0;
      if (typeof v !== 'number' || Number.isNaN(v) || v === Infinity) throw inputError('value must be a finite number', ['customers', ci, 'candidates', k, 'value']);
      if (!isAmount(w) || w === Infinity) throw inputError('cost must be a non-negative finite number', ['customers', ci, 'candidates', k, 'cost']);
      if (!(v > 0)) continue;
      const cachedOffer = offerAt[k];
      let oi = cachedOffer !== undefined && offerIds[cachedOffer] === cand.offerId ? cachedOffer : offerIndex.get(cand.offerId);
      if (oi === undefined) {
        if (typeof cand.offerId !== 'string' || cand.offerId.length === 0) throw inputError('offerId must be a non-empty string', ['customers', ci, 'candidates', k, 'offerId']);
        oi = offerIds.length;
        offerIndex.set(cand.offerId, oi);
        offerIds.push(cand.offerId);
      }
      offerAt[k] = oi;
      let hi = -1;
      if (cand.channel !== undefined) {
        const cachedChannel = channelAt[k];
        const got = cachedChannel !== undefined && channelIds[cachedChannel] === cand.channel ? cachedChannel : channelIndex.get(cand.channel);
        if (got === undefined) {
          if (typeof cand.channel !== 'string' || cand.channel.length === 0) throw inputError('channel must be a non-empty string', ['customers', ci, 'candidates', k, 'channel']);
          hi = channelIds.length;
          channelIndex.set(cand.channel, hi);
          channelIds.push(cand.channel);
        } else hi = got;
        channelAt[k] = hi;
      }
      pairCustomer[n] = ci;
      pairOffer[n] = oi;
      pairChannel[n] = hi;
      value[n] = v;
      cost[n] = w;
      n++;
    }
  }
  return withLimits(customers.map((c) => c.id), n, pairCustomer, pairOffer, pairChannel, value, cost, customerMax, offerIds, channelIds, offerIndex, channelIndex, constraints, budget);
}

function withLimits(
  customerIds: ReadonlyArray<string>,
  n: number,
  pairCustomer: Int32Array,
  pairOffer: Int32Array,
  pairChannel: Int32Array,
  value: Float64Array,
  cost: Float64Array,
  customerMax: Int32Array,
  offerIds: string[],
  channelIds: string[],
  offerIndex: ReadonlyMap<string, number>,
  channelIndex: ReadonlyMap<string, number>,
  constraints: OptimizationConstraints,
  budget: number,
): Compiled {
  const offerCap = new Float64Array(offerIds.length).fill(Infinity);
  const offerBudget = new Float64Array(offerIds.length).fill(Infinity);
  for (const [id, lim] of Object.entries(constraints.offers ?? {})) {
    const oi = offerIndex.get(id);
    expectObject(lim, ['constraints', 'offers', id]);
    if (lim.capacity !== undefined && !(Number.isInteger(lim.capacity) && lim.capacity >= 0)) throw inputError('capacity must be a non-negative integer', ['constraints', 'offers', id, 'capacity']);
    if (lim.budget !== undefined && !isAmount(lim.budget)) throw inputError('budget must be a non-negative number', ['constraints', 'offers', id, 'budget']);
    if (oi === undefined) continue;
    offerCap[oi] = lim.capacity ?? Infinity;
    offerBudget[oi] = lim.budget ?? Infinity;
  }
  const channelCap = new Float64Array(channelIds.length).fill(Infinity);
  for (const [id, lim] of Object.entries(constraints.channels ?? {})) {
    expectObject(lim, ['constraints', 'channels', id]);
    if (lim.capacity !== undefined && !(Number.isInteger(lim.capacity) && lim.capacity >= 0)) throw inputError('capacity must be a non-negative integer', ['constraints', 'channels', id, 'capacity']);
    const hi = channelIndex.get(id);
    if (hi !== undefined) channelCap[hi] = lim.capacity ?? Infinity;
  }
  return { customerIds, n, pairCustomer, pairOffer, pairChannel, value, cost, customerMax, offerCap, offerBudget, channelCap, budget, offerIds, channelIds };
}

/**
 * The largest limit the typed arrays hold: a customer's limit above it (a "no limit" of 1e18) means the same as it,
 * since no customer has 2^31 candidate pairs; stored as is, it wrapped into a negative count.
 */
const MAX_INT32 = 0x7fffffff;

/** A customer's `maxOffers` (given, or the default), checked, as the typed arrays hold it (see MAX_INT32). */
function maxOffersOf(m: unknown, path: ReadonlyArray<string | number>): number {
  if (!Number.isInteger(m) || (m as number) < 0) throw inputError('maxOffers must be a non-negative integer', path);
  return Math.min(m as number, MAX_INT32);
}

/** A non-negative number (checked by type first: comparing an object calls its valueOf, which may throw). */
const isAmount = (v: unknown): v is number => typeof v === 'number' && v >= 0;

/** `maxOffersPerCustomer` (default 1) and the global budget (default unlimited) of the constraints, checked. */
function customerLimits(constraints: OptimizationConstraints): [number, number] {
  const defMax = constraints.maxOffersPerCustomer ?? 1;
  if (!Number.isInteger(defMax) || defMax < 0) throw inputError('maxOffersPerCustomer must be a non-negative integer', ['constraints', 'maxOffersPerCustomer']);
  const budget = constraints.budget ?? Infinity;
  if (!isAmount(budget)) throw inputError('budget must be a non-negative number', ['constraints', 'budget']);
  return [defMax, budget];
}

/** The two input forms' outer shape (customers with candidate arrays, or columns), checked before anything reads them. */
function checkInputShape(input: unknown): void {
  if (Array.isArray(input)) {
    expectObjects(input, ['customers']);
    input.forEach((c, i) => {
      expectArray((c as { candidates?: unknown }).candidates, ['customers', i, 'candidates']);
      expectObjects((c as { candidates: unknown[] }).candidates, ['customers', i, 'candidates']);
    });
    uniqueIds(input.map((c) => (c as { id?: unknown }).id), 'customer', (i) => ['customers', i, 'id']);
    return;
  }
  expectObject(input, ['customers']);
  const cols = input as Record<string, unknown>;
  for (const k of ['customerIds', 'offerIds']) expectArray(cols[k], ['customers', k]);
  if (cols.channelIds !== undefined) expectArray(cols.channelIds, ['customers', 'channelIds']);
  // An offer or channel listed twice split its capacity and budget between two indices, and its repeat check.
  for (const k of ['customerIds', 'offerIds', 'channelIds']) uniqueIds((cols[k] ?? []) as unknown[], k.slice(0, -3), (i) => ['customers', k, i]);
  ['customerOffsets', 'offer', 'value', 'channel', 'cost', 'maxOffers'].forEach((k, i) => {
    const v = cols[k] as { length?: unknown } | null | undefined;
    // The last three are optional.
    if ((v !== undefined || i < 3) && (typeof v !== 'object' || v === null || typeof v.length !== 'number')) expectArray(v, ['customers', k]);
  });
}

/**
 * Ids (of customers, or the columns' offers and channels) are strings, each once: a customer listed twice would get
 * its limit, and an offer, twice; an offer or channel listed twice would get its capacity twice.
 */
function uniqueIds(ids: ReadonlyArray<unknown>, what: string, path: (i: number) => Array<string | number>): void {
  const seen = new Set<unknown>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'string' || (what !== 'customer' && id.length === 0)) throw inputError(`Each ${what} id must be a ${what === 'customer' ? '' : 'non-empty '}string`, path(i));
    if (seen.size === seen.add(id).size) throw inputError(`The ${what} ${quoted(id)} is listed twice`, path(i));
  }
}
