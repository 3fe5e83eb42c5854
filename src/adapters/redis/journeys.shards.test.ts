/**
 * Claims over several due shards on a real redis-server: on a standalone server one script chooses across the shards
 * (no reads apart, no second round lost to a concurrent claimer), in the documented order, each instance once.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisJourneyStore } from './journeys.js';
import { parseJourney } from '../../journeys/compile.js';
import { startInstance } from '../../journeys/instance.js';
import { entryPlan } from '../../journeys/store.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';

const journey = parseJourney({ id: 'tick', version: 1, entry: { on: 'manual', reentry: 'always' }, start: 'go', steps: { go: { type: 'send', channel: 'email', message: 'm' } } });
const T = Date.parse('2026-03-02T09:00:00Z');
const lease = { leaseMs: 60_000 };

// Ids weighted to where byte, code-point and locale orders differ from UTF-16's ('B' before 'a', U+1F600 before U+FF01, a prefix first).
const id = fc.array(fc.constantFrom('a', 'B', 'b', '-', '~', 'é', '\uFF01', '\u{1F600}', '\u{10FFFF}'), { minLength: 1, maxLength: 4 }).map((cs) => `j:${cs.join('')}`);

describe.skipIf(noRedis)('RedisJourneyStore claims over several due shards (real redis-server)', () => {
  let redis: Redis | undefined;
  afterAll(async () => {
    await redis?.quit();
  });
  const client = (): Redis => (redis ??= createRedis());

  it('property: claims take due time, then id in UTF-16 order, across the shards, with or without batching', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ id, due: fc.integer({ min: 0, max: 3 }) }), { selector: (x) => x.id, minLength: 1, maxLength: 14 }),
        fc.integer({ min: 2, max: 5 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        async (items, dueShards, batching, limits) => {
          const store = new RedisJourneyStore(client(), { prefix: uniquePrefix('jsh'), dueShards, batching });
          for (const [i, x] of items.entries()) {
            const at = T + x.due;
            expect((await store.enrol({ ...startInstance(journey, `p${i}`, at, x.id), wakeAt: at, stepAt: at }, entryPlan(journey, at))).enrolled).toBe(true);
          }
          const expected = [...items].sort((a, b) => a.due - b.due || (a.id < b.id ? -1 : 1)).map((x) => x.id);
          const got: string[] = [];
          for (let k = 0; got.length < items.length; k++) {
            const claims = await store.claimDue(T + 3, { ...lease, limit: limits[k % limits.length]!, owner: 'r' });
            expect(claims.length).toBeGreaterThan(0);
            got.push(...claims.map((c) => c.instance.id));
          }
          expect(got).toEqual(expected);
          expect(await store.claimDue(T + 3, { ...lease, limit: 10, owner: 'r' })).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('one script call chooses for each claim, however many claim at once, and each instance goes once', async () => {
    const r = client();
    const store = new RedisJourneyStore(r, { prefix: uniquePrefix('jsc'), dueShards: 3 });
    for (let i = 0; i < 40; i++) await store.enrol(startInstance(journey, `p${i}`, T + (i % 4)), entryPlan(journey, T));
    const spied = r as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const calls = { ccJourneyClaimShard: 0, zrangebyscore: 0 };
    const originals = Object.keys(calls).map((name) => [name, spied[name]!] as const);
    for (const [name, fn] of originals) {
      spied[name] = (...a: unknown[]) => {
        calls[name as keyof typeof calls]++;
        return fn.apply(r, a);
      };
    }
    try {
      const ids: string[] = [];
      // 8 claimers of one instance each, five times: the same head for all of them, chosen atomically.
      for (let round = 0; round < 5; round++) {
        const batches = await Promise.all(Array.from({ length: 8 }, (_, c) => store.claimDue(T + 4, { ...lease, limit: 1, owner: `c${c}` })));
        expect(batches.every((b) => b.length === 1)).toBe(true);
        ids.push(...batches.flat().map((c) => c.instance.id));
      }
      expect(new Set(ids).size).toBe(40);
      expect(calls).toEqual({ ccJourneyClaimShard: 40, zrangebyscore: 0 });
    } finally {
      for (const [name, fn] of originals) spied[name] = fn;
    }
  });
});
