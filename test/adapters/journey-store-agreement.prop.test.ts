/**
 * Property: the journey stores answer alike — memory, Redis (batched and one script per instance) and PostgreSQL
 * (PGlite) — on random sequences of enrolments, deliveries (also during a lease), claims with a limit, completions
 * (leaving inputs unread, with a past or future wake-up) and replacements: every answer, the claims in order with
 * their inboxes, and `nextDueAt` after each step ("claims follow one total order", docs/journeys.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { RedisJourneyStore } from '../../src/adapters/redis/journeys.js';
import { PostgresJourneyStore } from '../../src/adapters/postgres/journeys.js';
import type { JourneyInstance } from '../../src/journeys/instance.js';
import type { JourneyClaim, JourneyStore } from '../../src/journeys/store.js';
import { noRedis, uniquePrefix } from '../fixtures/redis.js';
import { sharedEngines } from '../fixtures/shared-engines.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const LEASE = 60_000;
const PEOPLE = ['a', 'B', 'c'];
const plan = { journeyId: 'j', reentry: 'always', enteredBefore: null, cap: null, forgetBefore: 0 } as const;
const inst = (p: string, wakeAt: number | null): JourneyInstance => ({ id: `j:${p}`, journeyId: 'j', version: 1, subjectId: p, status: 'active', step: 'a', seq: 1, enteredAt: T0, stepAt: T0, wakeAt });

const person = fc.constantFrom(...PEOPLE);
/** A wake-up relative to now: past, now, within the lease, after it, or none. */
const wake = fc.constantFrom(-30_000, 0, 10_000, 90_000, null);
const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('enrol' as const), p: person, w: wake }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('deliver' as const), p: person }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('claim' as const), limit: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('complete' as const), k: fc.nat(), w: wake, consumed: fc.nat({ max: 2 }), end: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('replace' as const), p: person, w: wake }) },
);

const engines = sharedEngines();
let n = 0;

describe.skipIf(noRedis)('journey stores agree', () => {
  it('property: every answer, claim order and nextDueAt alike on memory, Redis and PostgreSQL', async () => {
    const redis = engines.redis();
    const sql = await engines.pglite();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(op, fc.constantFrom(0, 1, 20_000, 70_000)), { minLength: 1, maxLength: 25 }), async (ops) => {
        const pgStore = new PostgresJourneyStore(sql, { prefix: `agree${++n}` });
        await pgStore.migrate();
        const stores: JourneyStore[] = [new MemoryJourneyStore(), new RedisJourneyStore(redis, { prefix: uniquePrefix('ja') }), new RedisJourneyStore(redis, { prefix: uniquePrefix('jb'), batching: false }), pgStore];
        const claims: JourneyClaim[][] = stores.map(() => []);
        let now = T0;
        let inputs = 0;
        for (const [o, dt] of ops) {
          now += dt;
          const input = `e${++inputs}`;
          const answers = await Promise.all(
            stores.map(async (s, i) => {
              const at = (w: number | null) => (w === null ? null : now + w);
              if (o.t === 'enrol') return s.enrol(inst(o.p, at(o.w)), plan);
              if (o.t === 'deliver') return s.deliver(`j:${o.p}`, { id: input, event: { subjectId: o.p, type: 'x', at: now, properties: {} } }, now);
              if (o.t === 'claim') {
                const got = await s.claimDue(now, { limit: o.limit, leaseMs: LEASE, owner: 'r' });
                claims[i]!.push(...got);
                return got.map((c) => [c.instance.id, c.instance.seq, c.inbox.map((x) => x.id)]);
              }
              if (o.t === 'complete') {
                const c = claims[i]![o.k % Math.max(1, claims[i]!.length)];
                if (c === undefined) return null;
                const next = { ...c.instance, seq: c.instance.seq + 1, wakeAt: o.end ? null : at(o.w), status: o.end ? ('completed' as const) : ('active' as const) };
                return s.complete(c, next, Math.min(o.consumed, c.inbox.length), now);
              }
              const cur = await s.get(`j:${o.p}`);
              return cur && s.replace({ ...cur, seq: cur.seq + 1, wakeAt: at(o.w) }, now);
            }),
          );
          const due = await Promise.all(stores.map((s) => s.nextDueAt()));
          for (let i = 1; i < stores.length; i++) {
            expect([i, answers[i], due[i]]).toEqual([i, answers[0], due[0]]);
          }
        }
      }),
      {
        numRuns: 25,
        examples: [
          // A delivery during a lease leaves the due time at the lease end (Redis used to pull it to the delivery).
          [[[{ t: 'enrol', p: 'a', w: 0 }, 0], [{ t: 'claim', limit: 1 }, 0], [{ t: 'deliver', p: 'a' }, 1], [{ t: 'claim', limit: 3 }, 1]]],
          // A completion leaving an input unread with a past wake-up: due at its now (memory used the wake-up).
          [[[{ t: 'enrol', p: 'a', w: 0 }, 0], [{ t: 'enrol', p: 'B', w: 10_000 }, 0], [{ t: 'claim', limit: 1 }, 0], [{ t: 'deliver', p: 'a' }, 1], [{ t: 'complete', k: 0, w: -30_000, consumed: 0, end: false }, 20_000], [{ t: 'claim', limit: 3 }, 1]]],
        ],
      },
    );
  });
});
