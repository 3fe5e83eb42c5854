import { describe, expect, it } from 'vitest';
import { MemoryContactHistoryStore } from '../../src/adapters/memory/contact-history.js';
import { DAY, HOUR, MINUTE } from '../../src/core/time.js';
import { consentState, parseConsentEvent } from '../../src/consent/ledger.js';
import { parseCapRules } from '../../src/capping/rules.js';
import { parseJourney } from '../../src/journeys/compile.js';
import { createJourneyRunner, type JourneyHandlers } from '../../src/journeys/runner.js';
import type { JourneyStore } from '../../src/journeys/store.js';
import { cartAbandonment, welcome } from '../../src/journeys/scenarios/fixtures.js';
import { withMethod } from '../arbitraries/stores.js';
import { journeyStores } from './stores.js';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const journeys = [parseJourney(welcome), parseJourney(cartAbandonment)];
const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 3, window: 'day', scope: { tags: 'marketing' } }] });
const consentOf = (subjectId: string) =>
  consentState(['email', 'push', 'sms'].map((channel) => parseConsentEvent({ id: `${subjectId}-${channel}`, subjectId, channel, purpose: 'marketing', kind: 'granted', at: 0, evidence: { source: 't' } })));

function counting() {
  const calls = new Map<string, number>();
  const handlers: JourneyHandlers = {
    send: (a) => void calls.set(a.key, (calls.get(a.key) ?? 0) + 1),
  };
  return { calls, handlers };
}

for (const impl of journeyStores) {
  describe.skipIf(impl.skip === true)(`journey runner on ${impl.name}`, () => {
    const withStore = async (fn: (store: JourneyStore) => Promise<void>) => {
      const store = await impl.create();
      try {
        await fn(store);
      } finally {
        await impl.destroy?.(store);
      }
    };

    it('4 runners on one store: every due step executed exactly once', () =>
      withStore(async (store) => {
        const contacts = new MemoryContactHistoryStore();
        const { calls, handlers } = counting();
        const runners = [1, 2, 3, 4].map((n) => createJourneyRunner({ store, contacts, caps, journeys, handlers, owner: `r${n}`, batchSize: 7, person: (id) => ({ consent: consentOf(id) }) }));
        const people = 24;
        for (let i = 0; i < people; i++) await runners[i % 4]!.enrol('welcome', `p${i}`, T0 + i * MINUTE);
        for (let t = T0; t <= T0 + 9 * DAY; t += 12 * HOUR) await Promise.all(runners.map((r) => r.drain(t)));
        expect(calls.size).toBe(people * 3);
        expect([...calls.values()].every((n) => n === 1)).toBe(true);
        for (let i = 0; i < people; i++) expect((await contacts.history(`p${i}`)).contacts).toHaveLength(3);
      }));

    it('a runner killed mid-step: its lease expires, another replays; nothing lost, each contact recorded once', () =>
      withStore(async (store) => {
        const contacts = new MemoryContactHistoryStore();
        const { calls, handlers } = counting();
        let crashes = 5;
        const dying = createJourneyRunner({
          store, contacts, caps, journeys, owner: 'dying', leaseMs: 10 * MINUTE, person: (id) => ({ consent: consentOf(id) }),
          handlers: { send: (a) => { handlers.send!(a); if (crashes-- > 0) throw new Error('killed'); } },
        });
        const healthy = createJourneyRunner({ store, contacts, caps, journeys, handlers, owner: 'healthy', leaseMs: 10 * MINUTE, person: (id) => ({ consent: consentOf(id) }) });
        for (let i = 0; i < 10; i++) await healthy.enrol('welcome', `p${i}`, T0);
        const first = await dying.tick(T0);
        expect(first.failed).toBe(5);
        expect(await healthy.tick(T0 + MINUTE)).toMatchObject({ claimed: 0 }); // still leased
        for (let t = T0 + 11 * MINUTE; t <= T0 + 9 * DAY; t += 6 * HOUR) await healthy.drain(t);
        expect(calls.size).toBe(30); // nothing lost
        expect([...calls.values()].filter((n) => n === 2)).toHaveLength(5); // the 5 crashed sends reached the handler again, same key
        for (let i = 0; i < 10; i++) {
          const h = await contacts.history(`p${i}`);
          expect(h.contacts).toHaveLength(3);
          expect(new Set(h.contacts.map((c) => c.idempotencyKey)).size).toBe(3);
        }
      }));

    it('an inbound event delivered twice is processed once', () =>
      withStore(async (store) => {
        const { handlers } = counting();
        const runner = createJourneyRunner({ store, journeys, handlers, person: (id) => ({ consent: consentOf(id) }) });
        const abandon = { id: 'cart-1', event: { subjectId: 'p1', type: 'cart_abandon', at: T0, properties: {} } };
        expect((await runner.ingest(abandon, T0)).enrolled).toHaveLength(1);
        // Again (a retried ingest): no second instance, and the instance it started does not get it as an input.
        expect(await runner.ingest(abandon, T0)).toEqual({ delivered: [], enrolled: [] });
        const purchase = { id: 'order-9', event: { subjectId: 'p1', type: 'purchase', at: T0 + 2 * HOUR, properties: {} } };
        expect((await runner.ingest(purchase, T0 + 2 * HOUR)).delivered).toHaveLength(1);
        expect((await runner.ingest(purchase, T0 + 2 * HOUR)).delivered).toHaveLength(0);
        await runner.drain(T0 + 2 * HOUR);
        const inst = await store.get(`cart-abandonment:p1:cart-1`);
        expect(inst).toMatchObject({ status: 'goal', outcome: 'purchased' });
      }));

    it('a store that fails mid-step leaves the instance as it was', () =>
      withStore(async (store) => {
        const { handlers } = counting();
        const failing: JourneyStore = Object.assign(Object.create(store) as JourneyStore, {
          complete: () => Promise.reject(new Error('connection reset')),
          claimDue: store.claimDue.bind(store),
          enrol: store.enrol.bind(store),
          get: store.get.bind(store),
        });
        const runner = createJourneyRunner({ store: failing, journeys, handlers });
        const r0 = await runner.enrol('welcome', 'p1', T0);
        const r = await runner.tick(T0);
        expect(r.failed).toBe(1);
        expect(await store.get(r0.instance!.id)).toEqual(r0.instance);
      }));
  });
}

describe('journey runner: ingest', () => {
  const also = parseJourney({ id: 'also', version: 1, entry: { on: { event: 'cart_abandon' } }, start: 'go', steps: { go: { type: 'send', channel: 'email', message: 'm' } } });
  const abandon = { id: 'cart-1', event: { subjectId: 'p1', type: 'cart_abandon', at: T0, properties: {} } };

  it('handles every journey at once', async () => {
    let inFlight = 0;
    let most = 0;
    const store = withMethod<JourneyStore>(new MemoryJourneyStore(), 'activeFor', async (original, ...args) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return original(...args);
    });
    const runner = createJourneyRunner({ store, journeys: [...journeys, also], handlers: {} });
    expect(await runner.ingest(abandon, T0)).toEqual({ delivered: [], enrolled: ['cart-abandonment:p1:cart-1', 'also:p1:cart-1'] });
    expect(most).toBe(3);
  });

  it('tries each journey even when another fails, then throws the first failure', async () => {
    const memory = new MemoryJourneyStore();
    const store = withMethod<JourneyStore>(memory, 'enrol', (original, ...args) =>
      (args[0] as { journeyId: string }).journeyId === 'cart-abandonment' ? Promise.reject(new Error('connection reset')) : original(...args),
    );
    const runner = createJourneyRunner({ store, journeys: [...journeys, also], handlers: {} });
    await expect(runner.ingest(abandon, T0)).rejects.toMatchObject({ message: expect.stringContaining('connection reset') });
    expect((await memory.activeFor('also', 'p1'))?.id).toBe('also:p1:cart-1');
    // The retry enrols where it failed, and leaves the journey it already entered alone.
    const retried = createJourneyRunner({ store: memory, journeys: [...journeys, also], handlers: {} });
    expect(await retried.ingest(abandon, T0)).toEqual({ delivered: [], enrolled: ['cart-abandonment:p1:cart-1'] });
  });
});

describe('journey runner: a store (or callback) answering with the wrong shape', () => {
  /** The memory store with one method answering `value`. */
  const answering = (method: keyof JourneyStore, value: unknown): JourneyStore => withMethod<JourneyStore>(new MemoryJourneyStore(), method, () => Promise.resolve(value));
  const abandon = { id: 'cart-1', event: { subjectId: 'p1', type: 'cart_abandon', at: T0, properties: {} } };
  const purchase = { id: 'order-9', event: { subjectId: 'p1', type: 'purchase', at: T0 + HOUR, properties: {} } };

  it('is STORE_ERROR naming the operation, where it used to be a TypeError or go on as data', async () => {
    const cases: Array<[keyof JourneyStore, unknown[], (r: ReturnType<typeof createJourneyRunner>) => Promise<unknown>]> = [
      ['claimDue', [undefined, null, {}, [null], [{ instance: null, inbox: [] }], [{ instance: {}, inbox: null }]], (r) => r.tick(T0)],
      ['enrol', [undefined, null, 5, {}, { enrolled: 'yes' }], (r) => r.enrol('welcome', 'p1', T0)],
      ['activeFor', [undefined, 5, {}, { id: 7 }], (r) => r.ingest(abandon, T0)],
    ];
    for (const [method, values, run] of cases) {
      for (const value of values) {
        const runner = createJourneyRunner({ store: answering(method, value), journeys, handlers: {} });
        await expect(run(runner), `${method} ${JSON.stringify(value)}`).rejects.toMatchObject({ code: 'STORE_ERROR', detail: { operation: `journeys.${method}` } });
      }
    }
    // deliver and complete: an enrolled person, then the wrong answer.
    const store = answering('deliver', 'yes');
    const runner = createJourneyRunner({ store, journeys, handlers: {} });
    await runner.ingest(abandon, T0);
    await expect(runner.ingest(purchase, T0 + HOUR)).rejects.toMatchObject({ code: 'STORE_ERROR', detail: { operation: 'journeys.deliver' } });
    const completing = answering('complete', undefined);
    const r2 = createJourneyRunner({ store: completing, journeys, handlers: {} });
    await r2.enrol('welcome', 'p1', T0);
    const tick = await r2.tick(T0);
    expect(tick.failed).toBe(1);
    expect(tick.errors[0]!.error).toMatchObject({ code: 'STORE_ERROR', detail: { operation: 'journeys.complete' } });
  });

  it('the person callback and the contact history are checked too', async () => {
    const store = new MemoryJourneyStore();
    const bad = createJourneyRunner({ store, journeys, handlers: {}, person: () => undefined as never });
    await bad.enrol('welcome', 'p1', T0);
    expect((await bad.tick(T0)).errors[0]!.error).toMatchObject({ code: 'STORE_ERROR', detail: { operation: 'options.person' } });
    const contacts = Object.assign(new MemoryContactHistoryStore(), { history: async () => ({ contacts: null }) });
    const store2 = new MemoryJourneyStore();
    const r = createJourneyRunner({ store: store2, journeys, handlers: {}, contacts, caps, person: (id) => ({ consent: consentOf(id) }) });
    await r.enrol('welcome', 'p1', T0);
    expect((await r.tick(T0)).errors[0]!.error).toMatchObject({ code: 'STORE_ERROR', detail: { operation: 'contacts.history' } });
  });
});
