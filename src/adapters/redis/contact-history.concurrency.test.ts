import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisContactHistoryStore } from './contact-history.js';
import { MemoryContactHistoryStore } from '../memory/contact-history.js';
import { parseCapRules } from '../../capping/rules.js';
import type { ContactHistoryStore } from '../../capping/store.js';
import { createRng } from '../../core/random.js';
import { createRedis, noRedis, uniquePrefix } from '../../../test/fixtures/redis.js';

const NOW = Date.parse('2026-05-04T10:00:00Z');
const SUBJECTS = ['s1', 's2', 's3', 's4'];
const CHANNELS = ['email', 'sms', 'push'];
const caps = parseCapRules({
  timeZone: 'Europe/Paris',
  rules: [
    { id: 'all-day', kind: 'limit', limit: 10, window: 'day' },
    { id: 'sms-day', kind: 'limit', limit: 3, window: 'day', scope: { channels: 'sms' } },
    { id: 'campaign-day', kind: 'limit', limit: 4, window: { rolling: '24h' }, per: 'campaign' },
  ],
});
const MAX_PER_SUBJECT = 10;

/** 16 clients × 1,000 attempts; every 10th attempt retries the previous idempotency key. */
async function race(stores: ReadonlyArray<ContactHistoryStore>, attempts: number) {
  const outcomes = new Map<string, boolean>();
  let granted = 0;
  let replayMismatch = 0;
  await Promise.all(
    stores.map(async (store, client) => {
      const rng = createRng(client + 1);
      let lastKey = '';
      let lastGranted = false;
      for (let j = 0; j < attempts; j++) {
        const retry = j % 10 === 9;
        const key = retry ? lastKey : `k-${client}-${j}`;
        const subjectId = SUBJECTS[retry ? Number(lastKey.split('|')[1]) : rng.int(SUBJECTS.length)]!;
        const fullKey = retry ? lastKey : `${key}|${SUBJECTS.indexOf(subjectId)}`;
        const r = await store.reserve(
          { id: `c-${client}-${j}`, subjectId, channel: CHANNELS[rng.int(3)]!, campaignId: `camp${rng.int(3)}`, at: NOW, idempotencyKey: fullKey },
          caps,
        );
        if (retry) {
          if (!r.replayed || r.granted !== lastGranted) replayMismatch++;
        } else {
          if (r.granted) granted++;
          outcomes.set(fullKey, r.granted);
          lastKey = fullKey;
          lastGranted = r.granted;
        }
      }
    }),
  );
  return { granted, replayMismatch, outcomes };
}

async function checkCaps(store: ContactHistoryStore): Promise<number> {
  let total = 0;
  for (const s of SUBJECTS) {
    const h = await store.history(s);
    total += h.contacts.length;
    expect(h.contacts.length).toBe(MAX_PER_SUBJECT);
    expect(h.contacts.filter((c) => c.channel === 'sms').length).toBeLessThanOrEqual(3);
    for (const camp of ['camp0', 'camp1', 'camp2']) expect(h.contacts.filter((c) => c.campaignId === camp).length).toBeLessThanOrEqual(4);
    expect(new Set(h.contacts.map((c) => c.idempotencyKey)).size).toBe(h.contacts.length);
  }
  return total;
}

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
