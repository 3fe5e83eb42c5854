/**
 * Stores (or any object) with one method replaced, for tests of what callers do when a store fails, hangs, answers
 * late or answers with the wrong shape.
 */

/** The replaced method's original, bound to its object. */
export type Original = (...args: unknown[]) => Promise<unknown>;

/**
 * `target` with `method` replaced by `replacement`, which receives the original (bound to `target`) and the call's
 * arguments. Every other method is bound to `target`, so classes with private fields keep working behind the proxy.
 *
 * @example
 * ```ts
 * const failing = withMethod(store, 'history', () => Promise.reject(new Error('redis down')));
 * const late = withMethod(store, 'reserve', (original, ...args) => new Promise((r) => setTimeout(() => r(original(...args)), 50)));
 * ```
 */
export function withMethod<T extends object>(target: T, method: PropertyKey, replacement: (original: Original, ...args: unknown[]) => unknown): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver) as unknown;
      if (prop === method) return (...args: unknown[]) => replacement((...a: unknown[]) => (v as (...x: unknown[]) => Promise<unknown>).apply(t, a), ...args);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}
