/** A Redis command timeout is a STORE_TIMEOUT, as everywhere else in the library. */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisStoreError } from './errors.js';
import { RedisContactHistoryStore } from './contact-history.js';
import { RedisOfferCapacityStore } from './offer-capacity.js';
import { parseCapRules } from '../../capping/rules.js';
import { createRedis, noRedis, redisUrl, uniquePrefix } from '../../../test/fixtures/redis.js';

describe('redisStoreError', () => {
  it('maps ioredis "Command timed out" to STORE_TIMEOUT and the rest to STORE_ERROR', () => {
    expect(redisStoreError('x', new Error('Command timed out')).code).toBe('STORE_TIMEOUT');
    expect(redisStoreError('x', new Error('ECONNREFUSED')).code).toBe('STORE_ERROR');
  });
});

describe.skipIf(noRedis)('Redis stores under a command timeout', () => {
  const admin = noRedis ? undefined : createRedis();
  const slow = noRedis ? undefined : new Redis(redisUrl()!, { commandTimeout: 100, maxRetriesPerRequest: 0 });
  afterAll(async () => {
    await admin?.call('CLIENT', 'UNPAUSE');
    await Promise.all([admin?.quit(), slow?.quit()]);
  });

  it('reports STORE_TIMEOUT from reserve and consume while the server does not answer', async () => {
    const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
    const contacts = new RedisContactHistoryStore(slow!, { prefix: uniquePrefix('timeout') });
    const offers = new RedisOfferCapacityStore(slow!, { prefix: uniquePrefix('timeout') });
    // A loaded box may be slow to connect: wait until the client answers within its timeout at all.
    for (let i = 0; i < 50 && (await slow!.ping().catch(() => null)) !== 'PONG'; i++);
    await admin!.call('CLIENT', 'PAUSE', '1000', 'ALL');
    try {
      await expect(contacts.reserve({ id: 'c1', subjectId: 'p1', channel: 'email', at: 0 }, caps, { timeZone: 'UTC' })).rejects.toMatchObject({ code: 'STORE_TIMEOUT' });
      await expect(offers.consume('o1', { total: 1, timeZone: 'UTC' }, 0)).rejects.toMatchObject({ code: 'STORE_TIMEOUT' });
    } finally {
      await admin!.call('CLIENT', 'UNPAUSE');
    }
  });
});
