/** The `rfm` condition reads the scores `rfmScores` computed, stored on the profile. */
import { describe, expect, it } from 'vitest';
import { compileSegments, safeCompileSegments } from './compile.js';
import { explainSegment } from './explain.js';
import { rfmScores } from './rfm.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

describe('rfm condition', () => {
  const customers = Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, lastPurchaseAt: NOW - (i + 1) * 3 * DAY, frequency: 50 - i, monetary: (50 - i) * 40 }));
  const scores = rfmScores(customers, NOW);
  const profiles = new Map(scores.map((s) => [s.id, { rfm: s }]));
  const set = compileSegments([
    { id: 'best', rule: { rfm: 'rfm', in: ['champions'] } },
    { id: 'recent', rule: { rfm: 'rfm', score: 'r', op: 'gte', value: 4 } },
    { id: 'mid-spend', rule: { rfm: 'rfm', score: 'm', op: 'between', value: [2, 3] } },
  ]);

  it('agrees with the scores for every customer, and explains with the score read', () => {
    for (const s of scores) {
      const p = profiles.get(s.id)!;
      expect(set.matches('best', p, [], NOW)).toBe(s.segment === 'champions');
      expect(set.matches('recent', p, [], NOW)).toBe(s.r >= 4);
      expect(set.matches('mid-spend', p, [], NOW)).toBe(s.m >= 2 && s.m <= 3);
    }
    const top = profiles.get('c0')!;
    expect(explainSegment(set, 'recent', top, [], NOW).tree.observed).toBe(top.rfm.r);
    expect(set.evaluate({}, [], NOW)).toEqual([]);
  });

  it('needs either in, or score with op and value (1..5)', () => {
    for (const [rule, path] of [
      [{ rfm: 'rfm' }, '[0].rule.score'],
      [{ rfm: 'rfm', in: 'champions', score: 'r', op: 'gte', value: 4 }, '[0].rule.in'],
      [{ rfm: 'rfm', score: 'r', op: 'gte', value: 6 }, '[0].rule.value'],
    ] as const) {
      const r = safeCompileSegments([{ id: 'x', rule }]);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.path).toBe(path);
    }
  });
});
