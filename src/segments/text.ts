/**
 * The text semantics the in-memory evaluator shares with the SQL form: how `ignoreCase` folds case and how
 * strings are ordered. Both are defined so that PostgreSQL and DuckDB can compute them exactly (docs/segments.md).
 */

/**
 * The case folding of `ignoreCase`: every character mapped to its simple (one-character) lowercase, as
 * PostgreSQL's and DuckDB's `lower()` map each character, and the Greek final sigma `ς` to `σ`, so that `Σ`, `σ`
 * and `ς` are one letter wherever they stand in a word. Plain `toLowerCase` differs on two context rules, undone
 * here: `Σ` ending a word becomes `ς` there, and `İ` (U+0130) becomes `i` + U+0307 (here `i`). `ß`, ligatures and
 * the dotless `ı` keep their own case (no one-to-many folding: `ß` is not `ss`).
 *
 * @example
 * ```ts
 * declare function foldCase(s: string): string; // internal, not a package export
 *
 * foldCase('ΣΊΣΥΦΟΣ') === foldCase('σίσυφος'); // true: 'σίσυφοσ'
 * foldCase('İSTANBUL'); // 'istanbul'
 * ```
 */
export function foldCase(s: string): string {
  const l = s.toLowerCase();
  if (!/[\u0307\u03c2]/.test(l)) return l;
  return (s.includes('\u0130') ? s.replace(/\u0130/g, 'i').toLowerCase() : l).replace(/\u03c2/g, '\u03c3');
}

/**
 * Orders two strings by code point (the order of their UTF-8 bytes, SQL's `COLLATE "C"`), where `<` compares
 * UTF-16 code units: the two differ only when a character beyond U+FFFF (a surrogate pair) meets one of
 * U+E000–U+FFFF at the first difference. Negative, 0 or positive.
 *
 * @example
 * ```ts
 * declare function compareCodePoints(a: string, b: string): number; // internal, not a package export
 *
 * compareCodePoints('😀', '\uFFFF') > 0; // true, while '😀' < '\uFFFF' in JavaScript
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  let x = a.charCodeAt(i);
  let y = b.charCodeAt(i);
  // From U+D800 up, surrogates (D800–DFFF) move above E000–FFFF.
  if (x >= 0xd800 && y >= 0xd800) {
    x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    y = y < 0xe000 ? y + 0x2000 : y - 0x800;
  }
  return x - y;
}
