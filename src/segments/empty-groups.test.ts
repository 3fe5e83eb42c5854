/** Empty `and` / `or`, as rule builders in user interfaces generate them: `and: []` holds, `or: []` does not. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSegment, compileSegments } from './compile.js';
import { explainSegment } from './explain.js';
import { NOW, eventsArb, leafArb, profileArb } from '../../test/arbitraries/segments.js';

describe('empty groups', () => {
  it('and: [] is true, or: [] is false, not of them the opposite; explain agrees', () => {
    const set = compileSegments([
      { id: 'all', rule: { and: [] } },
      { id: 'none', rule: { or: [] } },
      { id: 'not-all', rule: { not: { and: [] } } },
      { id: 'nested', rule: { and: [{ or: [] }, { attr: 'a', op: 'exists' }] } },
    ]);
    expect(set.evaluate({ a: 1 }, [], NOW)).toEqual(['all']);
    expect(explainSegment(set, 'all', {}, [], NOW).member).toBe(true);
    expect(explainSegment(set, 'none', {}, [], NOW).member).toBe(false);
  });

  it('property: they are the identities of their operator (x and [] = x, x or [] = x)', () => {
    fc.assert(
      fc.property(leafArb, profileArb, eventsArb, (leaf, profile, events) => {
        const x = compileSegment(leaf)(profile, events, NOW);
        expect(compileSegment({ and: [leaf, { and: [] }] })(profile, events, NOW)).toBe(x);
        expect(compileSegment({ or: [leaf, { or: [] }] })(profile, events, NOW)).toBe(x);
      }),
      { numRuns: 200 },
    );
  });
});
