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
 * Runs `body` once per implementation inside `describe('<suite> — <impl>')`. Inside `body`, call `store()` in
 * tests to get the current fresh store.
 */
export function runConformance<T>(suite: string, implementations: ReadonlyArray<Implementation<T>>, body: (store: () => T) => void): void {
  for (const impl of implementations) {
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
