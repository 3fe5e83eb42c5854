/** The text semantics SQL must share with memory: case folding of `ignoreCase` and the order of strings. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSegments } from './compile.js';
import { compareCodePoints, foldCase } from './text.js';
import { parseSegmentRule } from './dsl.js';

// Any character but lone surrogates, often the letters whose case depends on context or language.
const charArb = fc.oneof(
  fc.constantFrom('Σ', 'σ', 'ς', 'İ', 'I', 'i', 'ı', 'ß', 'ẞ', 'ﬁ', 'ǅ', 'K', '\u0307', '\ue000', '\uffff', '😀', '\u{10400}'),
  fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
);
const textArb = fc.string({ unit: charArb, maxLength: 8 });
const sign = (n: number): number => Math.sign(n);

describe('compareCodePoints', () => {
  it('orders as the UTF-8 bytes do (SQL COLLATE "C")', () => {
    fc.assert(fc.property(textArb, textArb, (a, b) => sign(compareCodePoints(a, b)) === sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))));
  });

  it('puts characters beyond U+FFFF after U+E000–U+FFFF, where < does the opposite', () => {
    expect('😀' < '\uffff').toBe(true);
    expect(compareCodePoints('😀', '\uffff')).toBeGreaterThan(0);
    expect(compareCodePoints('\ue000', '\u{10000}')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('a😀', 'a😀')).toBe(0);
  });

  it('is what gt / lt / between compare strings with, and between bounds are checked in that order', () => {
    const set = compileSegments([
      { id: 'gt', rule: { attr: 's', op: 'gt', value: '\uffff' } },
      { id: 'lte', rule: { attr: 's', op: 'lte', value: '\ue000' } },
      { id: 'between', rule: { attr: 's', op: 'between', value: ['\ue000', '😀'] } },
    ]);
    expect(set.evaluate({ s: '😀' }, [], 0)).toEqual(['gt', 'between']);
    expect(set.evaluate({ s: '\uffff' }, [], 0)).toEqual(['between']);
    expect(set.evaluate({ s: '\ue000' }, [], 0)).toEqual(['lte', 'between']);
    expect(() => parseSegmentRule({ attr: 's', op: 'between', value: ['😀', '\uffff'] })).toThrow(expect.objectContaining({ code: 'SEGMENT_RULE_INVALID', path: 'value' }));
  });
});

describe('foldCase', () => {
  it('folds character by character, whatever the context (so SQL can fold with translate)', () => {
    fc.assert(fc.property(textArb, (s) => foldCase(s) === Array.from(s, foldCase).join('')));
  });

  it('is idempotent and maps each character to one character', () => {
    fc.assert(fc.property(textArb, (s) => foldCase(foldCase(s)) === foldCase(s) && Array.from(foldCase(s)).length === Array.from(s).length));
  });

  it('makes Σ, σ and ς one letter; İ is i; ß, ı and ligatures keep their case', () => {
    expect(new Set(['ΣΊΣΥΦΟΣ', 'σίσυφος', 'σίσυφοσ', 'ΣΊΣΥΦΟς'].map(foldCase))).toEqual(new Set(['σίσυφοσ']));
    expect(foldCase('İSTANBUL')).toBe('istanbul');
    expect(foldCase('ı')).toBe('ı');
    expect(foldCase('STRAẞE')).toBe('straße');
    expect(foldCase('ﬁ')).toBe('ﬁ');
    expect(foldCase('Ǆ')).toBe('ǆ');
  });

  it('is the folding of ignoreCase', () => {
    const set = compileSegments([
      { id: 'eq', rule: { attr: 's', op: 'eq', value: 'σίσυφος', ignoreCase: true } },
      { id: 'in', rule: { attr: 's', op: 'in', value: ['ΣΊΣΥΦΟΣ'], ignoreCase: true } },
      { id: 'ends', rule: { attr: 's', op: 'endsWith', value: 'ΟΣ', ignoreCase: true } },
      { id: 'contains', rule: { attr: 's', op: 'contains', value: 'ος', ignoreCase: true } },
    ]);
    expect(set.evaluate({ s: 'ΣΊΣΥΦΟΣ' }, [], 0)).toEqual(['eq', 'in', 'ends', 'contains']);
    expect(set.evaluate({ s: 'σίσυφοσ' }, [], 0)).toEqual(['eq', 'in', 'ends', 'contains']);
    expect(compileSegments([{ id: 'i', rule: { attr: 's', op: 'eq', value: 'istanbul', ignoreCase: true } }]).evaluate({ s: 'İSTANBUL' }, [], 0)).toEqual(['i']);
  });
});
