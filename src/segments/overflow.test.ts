/** What an aggregate does when its running sum overflows the double range (documented in docs/segments.md). */
import { describe, expect, it } from 'vitest';
import { compileSegments } from './compile.js';
import { explainSegment } from './explain.js';

const NOW = Date.UTC(2026, 0, 31);
const buy = (amount: number, i: number) => ({ subjectId: 'p', type: 'purchase', at: NOW - 1000 + i, properties: { amount } });
const set = compileSegments([
  { id: 'big', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, op: 'gte', value: 1e300 } },
  { id: 'small', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, op: 'lt', value: 0 } },
  { id: 'avg', rule: { aggregate: 'avg', property: 'amount', event: { type: 'purchase' }, op: 'gt', value: 1e307 } },
]);

describe('aggregates beyond the double range', () => {
  it('a sum that overflows is Infinity: above every threshold, and reported as Infinity by explain', () => {
    const events = [buy(1e308, 0), buy(1e308, 1)];
    expect(set.evaluate({}, events, NOW)).toEqual(['big', 'avg']);
    expect(explainSegment(set, 'big', {}, events, NOW).tree.observed).toBe(Infinity);
  });

  it('a sum that overflows downwards is -Infinity: below every threshold', () => {
    expect(set.evaluate({}, [buy(-1e308, 0), buy(-1e308, 1)], NOW)).toEqual(['small']);
  });

  it('a partial sum that overflows but a total within the range is the total, whatever the order of the events', () => {
    for (const amounts of [[1e308, 1e308, -1e308], [1e308, -1e308, 1e308], [-1e308, 1e308, 1e308]]) {
      const events = amounts.map(buy);
      expect(explainSegment(set, 'big', {}, events, NOW).tree.observed).toBe(1e308);
      // The general path (a filter on a property) answers the same.
      const where = compileSegments([{ id: 's', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase', where: [{ prop: 'amount', op: 'exists' }] }, op: 'gte', value: 0 } }]);
      expect(explainSegment(where, 's', {}, events, NOW).tree.observed).toBe(1e308);
    }
  });

  it('non-finite amounts are ignored, not summed', () => {
    expect(set.evaluate({}, [buy(Number.POSITIVE_INFINITY, 0), buy(Number.NaN, 1), buy(5, 2)], NOW)).toEqual([]);
  });
});
