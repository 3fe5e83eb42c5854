/**
 * Reading and writing records keyed by data. Ids, names and channels are data: an offer may be called
 * `constructor`, a journey step `toString`, an attribute `__proto__` (`JSON.parse` makes such keys own
 * properties). `o[k]` would read an inherited member of Object.prototype for the first two, and `o[k] = v` would
 * set the prototype for the last. Internal to the package (not exported from any entry).
 */

/**
 * `o[k]` when `k` is an own key of `o`, else `undefined` (also for a missing `o`).
 *
 * @example
 * ```text
 * ownValue({ a: 1 }, 'a');           // 1
 * ownValue({ a: 1 }, 'constructor'); // undefined, not Object
 * ```
 */
export function ownValue<T>(o: Readonly<Record<string, T>> | null | undefined, k: string): T | undefined {
  return o != null && Object.hasOwn(o, k) ? o[k] : undefined;
}

/**
 * `o[k] = v` as an own, enumerable data property, `__proto__` included (where assignment would set the
 * prototype instead): what a spread or `Object.fromEntries` makes.
 *
 * @example
 * ```text
 * const o = {};
 * setOwn(o, '__proto__', 1);
 * Object.keys(o); // ['__proto__']
 * ```
 */
export function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
