import { inputError } from './errors.js';

/**
 * SHA-256 of a UTF-8 string as lowercase hex (FIPS 180-4), computed in JavaScript on any runtime. Used for hashed
 * identifiers and proofs of erasure. It returns a promise, as it did when it called Web Crypto; the work itself is
 * synchronous: ≈ 0.6–0.9 µs for an email address, where Web Crypto's `digest` cost ≈ 30 µs a call on Node 20 and
 * `node:crypto`'s `createHash` ≈ 1–1.2 µs (docs/performance.md).
 *
 * @example
 * ```ts
 * await sha256Hex('alice@example.com'); // 'ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976'
 * ```
 */
export function sha256Hex(text: string): Promise<string> {
  if (typeof text !== 'string') return Promise.reject(inputError(`Expected a string to hash, got ${text === null ? 'null' : typeof text}`));
  return Promise.resolve(sha256HexOf(text));
}

/**
 * A salted SHA-256 (`sha256(salt + ':' + value)`), the only trace erasure may keep as proof.
 *
 * @example
 * ```ts
 * await saltedSha256Hex('pepper-2026', 'alice@example.com');
 * ```
 */
export async function saltedSha256Hex(salt: string, value: string): Promise<string> {
  if (typeof salt !== 'string') throw inputError('Expected the salt to be a string', ['salt']);
  if (typeof value !== 'string') throw inputError('Expected the value to be a string', ['value']);
  return sha256HexOf(`${salt}:${value}`);
}

// The round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes
// (FIPS 180-4, 4.2.2), computed: smaller in a bundle than their 512 hex digits. Exact on any engine: each fraction
// times 2^32 is at least 0.024 from a whole number, where an error of an ulp in Math.cbrt moves it by ≈ 4e-6.
const K = /* @__PURE__ */ (() => {
  const k = new Int32Array(64);
  for (let p = 2, i = 0; i < 64; p++) {
    let d = 2;
    while (p % d !== 0) d++;
    if (d === p) k[i++] = ((Math.cbrt(p) % 1) * 2 ** 32) | 0;
  }
  return k;
})();

// The message schedule and the padded message of the call in progress: reused, never visible outside one
// synchronous call. A message longer than SCRATCH_MAX bytes gets a buffer of its own, so one long string does not
// keep its size alive here.
const W = new Int32Array(64);
const SCRATCH_MAX = 16_384;
let scratch = new Uint8Array(256);
const UTF8 = new TextEncoder();
// The digest's 64 hex digits are written as ASCII bytes and decoded once: a string built by concatenating the
// digits is a rope of dozens of pieces until first read, which made a batch of kept digests 3–7× slower.
const HEX_DIGITS = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
const ASCII = new TextDecoder();
const hexOut = new Uint8Array(64);

/**
 * Writes a 32-bit word as 8 lowercase hex digits (ASCII bytes) into `into[at .. at + 8)`, for ids and digests
 * decoded once from their bytes rather than concatenated from pieces. Internal (not exported by any entry).
 */
export function writeHexWord(into: Uint8Array, at: number, word: number): void {
  for (let k = 7; k >= 0; k--) {
    into[at + k] = HEX_DIGITS[word & 15]!;
    word >>>= 4;
  }
}

/**
 * SHA-256 of `text`'s UTF-8 bytes (a lone surrogate is U+FFFD, as `TextEncoder` writes it), as lowercase hex,
 * synchronously. Internal (not exported by any entry): the package's functions that hash call it; `text` must be a
 * string.
 */
export function sha256HexOf(text: string): string {
  // The padded message: the bytes, 0x80, zeros, then the bit length as 64 bits big-endian; a multiple of 64 bytes.
  const room = text.length * 3 + 72;
  let bytes = scratch;
  if (room > bytes.length) bytes = room > SCRATCH_MAX ? new Uint8Array(room) : (scratch = new Uint8Array(Math.max(room, 2 * scratch.length)));
  let n = 0;
  for (; n < text.length; n++) {
    const c = text.charCodeAt(n);
    if (c > 127) break;
    bytes[n] = c;
  }
  if (n < text.length) n = UTF8.encodeInto(text, bytes).written;
  const end = (((n + 8) >>> 6) + 1) << 6;
  bytes[n] = 0x80;
  bytes.fill(0, n + 1, end - 8);
  const high = Math.floor(n / 0x20000000);
  const low = (n << 3) >>> 0;
  bytes[end - 8] = high >>> 24;
  bytes[end - 7] = (high >>> 16) & 0xff;
  bytes[end - 6] = (high >>> 8) & 0xff;
  bytes[end - 5] = high & 0xff;
  bytes[end - 4] = low >>> 24;
  bytes[end - 3] = (low >>> 16) & 0xff;
  bytes[end - 2] = (low >>> 8) & 0xff;
  bytes[end - 1] = low & 0xff;

  let h0 = 0x6a09e667 | 0;
  let h1 = 0xbb67ae85 | 0;
  let h2 = 0x3c6ef372 | 0;
  let h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f | 0;
  let h5 = 0x9b05688c | 0;
  let h6 = 0x1f83d9ab | 0;
  let h7 = 0x5be0cd19 | 0;
  const w = W;
  for (let off = 0; off < end; off += 64) {
    for (let t = 0; t < 16; t++) {
      const p = off + (t << 2);
      w[t] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!;
      const y = w[t - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let t = 0; t < 64; t++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  writeHexWord(hexOut, 0, h0);
  writeHexWord(hexOut, 8, h1);
  writeHexWord(hexOut, 16, h2);
  writeHexWord(hexOut, 24, h3);
  writeHexWord(hexOut, 32, h4);
  writeHexWord(hexOut, 40, h5);
  writeHexWord(hexOut, 48, h6);
  writeHexWord(hexOut, 56, h7);
  return ASCII.decode(hexOut);
}
