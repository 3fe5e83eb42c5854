import { CrossChannelError } from '../../core/errors.js';
import { lowerBoundAt, type BehaviourEvent, type BehaviourEventInput } from '../../core/records.js';
import { parseEventBatch, type EventReadOptions, type EventStore } from '../../segments/store.js';
import { checkEventRead, checkStoreId, refuseUnknownOptions } from '../store-input.js';

/** Options of {@link MemoryEventStore}; any other option is refused with `CONFIG_INVALID` at its name. */
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
 * append order) and the set of event ids seen. Stored events are frozen, so readers cannot alter history. Only
 * the events of one subject are bounded (`maxEventsPerSubject`); every subject is kept until erased — there is no
 * `maxSubjects` (refused as an unknown option). `read` takes ±Infinity as open bounds.
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
    refuseUnknownOptions(options, ['maxEventsPerSubject']);
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
    const { from, to, types } = checkEventRead(subjectId, options);
    const s = this.#subjects.get(subjectId);
    if (!s) return [];
    const lo = lowerBoundAt(s.events, from);
    const hi = lowerBoundAt(s.events, to);
    const out = s.events.slice(lo, Math.max(lo, hi));
    if (types === undefined) return out;
    const wanted = new Set(types);
    return out.filter((e) => wanted.has(e.type));
  }

  async erase(subjectId: string): Promise<number> {
    checkStoreId(subjectId, 'subjectId');
    const s = this.#subjects.get(subjectId);
    this.#subjects.delete(subjectId);
    return s ? s.events.length : 0;
  }
}
