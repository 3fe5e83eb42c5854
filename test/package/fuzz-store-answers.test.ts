/**
 * `decide` over stores that answer with anything: each store method of a decision in turn answers a junk value
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
import { memoryStores } from '../decide/memory-stores.js';
import { BOB, scenarioConfig, seed, T0, tcString } from '../decide/scenario.js';

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
  const target = stores[store] as object;
  return {
    ...stores,
    [store]: new Proxy(target, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        if (prop !== method) return (v as (...a: unknown[]) => unknown).bind(t);
        return async (...args: unknown[]) => answer(await (v as (...a: unknown[]) => Promise<unknown>).apply(t, args));
      },
    }),
  } as DecideStores;
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
