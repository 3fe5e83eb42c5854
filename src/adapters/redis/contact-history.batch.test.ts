/** Batched reservations: reservations issued together share script calls and decide as if made one by one. */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisContactHistoryStore, RESERVE_BATCH } from './contact-history.js';
import { parseCapRules } from '../../capping/rules.js';
import { HOUR } from '../../core/time.js';
import { isCrossChannelError } from '../../core/errors.js';
import { capCandidateArb, capNowArb, capRuleSetArb } from '../../../test/arbitraries/capping.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';
import { checkCaps, MAX_PER_SUBJECT, race, SUBJECTS } from '../../../test/fixtures/contention.js';
import { subjectKey } from './keys.js';

describe.skipIf(noRedis)('Redis reservations issued together (batching, real redis-server)', () => {
  let redis: Redis | undefined;
  afterAll(async () => {
    await redis?.quit();
  });
  const client = (): Redis => (redis ??= createRedis());

  /**
   * Script calls for `n` reservations issued in one turn: RESERVE_BATCH go whenever twice as many are queued, and
   * what is left goes in calls of RESERVE_BATCH after such a call, else in two calls (one if a single one is left).
   */
  function expectedCalls(n: number): number {
    let calls = 0;
    let pending = 0;
    let sent = false;
    for (let i = 0; i < n; i++) {
      if (++pending >= 2 * RESERVE_BATCH) {
        calls++;
        pending -= RESERVE_BATCH;
        sent = true;
      }
    }
    if (pending > 0) calls += sent ? Math.ceil(pending / RESERVE_BATCH) : Math.min(pending, 2);
    return calls;
  }

  /**
   * Runs every script once (one the server has not seen costs a second call, EVALSHA then EVAL, which would throw
   * the counts off): the one-reservation script and a refusal's stored outcome (one at a time), the batched script
   * (four at once).
   */
  async function warmScripts(r: Redis): Promise<void> {
    const warm = new RedisContactHistoryStore(r, { prefix: uniquePrefix('warm') });
    const once = parseCapRules({ rules: [{ id: 'one', kind: 'limit', limit: 1, window: 'day' }] });
    const reserve = (id: string) => warm.reserve({ id, subjectId: 'w', channel: 'email', at: 0, idempotencyKey: id }, once, { timeZone: 'UTC' });
    for (const id of ['w1', 'w2']) await reserve(id);
    await Promise.all(['w3', 'w4', 'w5', 'w6'].map(reserve));
  }

  /** Counts the script calls a client sends while `fn` runs. */
  async function scriptCalls<T>(r: Redis, fn: () => Promise<T>): Promise<{ value: T; calls: number }> {
    let calls = 0;
    const send = r.sendCommand.bind(r);
    r.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      if (command.name === 'evalsha' || command.name === 'eval') calls++;
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof r.sendCommand;
    try {
      return { value: await fn(), calls };
    } finally {
      r.sendCommand = send;
    }
  }

  it('property: a batch decides exactly as the same reservations made one at a time, in order; so do retries in a later batch', async () => {
    const r = client();
    await warmScripts(r);
    const stepsArb = fc.array(fc.record({ candidate: capCandidateArb, subject: fc.integer({ min: 0, max: 2 }), advance: fc.integer({ min: 0, max: 6 * HOUR }) }), { minLength: 1, maxLength: 24 });
    await fc.assert(
      fc.asyncProperty(capRuleSetArb, capNowArb, stepsArb, async (set, start, steps) => {
        const caps = parseCapRules(set);
        const batched = new RedisContactHistoryStore(r, { prefix: uniquePrefix('batch'), batching: true });
        const single = new RedisContactHistoryStore(r, { prefix: uniquePrefix('single'), batching: false });
        let t = start;
        const first = steps.map(({ candidate, subject, advance }, i) => {
          t += advance;
          const contact = {
            id: `c${i}`,
            subjectId: `p${subject}`,
            channel: candidate.channel,
            tags: [...(candidate.tags ?? [])],
            transactional: candidate.transactional === true,
            at: t,
            idempotencyKey: `k${i}`,
            ...(candidate.campaignId ? { campaignId: candidate.campaignId } : {}),
            ...(candidate.offerId ? { offerId: candidate.offerId } : {}),
          };
          return { contact, priority: candidate.priority };
        });
        // Then every other one retried under its key, as another contact a little later.
        const retries = first.filter((_, i) => i % 2 === 0).map(({ contact, priority }) => ({ contact: { ...contact, id: `${contact.id}-again`, at: contact.at + 1 }, priority }));
        const together = [];
        for (const batch of [first, retries]) {
          const sent = await scriptCalls(r, () => Promise.all(batch.map(({ contact, priority }) => batched.reserve(contact, caps, { priority }))));
          together.push(...sent.value);
          // A refusal under its key stores its outcome after the reservation (one call each).
          expect(sent.calls - sent.value.filter((x) => !x.granted && !x.replayed).length).toBe(expectedCalls(batch.length));
        }
        const oneByOne = [];
        for (const { contact, priority } of [...first, ...retries]) oneByOne.push(await single.reserve(contact, caps, { priority }));
        expect(together).toEqual(oneByOne);
        for (const p of ['p0', 'p1', 'p2']) expect(await batched.history(p)).toEqual(await single.history(p));
      }),
      { numRuns: 60 },
    );
  });

  it('16 concurrent callers × 1,000 attempts on one store: no window above its cap, exactly the maximum granted, and fewer script calls than reservations', async () => {
    const store = new RedisContactHistoryStore(client(), { prefix: uniquePrefix('race-batch') });
    const { value, calls } = await scriptCalls(client(), () => race(Array.from({ length: 16 }, () => store), 1000));
    expect(value.replayMismatch).toBe(0);
    expect(value.granted).toBe(SUBJECTS.length * MAX_PER_SUBJECT);
    expect(await checkCaps(store)).toBe(value.granted);
    // 16,000 reservations, most in batches; the refusals under their keys add one call each (storing the outcome).
    expect(calls - (16_000 - value.granted)).toBeLessThan(16_000 / 2);
  });

  it('a reservation the server fails fails its whole call with STORE_ERROR; what came before it in the call was recorded', async () => {
    const prefix = uniquePrefix('batch-fail');
    const store = new RedisContactHistoryStore(client(), { prefix });
    const caps = parseCapRules({ rules: [{ id: 'one-a-day', kind: 'limit', limit: 1, window: 'day' }] });
    const at = Date.parse('2026-03-02T10:00:00Z');
    await warmScripts(client());
    // A key of the wrong type under one subject's contacts.
    await client().set(subjectKey(prefix, 'bad', 'contacts'), 'not a sorted set');
    const reserve = (id: string, subjectId: string) => store.reserve({ id, subjectId, channel: 'email', at }, caps, { timeZone: 'UTC' });
    const { value: results, calls } = await scriptCalls(client(), () =>
      // Four issued together go in two calls: [before, bad] and [good, after].
      Promise.allSettled([reserve('x', 'before'), reserve('b', 'bad'), reserve('g', 'good'), reserve('y', 'after')]),
    );
    expect(calls).toBe(2);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    for (const r of results.slice(0, 2)) {
      const e = (r as PromiseRejectedResult).reason as unknown;
      expect(isCrossChannelError(e, 'STORE_ERROR')).toBe(true);
      expect((e as Error).message).toMatch(/WRONGTYPE/);
    }
    // The reservation before the failing one in its call was recorded: a retry under its key replays the grant.
    expect((await store.history('before')).contacts.map((c) => c.id)).toEqual(['x']);
    const retry = await reserve('x', 'before');
    expect(retry.replayed && retry.granted).toBe(true);
  });

  it('refuses batching on a Cluster and a batching option that is not a boolean', () => {
    const fakeCluster = { isCluster: true, defineCommand: () => undefined } as unknown as Redis;
    expect(() => new RedisContactHistoryStore(fakeCluster, { batching: true })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'batching' }));
    expect(() => new RedisContactHistoryStore(client(), { batching: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'batching' }));
  });
});
