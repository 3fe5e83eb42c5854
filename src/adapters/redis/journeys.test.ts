/**
 * The Redis journey store's due members: Redis orders members of one score by their bytes, so a member's bytes must
 * order as the instance ids do in UTF-16 code units (the claim order every store follows), and give the ids back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueMember, splitMember } from './journeys.js';

// Ids as the stores accept them: no control characters, no lone surrogates; weighted to the characters whose UTF-8 and
// UTF-16 orders differ (U+E000–U+FFFF against the supplementary planes).
const char = fc.oneof(
  fc.constantFrom('a', 'B', ':', '\uD7FF', '\uE000', '\uFF01', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{F0000}', '\u{10FFFF}'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !/[\u0000-\u001f\u007f-\u009f]/.test(c)),
);
const id = fc.array(char, { minLength: 1, maxLength: 5 }).map((cs) => cs.join(''));
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('due members', () => {
  it('order (as bytes, and as JavaScript compares them) as their instance ids do in UTF-16, and give them back', () => {
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 12 }), fc.array(fc.constantFrom('p1', 'p2', 'z'), { minLength: 12, maxLength: 12 }), (ids, subjects) => {
        const members = ids.map((x, i) => dueMember(subjects[i]!, x));
        const expected = [...ids].sort();
        expect([...members].sort(byBytes).map((m) => splitMember(m)[1])).toEqual(expected);
        expect([...members].sort().map((m) => splitMember(m)[1])).toEqual(expected);
        expect(members.map(splitMember)).toEqual(ids.map((x, i) => [subjects[i], x]));
      }),
    );
  });

  it('put U+1F600 before U+FF01, as UTF-16 does (UTF-8 alone would not)', () => {
    expect(byBytes(dueMember('p', 'j:\u{1F600}'), dueMember('p', 'j:\uFF01'))).toBeLessThan(0);
    expect(byBytes('j:\u{1F600}', 'j:\uFF01')).toBeGreaterThan(0);
  });
});
