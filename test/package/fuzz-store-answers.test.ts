/**
 * `decide` (and the journeys runner) over stores that answer with anything: each store method of a decision in turn answers a junk value
 * (test/arbitraries/junk.ts) or its real answer with one place changed (a record of the wrong shape inside a valid
 * list). Every outcome must be a decision or a typed error of the stores' side — never `DECIDE_STAGE_FAILED` (a
 * `TypeError` inside a stage, the defect class) and never `INPUT_INVALID` (the caller's side: the request is
 * valid). FUZZ_ANSWER_RUNS and FUZZ_ANSWER_SEED widen a hunt.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../../src/core/errors.js';
import { safeDecide, type DecideStores } from '../../src/decide/index.js';
import { junkValue, mutantsOf } from '../arbitraries/junk.js';
import { withMethod } from '../arbitraries/stores.js';
import { memoryStores } from '../decide/memory-stores.js';
import { BOB, scenarioConfig, seed, T0, tcString } from '../decide/scenario.js';
import { MemoryContactHistoryStore } from '../../src/adapters/memory/contact-history.js';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { parseCapRules } from '../../src/capping/rules.js';
import type { ContactHistoryStore } from '../../src/capping/store.js';
import { consentState, parseConsentEvent } from '../../src/consent/ledger.js';
import { DAY, HOUR } from '../../src/core/time.js';
import { parseJourney } from '../../src/journeys/compile.js';
import { createJourneyRunner } from '../../src/journeys/runner.js';
import { cartAbandonment, welcome } from '../../src/journeys/scenarios/fixtures.js';
import type { JourneyStore } from '../../src/journeys/store.js';

const RUNS = Number(process.env.FUZZ_ANSWER_RUNS ?? 60);
const SEED = Number(process.env.FUZZ_ANSWER_SEED ?? 20261205);

const METHODS: Array<[keyof DecideStores, string]> = [
  ['identity', 'addObservations'],
  ['identity', 'resolve'],
  ['events', 'read'],
  ['contacts', 'history'],
  ['consent', 'events'],
  ['offerCapacity', 'usage'],
  ['offerCapacity', 'consume'],
  ['contacts', 'reserve'],
];

/** The stores with `store.method` answering `answer(realAnswer)`. */
function rigged(stores: DecideStores, store: keyof DecideStores, method: string, answer: (real: unknown) => unknown): DecideStores {
  return { ...stores, [store]: withMethod(stores[store] as object, method, async (original, ...args) => answer(await original(...args))) } as DecideStores;
}

async function outcomeOf(stores: DecideStores, channel: string): Promise<string | null> {
  const request = channel === 'web' ? { requestId: 'q1', identifiers: [{ type: 'email', value: BOB.email }], channel: 'web', now: T0, tcString: tcString(true) } : { requestId: 'q1', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 };
  const r = await safeDecide(request, stores, scenarioConfig());
  if (r.ok) return null;
  if (!isCrossChannelError(r.error)) return `not a CrossChannelError: ${String(r.error)}`;
  if (r.error.code === 'DECIDE_STAGE_FAILED' || r.error.code === 'INPUT_INVALID') return `${r.error.code}: ${r.error.message.slice(0, 160)}`;
  return null;
}

describe('decide over stores answering anything', () => {
  for (const [store, method] of METHODS) {
    it(`${store}.${method}: junk answers and one-place mutants of the real answer give decisions or the stores' typed errors`, async () => {
      const base = memoryStores();
      await seed(base);
      // The real answer, once, to mutate.
      let real: unknown;
      await safeDecide({ requestId: 'probe', identifiers: [{ type: 'email', value: BOB.email }], channel: 'web', now: T0, tcString: tcString(true) }, rigged(base, store, method, (x) => (real = x)), scenarioConfig());
      const junk = fc.sample(junkValue, { numRuns: RUNS, seed: SEED });
      const mutants = real === undefined ? [] : mutantsOf(JSON.parse(JSON.stringify(real, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v))) as unknown, RUNS, SEED).map((m) => m.value);
      const failures: string[] = [];
      for (const answer of [...junk, ...mutants]) {
        for (const channel of ['email', 'web']) {
          const stores = memoryStores();
          await seed(stores);
          const bad = await outcomeOf(rigged(stores, store, method, () => answer), channel);
          if (bad !== null) failures.push(`${channel}: ${bad} | answer ${JSON.stringify(answer, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? String(v) : v))?.slice(0, 120)}`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    }, 120_000);
  }
});

describe('the journeys runner over a store (and callbacks) answering anything', () => {
  const journeys = [parseJourney(welcome), parseJourney(cartAbandonment)];
  const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 3, window: 'day', scope: { tags: 'marketing' } }] });
  const consent = (subjectId: string) => consentState(['email', 'push', 'sms'].map((channel) => parseConsentEvent({ id: `${subjectId}-${channel}`, subjectId, channel, purpose: 'marketing', kind: 'granted', at: 0, evidence: { source: 't' } })));
  const abandon = { id: 'cart-1', event: { subjectId: 'p2', type: 'cart_abandon', at: T0, properties: {} } };
  const purchase = { id: 'order-1', event: { subjectId: 'p2', type: 'purchase', at: T0 + HOUR, properties: {} } };

  /** A run of the runner's operations; every failure must be typed, thrown or reported by `tick`. */
  async function untyped(store: JourneyStore, contacts: ContactHistoryStore, person: (id: string) => unknown): Promise<string | null> {
    const runner = createJourneyRunner({ store, journeys, contacts, caps, handlers: {}, person: person as never });
    const steps: Array<() => Promise<unknown>> = [
      () => runner.enrol('welcome', 'p1', T0),
      () => runner.ingest(abandon, T0),
      () => runner.ingest(purchase, T0 + HOUR),
      () => runner.tick(T0 + 2 * HOUR),
      () => runner.tick(T0 + 3 * DAY),
    ];
    for (const step of steps) {
      try {
        const r = (await step()) as { errors?: Array<{ error: unknown }> } | undefined;
        const bad = r?.errors?.find((e) => !isCrossChannelError(e.error));
        if (bad) return `tick reported ${String(bad.error).slice(0, 160)}`;
      } catch (e) {
        if (!isCrossChannelError(e)) return `threw ${String(e).slice(0, 160)}`;
      }
    }
    return null;
  }

  const real = (x: unknown): unknown => JSON.parse(JSON.stringify(x ?? null)) as unknown;
  const TARGETS: Array<[string, 'store' | 'contacts' | 'person', string]> = [
    ['claimDue', 'store', 'claimDue'],
    ['enrol', 'store', 'enrol'],
    ['activeFor', 'store', 'activeFor'],
    ['deliver', 'store', 'deliver'],
    ['complete', 'store', 'complete'],
    ['contacts.history', 'contacts', 'history'],
    ['person', 'person', ''],
  ];
  for (const [name, where, method] of TARGETS) {
    it(`${name}: junk answers and one-place mutants of the real answer fail typed`, async () => {
      // The real answers of a clean run, to mutate.
      const seen: unknown[] = [];
      const tap = <T extends object>(target: T, m: string): T =>
        withMethod(target, m, async (original, ...args) => {
          const out = await original(...args);
          seen.push(real(out));
          return out;
        });
      const personOf = (id: string) => ({ consent: consent(id) });
      await untyped(where === 'store' ? tap(new MemoryJourneyStore(), method) : new MemoryJourneyStore(), where === 'contacts' ? tap(new MemoryContactHistoryStore(), method) : new MemoryContactHistoryStore(), where === 'person' ? (id) => { const p = personOf(id); seen.push(real(p)); return p; } : personOf);
      const answers = [...fc.sample(junkValue, { numRuns: RUNS, seed: SEED }), ...seen.filter((x) => x !== null && typeof x === 'object').flatMap((x) => mutantsOf(x, Math.ceil(RUNS / 2), SEED).map((m) => m.value))];
      const failures: string[] = [];
      for (const answer of answers) {
        const answering = <T extends object>(target: T): T => withMethod(target, method, async () => answer);
        const bad = await untyped(
          where === 'store' ? answering(new MemoryJourneyStore()) : new MemoryJourneyStore(),
          where === 'contacts' ? answering(new MemoryContactHistoryStore()) : new MemoryContactHistoryStore(),
          where === 'person' ? () => answer : personOf,
        );
        if (bad !== null) failures.push(`${bad} | answer ${JSON.stringify(answer, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? String(v) : v))?.slice(0, 160)}`);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    }, 120_000);
  }
});
