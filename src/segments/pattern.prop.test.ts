import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, compileSafeRegex } from './pattern.js';

/** Regexes of the safe subset over a tiny alphabet, so that random inputs match often. */
const regexArb: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\d', '\\w', '\\.', 'A'),
    fc.tuple(tie('re'), tie('re')).map(([x, y]) => x + y),
    fc.tuple(tie('re'), tie('re')).map(([x, y]) => `(?:${x}|${y})`),
    fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,}', '*?')).map(([x, q]) => `(${x})${q}`),
  ),
})).re;
const anchoredArb = fc.tuple(fc.boolean(), regexArb, fc.boolean()).map(([s, r, e]) => `${s ? '^' : ''}${r}${e ? '$' : ''}`);
const inputArb = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '1', '.', '\n', '_'), maxLength: 12 });

describe('safe regex', () => {
  it('agrees with native RegExp.test on the subset', () => {
    fc.assert(
      fc.property(anchoredArb, inputArb, fc.boolean(), (source, input, ignoreCase) => {
        expect(compileSafeRegex(source, { ignoreCase }).test(input)).toBe(new RegExp(source, ignoreCase ? 'i' : '').test(input));
      }),
      { numRuns: 1500 },
    );
  });

  it('\\s and \\S are JavaScript\'s: every Unicode space separator (U+3000, U+2000–U+200A, …) is a space', () => {
    const spaceArb = fc.string({ unit: fc.constantFrom('a', ' ', '\u00a0', '\u1680', '\u2000', '\u2005', '\u200a', '\u200b', '\u202f', '\u205f', '\u3000', '\u180e', '\u2028', '\ufeff', '\t'), maxLength: 4 });
    fc.assert(
      fc.property(fc.constantFrom('\\s', '\\S', '^\\s+$', '[^\\s]', '[\\s]a', 'a\\S'), spaceArb, (source, input) => {
        expect(compileSafeRegex(source).test(input)).toBe(new RegExp(source).test(input));
      }),
      { numRuns: 300 },
    );
    expect(compileSafeRegex('^\\s$').test('\u3000')).toBe(true); // an ideographic space was not one
  });

  it('answers hostile patterns on long inputs (no backtracking)', () => {
    const long = `${'a'.repeat(50_000)}!`;
    expect(compileSafeRegex('^(a+)+$').test(long)).toBe(false);
    expect(compileSafeRegex('(a|aa)*b').test(long)).toBe(false);
    expect(compileSafeRegex('a*a*a*a*a*a*b').test(long)).toBe(false);
    expect(compileSafeRegex('(a*)*$').test(long)).toBe(true);
  });

  it.each(['(?=a)', '(?<n>a)', '\\1', '\\b', '\\p{L}', 'a{101}', 'a{3,2}', '(a', 'a)', '[a', '*a', 'x'.repeat(257), '[z-a]', '^*'])('rejects %s as SEGMENT_PATTERN_UNSAFE', (src) => {
    expect(() => compileSafeRegex(src)).toThrow(expect.objectContaining({ code: 'SEGMENT_PATTERN_UNSAFE' }));
  });
});

describe('glob', () => {
  const reference = (glob: string, s: string): boolean => {
    // Classic recursive definition, fine on these tiny inputs.
    const m = (i: number, j: number): boolean => {
      if (i === glob.length) return j === s.length;
      const c = glob[i]!;
      if (c === '*') return m(i + 1, j) || (j < s.length && m(i, j + 1));
      if (j === s.length) return false;
      if (c === '?') return m(i + 1, j + 1);
      if (c === '[') {
        const close = glob.indexOf(']', i + 2);
        let body = glob.slice(i + 1, close);
        const neg = body.startsWith('!');
        if (neg) body = body.slice(1);
        let hit = false;
        for (let k = 0; k < body.length; k++) {
          if (body[k + 1] === '-' && k + 2 < body.length) {
            hit ||= s[j]! >= body[k]! && s[j]! <= body[k + 2]!;
            k += 2;
          } else hit ||= s[j] === body[k];
        }
        return hit !== neg && m(close + 1, j + 1);
      }
      return c === s[j] && m(i + 1, j + 1);
    };
    return m(0, 0);
  };
  const globArb = fc.array(fc.constantFrom('a', 'b', '*', '?', '[ab]', '[!a]', '[a-b]', '.'), { maxLength: 6 }).map((xs) => xs.join(''));
  it('matches the whole string like the textbook definition', () => {
    fc.assert(
      fc.property(globArb, fc.string({ unit: fc.constantFrom('a', 'b', 'c', '.', '\n'), maxLength: 8 }), (glob, s) => {
        expect(compileGlob(glob).test(s)).toBe(reference(glob, s));
      }),
      { numRuns: 1500 },
    );
  });
  it('escapes and ignores case on request', () => {
    expect(compileGlob('\\*x').test('*x')).toBe(true);
    expect(compileGlob('\\*x').test('ax')).toBe(false);
    expect(compileGlob('*@EXAMPLE.com', { ignoreCase: true }).test('ana@example.COM')).toBe(true);
    expect(() => compileGlob('[ab')).toThrow(expect.objectContaining({ code: 'SEGMENT_PATTERN_UNSAFE' }));
  });
});
