/** The memory stores' bounded maps (internal to the adapter: not exported from its entry). */
import { LRUCache } from 'lru-cache';
import { CrossChannelError } from '../../core/errors.js';

/** Every entry weighs 1 against `maxSize`, so the bound is a number of entries. */
const one = (): number => 1;

/**
 * An LRU map of at most `maxEntries` entries, the least recently used evicted first, with an optional TTL (age
 * counted from the last write). Bounded through lru-cache's `maxSize` at one per entry rather than its `max`: with
 * `max`, lru-cache allocates its index arrays for every slot up front (≈ 43 B a slot with a TTL: 4.3 MB and
 * ≈ 10 ms for an empty store at the default 100,000 subjects), while under `maxSize` they grow with the entries.
 * Which entry is evicted, and when, is the same. Throws `CONFIG_INVALID` at `path` unless `maxEntries` is a
 * positive integer.
 *
 * @example
 * ```text
 * const subjects = boundedLru<string, SubjectLog>(100_000, 'maxSubjects', 400 * 86_400_000);
 * ```
 */
export function boundedLru<K extends {}, V extends {}>(maxEntries: unknown, path: string, ttl?: number): LRUCache<K, V> {
  if (typeof maxEntries !== 'number' || !Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new CrossChannelError('CONFIG_INVALID', `${path} must be a positive integer`, { path: [path] });
  }
  return new LRUCache<K, V>(ttl === undefined ? { maxSize: maxEntries, sizeCalculation: one } : { maxSize: maxEntries, sizeCalculation: one, ttl, updateAgeOnGet: false });
}
