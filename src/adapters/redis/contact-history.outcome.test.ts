import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisContactHistoryStore } from './contact-history.js';
import { subjectKey } from './keys.js';
import { parseCapRules } from '../../capping/rules.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';

const DAY = 86_400_000;

// The script builds the outcome kept under a granted contact's idempotency key from the member it files (the
// client no longer sends the contact twice): it must be the very text the client used to send. It stops at the
// first full rule, so the client sends the indexed rules tightest first (a refusal then costs one count): a cost,
// not an answer, which only the arguments show.
describe.skipIf(noRedis)('Redis contact history: the outcome kept for a grant, the order rules travel in (real redis-server)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });
  const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 5, window: { rolling: 86_400_000 } }] });
  const expected = (contact: unknown, now: number): string => JSON.stringify({ granted: true, decision: { allowed: true, reasons: [], nextAllowedAt: now }, contact, replayed: false });

  it('reserve: the stored outcome is the grant as JSON, for awkward contact text too, and a retry replays it', async () => {
    const prefix = uniquePrefix('outcome');
    const store = new RedisContactHistoryStore(redis, { prefix });
    const now = Date.UTC(2026, 5, 15, 12);
    const inputs = [
      { id: 'c1', subjectId: 's1', channel: 'email', at: now, idempotencyKey: 'k1' },
      { id: 'c2-é "q" \\ 😀 \u2028', subjectId: 's1', channel: 'sms', at: now + 5, campaignId: 'spring', offerId: 'o"1', tags: ['a', 'b'], idempotencyKey: 'k2' },
      { id: 'c3', subjectId: 's2', channel: 'push', at: now - 1000, transactional: true },
    ];
    for (const input of inputs) {
      const r = await store.reserve(input, caps, { now });
      expect(r.granted).toBe(true);
      const key = input.idempotencyKey ?? `\u001fid\u001f${input.id}`;
      expect(await redis.hget(subjectKey(prefix, input.subjectId, 'idem'), key)).toBe(expected(r.contact, now));
      const again = await store.reserve(input, caps, { now: now + 1 });
      expect(again).toEqual({ ...r, replayed: true });
    }
  });

  it('recordContact with an idempotency key: the stored outcome is the grant at the contact’s time', async () => {
    const prefix = uniquePrefix('outcome-rec');
    const store = new RedisContactHistoryStore(redis, { prefix });
    const at = Date.UTC(2026, 5, 15, 9, 30);
    const first = await store.recordContact({ id: 'r1', subjectId: 's9', channel: 'web', at, tags: ['x'], idempotencyKey: 'rk' });
    expect(first.recorded).toBe(true);
    expect(await redis.hget(subjectKey(prefix, 's9', 'idem'), 'rk')).toBe(expected(first.contact, at));
    const again = await store.recordContact({ id: 'r1', subjectId: 's9', channel: 'web', at, tags: ['x'], idempotencyKey: 'rk' });
    expect(again).toEqual({ recorded: false, contact: first.contact });
  });

  it.each([
    ['batching off', false, 3],
    // A reservation made alone goes as the one-reservation script, with the same arguments.
    ['batching on, one reservation', true, 3],
  ] as const)('orders the rules by limit, keeping the rule order among equal limits (%s)', async (_, batching, offset) => {
    const caps = parseCapRules({
      rules: [
        { id: 'all-7d', kind: 'limit', limit: 6, window: { rolling: 7 * DAY } },
        { id: 'email-7d', kind: 'limit', limit: 3, window: { rolling: 7 * DAY }, scope: { channels: ['email'] } },
        { id: 'all-1d', kind: 'limit', limit: 2, window: { rolling: DAY } },
        { id: 'marketing-7d', kind: 'limit', limit: 3, window: { rolling: 7 * DAY }, scope: { tags: ['marketing'] } },
        { id: 'marketing-14d', kind: 'limit', limit: 7, window: { rolling: 14 * DAY }, scope: { tags: ['marketing'] } },
        { id: 'email-1d', kind: 'limit', limit: 1, window: { rolling: DAY }, scope: { channels: ['email'] } },
        { id: 'sms-1d', kind: 'limit', limit: 1, window: { rolling: DAY }, scope: { channels: ['sms'] } },
      ],
    });
    const store = new RedisContactHistoryStore(redis, { prefix: uniquePrefix('order'), batching });
    const specs: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { name: string; args: unknown[] }, ...rest: unknown[]) => {
      // EVALSHA sha numkeys key… idempotency-key member scalars indexed-rules …
      if (command.name === 'evalsha' || command.name === 'eval') specs.push(String(command.args[2 + Number(command.args[1]) + offset]));
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof redis.sendCommand;
    try {
      const now = Date.UTC(2026, 5, 15, 12);
      const r = await store.reserve({ id: 'c1', subjectId: 's1', channel: 'email', tags: ['marketing'], at: now }, caps, { now });
      expect(r.granted).toBe(true);
    } finally {
      redis.sendCommand = send;
    }
    // A connection that has not run the script yet sends it again in full after NOSCRIPT: same arguments.
    expect(specs.length).toBeGreaterThanOrEqual(1);
    expect(new Set(specs).size).toBe(1);
    const rules = specs[0]!.split('\u001d').map((rule) => {
      const [limit, , , atoms] = rule.split('\u001f');
      return `${limit} ${atoms}`;
    });
    // sms-1d does not apply to an email contact; equal limits (3) keep their order in the rule set.
    expect(rules).toEqual(['1 nc:email', '2 n*', '3 nc:email', '3 nt:marketing', '6 n*', '7 nt:marketing']);
  });
});
