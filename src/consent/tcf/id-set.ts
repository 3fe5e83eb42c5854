/**
 * {@link IdSet}: the compact, immutable id sets (vendors, purposes) the TC string decoder produces, and the
 * helpers that build them.
 */
import { quoted, inputError } from '../../core/errors.js';

/**
 * A set of positive integer ids (vendors, purposes), immutable, with fast `has(id)`. Two compact forms, chosen
 * by how the TC string wrote the set, so memory never exceeds the input's size: a bitset (32-bit words, O(1)
 * `has`) for bitfield-encoded sets, or sorted disjoint `[start, end]` pairs (`Uint16Array`, binary search)
 * for range-encoded ones. `toArray()` gives the ids ascending and `toJSON()` serialises as that array.
 *
 * @example
 * ```ts
 * const s = IdSet.from([3, 1, 755]);
 * s.has(755); // true
 * s.toArray(); // [1, 3, 755]
 * ```
 */
export class IdSet implements Iterable<number> {
  /** Number of ids in the set. */
  readonly size: number;
  /** Largest id in the set, 0 when empty. */
  readonly max: number;
  /**
   * @internal Bitset form: bit `id & 31` of word `id >>> 5` set when `id` is in the set; `null` in range form.
   * Words are 32-bit integers in a plain array (read them with `|`/`&`; a word with its top bit set may hold a
   * negative number), not a `Uint32Array`: a typed array over 64 bytes gets a buffer outside the JavaScript heap,
   * whose allocation and release cost a decode more than reading its whole string (see {@link zeroWords}).
   */
  readonly bits: readonly number[] | null;
  /** @internal Range form: `[start0, end0, start1, end1, …]` ascending, disjoint, not adjacent; `null` in bitset form. */
  readonly ranges: Uint16Array | null;

  /** @internal Use {@link IdSet.from} or a decoder. */
  constructor(bits: readonly number[] | null, ranges: Uint16Array | null, size: number, max: number) {
    if ((bits === null) === (ranges === null) || (bits !== null && !Array.isArray(bits)) || (ranges !== null && !(ranges instanceof Uint16Array)) || !Number.isInteger(size) || !Number.isInteger(max)) {
      throw inputError('An IdSet is built by IdSet.from or a decoder', []);
    }
    this.bits = bits;
    this.ranges = ranges;
    this.size = size;
    this.max = max;
  }

  /**
   * Builds a set from ids (duplicates ignored). Ids must be integers in 1..65535; anything else (or a
   * non-iterable) throws `CrossChannelError` `INPUT_INVALID` with the index of the bad id as its path.
   *
   * @example
   * ```ts
   * IdSet.from([2, 2, 7]).size; // 2
   * ```
   */
  static from(ids: Iterable<number>): IdSet {
    let max = 0;
    const list: number[] = [];
    if (ids === null || typeof (ids as { [Symbol.iterator]?: unknown } | undefined)?.[Symbol.iterator] !== 'function') {
      throw inputError('IdSet.from expects an iterable of ids');
    }
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 1 || id > 0xffff) {
        throw inputError(`id ${quoted(id)} is not an integer in 1..65535`, [list.length], { id });
      }
      list.push(id);
      if (id > max) max = id;
    }
    const words = zeroWords(max);
    let size = 0;
    for (const id of list) {
      const w = id >>> 5;
      const m = 1 << (id & 31);
      if ((words[w]! & m) === 0) {
        words[w] = words[w]! | m;
        size++;
      }
    }
    return new IdSet(words, null, size, max);
  }

  /** The empty set. */
  static readonly EMPTY: IdSet = new IdSet([0], null, 0, 0);

  /**
   * True when `id` is in the set.
   *
   * @example
   * ```ts
   * IdSet.from([1]).has(1); // true
   * ```
   */
  has(id: number): boolean {
    // Shifting an object calls its valueOf, which may throw.
    if (typeof id !== 'number') throw inputError('id must be a number', ['id']);
    const bits = this.bits;
    if (bits !== null) {
      const w = id >>> 5;
      return w < bits.length && (bits[w]! & (1 << (id & 31))) !== 0;
    }
    const r = this.ranges!;
    // Binary search for the pair containing id.
    let lo = 0;
    let hi = (r.length >>> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (id < r[mid << 1]!) hi = mid - 1;
      else if (id > r[(mid << 1) + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /**
   * The ids in ascending order.
   *
   * @example
   * ```ts
   * IdSet.from([9, 4]).toArray(); // [4, 9]
   * ```
   */
  toArray(): number[] {
    const out: number[] = [];
    const bits = this.bits;
    if (bits !== null) {
      for (let w = 0; w < bits.length; w++) {
        let x = bits[w]!;
        while (x !== 0) {
          const low = x & -x;
          out.push((w << 5) + 31 - Math.clz32(low));
          x ^= low;
        }
      }
      return out;
    }
    const r = this.ranges!;
    for (let i = 0; i < r.length; i += 2) for (let id = r[i]!; id <= r[i + 1]!; id++) out.push(id);
    return out;
  }

  /** Serialises as the sorted id array. */
  toJSON(): number[] {
    return this.toArray();
  }

  [Symbol.iterator](): Iterator<number> {
    return this.toArray()[Symbol.iterator]();
  }
}

/**
 * Accepted wherever an encoder takes a set of ids.
 *
 * @example
 * ```ts
 * const vendors: IdSetInput = [755, 1000];
 * const again: IdSetInput = IdSet.from(vendors);
 * ```
 */
export type IdSetInput = IdSet | Iterable<number>;

/** Normalises an {@link IdSetInput} to an {@link IdSet}. */
export function toIdSet(input: IdSetInput): IdSet {
  return input instanceof IdSet ? input : IdSet.from(input);
}

/**
 * Zeroed 32-bit words for ids 0..maxId, as a plain array kept on the JavaScript heap. A `Uint32Array` of more
 * than 16 words is allocated outside the heap: measured in one decode, that allocation and its release by the
 * collector cost ≈ 1 µs, more than decoding a short TC string, where filling a 44-word array (vendor ids up to
 * 1,400) costs ≈ 0.1 µs. Callers bound `maxId` by the input before asking (memory linear in the input).
 */
export function zeroWords(maxId: number): number[] {
  // One word (the purpose and special-feature fields, an empty vendor section) is a literal: a fifth of the cost.
  if (maxId < 32) return [0];
  // A plain loop: a third faster than `fill(0)` for the 20–2,048 words of a vendor section (2026-12-06).
  const n = (maxId >>> 5) + 1;
  const words = new Array<number>(n);
  for (let i = 0; i < n; i++) words[i] = 0;
  return words;
}

/**
 * Builds the range form from `[start, end]` pairs as read (any order, overlaps allowed): sorts when needed and
 * merges overlapping or adjacent pairs in place.
 */
export function idSetFromPairs(pairs: Uint16Array): IdSet {
  const n = pairs.length >>> 1;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (pairs[i << 1]! < pairs[(i - 1) << 1]!) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => pairs[a << 1]! - pairs[b << 1]!);
    const copy = pairs.slice();
    for (let i = 0; i < n; i++) {
      pairs[i << 1] = copy[order[i]! << 1]!;
      pairs[(i << 1) + 1] = copy[(order[i]! << 1) + 1]!;
    }
  }
  let out = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const a = pairs[i << 1]!;
    const b = pairs[(i << 1) + 1]!;
    if (out > 0 && a <= pairs[out - 1]! + 1) {
      if (b > pairs[out - 1]!) {
        size += b - pairs[out - 1]!;
        pairs[out - 1] = b;
      }
    } else {
      pairs[out++] = a;
      pairs[out++] = b;
      size += b - a + 1;
    }
  }
  const ranges = pairs.subarray(0, out);
  return new IdSet(null, ranges, size, out === 0 ? 0 : ranges[out - 1]!);
}

