import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCapRules } from '../../capping/rules.js';
import { MemoryContactHistoryStore } from './contact-history.js';

const T0 = Date.parse('2026-03-04T10:00:00Z');
const caps = parseCapRules({ rules: [{ id: 'one-per-800ms', kind: 'limit', limit: 1, window: { rolling: 800 } }] });

describe('MemoryContactHistoryStore retention', () => {
  it('is judged on the times the store is given, not the wall clock: a held `now` keeps its history', async () => {
    const store = new MemoryContactHistoryStore({ retention: 1000 });
    expect((await store.reserve({ id: 'a', subjectId: 'p', channel: 'email', at: T0 }, caps)).granted).toBe(true);
    await new Promise((r) => setTimeout(r, 1200)); // longer than the retention, in wall time
    expect((await store.history('p')).contacts.map((c) => c.id)).toEqual(['a']);
    expect((await store.reserve({ id: 'b', subjectId: 'p', channel: 'email', at: T0 + 2 }, caps)).granted).toBe(false);
  });

  it('a reservation drops its subject\'s records older than its now − retention; one subject\'s times never trim another\'s', async () => {
    const store = new MemoryContactHistoryStore({ retention: 1000 });
    await store.recordContact({ id: 'old', subjectId: 'p', channel: 'email', at: T0 });
    await store.recordResponse({ id: 'r', subjectId: 'p', channel: 'email', kind: 'clicked', at: T0 + 10 });
    // A record of another subject far in the future trims nothing of p.
    await store.recordContact({ id: 'far', subjectId: 'q', channel: 'email', at: T0 + 1e12 });
    await store.reserve({ id: 'q2', subjectId: 'q', channel: 'email', at: T0 + 2e12 }, caps);
    expect((await store.history('p')).contacts.map((c) => c.id)).toEqual(['old']);
    // p's own reservation at T0 + 1500 drops what is older than T0 + 500.
    expect((await store.reserve({ id: 'new', subjectId: 'p', channel: 'email', at: T0 + 1500 }, caps)).granted).toBe(true);
    const h = await store.history('p');
    expect([h.contacts.map((c) => c.id), h.responses.length]).toEqual([['new'], 0]);
  });

  it('property: whatever the wall time, history depends only on the operations and their times', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 6000 }), fc.integer({ min: 1, max: 3000 }), async (offsets, nowOffset, retention) => {
        const store = new MemoryContactHistoryStore({ retention });
        for (const [i, o] of offsets.entries()) await store.recordContact({ id: `c${i}`, subjectId: 'p', channel: 'email', at: T0 + o });
        // Recording trims nothing.
        expect((await store.history('p')).contacts.length).toBe(offsets.length);
        const now = T0 + nowOffset;
        const r = await store.reserve({ id: 'x', subjectId: 'p', channel: 'sms', at: now }, parseCapRules({ rules: [] }));
        const kept = (await store.history('p')).contacts.filter((c) => c.id !== 'x').map((c) => c.at);
        expect(kept).toEqual(offsets.map((o) => T0 + o).filter((at) => at >= now - retention).sort((a, b) => a - b));
        expect(r.granted).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('MemoryContactHistoryStore idempotency keys and retention', () => {
  const none = parseCapRules({ rules: [] });

  it('a retry after the retention is a new reservation, even with nothing written in between (audit S2)', async () => {
    const store = new MemoryContactHistoryStore({ retention: 1000 });
    await store.reserve({ id: 'a', subjectId: 'p', channel: 'email', at: T0, idempotencyKey: 'k' }, caps);
    const retry = await store.reserve({ id: 'b', subjectId: 'p', channel: 'email', at: T0 + 1500, idempotencyKey: 'k' }, caps);
    expect([retry.granted, retry.replayed, retry.contact.id]).toEqual([true, false, 'b']);
    expect((await store.history('p')).contacts.map((c) => c.id)).toEqual(['b']);
    await store.recordContact({ id: 'r1', subjectId: 'q', channel: 'email', at: T0, idempotencyKey: 'rk' });
    expect((await store.recordContact({ id: 'r2', subjectId: 'q', channel: 'email', at: T0 + 1500, idempotencyKey: 'rk' })).recorded).toBe(true);
  });

  it('property: a key is replayed exactly while its contact is within the retention of the retry, whatever happened in between', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 2000 }), fc.option(fc.integer({ min: 0, max: 3000 })), fc.boolean(), async (gap, retention, between, record) => {
        const store = new MemoryContactHistoryStore({ retention });
        const first = { id: 'a', subjectId: 'p', channel: 'email', at: T0, idempotencyKey: 'k' };
        if (record) await store.recordContact(first);
        else await store.reserve(first, none);
        if (between !== null) await store.reserve({ id: 'x', subjectId: 'p', channel: 'email', at: T0 + Math.min(between, gap) }, none);
        const retry = { id: 'b', subjectId: 'p', channel: 'email', at: T0 + gap, idempotencyKey: 'k' };
        const kept = gap <= retention;
        if (record) expect((await store.recordContact(retry)).recorded).toBe(!kept);
        else expect((await store.reserve(retry, none)).replayed).toBe(kept);
      }),
      { numRuns: 200 },
    );
  });
});
