/** A reservation without an idempotency key is keyed by its contact id: a retry after a timeout counts once. */
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryContactHistoryStore } from './memory/contact-history.js';
import { RedisContactHistoryStore } from './redis/contact-history.js';
import type { ContactHistoryStore } from '../capping/store.js';
import { parseCapRules } from '../capping/rules.js';
import { createRedis, noRedis, uniquePrefix } from '../../test/fixtures/redis.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const caps = parseCapRules({ rules: [{ id: 'two-an-hour', kind: 'limit', limit: 2, window: { rolling: '1h' } }] });
const sms = (id: string, at: number) => ({ id, subjectId: 'p1', channel: 'sms', at });

async function keyedByContactId(store: ContactHistoryStore): Promise<void> {
  const first = await store.reserve(sms('c1', T0), caps);
  // The caller saw a timeout and retries the same contact (a little later): the first write is replayed.
  const retry = await store.reserve(sms('c1', T0 + 5), caps);
  expect(first.granted).toBe(true);
  expect(retry).toMatchObject({ granted: true, replayed: true, contact: { id: 'c1', at: T0 } });
  expect((await store.history('p1')).contacts.map((c) => c.id)).toEqual(['c1']);
  // A refusal is not remembered under the implicit key: the same contact id may be reserved once allowed.
  await store.reserve(sms('c2', T0 + 10), caps);
  expect((await store.reserve(sms('c3', T0 + 20), caps)).granted).toBe(false);
  expect((await store.reserve(sms('c3', T0 + 2 * 3_600_000), caps)).granted).toBe(true);
  // An explicit key equal to a contact id is its own key.
  expect((await store.reserve({ ...sms('c4', T0 + 3 * 3_600_000), idempotencyKey: 'c1' }, caps)).replayed).toBe(false);
}

describe('reservation key defaults to the contact id', () => {
  it('memory', async () => {
    await keyedByContactId(new MemoryContactHistoryStore());
  });

  describe.skipIf(noRedis)('redis', () => {
    const redis = noRedis ? undefined : createRedis();
    afterAll(async () => {
      await redis?.quit();
    });
    it('redis', async () => {
      await keyedByContactId(new RedisContactHistoryStore(redis!, { prefix: uniquePrefix('rkey') }));
    });
  });
});
