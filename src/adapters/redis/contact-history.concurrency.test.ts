import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisContactHistoryStore } from './contact-history.js';
import { MemoryContactHistoryStore } from '../memory/contact-history.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';
import { checkCaps, MAX_PER_SUBJECT, race, SUBJECTS } from '../../../test/fixtures/contention.js';

describe.skipIf(noRedis)('Redis reservation under contention (real redis-server)', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('16 clients × 1,000 attempts: no window above its cap, and exactly the maximum granted', async () => {
    const prefix = uniquePrefix('race');
    for (let i = 0; i < 16; i++) clients.push(createRedis());
    const stores = clients.map((c) => new RedisContactHistoryStore(c, { prefix }));
    const { granted, replayMismatch } = await race(stores, 1000);
    expect(replayMismatch).toBe(0);
    expect(granted).toBe(SUBJECTS.length * MAX_PER_SUBJECT);
    expect(await checkCaps(stores[0]!)).toBe(granted);
  });
});

describe('memory reservation under contention', () => {
  it('16 concurrent callers × 1,000 attempts on one store behave the same', async () => {
    const store = new MemoryContactHistoryStore();
    const { granted, replayMismatch } = await race(Array.from({ length: 16 }, () => store), 1000);
    expect(replayMismatch).toBe(0);
    expect(granted).toBe(SUBJECTS.length * MAX_PER_SUBJECT);
    expect(await checkCaps(store)).toBe(granted);
  });
});
