/**
 * GrowthBook-compatible bucketing hashes, written from their published algorithm (FNV-1a 32-bit; hash version 1
 * `fnv(value + seed) % 1000 / 1000`, version 2 `fnv(String(fnv(seed + value))) % 10000 / 10000`), so that a
 * server assigning with crosschannel and a browser running a GrowthBook SDK put a person in the same variant.
 *
 * FNV-1a is a streaming hash: the state after a fixed prefix (the seed of a v2 hash) is computed once at parse
 * time, and the hot path continues from it over the unit id without building the concatenated string. The v2
 * outer hash runs over the decimal digits of the inner one, again without a string.
 */

import { checkNumber, checkString } from './check.js';

/** FNV-1a 32-bit offset basis. */
export const FNV_OFFSET = 0x811c9dc5;
// 16777619 = 2^24 + 2^8 + 0x93: GrowthBook's `hval += (hval<<1)+(hval<<4)+(hval<<7)+(hval<<8)+(hval<<24)` is a
// multiplication by it modulo 2^32, which Math.imul computes exactly.
const FNV_PRIME = 0x01000193;

/**
 * Continues an FNV-1a 32-bit state over the UTF-16 code units of `text` (as GrowthBook's `charCodeAt` loop does).
 */
export function fnv1a32Continue(state: number, text: string): number {
  let h = state | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/**
 * FNV-1a 32-bit hash of a string as an unsigned integer.
 *
 * @example
 * ```ts
 * fnv1a32('abc'); // 440920331
 * ```
 */
export function fnv1a32(text: string): number {
  checkString(text, 'text');
  return fnv1a32Continue(FNV_OFFSET, text) >>> 0;
}

const POW10 = [1, 10, 100, 1000, 10000] as const;

/** Continues FNV-1a over the `width` decimal digits of `x` (< 10^width), leading zeros included. */
function fnvDigits(h: number, x: number, width: number): number {
  for (let k = width - 1; k >= 0; k--) {
    const p = POW10[k]!;
    const d = (x / p) | 0;
    x -= d * p;
    h = Math.imul(h ^ (48 + d), FNV_PRIME);
  }
  return h;
}

function decimalWidth(x: number): number {
  return x >= 10000 ? 5 : x >= 1000 ? 4 : x >= 100 ? 3 : x >= 10 ? 2 : 1;
}

/**
 * FNV-1a over the decimal digits of an unsigned 32-bit integer: `fnv1a32(String(n))` without the string. The
 * number is split in two int32-sized halves of at most 5 digits so the digits come from integer arithmetic.
 */
export function fnvOfDecimal(n: number): number {
  const h = FNV_OFFSET | 0;
  if (n < 100000) return fnvDigits(h, n, decimalWidth(n)) >>> 0;
  const hi = (n / 100000) | 0;
  const lo = n - hi * 100000;
  return fnvDigits(fnvDigits(h, hi, decimalWidth(hi)), lo, 5) >>> 0;
}

/**
 * Hash version 2 from the FNV state after the seed: a number in [0, 1) with 4 decimals.
 */
export function hashV2From(seedState: number, value: string): number {
  const inner = fnv1a32Continue(seedState, value) >>> 0;
  return (fnvOfDecimal(inner) % 10000) / 10000;
}

/**
 * Hash version 1 (`fnv(value + suffix) % 1000 / 1000`), as GrowthBook uses for experiments with `hashVersion: 1`
 * and for namespaces (suffix `"__" + namespace`).
 */
export function hashV1(value: string, suffix: string): number {
  const h = fnv1a32Continue(fnv1a32Continue(FNV_OFFSET, value), suffix) >>> 0;
  return (h % 1000) / 1000;
}

/**
 * GrowthBook's `hash(seed, value, version)`: the bucket of `value` in [0, 1) for hash version 1 or 2.
 *
 * @example
 * ```ts
 * bucketHash('subject-line', 'person-42', 2); // a number in [0, 1) with 4 decimals, same as GrowthBook's
 * ```
 */
export function bucketHash(seed: string, value: string, version: 1 | 2): number {
  checkString(seed, 'seed');
  checkString(value, 'value');
  if (checkNumber(version, 'version') !== 1 && version !== 2) checkString(null, 'version');
  return version === 2 ? hashV2From(fnv1a32Continue(FNV_OFFSET, seed), value) : hashV1(value, seed);
}
