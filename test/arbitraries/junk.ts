/**
 * Junk arguments: what plain JavaScript may pass to any function of the package. JSON values of every shape,
 * and the values JSON cannot hold — undefined, NaN, ±Infinity, -0, huge numbers and strings, deep nesting,
 * `__proto__` keys — and what only JavaScript passes: symbols, BigInts, functions, dates, maps, null-prototype
 * objects, a `toString` that throws. Shared by the export fuzz test and the stores' junk-argument test.
 */
import fc from 'fast-check';
import { isCrossChannelError } from '../../src/core/errors.js';

export const JUNK_SPECIALS: readonly unknown[] = [
  undefined,
  null,
  Number.NaN,
  -0,
  1e308,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  'x'.repeat(5000),
  [],
  {},
  [[[[[[[[[[]]]]]]]]]],
  JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  { constructor: 1, toString: 2, valueOf: 3 },
  true,
  2 ** 53,
  -1,
  0.5,
  'email',
  [{}],
  [null],
  { rules: null },
  { offers: [{}] },
  { id: 'x', subjectId: 'p', at: 0 },
  // JSON.stringify throws on a BigInt: error messages that quoted a value with it crashed (assertTimeZone, the
  // calendar helpers, experimentById, formatPath, resolveKpis; 2026-12-05).
  Symbol('s'),
  10n,
  () => 1,
  new Date(0),
  new Map([['a', 1]]),
  Object.create(null),
  { toString: () => { throw new Error('boom'); } },
  [Symbol('t')],
  [10n],
  { id: Symbol('u') },
  { value: 10n },
];

/** One junk value: a JSON value three times in five, a special value otherwise. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof({ weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 2, arbitrary: fc.constantFrom(...JUNK_SPECIALS) });

/** `runs` argument lists of up to four junk values, reproducible from `seed`. */
export function junkArgumentLists(runs: number, seed: number): unknown[][] {
  return fc.sample(fc.array(junkValue, { maxLength: 4 }), { numRuns: runs, seed });
}

/**
 * The first outcome of `call` over `lists` that is not a return or a `CrossChannelError` (thrown, or a rejection
 * of the promise it returns), described with its arguments; a promise still pending after `timeoutMs` counts.
 * `null` when every list gave a clean outcome.
 */
export async function firstCrash(call: (args: unknown[]) => unknown, lists: readonly unknown[][], timeoutMs = 2000): Promise<string | null> {
  for (const args of lists) {
    let outcome: unknown;
    try {
      outcome = call(args);
    } catch (e) {
      if (!isCrossChannelError(e)) return describeCrash(e, args);
      continue;
    }
    if (outcome !== null && typeof outcome === 'object' && typeof (outcome as Promise<unknown>).then === 'function') {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = await Promise.race([
        (outcome as Promise<unknown>).then(
          () => null,
          (e: unknown) => (isCrossChannelError(e) ? null : describeCrash(e, args)),
        ),
        new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve(`pending: did not settle within ${timeoutMs} ms`), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (settled !== null) return settled;
    }
  }
  return null;
}

function describeCrash(e: unknown, args: unknown[]): string {
  const what = e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 120)}` : `threw a non-error: ${String(e).slice(0, 60)}`;
  let shown: string;
  try {
    shown = JSON.stringify(args)?.slice(0, 160) ?? String(args);
  } catch {
    shown = '(unprintable)';
  }
  return `${what} | args ${shown}`;
}

/** A deep copy of plain objects and arrays (other values shared). */
function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  // Own enumerable symbol keys are kept as they are: a brand (compiled cap rules) must survive the copy.
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const symbols = Object.getOwnPropertySymbols(v).filter((k) => Object.prototype.propertyIsEnumerable.call(v, k));
    return Object.assign(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])), Object.fromEntries(symbols.map((k) => [k, (v as Record<symbol, unknown>)[k]])));
  }
  return v;
}

/** Every path into the plain objects and arrays of `v` (the root is `[]`). */
function pathsOf(v: unknown, p: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(p);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...p, i], out));
  else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) for (const [k, x] of Object.entries(v)) pathsOf(x, [...p, k], out);
  return out;
}

/**
 * `count` mutants of a valid input, reproducible from `seed`: each is a copy with one place changed — replaced by a
 * junk value, deleted, or given an unknown extra key — described by a label for failure messages. Valid inputs
 * with one bad field reach deeper than junk arguments: past the first checks, into the code that reads the field.
 */
export function mutantsOf(valid: unknown, count: number, seed: number): Array<{ value: unknown; label: string; path: ReadonlyArray<string | number> }> {
  const places = pathsOf(valid);
  const picks = fc.sample(fc.tuple(fc.nat(places.length - 1), fc.integer({ min: 0, max: 9 }), junkValue), { numRuns: count, seed });
  return picks.map(([at, how, junk]) => {
    const root = copy(valid);
    const path = places[at]!;
    if (path.length === 0) return { value: junk, label: 'root = junk', path };
    let parent = root as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    const where = path.join('.');
    if (how === 0 && !Array.isArray(parent)) {
      delete parent[last];
      return { value: root, label: `delete ${where}`, path };
    }
    if (how === 1 && !Array.isArray(parent)) {
      parent.zzExtra = junk;
      return { value: root, label: `extra key beside ${where}`, path: [...path.slice(0, -1), 'zzExtra'] };
    }
    parent[last] = junk;
    return { value: root, label: `${where} = ${describeValue(junk)}`, path };
  });
}

function describeValue(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 60);
  } catch {
    return typeof v;
  }
}

/**
 * What `f` throws, as its `CrossChannelError` code and path segments, or `'none'` when it returns; anything else
 * it throws is rethrown, so a test comparing the result fails on a crash with the crash itself.
 */
export function failureOf(f: () => unknown): { code: string; path: ReadonlyArray<string | number> } | 'none' {
  try {
    f();
  } catch (e) {
    if (!isCrossChannelError(e)) throw e;
    return { code: e.code, path: e.pathSegments };
  }
  return 'none';
}
