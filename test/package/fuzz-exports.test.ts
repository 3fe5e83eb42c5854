/**
 * Plain JavaScript callers pass anything: every export of the package, called with arbitrary JSON values (and the
 * values JSON cannot hold, and what only JavaScript passes: test/arbitraries/junk.ts), must return, or throw (or
 * reject with) a `CrossChannelError` — never a `TypeError` from deep inside, never hang. Functions, class
 * constructors and static methods of every public entry are called, and the public methods of an instance built
 * without arguments (stores: with an erasure salt). The Redis and PostgreSQL stores have the same test on real
 * engines (test/adapters/junk-arguments.test.ts).
 * Functions that take parsed values (compiled rules, catalogues, segment sets, models) check them cheaply and
 * throw `INPUT_INVALID` naming the argument; the rest validate their input.
 */
import { describe, expect, it } from 'vitest';
import { publicMethods } from './public-api.js';
import { firstCrash, junkArgumentLists } from '../arbitraries/junk.js';

// 2,000 argument lists (≈ 10 s): at 150 the fixed seed missed five exports that crashed at 1,500–20,000 (2026-12-05).
// FUZZ_EXPORT_RUNS and FUZZ_EXPORT_SEED widen a hunt (four seeds at 10,000 found two more, since fixed).
const RUNS = Number(process.env.FUZZ_EXPORT_RUNS ?? 2000);

/** Entries probed: the root (the core), every module entry and every adapter. */
const ENTRIES: Record<string, () => Promise<Record<string, unknown>>> = {
  crosschannel: () => import('../../src/index.js'),
  'crosschannel/identity': () => import('../../src/identity/index.js'),
  'crosschannel/consent': () => import('../../src/consent/index.js'),
  'crosschannel/capping': () => import('../../src/capping/index.js'),
  'crosschannel/segments': () => import('../../src/segments/index.js'),
  'crosschannel/arbitration': () => import('../../src/arbitration/index.js'),
  'crosschannel/attribution': () => import('../../src/attribution/index.js'),
  'crosschannel/experiments': () => import('../../src/experiments/index.js'),
  'crosschannel/timing': () => import('../../src/timing/index.js'),
  'crosschannel/insights': () => import('../../src/insights/index.js'),
  'crosschannel/decide': () => import('../../src/decide/index.js'),
  'crosschannel/journeys': () => import('../../src/journeys/index.js'),
  'crosschannel/adapters/memory': () => import('../../src/adapters/memory/index.js'),
  // The engine adapters' free functions (key and schema builders, client wrappers) and their constructors given
  // junk for the client too; their stores' methods are probed on real engines in test/adapters/junk-arguments.test.ts.
  'crosschannel/adapters/otel': () => import('../../src/adapters/otel/index.js'),
  'crosschannel/adapters/postgres': () => import('../../src/adapters/postgres/index.js'),
  'crosschannel/adapters/redis': () => import('../../src/adapters/redis/index.js'),
};

const argLists = junkArgumentLists(RUNS, Number(process.env.FUZZ_EXPORT_SEED ?? 20261203));

interface Probe {
  readonly name: string;
  readonly call: (args: unknown[]) => unknown;
}

function isClass(f: unknown): boolean {
  return typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));
}

/** Every callable of an entry: functions, constructors, static methods. */
function probesOf(entry: string, mod: Record<string, unknown>, methods: Map<string, Set<string>>): Probe[] {
  const out: Probe[] = [];
  const add = (name: string, f: unknown, className: string): void => {
    if (typeof f !== 'function') return;
    if (isClass(f)) {
      out.push({ name: `${name} (new)`, call: (a) => Reflect.construct(f as new (...x: unknown[]) => unknown, a) });
      // An instance built with no arguments (or the options every store needs): each of its methods, on a fresh one.
      const make = (): Record<string, unknown> | null => {
        for (const args of [[], [{ erasureSalt: 'fuzz' }]]) {
          try {
            return Reflect.construct(f as new (...x: unknown[]) => unknown, args) as Record<string, unknown>;
          } catch {
            // needs arguments this probe does not know
          }
        }
        return null;
      };
      const sample = make();
      if (sample !== null) {
        for (let proto = Object.getPrototypeOf(sample) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
          for (const m of Object.getOwnPropertyNames(proto)) {
            if (m === 'constructor' || typeof Object.getOwnPropertyDescriptor(proto, m)?.value !== 'function') continue;
            // TypeScript-private, protected and @internal members are not the API (the compiler says which).
            if (!(methods.get(className)?.has(m) ?? false)) continue;
            out.push({ name: `${name}#${m}`, call: (a) => { const o = make()!; return (o[m] as (...x: unknown[]) => unknown).apply(o, a); } });
          }
        }
      }
      for (const s of Object.getOwnPropertyNames(f)) {
        const m = (f as unknown as Record<string, unknown>)[s];
        if (typeof m === 'function' && !['length', 'name', 'prototype'].includes(s)) out.push({ name: `${name}.${s}`, call: (a) => (m as (...x: unknown[]) => unknown).apply(f, a) });
      }
    } else out.push({ name, call: (a) => (f as (...x: unknown[]) => unknown)(...a) });
  };
  for (const [k, v] of Object.entries(mod)) add(`${entry}:${k}`, v, k);
  return out;
}

describe('every export, called with arbitrary JSON values, throws only CrossChannelError', () => {
  it('no export crashes, rejects with another error or hangs on junk arguments', async () => {
    const crashes = new Map<string, string>();
    let probed = 0;
    const methods = publicMethods();
    for (const [entry, load] of Object.entries(ENTRIES)) {
      for (const p of probesOf(entry, await load(), methods)) {
        probed++;
        const c = await firstCrash(p.call, argLists);
        if (c !== null) crashes.set(p.name, c);
      }
    }
    expect(probed).toBeGreaterThan(250);
    expect([...crashes].map(([name, c]) => `${name}: ${c}`)).toEqual([]);
  }, 300_000);
});
