/**
 * Resharding under load: the slot of a busy subject (and of a busy offer) moves between masters while 16
 * clients reserve. Nothing may be lost, doubled, over a cap, or refused with an untyped error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { RedisContactHistoryStore } from '../../src/adapters/redis/contact-history.js';
import { RedisOfferCapacityStore } from '../../src/adapters/redis/offer-capacity.js';
import { subjectKey } from '../../src/adapters/redis/keys.js';
import { isCrossChannelError } from '../../src/core/errors.js';
import { parseCapRules } from '../../src/capping/rules.js';
import { noRedis, uniquePrefix } from '../fixtures/redis.js';
import { clusterBinariesAvailable, startRedisCluster, type RedisClusterFixture } from '../fixtures/redis-cluster.js';

// Outside CI, a machine without redis-server or redis-cli skips; under CI the cluster must start.
const noCluster = noRedis || (!process.env.CI && !clusterBinariesAvailable());

const NOW = Date.parse('2026-05-04T10:00:00Z');
const caps = parseCapRules({
  timeZone: 'Europe/Paris',
  rules: [
    { id: 'all-day', kind: 'limit', limit: 100_000, window: 'day' },
    { id: 'sms-day', kind: 'limit', limit: 20, window: 'day', scope: { channels: 'sms' } },
    { id: 'vip-push', kind: 'limit', limit: 15, window: { rolling: '24h' }, scope: { channels: 'push', tags: 'vip' } },
  ],
});

describe.skipIf(noCluster)('Redis Cluster: a slot migrates while reservations run', () => {
  let fixture: RedisClusterFixture;
  const clients: Cluster[] = [];
  beforeAll(async () => {
    fixture = await startRedisCluster({ masters: 3 });
    for (let i = 0; i < 16; i++) clients.push(fixture.client());
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await fixture?.stop();
  });

  async function slotOf(key: string): Promise<number> {
    return fixture.keySlot(key);
  }
  async function otherMaster(slot: number): Promise<number> {
    const owner = await fixture.ownerOf(slot);
    const masters = (await clients[0]!.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
    return masters.map((m) => m[2][1]).find((p) => p !== owner)!;
  }

  it('contact history: no reservation lost, doubled, over its cap, or failed untyped', async () => {
    const prefix = uniquePrefix('reshard');
    const stores = clients.map((c) => new RedisContactHistoryStore(c, { prefix }));
    const slot = await slotOf(subjectKey(prefix, 'busy', 'contacts'));
    // A history with many keys (contacts, idem, index atoms) so the migration moves it in several batches.
    // With responses and idempotency keys present, the script runs on the old owner while index keys have already
    // moved: every key must be declared, or the script fails half-way (a contact filed without its index).
    await stores[0]!.recordResponse({ id: 'r0', subjectId: 'busy', kind: 'opened', channel: 'email', at: NOW - 1000 });
    for (let i = 0; i < 40; i++) {
      await stores[0]!.reserve({ id: `warm-${i}`, subjectId: 'busy', channel: 'email', tags: [`t${i % 12}`], at: NOW, idempotencyKey: `warm-${i}` }, caps);
    }
    let migrating = true;
    const granted = new Set<string>();
    const untyped: unknown[] = [];
    const typed = new Map<string, number>();
    const work = stores.map(async (store, client) => {
      // While the slot moves, then 12 more each (so the capped scopes fill up even on a slow machine).
      for (let j = 0, extra = 0; migrating || extra++ < 12; j++) {
        const key = `k-${client}-${j}`;
        const channel = ['email', 'sms', 'push'][j % 3]!;
        const tags = j % 2 === 0 ? ['vip'] : [`t${j % 12}`, 'news'];
        // A typed retryable error is retried with the same idempotency key: the store must not double it.
        for (let attempt = 0; attempt < 50; attempt++) {
          try {
            const r = await store.reserve({ id: `c-${client}-${j}`, subjectId: 'busy', channel, tags, at: NOW, idempotencyKey: key }, caps);
            if (r.granted) granted.add(key);
            break;
          } catch (e) {
            if (!isCrossChannelError(e)) {
              untyped.push(e);
              break;
            }
            const retryable = (e.detail as { retryable?: boolean } | undefined)?.retryable === true;
            if (!retryable) untyped.push(e);
            typed.set(e.code, (typed.get(e.code) ?? 0) + 1);
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      }
    });
    const from = await fixture.migrateSlot(slot, await otherMaster(slot), { batch: 1, pauseMs: 25 });
    migrating = false;
    await Promise.all(work);
    expect(await fixture.ownerOf(slot)).not.toBe(from);
    expect(untyped).toEqual([]);
    const h = await stores[0]!.history('busy');
    const keys = h.contacts.map((c) => c.idempotencyKey).filter((k) => k?.startsWith('k-'));
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys)).toEqual(granted);
    expect(h.contacts.filter((c) => c.channel === 'sms').length).toBe(20);
    expect(h.contacts.filter((c) => c.channel === 'push' && c.tags.includes('vip')).length).toBe(15);
  });

  it('offer capacity: no unit lost, doubled, over capacity, or failed untyped', async () => {
    const prefix = uniquePrefix('reshard-cap');
    const stores = clients.map((c) => new RedisOfferCapacityStore(c, { prefix }));
    const slot = await slotOf(subjectKey(prefix, 'offer:hot', 'cap:total'));
    const now = Date.UTC(2026, 0, 7, 10);
    const spec = { perDay: 300, total: 1000, budget: 10_000, cost: 2 };
    let migrating = true;
    let granted = 0;
    const untyped: unknown[] = [];
    const work = stores.map(async (store) => {
      for (let extra = 0; migrating || extra++ < 5; ) {
        try {
          // consume is not idempotent: a retryable error is reported, not retried (the unit may or may not count).
          if ((await store.consume('hot', spec, now)).ok) granted++;
        } catch (e) {
          if (!isCrossChannelError(e, 'STORE_ERROR') || (e.detail as { retryable?: boolean }).retryable !== true) untyped.push(e);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    });
    await fixture.migrateSlot(slot, await otherMaster(slot), { batch: 1, pauseMs: 25 });
    migrating = false;
    await Promise.all(work);
    expect(untyped).toEqual([]);
    const usage = (await stores[0]!.usage(['hot'], {}, now)).get('hot')!;
    expect(granted).toBeLessThanOrEqual(300);
    expect(usage.day).toBe(granted);
    expect(usage).toEqual({ day: usage.day, week: usage.day, total: usage.day, spent: usage.day * 2 });
  });
});
