import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import { boundedLru } from './lru.js';

type Op = { op: 'set'; key: string; value: number } | { op: 'get' | 'delete'; key: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), value: fc.integer() }),
  fc.record({ op: fc.constantFrom('get' as const, 'delete' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') }),
);

describe('boundedLru', () => {
  it('evicts exactly as lru-cache bounded by `max` does: same answers, same entries in the same order after every step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(opArb, { maxLength: 60 }), (max, ops) => {
        const ours = boundedLru<string, number>(max, 'maxSubjects');
        const byMax = new LRUCache<string, number>({ max });
        for (const o of ops) {
          if (o.op === 'set') {
            ours.set(o.key, o.value);
            byMax.set(o.key, o.value);
          } else expect(ours[o.op](o.key)).toEqual(byMax[o.op](o.key));
          expect([...ours.entries()]).toEqual([...byMax.entries()]);
          expect(ours.size).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it('gives entries the TTL it is asked for, and none when it is not', () => {
    const withTtl = boundedLru<string, number>(10, 'maxSubjects', 1_000);
    withTtl.set('a', 1);
    expect(withTtl.getRemainingTTL('a')).toBeGreaterThan(0);
    expect(withTtl.getRemainingTTL('a')).toBeLessThanOrEqual(1_000);
    const forever = boundedLru<string, number>(10, 'maxSubjects');
    forever.set('a', 1);
    expect(forever.getRemainingTTL('a')).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', null])('refuses %s entries with CONFIG_INVALID at the option path', (bad) => {
    expect(() => boundedLru(bad, 'maxSubjects')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'maxSubjects' }));
  });
});
