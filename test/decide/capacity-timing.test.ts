/**
 * Defect 4: offer capacity and contacts must agree whatever the timing. A reservation that answers after its
 * deadline may still be written; its capacity must not be handed to someone else meanwhile, and a retry that
 * replays the late contact must not spend a second unit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore, MemoryOfferCapacityStore } from '../../src/adapters/memory/index.js';
import { decide, parseDecideConfig, safeDecide, type DecideStores } from '../../src/decide/index.js';
import type { ContactHistoryStore } from '../../src/capping/store.js';
import { withMethod } from '../arbitraries/stores.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const OFFER = 'last-seat';
const config = (storeTimeoutMs: number) =>
  parseDecideConfig(
    {
      catalogue: { timeZone: 'UTC', offers: [{ id: OFFER, channels: ['email'], value: 10, tags: ['marketing'], capacity: { total: 1 } }] },
      caps: { timeZone: 'UTC', rules: [] },
      consent: { purpose: 'marketing', ledgerChannels: ['email'] },
      timeZone: 'UTC',
      storeTimeoutMs,
    },
    { clock: () => 0 },
  );

type Late = { delayMs: number; outcome: 'lands' | 'fails' };

/** The contact store answers `reserve` after `delayMs`, and then either writes the contact or fails. */
function late(store: ContactHistoryStore, l: Late): ContactHistoryStore {
  return withMethod(store, 'reserve', (original, ...args) =>
    new Promise((resolve, reject) => setTimeout(() => (l.outcome === 'lands' ? original(...args).then(resolve, reject) : reject(new Error('connection reset'))), l.delayMs)),
  );
}

async function world(): Promise<DecideStores & { offerCapacity: MemoryOfferCapacityStore; contacts: MemoryContactHistoryStore }> {
  const stores = {
    identity: new MemoryIdentityStore({ erasureSalt: 't' }),
    consent: new MemoryConsentStore({ erasureSalt: 't' }),
    contacts: new MemoryContactHistoryStore(),
    events: new MemoryEventStore(),
    offerCapacity: new MemoryOfferCapacityStore(),
  };
  for (const who of ['ann', 'bob']) {
    const r = await stores.identity.addObservations([{ identifiers: [{ type: 'email', value: `${who}@shop.test` }], at: T0 - 1000 }]);
    await stores.consent.append({ id: `${who}-g`, subjectId: r.profiles[0]!, channel: 'email', purpose: 'marketing', kind: 'granted', at: T0 - 1000, evidence: { source: 'form' } });
  }
  return stores;
}

const ask = (who: string, requestId: string) => ({ requestId, identifiers: [{ type: 'email', value: `${who}@shop.test` }], channel: 'email', now: T0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function spent(stores: Awaited<ReturnType<typeof world>>): Promise<{ contacts: number; usage: number }> {
  let contacts = 0;
  for (const who of ['ann', 'bob']) {
    const id = await stores.identity.lookup({ type: 'email', value: `${who}@shop.test` });
    contacts += (await stores.contacts.history(id!)).contacts.filter((c) => c.offerId === OFFER).length;
  }
  const usage = (await stores.offerCapacity.usage([OFFER], { timeZone: 'UTC' }, T0)).get(OFFER)!.total;
  return { contacts, usage };
}

describe('offer capacity and a reservation that lands after its deadline', () => {
  it('the last unit is not handed to another person while the late reservation may still land; the retry replays it', async () => {
    const stores = await world();
    const first = await safeDecide(ask('ann', 'a1'), { ...stores, contacts: late(stores.contacts, { delayMs: 120, outcome: 'lands' }) }, config(30));
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.error.code).toBe('STORE_TIMEOUT');
    const bob = await decide(ask('bob', 'b1'), stores, config(1000));
    expect(bob.contact).toBe(false);
    expect(bob.reasons.map((r) => r.code)).toContain('DECIDE_NO_OFFER');
    await sleep(200); // the late write lands
    const retry = await decide(ask('ann', 'a1'), stores, config(1000));
    expect(retry.reasons.map((r) => r.code)).toEqual(['DECIDE_REPLAYED']);
    expect(await spent(stores)).toEqual({ contacts: 1, usage: 1 });
  });

  it('a late reservation that fails gives the unit back once it is known to have failed', async () => {
    const stores = await world();
    const first = await safeDecide(ask('ann', 'a1'), { ...stores, contacts: late(stores.contacts, { delayMs: 80, outcome: 'fails' }) }, config(20));
    expect(first.ok).toBe(false);
    await sleep(150);
    expect(await spent(stores)).toEqual({ contacts: 0, usage: 0 });
    expect((await decide(ask('bob', 'b1'), stores, config(1000))).contact).toBe(true);
    expect(await spent(stores)).toEqual({ contacts: 1, usage: 1 });
  });

  it('property: whatever the delay and outcome, after everything settles and Ann retries, contacts = units spent ≤ capacity', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ delayMs: fc.integer({ min: 0, max: 40 }), outcome: fc.constantFrom<Late['outcome']>('lands', 'fails') }),
        fc.integer({ min: 0, max: 40 }),
        fc.boolean(),
        async (l, bobAfterMs, annRetries) => {
          const stores = await world();
          const ann = safeDecide(ask('ann', 'a1'), { ...stores, contacts: late(stores.contacts, l) }, config(20));
          await sleep(bobAfterMs);
          await decide(ask('bob', 'b1'), stores, config(1000));
          await ann;
          await sleep(l.delayMs + 10);
          if (annRetries) await decide(ask('ann', 'a1'), stores, config(1000));
          const s = await spent(stores);
          expect(s.contacts).toBe(s.usage);
          expect(s.usage).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 25 },
    );
  });
});
