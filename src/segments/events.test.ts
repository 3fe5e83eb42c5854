/** Unsorted event arrays never give a silent wrong answer: they are read in time order, or rejected with a path. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSegment, compileSegments } from './compile.js';
import { explainSegment } from './explain.js';
import { inTimeOrder } from './events.js';
import { NOW, eventsArb, profileArb, segmentListArb } from '../../test/arbitraries/segments.js';

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// Distinct times, so that the sorted order is unique and a shuffle's sorted copy equals the original.
const distinctTimesArb = eventsArb.map((es) => es.filter((e, i) => es.findIndex((f) => f.at === e.at) === i));

const COUNT = { count: { type: 'a' }, window: { last: '7d' }, op: 'gte', value: 1 };

describe('events in time order', () => {
  it('"did, not since" on reversed events answers as on sorted ones', () => {
    const rule = { did: { type: 'cart' }, notSince: { type: 'buy' }, window: { last: '7d' } };
    const events = [
      { subjectId: 'p', type: 'buy', at: NOW - 5000, properties: {} },
      { subjectId: 'p', type: 'cart', at: NOW - 1000, properties: {} },
    ];
    const one = compileSegment(rule);
    expect(one({}, events, NOW)).toBe(one({}, [...events].reverse(), NOW));
    expect(one({}, events, NOW)).toBe(true);
  });

  it('property: evaluate, matches, compileSegment and explain give the same answers on any permutation', () => {
    fc.assert(
      fc.property(segmentListArb, profileArb, distinctTimesArb, fc.integer(), (defs, profile, events, seed) => {
        const set = compileSegments(defs);
        const mixed = shuffled(events, seed);
        expect(set.evaluate(profile, mixed, NOW)).toEqual(set.evaluate(profile, events, NOW));
        const d = defs[0]!;
        expect(explainSegment(set, d.id, profile, mixed, NOW).member).toBe(set.matches(d.id, profile, events, NOW));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves sorted input untouched and rejects what is not a list of timed events, with the path', () => {
    const sorted = [{ subjectId: 'p', type: 'a', at: 1, properties: {} }];
    expect(inTimeOrder(sorted)).toBe(sorted);
    expect(() => compileSegment(COUNT)({}, 'nope' as never, NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'events' }));
    expect(() => compileSegment(COUNT)({}, [{ type: 'a', at: '2026-01-01' }] as never, NOW)).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', path: 'events[0].at' }),
    );
  });
});
