import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisContactHistoryStore } from './contact-history.js';
import { parseCapRules } from '../../capping/rules.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';

const DAY = 86_400_000;

// The reservation script stops at the first full rule, so the client sends the indexed rules tightest first (a
// refusal then costs one count). The order is a cost, not an answer: only the arguments show it.
describe.skipIf(noRedis)('Redis contact history: indexed rules travel tightest first (real redis-server)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('orders the rules by limit, keeping the rule order among equal limits', async () => {
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
    const store = new RedisContactHistoryStore(redis, { prefix: uniquePrefix('order') });
    const specs: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { name: string; args: unknown[] }, ...rest: unknown[]) => {
      // EVALSHA sha numkeys key… idempotency-key member scalars indexed-rules …
      if (command.name === 'evalsha' || command.name === 'eval') specs.push(String(command.args[2 + Number(command.args[1]) + 3]));
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
