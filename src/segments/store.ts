import { fromZodError, inputError } from '../core/errors.js';
import { behaviourEventSchema, type BehaviourEvent, type BehaviourEventInput } from '../core/records.js';
import type { EpochMs } from '../core/time.js';
import { ENGLISH } from '../core/zod.js';

/** Options of {@link EventStore.read}. */
export interface EventReadOptions {
  /** Inclusive start (default: the beginning of time). */
  readonly from?: EpochMs;
  /** Exclusive end (default: no end). */
  readonly to?: EpochMs;
  /** Only events of these types. */
  readonly types?: ReadonlyArray<string>;
}

/**
 * The store of behaviour events: what segments read and what `decide` and the demo write. Every
 * implementation (memory, PostgreSQL, an integrator's own) passes `runEventStoreConformance` from
 * `crosschannel/testing`.
 *
 * Contract:
 * - `append` validates every event first and writes all or none (`INPUT_INVALID` with the bad event's path,
 *   e.g. `[2].at`); an event with an `id` already stored for its subject is skipped (appends are idempotent),
 *   also within one call; it resolves to the number of events actually written.
 * - `read` returns one subject's events with `from ≤ at < to`, sorted by `at`, equal times in append order.
 * - `erase` deletes everything of one subject (right to erasure) and resolves to the number removed.
 *
 * @example
 * ```ts
 * const store: EventStore = new MemoryEventStore();
 * await store.append([{ id: 'e1', subjectId: 'p1', type: 'page_view', at: '2026-01-05T10:00:00Z' }]);
 * const events = await store.read('p1', { from: Date.UTC(2026, 0, 1) });
 * ```
 */
export interface EventStore {
  append(events: ReadonlyArray<BehaviourEventInput | BehaviourEvent>): Promise<number>;
  read(subjectId: string, options?: EventReadOptions): Promise<BehaviourEvent[]>;
  erase(subjectId: string): Promise<number>;
}

/**
 * Parses a batch of events before any write, so that a bad event leaves a store untouched: throws
 * `INPUT_INVALID` with the path of the bad field (`[2].at`). For store implementations.
 *
 * @example
 * ```ts
 * const parsed = parseEventBatch([{ subjectId: 'p1', type: 'page_view', at: '2026-01-05T10:00:00Z' }]);
 * ```
 */
export function parseEventBatch(events: ReadonlyArray<BehaviourEventInput | BehaviourEvent>): BehaviourEvent[] {
  if (!Array.isArray(events)) throw inputError('append takes an array of events', []);
  return events.map((e, i) => {
    const r = behaviourEventSchema.safeParse(e, ENGLISH);
    if (!r.success) throw fromZodError(r.error, 'INPUT_INVALID', [i]);
    return r.data;
  });
}

