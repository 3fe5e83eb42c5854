/**
 * Markov transition counts: the sufficient statistics of the chain, per order. States are the last `order`
 * channels seen, interned to small ids; order 1 keeps a dense matrix, higher orders one small Map per state
 * (small-integer keys stay fast in V8, packed double keys do not).
 */
import { inputError } from '../core/errors.js';
import { MAX_CHANNELS } from './limits.js';

/** State codes pack up to 4 channel indexes in base 64 (< 2^24). */
export const BASE = 64;
/** Transition keys pack `from` state id and `to` (+2, so conversion −1 and null −2 fit) in one double. */
export const TO_SPAN = 2 ** 24;
/** Row stride of dense order-1 counts: `to` ∈ [−2, 53] shifted by 2. */
export const DENSE_STRIDE = MAX_CHANNELS + 3;
/**
 * `to` of a transition into the conversion state (see {@link transitionCounts}).
 *
 * @example
 * ```ts
 * declare const key: number;
 * const isConversion = (key % 2 ** 24) - 2 === TO_CONVERSION;
 * ```
 */
export const TO_CONVERSION = -1;
/**
 * `to` of a transition into the null (no conversion) state.
 *
 * @example
 * ```ts
 * declare const key: number;
 * const isDropOut = (key % 2 ** 24) - 2 === TO_NULL;
 * ```
 */
export const TO_NULL = -2;

/** Transition counts of one Markov order: the sufficient statistics of the chain. */
export interface MarkovCounts {
  readonly order: number;
  /** State id → the channel indexes of the state (id 0 is the start state, `[]`). */
  readonly states: number[][];
  /** State code → state id. */
  readonly stateIds: Map<number, number>;
  /** Orders ≥ 2: per from-state id, (to + 2) → count (small-integer keys stay fast; read through {@link transitionCounts}). */
  readonly rows: Array<Map<number, number>>;
  /** Order 1: dense counts, row = from state id, column = to + 2 (at most 54 states). */
  readonly dense: Float64Array | null;
  /** Orders ≤ 3: state code → id + 1 (0 = unseen), a flat table instead of a Map on the hot path. */
  readonly table: Int32Array | null;
  /** From-state id → summed value of the conversions reached from it. */
  readonly conversionValue: Map<number, number>;
}


/** Empty counts for one order (internal: statistics own their counts). */
export function createMarkovCounts(order: number): MarkovCounts {
  const table = order <= 3 ? new Int32Array(BASE ** order) : null;
  if (table !== null) table[0] = 1;
  const dense = order === 1 ? new Float64Array((MAX_CHANNELS + 1) * DENSE_STRIDE) : null;
  return { order, states: [[]], stateIds: new Map([[0, 0]]), rows: [new Map()], dense, table, conversionValue: new Map() };
}

/** Adds `by` to the count of `key`. */
export function bump(map: Map<number, number>, key: number, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}


/** Adds `count` transitions from state `from` to `to` (a state id, {@link TO_CONVERSION} or {@link TO_NULL}). */
export function addTransition(mc: MarkovCounts, from: number, to: number, count: number): void {
  if (mc.dense !== null) mc.dense[from * DENSE_STRIDE + to + 2]! += count;
  else bump(mc.rows[from]!, to + 2, count);
}

/**
 * All transition counts of a chain as key (from × 2^24 + to + 2) → count, whatever the storage.
 *
 * @example
 * ```ts
 * const stats = createStatistics({ models: ['markov'] });
 * for (const [key, count] of transitionCounts(stats.markov[0]!)) console.log(Math.floor(key / 2 ** 24), (key % 2 ** 24) - 2, count);
 * ```
 */
export function transitionCounts(mc: MarkovCounts): Map<number, number> {
  expectMarkovCounts(mc);
  const out = new Map<number, number>();
  if (mc.dense === null) {
    mc.rows.forEach((row, from) => row.forEach((count, col) => out.set(from * TO_SPAN + col, count)));
    return out;
  }
  const d = mc.dense;
  for (let from = 0; from < mc.states.length; from++) {
    for (let col = 0; col < DENSE_STRIDE; col++) {
      const n = d[from * DENSE_STRIDE + col]!;
      if (n !== 0) out.set(from * TO_SPAN + col, n);
    }
  }
  return out;
}

/** Id of the state made of the last `order` channels of `channels` (all of them when shorter). */
export function internState(mc: MarkovCounts, channels: ReadonlyArray<number>): number {
  const from = Math.max(0, channels.length - mc.order);
  let code = 0;
  for (let i = from; i < channels.length; i++) code = code * BASE + channels[i]! + 1;
  let id = mc.stateIds.get(code);
  if (id === undefined) {
    id = mc.states.length;
    mc.stateIds.set(code, id);
    if (mc.table !== null) mc.table[code] = id + 1;
    mc.states.push(channels.slice(from));
    mc.rows.push(new Map());
  }
  return id;
}

/** Counts the transitions of one path: start → (last `order` channels at each step) → conversion or null. */
export function addPath(mc: MarkovCounts, idx: Int32Array, n: number, conversions: number, nulls: number, value: number): void {
  const times = conversions + nulls;
  const order = mc.order;
  const keep = BASE ** (order - 1);
  // A parsed configuration's orders are at most 4, so codes stay below 64⁴ = 2^24: integer arithmetic there (a
  // remainder of doubles is a call to fmod, which was two thirds of this function's time).
  const small = order <= 4;
  const keepInt = keep | 0;
  const { rows, stateIds, table, dense } = mc;
  let code = 0;
  let len = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = idx[i]! + 1;
    if (len < order) {
      code = code * BASE + c;
      len++;
    } else {
      code = small ? ((code | 0) % keepInt) * BASE + c : (code % keep) * BASE + c;
    }
    let id = table !== null ? table[code]! - 1 : (stateIds.get(code) ?? -1);
    if (id < 0) {
      id = mc.states.length;
      stateIds.set(code, id);
      if (table !== null) table[code] = id + 1;
      const tuple: number[] = [];
      for (let j = Math.max(0, i - order + 1); j <= i; j++) tuple.push(idx[j]!);
      mc.states.push(tuple);
      rows.push(new Map());
    }
    if (dense !== null) dense[prev * DENSE_STRIDE + id + 2]! += times;
    else {
      const row = rows[prev]!;
      row.set(id + 2, (row.get(id + 2) ?? 0) + times);
    }
    prev = id;
  }
  if (conversions > 0) {
    addTransition(mc, prev, TO_CONVERSION, conversions);
    mc.conversionValue.set(prev, (mc.conversionValue.get(prev) ?? 0) + value);
  }
  if (nulls > 0) addTransition(mc, prev, TO_NULL, nulls);
}

/** Counts from {@link collectStatistics}' Markov chain (plain JavaScript may pass anything). */
export function expectMarkovCounts(mc: unknown): void {
  const m = mc as Partial<MarkovCounts> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    !Array.isArray(m.states) ||
    !m.states.every((s) => Array.isArray(s) && s.every(Number.isInteger)) ||
    !(m.conversionValue instanceof Map) ||
    // Order 1 reads its dense counts, higher orders a Map per state.
    (m.dense !== null && !(m.dense instanceof Float64Array)) ||
    (m.dense === null && !(Array.isArray(m.rows) && m.rows.length === m.states.length && m.rows.every((r) => r instanceof Map))) ||
    !(m.stateIds instanceof Map) ||
    typeof m.order !== 'number'
  ) {
    throw inputError('Expected Markov counts from the attribution statistics', ['counts']);
  }
}
