import { describe, expect, it } from 'vitest';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore, MemoryOfferCapacityStore } from '../adapters/memory/index.js';
import type { OfferUsage } from '../arbitration/store.js';
import { decide } from './pipeline.js';
import { parseDecideConfig } from './config.js';
import type { DecideStores } from './stores.js';

// The ranking is made again with the capacity usage only when that usage uses up an offer (issue 21): these
// hold the cases where it does — a budget, a weekly and a total capacity — so the re-ranking cannot be skipped.
describe('decide: capacity usage read after the ranking', () => {
  const now = Date.parse('2026-03-10T10:00:00Z');
  const config = parseDecideConfig({
    catalogue: {
      offers: [
        { id: 'budgeted', channels: ['web'], value: 30, budget: { total: 10, cost: 4 } },
        { id: 'weekly', channels: ['web'], value: 20, capacity: { perWeek: 5 } },
        { id: 'total', channels: ['web'], value: 10, capacity: { total: 3 } },
        { id: 'plain', channels: ['web'], value: 1 },
      ],
    },
    caps: { rules: [] },
    identity: { observe: true },
  });

  async function first(usage: Record<string, Partial<OfferUsage>>): Promise<{ offerId: string | undefined; excluded: Record<string, string | undefined> }> {
    const capacity = new MemoryOfferCapacityStore();
    const stores: DecideStores = {
      identity: new MemoryIdentityStore({ erasureSalt: 's' }),
      consent: new MemoryConsentStore({ erasureSalt: 's' }),
      contacts: new MemoryContactHistoryStore(),
      events: new MemoryEventStore(),
      offerCapacity: Object.assign(capacity, {
        usage: async (ids: ReadonlyArray<string>) => new Map(ids.map((id) => [id, { day: 0, week: 0, total: 0, spent: 0, ...usage[id] }])),
      }),
    };
    const d = await decide({ requestId: 'r1', identifiers: [{ type: 'cookie_id', value: 'ck-1' }], channel: 'web', now, slots: 1 }, stores, config);
    const arbitration = d.trace.stages.find((s) => s.stage === 'arbitration')!;
    return { offerId: d.offers[0]?.offerId, excluded: Object.fromEntries(arbitration.removed.map((r) => [r.id, r.reasons[0]?.code])) };
  }

  it('ranks the first offer when the usage leaves room', async () => {
    expect((await first({ budgeted: { spent: 6 }, weekly: { week: 4 }, total: { total: 2 } })).offerId).toBe('budgeted');
  });

  it('excludes an offer whose budget the usage has spent, and ranks the next', async () => {
    const r = await first({ budgeted: { spent: 6.5 } });
    expect(r.offerId).toBe('weekly');
    expect(r.excluded.budgeted).toBe('OFFER_BUDGET_EXHAUSTED');
  });

  it('excludes offers whose weekly or total capacity is used up, each alone', async () => {
    for (const [id, used] of [['weekly', { week: 5 }], ['total', { total: 3 }]] as const) {
      const r = await first({ [id]: used });
      expect(r.offerId).toBe('budgeted');
      expect(r.excluded[id]).toBe('OFFER_CAPACITY_EXHAUSTED');
    }
    const all = await first({ budgeted: { spent: 10 }, weekly: { week: 5 }, total: { total: 3 } });
    expect(all.offerId).toBe('plain');
  });
});
