import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisContactHistoryStore } from './contact-history.js';
import { evaluateCaps } from '../../capping/evaluate.js';
import { parseCapRules } from '../../capping/rules.js';
import { HOUR } from '../../core/time.js';
import { capCandidateArb, capNowArb, capRuleSetArb } from '../../../test/arbitraries/capping.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';

const stepArb = fc.record({
  candidate: capCandidateArb,
  advance: fc.integer({ min: 0, max: 30 * HOUR }),
  response: fc.option(fc.constantFrom('refused' as const, 'unsubscribed' as const, 'complained' as const, 'ignored' as const, 'opened' as const), { freq: 4, nil: undefined }),
  // Another service whose clock runs ahead recorded a contact stamped after now: windows must still end where they end.
  ahead: fc.option(fc.record({ by: fc.integer({ min: 1, max: 8 * 24 * HOUR }), tags: fc.subarray(['marketing', 'promotion', 'service']) }), { freq: 6, nil: undefined }),
});

describe.skipIf(noRedis)('Redis reservation script agrees with evaluateCaps (properties)', () => {
  let redis: Redis | undefined;
  afterAll(async () => {
    await redis?.quit();
  });

  it('on random rule sets and histories, every reservation decides exactly as the pure evaluator', async () => {
    redis = createRedis();
    const client = redis;
    await fc.assert(
      fc.asyncProperty(capRuleSetArb, capNowArb, fc.array(stepArb, { minLength: 1, maxLength: 20 }), async (set, start, steps) => {
        const caps = parseCapRules(set);
        const store = new RedisContactHistoryStore(client, { prefix: uniquePrefix('agree') });
        let t = start;
        for (const [i, { candidate, advance, response, ahead }] of steps.entries()) {
          t += advance;
          if (ahead !== undefined) {
            await store.recordContact({ id: `f${i}`, subjectId: 'p', channel: candidate.channel, tags: ahead.tags, at: t + ahead.by, ...(candidate.campaignId ? { campaignId: candidate.campaignId } : {}) });
          }
          if (response !== undefined) {
            await store.recordResponse({ id: `r${i}`, subjectId: 'p', kind: response, channel: candidate.channel, tags: [...(candidate.tags ?? [])], at: t - 1, ...(candidate.offerId ? { offerId: candidate.offerId } : {}), ...(candidate.campaignId ? { campaignId: candidate.campaignId } : {}) });
          }
          const contact = {
            id: `c${i}`,
            subjectId: 'p',
            channel: candidate.channel,
            tags: [...(candidate.tags ?? [])],
            transactional: candidate.transactional === true,
            at: t,
            ...(candidate.campaignId ? { campaignId: candidate.campaignId } : {}),
            ...(candidate.offerId ? { offerId: candidate.offerId } : {}),
          };
          const expected = evaluateCaps(await store.history('p'), caps, { ...contact, priority: candidate.priority }, { now: t });
          const got = await store.reserve(contact, caps, { priority: candidate.priority });
          expect(got.decision).toEqual(expected);
        }
      }),
      { numRuns: 150 },
    );
  });
});
