/**
 * Bit-level plumbing shared by the TCF and GPP codecs: base64url ⇄ bytes, a bounds-checked big-endian bit reader,
 * a growable bit writer, and {@link IdSet}, the compact set of numeric ids (vendors, purposes) decoders produce.
 */
import { CrossChannelError } from '../../core/errors.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Char code → 6-bit value, 255 for characters outside the base64url alphabet. Immutable after creation.
const B64_REVERSE: Uint8Array = (() => {
  const t = new Uint8Array(128).fill(255);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

// Byte → byte with its bit order reversed, and byte → number of set bits. Immutable after creation.
const REVERSED: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    let r = 0;
    for (let b = 0; b < 8; b++) if (v & (1 << b)) r |= 0x80 >>> b;
    t[v] = r;
  }
  return t;
})();
const BIT_COUNT: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let v = 1; v < 256; v++) t[v] = (v & 1) + t[v >>> 1]!;
  return t;
})();

/**
 * A set of positive integer ids (vendors, purposes), immutable, with fast `has(id)`. Two compact forms, chosen
 * by how the TC string wrote the set, so memory never exceeds the input's size: a bitset (`Uint32Array`, O(1)
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
  /** @internal Bitset form: bit `id` set when `id` is in the set; `null` in range form. */
  readonly bits: Uint32Array | null;
  /** @internal Range form: `[start0, end0, start1, end1, …]` ascending, disjoint, not adjacent; `null` in bitset form. */
  readonly ranges: Uint16Array | null;

  /** @internal Use {@link IdSet.from} or a decoder. */
  constructor(bits: Uint32Array | null, ranges: Uint16Array | null, size: number, max: number) {
    this.bits = bits;
    this.ranges = ranges;
    this.size = size;
    this.max = max;
  }

  /**
   * Builds a set from ids (duplicates ignored). Ids must be integers in 1..65535.
   *
   * @example
   * ```ts
   * IdSet.from([2, 2, 7]).size; // 2
   * ```
   */
  static from(ids: Iterable<number>): IdSet {
    let max = 0;
    const list: number[] = [];
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 1 || id > 0xffff) throw new RangeError(`id ${String(id)} is not an integer in 1..65535`);
      list.push(id);
      if (id > max) max = id;
    }
    const words = new Uint32Array((max >>> 5) + 1);
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
  static readonly EMPTY: IdSet = new IdSet(new Uint32Array(1), null, 0, 0);

  /**
   * True when `id` is in the set.
   *
   * @example
   * ```ts
   * IdSet.from([1]).has(1); // true
   * ```
   */
  has(id: number): boolean {
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
 * One decode's bitset storage: a single buffer sized from the input length (a bitfield can't hold more ids
 * than the input has bits), carved into views, so a decode makes one off-heap allocation instead of one per set.
 */
export class WordArena {
  private readonly words: Uint32Array;
  private offset = 0;
  constructor(inputBits: number, sets: number) {
    this.words = new Uint32Array((inputBits >>> 5) + sets + 1);
  }
  /** Zeroed words for ids 0..maxId. */
  take(maxId: number): Uint32Array {
    const n = (maxId >>> 5) + 1;
    if (this.offset + n > this.words.length) return new Uint32Array(n);
    const view = this.words.subarray(this.offset, this.offset + n);
    this.offset += n;
    return view;
  }
}

/**
 * Converts a range-form set to the bitset form in `words` (sized for ids 0..set.max), filling a word at a time.
 */
export function rangesToBitset(set: IdSet, words: Uint32Array): IdSet {
  const r = set.ranges;
  if (r === null) return set;
  for (let i = 0; i < r.length; i += 2) {
    let id = r[i]!;
    const to = r[i + 1]!;
    while (id <= to) {
      const w = id >>> 5;
      const bit = id & 31;
      const span = Math.min(32 - bit, to - id + 1);
      const mask = span === 32 ? 0xffffffff : ((1 << span) - 1) << bit;
      words[w] = (words[w]! | mask) >>> 0;
      id += span;
    }
  }
  return new IdSet(words, null, set.size, set.max);
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

/** Thrown by {@link BitReader} and the base64url decoder; the codecs rewrap it with their own error code. */
export class BitsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BitsError';
  }
}

/**
 * Decodes base64url (no padding) into bytes; throws {@link BitsError} on any other character.
 * `bitLength` is 6 × characters.
 */
export function base64UrlToBytes(text: string, start = 0, end = text.length): { bytes: Uint8Array; bitLength: number } {
  const n = end - start;
  const bytes = new Uint8Array(((n * 6) >>> 3) + 1);
  let acc = 0;
  let accBits = 0;
  let out = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_REVERSE[c]! : 255;
    if (v === 255) throw new BitsError(`invalid base64url character ${JSON.stringify(text[i])} at offset ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    accBits += 6;
    if (accBits >= 8) {
      accBits -= 8;
      bytes[out++] = (acc >>> accBits) & 0xff;
    }
  }
  if (accBits > 0) bytes[out] = (acc << (8 - accBits)) & 0xff;
  return { bytes, bitLength: n * 6 };
}

/** Big-endian bit reader over bytes with a hard end; every read is bounds-checked. */
export class BitReader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly bitLength: number,
  ) {}

  get remaining(): number {
    return this.bitLength - this.pos;
  }

  /** Throws unless `n` more bits are available; `what` names the field for the message. */
  need(n: number, what: string): void {
    if (n > this.bitLength - this.pos) throw new BitsError(`truncated: ${what} needs ${n} bits at bit ${this.pos}, only ${this.bitLength - this.pos} left`);
  }

  bit(what: string): boolean {
    this.need(1, what);
    const p = this.pos++;
    return ((this.bytes[p >>> 3]! >>> (7 - (p & 7))) & 1) === 1;
  }

  /** Reads an unsigned integer of `n` ≤ 48 bits. */
  int(n: number, what: string): number {
    this.need(n, what);
    const bytes = this.bytes;
    let v = 0;
    let p = this.pos;
    const end = p + n;
    // Byte-aligned middle chunks go 8 bits at a time; edges bit by bit.
    while (p < end && (p & 7) !== 0) {
      v = v * 2 + ((bytes[p >>> 3]! >>> (7 - (p & 7))) & 1);
      p++;
    }
    while (end - p >= 8) {
      v = v * 256 + bytes[p >>> 3]!;
      p += 8;
    }
    while (p < end) {
      v = v * 2 + ((bytes[p >>> 3]! >>> (7 - (p & 7))) & 1);
      p++;
    }
    this.pos = end;
    return v;
  }

  /**
   * Reads `n` bits as a set where bit i (0-based) means id i+1. Works a byte at a time: eight bits are
   * gathered (across a byte boundary when unaligned), bit-reversed through a table so the first id is the low
   * bit, and OR-ed into the set's words.
   */
  bitfield(n: number, what: string, words: Uint32Array): IdSet {
    this.need(n, what);
    const bytes = this.bytes;
    const start = this.pos;
    const shiftIn = start & 7;
    let size = 0;
    let max = 0;
    for (let i = 0; i < n; i += 8) {
      const p = (start + i) >>> 3;
      let v = shiftIn === 0 ? bytes[p]! : ((bytes[p]! << shiftIn) | (bytes[p + 1]! >>> (8 - shiftIn))) & 0xff;
      if (v === 0) continue;
      if (n - i < 8) v &= (0xff << (8 - (n - i))) & 0xff;
      const r = REVERSED[v]!;
      if (r === 0) continue;
      const id = i + 1;
      const w = id >>> 5;
      const sh = id & 31;
      words[w] = words[w]! | (r << sh);
      if (sh > 24) words[w + 1] = words[w + 1]! | (r >>> (32 - sh));
      size += BIT_COUNT[r]!;
      max = id + 31 - Math.clz32(r);
    }
    this.pos = start + n;
    return new IdSet(words, null, size, max);
  }

  /** Reads a Fibonacci-coded positive integer (GPP): Zeckendorf bits ending with "11". */
  fibonacci(what: string): number {
    let v = 0;
    let f1 = 1;
    let f2 = 2;
    let prev = false;
    for (let k = 0; k < 64; k++) {
      const b = this.bit(what);
      if (b && prev) return v;
      if (b) v += f1;
      prev = b;
      const f3 = f1 + f2;
      f1 = f2;
      f2 = f3;
    }
    throw new BitsError(`${what}: Fibonacci integer longer than 64 bits`);
  }
}

/** Growable bit writer producing base64url (padded with zero bits to a multiple of 24 bits, like @iabtcf/core). */
export class BitWriter {
  private bytes = new Uint8Array(64);
  length = 0;

  private ensure(extra: number): void {
    const needBytes = ((this.length + extra) >>> 3) + 1;
    if (needBytes <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < needBytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes);
    this.bytes = next;
  }

  bit(b: boolean): void {
    this.ensure(1);
    if (b) this.bytes[this.length >>> 3] = this.bytes[this.length >>> 3]! | (0x80 >>> (this.length & 7));
    this.length++;
  }

  /** Writes `value` (an unsigned integer < 2^n, n ≤ 48) on `n` bits. */
  int(value: number, n: number): void {
    this.ensure(n);
    const bytes = this.bytes;
    let p = this.length;
    // High part above 32 bits first (dates are 36 bits), then the low 32 bits with shifts.
    if (n > 32) {
      const high = Math.floor(value / 4294967296);
      for (let i = n - 33; i >= 0; i--) {
        if ((high >>> i) & 1) bytes[p >>> 3] = bytes[p >>> 3]! | (0x80 >>> (p & 7));
        p++;
      }
      value = value >>> 0;
      n = 32;
    }
    for (let i = n - 1; i >= 0; i--) {
      if ((value >>> i) & 1) bytes[p >>> 3] = bytes[p >>> 3]! | (0x80 >>> (p & 7));
      p++;
    }
    this.length = p;
  }

  /** Writes `n` bits: bit i set when id i+1 is in `set`. */
  bitfield(set: IdSet, n: number): void {
    this.ensure(n);
    const bytes = this.bytes;
    const start = this.length;
    if (set.ranges !== null) {
      for (const id of set.toArray()) {
        if (id > n) break;
        const p = start + id - 1;
        bytes[p >>> 3] = bytes[p >>> 3]! | (0x80 >>> (p & 7));
      }
      this.length = start + n;
      return;
    }
    const words = set.bits!;
    for (let w = 0; w < words.length; w++) {
      let bits = words[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        const id = (w << 5) + 31 - Math.clz32(low);
        bits ^= low;
        if (id >= 1 && id <= n) {
          const p = start + id - 1;
          bytes[p >>> 3] = bytes[p >>> 3]! | (0x80 >>> (p & 7));
        }
      }
    }
    this.length = start + n;
  }

  /** Writes a Fibonacci-coded positive integer (GPP). */
  fibonacci(value: number): void {
    const fibs: number[] = [1, 2];
    while (fibs[fibs.length - 1]! <= value) fibs.push(fibs[fibs.length - 1]! + fibs[fibs.length - 2]!);
    const bits = new Array<boolean>(fibs.length).fill(false);
    let rest = value;
    for (let i = fibs.length - 1; i >= 0; i--) {
      if (fibs[i]! <= rest) {
        bits[i] = true;
        rest -= fibs[i]!;
      }
    }
    let last = bits.length - 1;
    while (last > 0 && !bits[last]) last--;
    for (let i = 0; i <= last; i++) this.bit(bits[i]!);
    this.bit(true);
  }

  /**
   * Base64url text of the bits written, zero-padded to a multiple of `padTo` bits (24 = whole bytes and chars,
   * as TC strings are written). `padTo` 0 pads to whole bytes and then whole characters, as GPP writers do.
   */
  toBase64Url(padTo = 24): string {
    let total: number;
    if (padTo === 0) {
      total = Math.ceil(this.length / 8) * 8;
      total = Math.ceil(total / 6) * 6;
    } else {
      const rem = this.length % padTo;
      total = rem === 0 ? this.length : this.length + padTo - rem;
    }
    this.ensure(total - this.length);
    let out = '';
    for (let p = 0; p < total; p += 6) {
      let v = 0;
      for (let k = 0; k < 6; k++) {
        const q = p + k;
        v = (v << 1) | ((this.bytes[q >>> 3]! >>> (7 - (q & 7))) & 1);
      }
      out += B64[v];
    }
    return out;
  }
}

/** Wraps a low-level failure into the module's typed error. */
export function malformed<C extends string>(code: C, message: string, path: ReadonlyArray<string | number>, cause?: unknown): CrossChannelError<C> {
  return new CrossChannelError(code, message, { path, ...(cause === undefined ? {} : { cause }) });
}
