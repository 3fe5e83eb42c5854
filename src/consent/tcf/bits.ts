/**
 * Bit-level plumbing shared by the TCF and GPP codecs: base64url ⇄ bytes, a bounds-checked big-endian bit reader
 * and a growable bit writer. {@link IdSet} lives in id-set.ts and is re-exported here for the codecs.
 */
import { CrossChannelError, quoted } from '../../core/errors.js';
import { IdSet } from './id-set.js';

export { IdSet, idSetFromPairs, toIdSet, zeroWords, type IdSetInput } from './id-set.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Char code (or byte) → 6-bit value, 255 for characters outside the base64url alphabet. Immutable after creation.
const B64_REVERSE: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(255);
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
export function base64UrlToBytes(text: string, start = 0, end = text.length, into?: Uint8Array): { bytes: Uint8Array; bitLength: number } {
  return decodeBase64Url(text, null, start, end, into);
}

// The platform's UTF-8 encoder (browsers and Node alike): for ASCII text its bytes are the char codes.
const UTF8 = new TextEncoder();

/**
 * Writes the char codes of `text` into `into[0 .. text.length)` with the platform's native encoder (faster than a
 * `charCodeAt` per character on strings of a few hundred characters or more), and returns true when every
 * character is ASCII (< 128); false otherwise (then `into` holds UTF-8 bytes, not codes). `into` must hold at
 * least `text.length` bytes: every character read and exactly one byte written per character happens only for
 * ASCII text (any other character, a lone surrogate included, takes two or more bytes; one that does not fit stops
 * the read short).
 */
export function asciiCodesInto(text: string, into: Uint8Array): boolean {
  const r = UTF8.encodeInto(text, into);
  return r.read === text.length && r.written === text.length;
}

/**
 * {@link base64UrlToBytes} over char codes already in bytes (from {@link asciiCodesInto}): the same bytes, bit
 * length and errors (an invalid character is reported from `text`, at the same offset). `codes[i]` is
 * `text.charCodeAt(i)`.
 */
export function base64UrlCodesToBytes(codes: Uint8Array, text: string, start: number, end: number, into?: Uint8Array): { bytes: Uint8Array; bitLength: number } {
  return decodeBase64Url(text, codes, start, end, into);
}

/** The one base64url decoder: char codes from `codes` when given (`codes[i]` is `text.charCodeAt(i)`), else from the text. */
function decodeBase64Url(text: string, codes: Uint8Array | null, start: number, end: number, into: Uint8Array | undefined): { bytes: Uint8Array; bitLength: number } {
  const n = end - start;
  // Four bytes of zero padding past the data let BitReader.int read a 32-bit window without a bounds branch;
  // the reader's bitLength still bounds every read. `into` (at least that long; what it held before does not
  // matter, every byte a reader sees is written below) saves an allocation.
  const bytes = into ?? new Uint8Array(((n * 6) >>> 3) + 5);
  const table = B64_REVERSE;
  let out = 0;
  let i = start;
  // Four characters → three bytes per step; a character outside the alphabet maps to 255, whose high bits the OR
  // exposes (the table covers every byte value; a char code ≥ 128 is refused before the table is read).
  const whole = start + (n - (n & 3));
  if (codes !== null) {
    for (; i < whole; i += 4) {
      putQuad(bytes, out, table[codes[i]!]!, table[codes[i + 1]!]!, table[codes[i + 2]!]!, table[codes[i + 3]!]!, text, i);
      out += 3;
    }
  } else {
    for (; i < whole; i += 4) {
      const c0 = text.charCodeAt(i);
      const c1 = text.charCodeAt(i + 1);
      const c2 = text.charCodeAt(i + 2);
      const c3 = text.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) > 127) badChar(text, i);
      putQuad(bytes, out, table[c0]!, table[c1]!, table[c2]!, table[c3]!, text, i);
      out += 3;
    }
  }
  // The last 1–3 characters' 6-bit values, then the last bytes and the padding.
  let tail = 0;
  for (; i < end; i++) {
    const c = codes !== null ? codes[i]! : text.charCodeAt(i);
    const v = c < 128 ? table[c]! : 255;
    if (v === 255) badChar(text, i);
    tail = (tail << 6) | v;
  }
  const left = end - whole;
  // left characters hold 6·left bits: 1 → a partial byte; 2 → a byte and 4 bits; 3 → two bytes and 2 bits.
  if (left === 1) bytes[out++] = (tail << 2) & 0xff;
  else if (left === 2) {
    bytes[out++] = tail >>> 4;
    bytes[out++] = (tail << 4) & 0xff;
  } else if (left === 3) {
    bytes[out++] = tail >>> 10;
    bytes[out++] = (tail >>> 2) & 0xff;
    bytes[out++] = (tail << 6) & 0xff;
  }
  bytes[out] = 0;
  bytes[out + 1] = 0;
  bytes[out + 2] = 0;
  bytes[out + 3] = 0;
  return { bytes, bitLength: n * 6 };
}

/** Four characters' 6-bit values (255 outside the alphabet: its high bits show in the OR) as three bytes at `out`. */
function putQuad(bytes: Uint8Array, out: number, a: number, b: number, c: number, d: number, text: string, i: number): void {
  if ((a | b | c | d) & 0xc0) badChar(text, i);
  const v = (a << 18) | (b << 12) | (c << 6) | d;
  bytes[out] = v >>> 16;
  bytes[out + 1] = (v >>> 8) & 0xff;
  bytes[out + 2] = v & 0xff;
}

/** Number of set bits in a 32-bit integer. */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function badChar(text: string, from: number): never {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || B64_REVERSE[c] === 255) throw new BitsError(`invalid base64url character ${quoted(text[i])} at offset ${i}`);
  }
  throw new BitsError('invalid base64url character');
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
    const p = this.pos;
    if (p >= this.bitLength) this.need(1, what);
    this.pos = p + 1;
    return ((this.bytes[p >>> 3]! >>> (7 - (p & 7))) & 1) === 1;
  }

  /** Reads an unsigned integer of `n` ≤ 48 bits. */
  int(n: number, what: string): number {
    const bytes = this.bytes;
    const p0 = this.pos;
    if (n > 0 && n <= 25 && p0 + n <= this.bitLength && bytes.length >= (p0 >>> 3) + 4) {
      // One 32-bit big-endian window holds any field of ≤ 25 bits at any bit offset (≤ 7 + 25 bits). Small, so
      // the engine inlines it into the field readers; the other cases are another method's.
      const b = p0 >>> 3;
      const window = ((bytes[b]! << 24) | (bytes[b + 1]! << 16) | (bytes[b + 2]! << 8) | bytes[b + 3]!) << (p0 & 7);
      this.pos = p0 + n;
      return window >>> (32 - n);
    }
    return this.wideInt(n, what);
  }

  /** {@link int} past its window: a field of 0 or more than 25 bits, one near the end of the bytes, or a truncated one. */
  private wideInt(n: number, what: string): number {
    this.need(n, what);
    const bytes = this.bytes;
    const p0 = this.pos;
    if (n === 0) return 0;
    if (n <= 25 && bytes.length >= (p0 >>> 3) + 4) {
      const b = p0 >>> 3;
      this.pos = p0 + n;
      return (((bytes[b]! << 24) | (bytes[b + 1]! << 16) | (bytes[b + 2]! << 8) | bytes[b + 3]!) << (p0 & 7)) >>> (32 - n);
    }
    if (n <= 50 && bytes.length >= ((p0 + n - 25) >>> 3) + 4) {
      // The 36-bit dates: two windows, the high bits then the low 25 (the sum stays an exact integer below 2^53).
      const b = p0 >>> 3;
      const m = n - 25;
      const high = (((bytes[b]! << 24) | (bytes[b + 1]! << 16) | (bytes[b + 2]! << 8) | bytes[b + 3]!) << (p0 & 7)) >>> (32 - m);
      const p1 = p0 + m;
      const c = p1 >>> 3;
      const low = (((bytes[c]! << 24) | (bytes[c + 1]! << 16) | (bytes[c + 2]! << 8) | bytes[c + 3]!) << (p1 & 7)) >>> 7;
      this.pos = p0 + n;
      return high * 33554432 + low;
    }
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
   * Reads `n` bits as a set where bit i (0-based) means id i+1, into `words`: `zeroWords(n)`, zeroed and
   * `(n >>> 5) + 1` long (the set keeps them).
   */
  bitfield(n: number, what: string, words: number[]): IdSet {
    this.need(n, what);
    const bytes = this.bytes;
    const start = this.pos;
    this.pos = start + n;
    let size = 0;
    let max = 0;
    // One word of the set at a time: word w holds ids 32w..32w+31, the field's bits from index 32w − 1 on (word 0:
    // ids 1..31 from index 0). 32 bits are read from a 40-bit window at any bit offset, bit-reversed through a
    // table (the first id is the low bit), masked past id n. The window may read four bytes past the field: the
    // base64url step pads every buffer with them; a shorter buffer takes the bit-by-bit loop.
    if (n > 0 && bytes.length >= ((start + n - 1) >>> 3) + 5) {
      for (let w = 0; w < words.length; w++) {
        const p = w === 0 ? start : start + (w << 5) - 1;
        const b = p >>> 3;
        const sh = p & 7;
        let x = ((((bytes[b]! << 24) | (bytes[b + 1]! << 16) | (bytes[b + 2]! << 8) | bytes[b + 3]!) << sh) | (bytes[b + 4]! >>> (8 - sh))) >>> 0;
        if (x === 0) continue;
        x = REVERSED[x >>> 24]! | (REVERSED[(x >>> 16) & 0xff]! << 8) | (REVERSED[(x >>> 8) & 0xff]! << 16) | (REVERSED[x & 0xff]! << 24);
        if (w === 0) x <<= 1;
        // Ids above n in the last word belong to the next field.
        const top = n - (w << 5);
        if (top < 31) x &= ~(-1 << (top + 1));
        if (x === 0) continue;
        words[w] = x;
        size += popcount32(x);
        max = (w << 5) + 31 - Math.clz32(x);
      }
      return new IdSet(words, null, size, max);
    }
    for (let i = 0; i < n; i++) {
      const p = start + i;
      if ((bytes[p >>> 3]! >>> (7 - (p & 7))) & 1) {
        words[(i + 1) >>> 5] = words[(i + 1) >>> 5]! | (1 << ((i + 1) & 31));
        size++;
        max = i + 1;
      }
    }
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
