import { expectOptions } from '../../core/guards.js';
import { CrossChannelError } from '../../core/errors.js';
import { lowerBoundAt, type BehaviourEvent, type BehaviourEventInput } from '../../core/records.js';
import { parseEventBatch, type EventReadOptions, type EventStore } from '../../segments/store.js';

/** Options of {@link MemoryEventStore}. */
export interface MemoryEventStoreOptions {
  /** Most events kept per subject; the oldest are dropped first (default 10,000). */
  readonly maxEventsPerSubject?: number;
}

interface SubjectEvents {
  events: BehaviourEvent[];
  ids: Set<string>;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * In-process {@link EventStore}: per subject, an array kept sorted by `at` (insertion after equal times keeps
 * append order) and the set of event ids seen. Stored events are frozen, so readers cannot alter history.
 *
 * @example
 * ```ts
 * const store = new MemoryEventStore({ maxEventsPerSubject: 1000 });
 * await store.append([{ subjectId: 'p1', type: 'cart_add', at: 1_000, properties: { sku: 'A1' } }]);
 * await store.read('p1'); // [{ subjectId: 'p1', type: 'cart_add', at: 1000, properties: { sku: 'A1' } }]
 * ```
 */
export class MemoryEventStore implements EventStore {
  readonly #subjects = new Map<string, SubjectEvents>();
  readonly #max: number;

  constructor(options: MemoryEventStoreOptions = {}) {
    expectOptions(options, ['options']);
    const max = options.maxEventsPerSubject ?? 10_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new CrossChannelError('CONFIG_INVALID', 'maxEventsPerSubject must be a positive integer', { path: ['maxEventsPerSubject'] });
    }
    this.#max = max;
  }

  async append(events: ReadonlyArray<BehaviourEventInput | BehaviourEvent>): Promise<number> {
    const parsed = parseEventBatch(events);
    let written = 0;
    for (const e of parsed) {
      let s = this.#subjects.get(e.subjectId);
      if (!s) {
        s = { events: [], ids: new Set() };
        this.#subjects.set(e.subjectId, s);
      }
      if (e.id !== undefined) {
        if (s.ids.has(e.id)) continue;
        s.ids.add(e.id);
      }
      // Upper bound of e.at: after every event at the same time, so equal times keep append order.
      const at = lowerBoundAt(s.events, e.at + 1);
      s.events.splice(at, 0, deepFreeze(e));
      written++;
      if (s.events.length > this.#max) {
        const dropped = s.events.splice(0, s.events.length - this.#max);
        for (const d of dropped) if (d.id !== undefined) s.ids.delete(d.id);
      }
    }
    return written;
  }

  async read(subjectId: string, options: EventReadOptions = {}): Promise<BehaviourEvent[]> {
    const s = this.#subjects.get(subjectId);
    if (!s) return [];
    const lo = options.from === undefined ? 0 : lowerBoundAt(s.events, options.from);
    const hi = options.to === undefined ? s.events.length : lowerBoundAt(s.events, options.to);
    const out = s.events.slice(lo, Math.max(lo, hi));
    if (options.types === undefined) return out;
    const types = new Set(options.types);
    return out.filter((e) => types.has(e.type));
  }

  async erase(subjectId: string): Promise<number> {
    const s = this.#subjects.get(subjectId);
    this.#subjects.delete(subjectId);
    return s ? s.events.length : 0;
  }
}
