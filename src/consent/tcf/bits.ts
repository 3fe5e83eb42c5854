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

/**
 * A set of positive integer ids held as a bitset (`Uint32Array`), with O(1) `has`. Immutable once built by a
 * decoder; `toArray()` gives the ids in ascending order and `toJSON()` makes it serialise as that array.
 *
 * @example
 * ```ts
 * const s = IdSet.from([3, 1, 755]);
 * s.has(755); // true
 * s.toArray(); // [1, 3, 755]
 * ```
 */
export class IdSet implements Iterable<number> {
  /** Bit `id` of this array is set when `id` is in the set (bit 0 of word 0 is id 0, never used). */
  readonly words: Uint32Array;
  /** Number of ids in the set. */
  readonly size: number;
  /** Largest id in the set, 0 when empty. */
  readonly max: number;

  /** @internal Use {@link IdSet.from} or a decoder. */
  constructor(words: Uint32Array, size: number, max: number) {
    this.words = words;
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
    return new IdSet(words, size, max);
  }

  /** The empty set. */
  static readonly EMPTY: IdSet = new IdSet(new Uint32Array(1), 0, 0);

  /**
   * True when `id` is in the set.
   *
   * @example
   * ```ts
   * IdSet.from([1]).has(1); // true
   * ```
   */
  has(id: number): boolean {
    const w = id >>> 5;
    return w < this.words.length && (this.words[w]! & (1 << (id & 31))) !== 0;
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
    const words = this.words;
    for (let w = 0; w < words.length; w++) {
      let bits = words[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        out.push((w << 5) + 31 - Math.clz32(low));
        bits ^= low;
      }
    }
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

/** Accepted wherever an encoder takes a set of ids. */
export type IdSetInput = IdSet | Iterable<number>;

/** Normalises an {@link IdSetInput} to an {@link IdSet}. */
export function toIdSet(input: IdSetInput): IdSet {
  return input instanceof IdSet ? input : IdSet.from(input);
}

/** Mutable bitset used while decoding; frozen into an {@link IdSet} at the end. */
export class IdSetBuilder {
  readonly words: Uint32Array;
  size = 0;
  max = 0;
  constructor(maxId: number) {
    this.words = new Uint32Array((maxId >>> 5) + 1);
  }
  add(id: number): void {
    const w = id >>> 5;
    const m = 1 << (id & 31);
    if ((this.words[w]! & m) === 0) {
      this.words[w] = this.words[w]! | m;
      this.size++;
      if (id > this.max) this.max = id;
    }
  }
  /** Adds `from..to` inclusive, a word at a time so a 65k range costs ~2k steps. */
  addRange(from: number, to: number): void {
    if (from === to) return this.add(from);
    const words = this.words;
    let id = from;
    while (id <= to) {
      const w = id >>> 5;
      const bit = id & 31;
      const span = Math.min(32 - bit, to - id + 1);
      const mask = span === 32 ? 0xffffffff : ((1 << span) - 1) << bit;
      const before = words[w]!;
      const after = (before | mask) >>> 0;
      this.size += popcount((after ^ before) >>> 0);
      words[w] = after;
      id += span;
    }
    if (to > this.max) this.max = to;
  }
  build(): IdSet {
    return new IdSet(this.words, this.size, this.max);
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
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

  /** Reads `n` bits as a set where bit i (0-based) means id i+1. */
  bitfield(n: number, what: string, into: IdSetBuilder): void {
    this.need(n, what);
    const bytes = this.bytes;
    const start = this.pos;
    for (let i = 0; i < n; i++) {
      const p = start + i;
      const byte = bytes[p >>> 3]!;
      if (byte === 0 && (p & 7) === 0 && n - i >= 8) {
        i += 7;
        continue;
      }
      if (((byte >>> (7 - (p & 7))) & 1) === 1) into.add(i + 1);
    }
    this.pos = start + n;
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

  /** Writes `value` (an unsigned integer < 2^n) on `n` bits. */
  int(value: number, n: number): void {
    this.ensure(n);
    for (let i = n - 1; i >= 0; i--) this.bit(Math.floor(value / 2 ** i) % 2 === 1);
  }

  /** Writes `n` bits: bit i set when id i+1 is in `set`. */
  bitfield(set: IdSet, n: number): void {
    this.ensure(n);
    for (let i = 1; i <= n; i++) this.bit(set.has(i));
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
