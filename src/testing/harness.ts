/**
 * Generic conformance harness: one suite body, run against every implementation of a store interface. Each
 * test gets a fresh store from `create()`; `destroy()` runs after it. An implementation whose engine is
 * unavailable locally sets `skip` (the Redis setup makes that impossible under CI).
 */
import { afterEach, beforeEach, describe } from 'vitest';

export interface Implementation<T> {
  /** Shown in test names: `memory`, `redis`, `postgres (PGlite)`. */
  readonly name: string;
  create(): Promise<T> | T;
  destroy?(store: T): Promise<void> | void;
  /** Skip this implementation (e.g. no redis-server outside CI). */
  readonly skip?: boolean;
}

/**
 * What a conformance runner takes: a list of named implementations, one implementation, or just a factory of
 * fresh stores (`() => new MyStore()`, named `custom` in test names).
 */
export type ConformanceTargets<T> = ReadonlyArray<Implementation<T>> | Implementation<T> | (() => Promise<T> | T);

/**
 * The list form of any {@link ConformanceTargets}.
 *
 * @example
 * ```ts
 * import { MemoryContactHistoryStore } from 'crosschannel/adapters/memory';
 *
 * implementationsOf(() => new MemoryContactHistoryStore()).map((i) => i.name); // ['custom']
 * ```
 */
export function implementationsOf<T>(targets: ConformanceTargets<T>): ReadonlyArray<Implementation<T>> {
  if (typeof targets === 'function') return [{ name: 'custom', create: targets }];
  return Array.isArray(targets) ? (targets as ReadonlyArray<Implementation<T>>) : [targets as Implementation<T>];
}

/**
 * Runs `body` once per implementation inside `describe('<suite> — <impl>')`. Inside `body`, call `store()` in
 * tests to get the current fresh store.
 *
 * @example
 * ```ts
 * import { it, expect } from 'vitest';
 * import { runConformance } from 'crosschannel/testing';
 *
 * interface Counter { add(n: number): Promise<number> }
 * declare function openCounter(): Promise<Counter>;
 *
 * runConformance<Counter>('Counter', () => openCounter(), (store) => {
 *   it('adds', async () => {
 *     expect(await store().add(2)).toBe(2);
 *   });
 * });
 * ```
 */
export function runConformance<T>(suite: string, targets: ConformanceTargets<T>, body: (store: () => T) => void): void {
  for (const impl of implementationsOf(targets)) {
    describe.skipIf(impl.skip === true)(`${suite} — ${impl.name}`, () => {
      let current: T | undefined;
      beforeEach(async () => {
        current = await impl.create();
      });
      afterEach(async () => {
        if (current !== undefined && impl.destroy) await impl.destroy(current);
        current = undefined;
      });
      body(() => {
        if (current === undefined) throw new Error('store() called outside a test');
        return current;
      });
    });
  }
}
