/**
 * String similarity for probabilistic matching. Plain loops over char codes (a character outside the Basic
 * Multilingual Plane counts as one); scratch buffers are allocated per call only when the strings are long.
 */

import { inputError } from '../core/errors.js';
import { expectString, expectStrings } from '../core/guards.js';

const ASTRAL = /[\ud800-\udbff][\udc00-\udfff]/g;

/**
 * `a` and `b` with each character outside the Basic Multilingual Plane written as one code unit that neither
 * holds, so that the comparisons below count characters (code points, as Jaro, Winkler and Levenshtein define
 * them, and as rapidfuzz, strsim and go-edlib do): in UTF-16 an emoji or `𠮷` is two units, and two characters
 * sharing a high surrogate (`😀`, `😁`) half-matched. A character is left as two units only when no unit is left
 * (strings holding nearly all 65,536).
 */
function perCodePoint(a: string, b: string): string[] {
  const units = new Map<string, string>();
  let next = 0xd800;
  return [a, b].map((s) =>
    s.replace(ASTRAL, (c) => {
      while (!units.has(c) && next < 0x10000) {
        const u = String.fromCharCode(next++);
        if (!a.includes(u) && !b.includes(u)) units.set(c, u);
      }
      return units.get(c) ?? c;
    }),
  );
}

/**
 * Jaro–Winkler similarity in [0, 1] (1 = identical), with the usual prefix scale 0.1 over at most 4 characters,
 * applied when the Jaro similarity is above Winkler's boost threshold 0.7.
 * `scratch` (optional) holds reusable match buffers for callers that compare many pairs.
 *
 * @example
 * ```ts
 * jaroWinkler('MARTHA', 'MARHTA'); // ≈ 0.961
 * jaroWinkler('DIXON', 'DICKSONX'); // ≈ 0.813
 * jaroWinkler('abcdxxxx', 'abcdyyyy'); // ≈ 0.667 (the Jaro similarity: not above 0.7, so no prefix bonus)
 * ```
 */
export function jaroWinkler(a: string, b: string, scratch?: { a: Uint8Array; b: Uint8Array }): number {
  if (typeof a !== 'string' || typeof b !== 'string') expectStrings(a, b);
  if (scratch !== undefined && !(scratch !== null && scratch.a instanceof Uint8Array && scratch.b instanceof Uint8Array)) {
    throw inputError('scratch must be { a: Uint8Array, b: Uint8Array }', ['scratch']);
  }
  if (a === b) return 1;
  if (a.search(ASTRAL) + b.search(ASTRAL) > -2) [a, b] = perCodePoint(a, b) as [string, string];
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  // Callers comparing many pairs pass scratch buffers to avoid two allocations per comparison.
  let matchedA: Uint8Array;
  let matchedB: Uint8Array;
  if (scratch !== undefined) {
    if (scratch.a.length < la) scratch.a = new Uint8Array(la * 2);
    if (scratch.b.length < lb) scratch.b = new Uint8Array(lb * 2);
    matchedA = scratch.a;
    matchedB = scratch.b;
    matchedA.fill(0, 0, la);
    matchedB.fill(0, 0, lb);
  } else {
    matchedA = new Uint8Array(la);
    matchedB = new Uint8Array(lb);
  }
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === c) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
  // Winkler's boost threshold (strcmp95; rapidfuzz, so DuckDB and Splink; jellyfish; Commons Text): a common prefix
  // counts only for strings already more than 0.7 alike, so that `abcdxxxx` / `abcdyyyy` (0.667) does not reach 0.8.
  if (jaro <= 0.7) return jaro;
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Levenshtein edit distance, stopping early once it exceeds `max` (then returns `max + 1`).
 *
 * @example
 * ```ts
 * levenshtein('kitten', 'sitting');    // 3
 * levenshtein('kitten', 'sitting', 1); // 2 (more than 1)
 * ```
 */
export function levenshtein(a: string, b: string, max = Infinity): number {
  if (typeof a !== 'string' || typeof b !== 'string') expectStrings(a, b);
  if (typeof max !== 'number' || !(max >= 0)) throw inputError('max must be a number ≥ 0', ['max']);
  if (a === b) return 0;
  if (a.search(ASTRAL) + b.search(ASTRAL) > -2) [a, b] = perCodePoint(a, b) as [string, string];
  let la = a.length;
  let lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0) return lb;
  if (lb === 0) return la;
  if (la > lb) {
    const t = a;
    a = b;
    b = t;
    la = a.length;
    lb = b.length;
  }
  // Plain packed arrays, not Int32Arrays: a typed array of more than 16 entries is allocated outside the
  // JavaScript heap, which costs more than comparing two short strings.
  let prev: number[] = [];
  for (let i = 0; i <= la; i++) prev.push(i);
  let cur = prev.slice();
  for (let j = 1; j <= lb; j++) {
    cur[0] = j;
    let rowMin = j;
    const cb = b.charCodeAt(j - 1);
    for (let i = 1; i <= la; i++) {
      const cost = a.charCodeAt(i - 1) === cb ? 0 : 1;
      const v = Math.min(prev[i]! + 1, cur[i - 1]! + 1, prev[i - 1]! + cost);
      cur[i] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  // The last row's minimum can be within `max` while the distance itself is not.
  const d = prev[la]!;
  return d > max ? max + 1 : d;
}

const SOUNDEX_CODES = '01230120022455012623010202';

/**
 * American Soundex code (letter + 3 digits) of a name, for blocking on names spelled differently.
 *
 * @example
 * ```ts
 * soundex('Robert'); // 'R163'
 * soundex('Rupert'); // 'R163'
 * ```
 */
export function soundex(name: string): string {
  expectString(name, ['name']);
  const s = name.toUpperCase();
  let out = '';
  let last = '';
  for (let i = 0; i < s.length && out.length < 4; i++) {
    const c = s.charCodeAt(i);
    if (c < 65 || c > 90) continue;
    const code = SOUNDEX_CODES[c - 65]!;
    if (out.length === 0) {
      out = s[i]!;
      last = code;
      continue;
    }
    if (code !== '0' && code !== last) out += code;
    // H and W do not separate equal codes; vowels do.
    if (c !== 72 && c !== 87) last = code;
  }
  return out.length === 0 ? '' : out.padEnd(4, '0');
}
