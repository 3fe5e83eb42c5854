import { uniformRng } from '../core/random.js';
import { expectFinite, expectObject } from '../core/guards.js';
import { inputError } from '../core/errors.js';
import type { ChannelSetCounts } from './stats.js';

/**
 * Shapley attribution on channel sets. With w(T) the conversions (or value) of converting journeys whose
 * channel set is exactly T, the characteristic function is v(S) = Σ_{T ⊆ S} w(T) (the conversions the
 * coalition S "explains"), and φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S)).
 * Exact: v over all 2^n coalitions by a subset-sum (zeta) transform of w, then the weighted sum, O(n·2^n).
 * Sampled: each random permutation credits every set T to its member that comes last (the one whose arrival
 * completes T) — an unbiased estimate with a per-channel standard error.
 */
export interface ShapleySolution {
  readonly method: 'exact' | 'sampled';
  /** Credits per channel index. */
  readonly conversions: Float64Array;
  readonly value: Float64Array;
  /** Permutations drawn (sampled only). */
  readonly samples?: number;
  /** Standard errors of the sampled credits per channel index (sampled only). */
  readonly conversionsStandardError?: Float64Array;
  readonly valueStandardError?: Float64Array;
  /** Channels playing (seen in at least one converting journey). */
  readonly players: number;
}

/** Options of {@link solveShapley}. */
export interface ShapleyOptions {
  /** Playing channels up to which the game is solved exactly (0–22). */
  readonly maxExactChannels: number;
  /** Permutations drawn beyond that (2–10,000,000: one draw has no standard error). */
  readonly samples: number;
  readonly seed: number | string;
}

/**
 * Shapley credits from channel-set counts (`channelOrder`: channel indexes in canonical order, e.g. sorted by
 * name, so that seeded sampling is reproducible across shard merges). Channels absent from every converting journey are null players
 * (credit 0) and are left out of the game, so "exact" needs only the playing channels ≤ `maxExactChannels`.
 *
 * @example
 * ```ts
 * declare const journeys: Journey[];
 * const stats = collectStatistics(journeys, { models: ['shapley'] });
 * const s = solveShapley(stats.channelSets!, stats.channels.length, { maxExactChannels: 20, samples: 2000, seed: 1 });
 * ```
 */
export function solveShapley(cs: ChannelSetCounts, channelCount: number, options: ShapleyOptions, channelOrder?: ReadonlyArray<number>): ShapleySolution {
  expectObject(cs, ['counts']);
  // Finite numbers, one per channel set (an infinite mask would never run out of bits below).
  for (const k of ['masks', 'conversions', 'value'] as const) {
    const list = cs[k] as unknown;
    if (!Array.isArray(list) || list.length !== cs.masks.length || !list.every(Number.isFinite)) throw inputError(`${k} must hold one finite number per channel set`, ['counts', k]);
  }
  if (!Number.isSafeInteger(channelCount) || channelCount < 0 || channelCount > 64) expectFinite(Number.NaN, ['channelCount']);
  expectObject(options, ['options']);
  // 2^maxExactChannels coalitions, `samples` permutations: bounded like a shapley model's settings (0 samples
  // averaged nothing: NaN credits; 1 reported standard errors of 0, as if exact).
  for (const [k, min, max] of [['maxExactChannels', 0, 22], ['samples', 2, 1e7]] as const) {
    if (!(Number.isInteger(options[k]) && options[k] >= min && options[k] <= max)) throw inputError(`${k} must be an integer in ${min}..${max}`, ['options', k]);
  }
  if (typeof options.seed !== 'number' && typeof options.seed !== 'string') throw inputError('seed must be a number or a string', ['options', 'seed']);
  if (channelOrder !== undefined && !(Array.isArray(channelOrder) && channelOrder.every(Number.isInteger))) throw inputError('channelOrder must be a list of channel indexes', ['channelOrder']);
  // Converting sets only; players = channels appearing in them.
  const masks: number[] = [];
  const wc: number[] = [];
  const wv: number[] = [];
  let union = new Uint8Array(channelCount);
  for (let s = 0; s < cs.masks.length; s++) {
    if (cs.conversions[s]! === 0 && cs.value[s]! === 0) continue;
    masks.push(cs.masks[s]!);
    wc.push(cs.conversions[s]!);
    wv.push(cs.value[s]!);
    let m = cs.masks[s]!;
    for (let c = 0; m > 0; c++, m = Math.floor(m / 2)) if (m % 2 === 1) union[c] = 1;
  }
  // Players in a canonical order (by name when given) so that sampling does not depend on which shard saw
  // a channel first.
  const players: number[] = [];
  for (const c of channelOrder ?? Array.from({ length: channelCount }, (_, i) => i)) if (union[c] === 1) players.push(c);
  union = new Uint8Array(0);
  const n = players.length;
  // Re-index each set over players only: bit j = players[j].
  const members: number[][] = masks.map((mask) => {
    const out: number[] = [];
    for (let j = 0; j < n; j++) if (Math.floor(mask / 2 ** players[j]!) % 2 === 1) out.push(j);
    return out;
  });
  const conversions = new Float64Array(channelCount);
  const value = new Float64Array(channelCount);
  if (n === 0) return { method: 'exact', conversions, value, players: 0 };
  if (n <= options.maxExactChannels) {
    const [pc, pv] = exact(n, members, wc, wv);
    for (let j = 0; j < n; j++) {
      conversions[players[j]!] = pc[j]!;
      value[players[j]!] = pv[j]!;
    }
    return { method: 'exact', conversions, value, players: n };
  }
  return sampled(n, players, members, wc, wv, channelCount, options);
}

function exact(n: number, members: number[][], wc: number[], wv: number[]): [Float64Array, Float64Array] {
  const size = 2 ** n;
  const vc = new Float64Array(size);
  const vv = new Float64Array(size);
  for (let s = 0; s < members.length; s++) {
    let mask = 0;
    for (const j of members[s]!) mask |= 1 << j;
    vc[mask]! += wc[s]!;
    vv[mask]! += wv[s]!;
  }
  // Zeta transform: v(S) = Σ_{T ⊆ S} w(T).
  for (let j = 0; j < n; j++) {
    const bit = 1 << j;
    for (let s = 0; s < size; s++) {
      if (s & bit) {
        vc[s]! += vc[s ^ bit]!;
        vv[s]! += vv[s ^ bit]!;
      }
    }
  }
  // weight[k] = k!(n−k−1)!/n! for a coalition of size k not containing i.
  const weight = new Float64Array(n);
  weight[0] = 1 / n;
  for (let k = 1; k < n; k++) weight[k] = (weight[k - 1]! * k) / (n - k);
  const pc = new Float64Array(n);
  const pv = new Float64Array(n);
  const popcount = new Uint8Array(size);
  for (let s = 1; s < size; s++) popcount[s] = popcount[s >> 1]! + (s & 1);
  for (let s = 0; s < size; s++) {
    const wk = weight[popcount[s]!]!;
    const baseC = vc[s]!;
    const baseV = vv[s]!;
    for (let j = 0; j < n; j++) {
      const bit = 1 << j;
      if (s & bit) continue;
      pc[j]! += wk * (vc[s | bit]! - baseC);
      pv[j]! += wk * (vv[s | bit]! - baseV);
    }
  }
  return [pc, pv];
}

function sampled(n: number, players: number[], members: number[][], wc: number[], wv: number[], channelCount: number, options: ShapleyOptions): ShapleySolution {
  const rng = uniformRng(options.seed);
  const order = new Int32Array(n);
  const position = new Int32Array(n);
  const drawC = new Float64Array(n);
  const drawV = new Float64Array(n);
  const sumC = new Float64Array(n);
  const sumV = new Float64Array(n);
  const sqC = new Float64Array(n);
  const sqV = new Float64Array(n);
  for (let j = 0; j < n; j++) order[j] = j;
  const m = options.samples;
  // Value squares are summed in units of the largest set value: the squares of order values above ~1e154
  // overflowed, and their standard errors came out NaN.
  const u = wv.reduce((a, w) => Math.max(a, Math.abs(w)), 0) || 1;
  for (let draw = 0; draw < m; draw++) {
    for (let j = n - 1; j > 0; j--) {
      const k = rng.int(j + 1);
      const t = order[j]!;
      order[j] = order[k]!;
      order[k] = t;
    }
    for (let j = 0; j < n; j++) position[order[j]!] = j;
    drawC.fill(0);
    drawV.fill(0);
    for (let s = 0; s < members.length; s++) {
      const set = members[s]!;
      let last = set[0]!;
      for (let q = 1; q < set.length; q++) if (position[set[q]!]! > position[last]!) last = set[q]!;
      drawC[last]! += wc[s]!;
      drawV[last]! += wv[s]!;
    }
    for (let j = 0; j < n; j++) {
      sumC[j]! += drawC[j]!;
      sumV[j]! += drawV[j]!;
      sqC[j]! += drawC[j]! * drawC[j]!;
      sqV[j]! += (drawV[j]! / u) ** 2;
    }
  }
  const conversions = new Float64Array(channelCount);
  const value = new Float64Array(channelCount);
  const conversionsStandardError = new Float64Array(channelCount);
  const valueStandardError = new Float64Array(channelCount);
  const se = (sum: number, sq: number, u = 1): number => u * Math.sqrt(Math.max(0, (sq - (sum / u) ** 2 / m) / (m - 1)) / m);
  for (let j = 0; j < n; j++) {
    const c = players[j]!;
    conversions[c] = sumC[j]! / m;
    value[c] = sumV[j]! / m;
    conversionsStandardError[c] = se(sumC[j]!, sqC[j]!);
    valueStandardError[c] = se(sumV[j]!, sqV[j]!, u);
  }
  return { method: 'sampled', conversions, value, samples: m, conversionsStandardError, valueStandardError, players: n };
}
