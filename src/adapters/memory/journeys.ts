import type { EpochMs } from '../../core/time.js';
import type { JourneyInstance } from '../../journeys/instance.js';
import { refuseUnknownOptions } from '../store-input.js';
import {
  checkJourneyInput,
  checkStoredInstance,
  deliverySubjectError,
  inputSubject,
  replaceConflictError,
  checkReplaceIdentity,
  type ClaimOptions,
  type EnrolResult,
  type EntryPlan,
  type JourneyClaim,
  type JourneyInput,
  type JourneyStore,
  validateClaim,
  validateCompletion,
  validateDelivery,
  validateEntryPlan,
  validateReplacement,
} from '../../journeys/store.js';

/** The number of items of ascending `a` below `t` (`orEqual`: at or below it, where `t` goes after its equals). */
function countBelow(a: number[], t: number, orEqual: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < t || (orEqual && a[mid] === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when (t, id) comes before (u, jd): due time, then instance id in UTF-16 code-unit order (JavaScript's `<`), the claim order of every store. */
const before = (t: number, id: string, u: number, jd: string): boolean => t < u || (t === u && id < jd);

/** A binary min-heap of (due time, instance id) in claim order, with lazy deletion: stale pairs are dropped when popped. */
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
      if (!before(t, id, a[p]!, b[p]!)) break;
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
      const c = r < n && before(a[r]!, b[r]!, a[l]!, b[l]!) ? r : l;
      if (!before(a[c]!, b[c]!, lastT, lastId)) break;
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
  // A waiting instance costs its own object plus one map entry and one heap slot: leases, inboxes and seen ids
  // live in side maps that only the few instances being processed or receiving inputs occupy.
  readonly #byId = new Map<string, JourneyInstance>();
  /**
   * subject → the latest instance of each journey they entered (one, or a list when several journeys): it
   * answers both "is one active?" and "when did they last enter?" without a second key per person.
   */
  readonly #people = new Map<string, JourneyInstance | JourneyInstance[]>();
  readonly #leases = new Map<string, { token: string; until: number }>();
  readonly #inbox = new Map<string, JourneyInput[]>();
  /** When unread inputs made an instance due: the earlier of its due time and a delivery's `now`, or a completion's (or replacement's) `now` that left some unread, whatever its wake-up. */
  readonly #inboxDue = new Map<string, number>();
  readonly #seen = new Map<string, Set<string>>();
  /** journey → its entries (times ascending, instance ids beside), for entry caps; an erased person's are removed. */
  readonly #capLog = new Map<string, { at: number[]; id: string[] }>();
  /**
   * subject → journey → when they last entered it, only while `#people` holds an older instance that `replace` made
   * active again (rare: it keeps re-entry rules on the latest entry without a second field per person).
   */
  readonly #entered = new Map<string, Map<string, number>>();
  readonly #heap = new DueHeap();
  #tokens = 0;

  /** Takes no options: anything passed from plain JavaScript is `CONFIG_INVALID` (a typo is not ignored). */
  constructor(options?: Readonly<Record<string, never>>) {
    refuseUnknownOptions(options, []);
  }

  #latest(journeyId: string, subjectId: string): JourneyInstance | undefined {
    const v = this.#people.get(subjectId);
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v.find((e) => e.journeyId === journeyId);
    return v.journeyId === journeyId ? v : undefined;
  }

  /** Records `inst` as the latest of its journey for its person (or refreshes it when it is that one). */
  #setLatest(inst: JourneyInstance, onlyIfSameId = false): void {
    const { subjectId, journeyId } = inst;
    const v = this.#people.get(subjectId);
    if (v === undefined) {
      if (!onlyIfSameId) this.#people.set(subjectId, inst);
    } else if (!Array.isArray(v)) {
      if (v.journeyId === journeyId) {
        if (!onlyIfSameId || v.id === inst.id) this.#people.set(subjectId, inst);
      } else if (!onlyIfSameId) this.#people.set(subjectId, [v, inst]);
    } else {
      const i = v.findIndex((x) => x.journeyId === journeyId);
      if (i >= 0) {
        if (!onlyIfSameId || v[i]!.id === inst.id) v[i] = inst;
      } else if (!onlyIfSameId) v.push(inst);
    }
  }

  /** The instance's current due time: its lease end, else when unread inputs made it due, else its wake-up. */
  #dueOf(id: string): number | null | undefined {
    const inst = this.#byId.get(id);
    if (inst === undefined) return undefined;
    const lease = this.#leases.get(id);
    if (lease !== undefined) return lease.until;
    if (inst.status !== 'active') return null;
    return this.#inboxDue.get(id) ?? inst.wakeAt;
  }

  #schedule(id: string): void {
    const due = this.#dueOf(id);
    if (due !== null && due !== undefined) this.#heap.push(due, id);
  }

  async enrol(instance: JourneyInstance, plan: EntryPlan): Promise<EnrolResult> {
    checkStoredInstance(instance);
    validateEntryPlan(plan);
    const latest = this.#latest(instance.journeyId, instance.subjectId);
    if ((latest !== undefined && latest.status === 'active') || this.#byId.has(instance.id)) {
      return { enrolled: false, reason: 'active', activeId: latest?.status === 'active' ? latest.id : instance.id };
    }
    const last = this.#entered.get(instance.subjectId)?.get(instance.journeyId) ?? latest?.enteredAt;
    if (last !== undefined) {
      if (plan.reentry === 'never') return { enrolled: false, reason: 'no_reentry' };
      if (plan.reentry === 'cooldown' && plan.enteredBefore !== null && last > plan.enteredBefore) return { enrolled: false, reason: 'cooldown' };
    }
    if (plan.cap) {
      let log = this.#capLog.get(instance.journeyId);
      if (log === undefined) this.#capLog.set(instance.journeyId, (log = { at: [], id: [] }));
      const since = plan.cap.since;
      // Kept in time order (entries may arrive out of it): those before the window are a prefix, dropped at once.
      if (since !== null) {
        const n = countBelow(log.at, since, false);
        if (n > 0) {
          log.at.splice(0, n);
          log.id.splice(0, n);
        }
      }
      if (log.at.length >= plan.cap.max) return { enrolled: false, reason: 'cap' };
      const k = countBelow(log.at, instance.enteredAt, true);
      log.at.splice(k, 0, instance.enteredAt);
      log.id.splice(k, 0, instance.id);
    }
    this.#byId.set(instance.id, instance);
    this.#entered.get(instance.subjectId)?.delete(instance.journeyId);
    this.#setLatest(instance);
    this.#schedule(instance.id);
    return { enrolled: true };
  }

  async get(instanceId: string): Promise<JourneyInstance | null> {
    return this.#byId.get(instanceId) ?? null;
  }

  async activeFor(journeyId: string, subjectId: string): Promise<JourneyInstance | null> {
    const e = this.#latest(journeyId, subjectId);
    return e !== undefined && e.status === 'active' ? e : null;
  }

  async deliver(instanceId: string, input: JourneyInput, now: EpochMs): Promise<boolean> {
    checkJourneyInput(input);
    validateDelivery(instanceId, now);
    const inst = this.#byId.get(instanceId);
    if (inst !== undefined && inst.subjectId !== inputSubject(input)) throw deliverySubjectError(input, inst.subjectId);
    if (!inst || inst.status !== 'active') return false;
    let seen = this.#seen.get(instanceId);
    if (seen === undefined) this.#seen.set(instanceId, (seen = new Set()));
    if (seen.has(input.id)) return false;
    seen.add(input.id);
    const box = this.#inbox.get(instanceId);
    if (box) box.push(input);
    else this.#inbox.set(instanceId, [input]);
    const before = this.#dueOf(instanceId);
    this.#inboxDue.set(instanceId, Math.min(this.#inboxDue.get(instanceId) ?? inst.wakeAt ?? now, now));
    if (this.#dueOf(instanceId) !== before) this.#schedule(instanceId);
    return true;
  }

  async claimDue(now: EpochMs, options: ClaimOptions): Promise<JourneyClaim[]> {
    validateClaim(now, options);
    const out: JourneyClaim[] = [];
    const heap = this.#heap;
    while (out.length < options.limit && heap.size > 0 && heap.peekTime() <= now) {
      const t = heap.peekTime();
      const id = heap.peekId();
      heap.pop();
      if (this.#dueOf(id) !== t) continue; // stale
      const token = `${options.owner}:${++this.#tokens}`;
      const until = now + options.leaseMs;
      this.#leases.set(id, { token, until });
      this.#heap.push(until, id);
      out.push({ instance: this.#byId.get(id)!, inbox: this.#inbox.get(id)?.slice() ?? [], token, leaseUntil: until });
    }
    return out;
  }

  async complete(claim: JourneyClaim, instance: JourneyInstance, consumed: number, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    validateCompletion(claim, consumed, now);
    const id = claim.instance.id;
    const lease = this.#leases.get(id);
    if (!this.#byId.has(id) || lease === undefined || lease.token !== claim.token || now >= lease.until || instance.id !== id) return false;
    this.#byId.set(id, instance);
    this.#leases.delete(id);
    this.#setLatest(instance, true);
    const box = this.#inbox.get(id);
    if (box) box.splice(0, consumed);
    if (instance.status !== 'active' || !box || box.length === 0) {
      this.#inbox.delete(id);
      this.#inboxDue.delete(id);
    } else this.#inboxDue.set(id, now);
    this.#schedule(id);
    return true;
  }

  async replace(instance: JourneyInstance, now: EpochMs): Promise<boolean> {
    validateReplacement(instance, now);
    const cur = this.#byId.get(instance.id);
    if (cur === undefined) return false;
    checkReplaceIdentity(cur, instance);
    const lease = this.#leases.get(instance.id);
    if (lease !== undefined && now < lease.until) return false;
    const latest = this.#latest(instance.journeyId, instance.subjectId);
    if (instance.status === 'active' && latest !== undefined && latest.id !== instance.id) {
      if (latest.status === 'active') throw replaceConflictError(instance, latest.id);
      // An older instance made active again: it answers activeFor; the re-entry rules keep the latest entry's time.
      let entered = this.#entered.get(instance.subjectId);
      if (entered === undefined) this.#entered.set(instance.subjectId, (entered = new Map()));
      if (!entered.has(instance.journeyId)) entered.set(instance.journeyId, latest.enteredAt);
      this.#setLatest(instance);
    }
    this.#byId.set(instance.id, instance);
    this.#leases.delete(instance.id);
    this.#setLatest(instance, true);
    if (this.#inbox.has(instance.id)) this.#inboxDue.set(instance.id, now);
    this.#schedule(instance.id);
    return true;
  }

  async *list(journeyId: string, version?: number): AsyncIterable<JourneyInstance> {
    for (const inst of [...this.#byId.values()]) if (inst.journeyId === journeyId && (version === undefined || inst.version === version)) yield inst;
  }

  async nextDueAt(): Promise<EpochMs | null> {
    const heap = this.#heap;
    while (heap.size > 0) {
      if (this.#dueOf(heap.peekId()) === heap.peekTime()) return heap.peekTime();
      heap.pop();
    }
    return null;
  }

  async erase(subjectId: string): Promise<void> {
    this.#people.delete(subjectId);
    this.#entered.delete(subjectId);
    for (const [id, inst] of [...this.#byId]) {
      if (inst.subjectId !== subjectId) continue;
      // Their entries no longer count toward the journey's cap (as the Redis and PostgreSQL stores delete theirs).
      const log = this.#capLog.get(inst.journeyId);
      const k = log === undefined ? -1 : log.id.indexOf(id);
      if (k >= 0) {
        log!.at.splice(k, 1);
        log!.id.splice(k, 1);
      }
      this.#byId.delete(id);
      this.#leases.delete(id);
      this.#inbox.delete(id);
      this.#inboxDue.delete(id);
      this.#seen.delete(id);
    }
  }

  /** Number of instances held (all statuses). */
  get size(): number {
    return this.#byId.size;
  }
}
