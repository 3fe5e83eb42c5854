/**
 * The 16-client reservation race shared by the single-node and the Redis Cluster suites: 4 subjects, caps of
 * 10/day, 3 SMS/day and 4 per campaign per 24 h; every 10th attempt retries the previous idempotency key.
 */
import { expect } from 'vitest';
import { parseCapRules } from '../../src/capping/rules.js';
import type { ContactHistoryStore } from '../../src/capping/store.js';
import { createRng } from '../../src/core/random.js';

export const NOW = Date.parse('2026-05-04T10:00:00Z');
export const SUBJECTS = ['s1', 's2', 's3', 's4'];
const CHANNELS = ['email', 'sms', 'push'];
export const caps = parseCapRules({
  timeZone: 'Europe/Paris',
  rules: [
    { id: 'all-day', kind: 'limit', limit: 10, window: 'day' },
    { id: 'sms-day', kind: 'limit', limit: 3, window: 'day', scope: { channels: 'sms' } },
    { id: 'campaign-day', kind: 'limit', limit: 4, window: { rolling: '24h' }, per: 'campaign' },
  ],
});
export const MAX_PER_SUBJECT = 10;

/** 16 clients × 1,000 attempts; every 10th attempt retries the previous idempotency key. */
export async function race(stores: ReadonlyArray<ContactHistoryStore>, attempts: number) {
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

export async function checkCaps(store: ContactHistoryStore): Promise<number> {
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
