import { CrossChannelError } from '../../core/errors.js';
import type { EpochMs } from '../../core/time.js';
import type { JourneyInstance } from '../../journeys/instance.js';
import {
  checkJourneyInput,
  checkStoredInstance,
  type ClaimOptions,
  type EnrolResult,
  type EntryPlan,
  type JourneyClaim,
  type JourneyInput,
  type JourneyStore,
} from '../../journeys/store.js';

interface Entry {
  inst: JourneyInstance;
  /** When this instance is next due (wake-up, inbox delivery or lease expiry); null: never. */
  due: number | null;
  token: string | null;
  leaseUntil: number;
  inbox: JourneyInput[] | null;
  seen: Set<string> | null;
}

/** A binary min-heap of (due time, instance id) with lazy deletion: stale pairs are dropped when popped. */
class DueHeap {
  private t: number[] = [];
  private id: string[] = [];
  get size(): number {
    return this.t.length;
  }
  push(t: number, id: string): void {
    const a = this.t;
    const b = this.id;
    let i = a.length;
    a.push(t);
    b.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= t) break;
      a[i] = a[p]!;
      b[i] = b[p]!;
      i = p;
    }
    a[i] = t;
    b[i] = id;
  }
  peekTime(): number {
    return this.t[0]!;
  }
  peekId(): string {
    return this.id[0]!;
  }
  pop(): void {
    const a = this.t;
    const b = this.id;
    const lastT = a.pop()!;
    const lastId = b.pop()!;
    const n = a.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]! < a[l]! ? r : l;
      if (a[c]! >= lastT) break;
      a[i] = a[c]!;
      b[i] = b[c]!;
      i = c;
    }
    a[i] = lastT;
    b[i] = lastId;
  }
}

/**
 * In-process {@link JourneyStore}: instances in a `Map`, due times in a binary heap. Every method runs
 * synchronously between two awaits, so claims and enrolments are atomic within the process. For one process
 * (tests, demos, simulation); use the Redis or PostgreSQL store across processes.
 *
 * @example
 * ```ts
 * import { MemoryJourneyStore } from 'crosschannel/adapters/memory';
 * import { parseJourney, startInstance, entryPlan } from 'crosschannel/journeys';
 *
 * import type { Journey } from 'crosschannel/journeys';
 * declare const journey: Journey;
 * const store = new MemoryJourneyStore();
 * const now = Date.now();
 * await store.enrol(startInstance(journey, 'p-42', now), entryPlan(journey, now)); // { enrolled: true }
 * ```
 */
export class MemoryJourneyStore implements JourneyStore {
  readonly #byId = new Map<string, Entry>();
  /**
   * subject → the latest instance of each journey they entered (one entry, or a list when several journeys):
   * it answers both "is one active?" and "when did they last enter?" without a second key per person.
   */
  readonly #people = new Map<string, Entry | Entry[]>();
  /** journey → entry times, for entry caps. */
  readonly #capLog = new Map<string, number[]>();
  readonly #heap = new DueHeap();
  #tokens = 0;

  #latest(journeyId: string, subjectId: string): Entry | undefined {
    const v = this.#people.get(subjectId);
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v.find((e) => e.inst.journeyId === journeyId);
    return v.inst.journeyId === journeyId ? v : undefined;
  }

  #setLatest(e: Entry): void {
    const { subjectId, journeyId } = e.inst;
    const v = this.#people.get(subjectId);
    if (v === undefined || (!Array.isArray(v) && v.inst.journeyId === journeyId)) this.#people.set(subjectId, e);
    else if (!Array.isArray(v)) this.#people.set(subjectId, [v, e]);
    else {
      const i = v.findIndex((x) => x.inst.journeyId === journeyId);
      if (i >= 0) v[i] = e;
      else v.push(e);
    }
  }

  #schedule(id: string, e: Entry, due: number | null): void {
    e.due = due;
    if (due !== null) this.#heap.push(due, id);
  }

  async enrol(instance: JourneyInstance, plan: EntryPlan): Promise<EnrolResult> {
    checkStoredInstance(instance);
    const latest = this.#latest(instance.journeyId, instance.subjectId);
    if ((latest !== undefined && latest.inst.status === 'active') || this.#byId.has(instance.id)) {
      return { enrolled: false, reason: 'active', activeId: latest?.inst.status === 'active' ? latest.inst.id : instance.id };
    }
    const last = latest?.inst.enteredAt;
    if (last !== undefined) {
      if (plan.reentry === 'never') return { enrolled: false, reason: 'no_reentry' };
      if (plan.reentry === 'cooldown' && plan.enteredBefore !== null && last > plan.enteredBefore) return { enrolled: false, reason: 'cooldown' };
    }
    if (plan.cap) {
      const log = this.#capLog.get(instance.journeyId) ?? [];
      const since = plan.cap.since;
      // Entries are appended in arrival order; drop those the window no longer needs.
      if (since !== null) while (log.length > 0 && log[0]! < since) log.shift();
      if (log.length >= plan.cap.max) return { enrolled: false, reason: 'cap' };
      log.push(instance.enteredAt);
      this.#capLog.set(instance.journeyId, log);
    }
    const e: Entry = { inst: instance, due: null, token: null, leaseUntil: 0, inbox: null, seen: null };
    this.#byId.set(instance.id, e);
    this.#setLatest(e);
    this.#schedule(instance.id, e, instance.status === 'active' ? instance.wakeAt : null);
    return { enrolled: true };
  }

  async get(instanceId: string): Promise<JourneyInstance | null> {
    return this.#byId.get(instanceId)?.inst ?? null;
  }

  async activeFor(journeyId: string, subjectId: string): Promise<JourneyInstance | null> {
    const e = this.#latest(journeyId, subjectId);
    return e !== undefined && e.inst.status === 'active' ? e.inst : null;
  }

  async deliver(instanceId: string, input: JourneyInput, now: EpochMs): Promise<boolean> {
    checkJourneyInput(input);
    const e = this.#byId.get(instanceId);
    if (!e || e.inst.status !== 'active') return false;
    e.seen ??= new Set();
    if (e.seen.has(input.id)) return false;
    e.seen.add(input.id);
    (e.inbox ??= []).push(input);
    if (e.token === null && (e.due === null || e.due > now)) this.#schedule(instanceId, e, now);
    return true;
  }

  async claimDue(now: EpochMs, options: ClaimOptions): Promise<JourneyClaim[]> {
    if (!Number.isInteger(options.limit) || options.limit < 1 || !(options.leaseMs > 0)) {
      throw new CrossChannelError('INPUT_INVALID', 'claimDue needs a positive integer limit and a positive leaseMs', { path: ['options'] });
    }
    const out: JourneyClaim[] = [];
    const heap = this.#heap;
    while (out.length < options.limit && heap.size > 0 && heap.peekTime() <= now) {
      const t = heap.peekTime();
      const id = heap.peekId();
      heap.pop();
      const e = this.#byId.get(id);
      if (!e || e.due !== t) continue; // stale
      const token = `${options.owner}:${++this.#tokens}`;
      e.token = token;
      e.leaseUntil = now + options.leaseMs;
      this.#schedule(id, e, e.leaseUntil);
      out.push({ instance: e.inst, inbox: e.inbox ? e.inbox.slice() : [], token, leaseUntil: e.leaseUntil });
    }
    return out;
  }

  async complete(claim: JourneyClaim, instance: JourneyInstance, consumed: number, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    const e = this.#byId.get(claim.instance.id);
    if (!e || e.token !== claim.token || now >= e.leaseUntil || instance.id !== claim.instance.id) return false;
    e.inst = instance;
    e.token = null;
    if (e.inbox) {
      e.inbox.splice(0, consumed);
      if (e.inbox.length === 0) e.inbox = null;
    }
    const active = instance.status === 'active';
    if (!active) e.inbox = null;
    this.#schedule(instance.id, e, !active ? null : e.inbox ? now : instance.wakeAt);
    return true;
  }

  async replace(instance: JourneyInstance, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    const e = this.#byId.get(instance.id);
    if (!e || (e.token !== null && now < e.leaseUntil)) return false;
    e.inst = instance;
    e.token = null;
    this.#schedule(instance.id, e, instance.status !== 'active' ? null : e.inbox ? now : instance.wakeAt);
    return true;
  }

  async *list(journeyId: string, version?: number): AsyncIterable<JourneyInstance> {
    for (const e of [...this.#byId.values()]) if (e.inst.journeyId === journeyId && (version === undefined || e.inst.version === version)) yield e.inst;
  }

  async nextDueAt(): Promise<EpochMs | null> {
    const heap = this.#heap;
    while (heap.size > 0) {
      const e = this.#byId.get(heap.peekId());
      if (e && e.due === heap.peekTime()) return heap.peekTime();
      heap.pop();
    }
    return null;
  }

  async erase(subjectId: string): Promise<void> {
    this.#people.delete(subjectId);
    for (const [id, e] of [...this.#byId]) {
      if (e.inst.subjectId !== subjectId) continue;
      this.#byId.delete(id);
    }
  }

  /** Number of instances held (all statuses). */
  get size(): number {
    return this.#byId.size;
  }
}
