import type { LRUCache } from 'lru-cache';
import { CrossChannelError } from '../../core/errors.js';
import { lowerBoundAt, parseResponseRecord, type ContactRecord, type ContactRecordInput, type History, type ResponseRecord, type ResponseRecordInput } from '../../core/records.js';
import { durationToMs, type DurationInput, type EpochMs } from '../../core/time.js';
import { capDecision } from '../../capping/evaluate.js';
import { reservationKey, toContactRecord } from '../../capping/contact.js';
import type { CompiledCapRules } from '../../capping/rules.js';
import type { ContactHistoryStore, RecordedContact, Reservation, ReserveOptions } from '../../capping/store.js';
import { compareCodePoints } from '../../segments/text.js';
import { boundedLru } from './lru.js';
import { checkBound, checkStoreId, refuseUnknownOptions } from '../store-input.js';

/**
 * Options of {@link MemoryContactHistoryStore}.
 *
 * @example
 * ```ts
 * new MemoryContactHistoryStore({ maxSubjects: 50_000, retention: '120d' });
 * ```
 */
export interface MemoryContactHistoryStoreOptions {
  /** Most subjects kept; the least recently written is evicted first (default 100,000). */
  readonly maxSubjects?: number;
  /**
   * How long records are kept (default `'400d'`), judged on the `now` of each reservation, never on the wall
   * clock: a reservation first drops its subject's records older than `now − retention`, and the idempotency keys of
   * those contacts (a retry with such a key is a new reservation). Must exceed the longest
   * window of your rules. (The subject count is bounded by `maxSubjects`, least recently written dropped first.)
   */
  readonly retention?: DurationInput;
}

interface SubjectLog {
  contacts: ContactRecord[];
  responses: ResponseRecord[];
  outcomes: Map<string, Reservation>;
  /** Earliest contact `at` among `outcomes`, so trimming skips the map when nothing in it can be stale. */
  oldestOutcomeAt: EpochMs;
}

/**
 * In-process {@link ContactHistoryStore} on `lru-cache`, bounded by subject count. Retention is judged at each
 * reservation's `now` (no hidden clock: a simulation that holds `now` keeps its history however much wall time
 * passes, and one subject's times never trim another's). Reservations are atomic because each one runs synchronously between
 * two awaits of the event loop.
 *
 * @example
 * ```ts
 * const store = new MemoryContactHistoryStore({ maxSubjects: 10_000, retention: '90d' });
 * const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 2, window: 'day' }] });
 * const r = await store.reserve({ id: 'c1', subjectId: 'p1', channel: 'email', at: Date.parse('2026-01-05T09:00:00Z') }, caps);
 * r.granted; // true
 * ```
 */
export class MemoryContactHistoryStore implements ContactHistoryStore {
  readonly #subjects: LRUCache<string, SubjectLog>;
  readonly #retentionMs: number;

  constructor(options: MemoryContactHistoryStoreOptions = {}) {
    refuseUnknownOptions(options, ['maxSubjects', 'retention']);
    const max = options.maxSubjects ?? 100_000;
    this.#retentionMs = durationToMs(options.retention ?? '400d', ['retention']);
    if (this.#retentionMs <= 0) throw new CrossChannelError('CONFIG_INVALID', 'retention must be longer than 0', { path: ['retention'] });
    // No TTL: lru-cache's TTL runs on the wall clock; retention is judged at each reservation's `now`.
    this.#subjects = boundedLru<string, SubjectLog>(max, 'maxSubjects');
  }

  async recordContact(input: ContactRecordInput): Promise<RecordedContact> {
    const contact = freezeContact(toContactRecord(input));
    const log = this.#log(contact.subjectId);
    const key = contact.idempotencyKey;
    if (key !== undefined) {
      const prior = log.outcomes.get(key);
      // A key is kept as long as its contact: judged at this contact's `at`, an aged-out one is forgotten.
      if (prior !== undefined && prior.contact.at >= contact.at - this.#retentionMs) return { recorded: false, contact: prior.contact };
    }
    // The same id at the same instant is the same contact: nothing is added, its key not kept.
    if (hasSame(log.contacts, contact)) return { recorded: false, contact };
    insertSorted(log.contacts, contact);
    if (key !== undefined) remember(log, key, { granted: true, decision: { allowed: true, reasons: [], nextAllowedAt: contact.at }, contact, replayed: false });
    this.#subjects.set(contact.subjectId, log);
    return { recorded: true, contact };
  }

  async recordResponse(input: ResponseRecordInput): Promise<void> {
    const response = parseResponseRecord(input);
    Object.freeze(response.tags);
    Object.freeze(response);
    const log = this.#log(response.subjectId);
    // Identical records are one response (as Redis files them: one member); another with its id and time is kept.
    const json = JSON.stringify(response);
    for (let i = lowerBoundAt(log.responses, response.at); i < log.responses.length && log.responses[i]!.at === response.at; i++) if (JSON.stringify(log.responses[i]) === json) return;
    insertSorted(log.responses, response);
    this.#subjects.set(response.subjectId, log);
  }

  async history(subjectId: string, since: EpochMs = Number.NEGATIVE_INFINITY): Promise<History> {
    checkStoreId(subjectId, 'subjectId');
    checkBound(since, 'since');
    const log = this.#subjects.get(subjectId);
    if (log === undefined) return { subjectId, contacts: [], responses: [], events: [] };
    return {
      subjectId,
      contacts: log.contacts.slice(lowerBoundAt(log.contacts, since)),
      responses: log.responses.slice(lowerBoundAt(log.responses, since)),
      events: [],
    };
  }

  async reserve(input: ContactRecordInput, rules: CompiledCapRules, options: ReserveOptions = {}): Promise<Reservation> {
    const contact = freezeContact(toContactRecord(input));
    const now = options.now ?? contact.at;
    const log = this.#log(contact.subjectId);
    const { key, explicit } = reservationKey(contact);
    // Trimmed first: a key whose contact is older than `now − retention` is forgotten, as the contact is.
    trimBefore(log, now - this.#retentionMs);
    const prior = log.outcomes.get(key);
    if (prior !== undefined) return { ...prior, replayed: true };
    const decision = capDecision(log, rules, options.priority === undefined ? contact : { ...contact, priority: options.priority }, { now, timeZone: options.timeZone });
    // The same id at the same instant is the same contact, whatever its other fields or key: stored once.
    if (decision.allowed && !hasSame(log.contacts, contact)) insertSorted(log.contacts, contact);
    const outcome: Reservation = { granted: decision.allowed, decision, contact, replayed: false };
    if (explicit || outcome.granted) remember(log, key, outcome);
    this.#subjects.set(contact.subjectId, log);
    return outcome;
  }

  async prune(before: EpochMs): Promise<number> {
    checkBound(before, 'before');
    let removed = 0;
    for (const [subjectId, log] of this.#subjects.entries()) {
      removed += trimBefore(log, before);
      if (log.contacts.length === 0 && log.responses.length === 0 && log.outcomes.size === 0) this.#subjects.delete(subjectId);
    }
    return removed;
  }

  async erase(subjectId: string): Promise<void> {
    checkStoreId(subjectId, 'subjectId');
    this.#subjects.delete(subjectId);
  }

  #log(subjectId: string): SubjectLog {
    let log = this.#subjects.get(subjectId);
    if (log === undefined) {
      log = { contacts: [], responses: [], outcomes: new Map(), oldestOutcomeAt: Number.POSITIVE_INFINITY };
      this.#subjects.set(subjectId, log);
    }
    return log;
  }
}

function freezeContact(c: ContactRecord): ContactRecord {
  Object.freeze(c.tags);
  return Object.freeze(c);
}

/**
 * Inserts keeping the list sorted by `at`, then by `id` in code-point order (the UTF-8 byte order Redis sorts
 * members of one score in), then in insertion order: every store lists one instant alike.
 */
function insertSorted<T extends { at: EpochMs; id: string }>(list: T[], rec: T): void {
  let i = lowerBoundAt(list, rec.at);
  while (i < list.length && list[i]!.at === rec.at && compareCodePoints(rec.id, list[i]!.id) >= 0) i++;
  if (i === list.length) list.push(rec);
  else list.splice(i, 0, rec);
}

function hasSame(list: ReadonlyArray<{ id: string; at: EpochMs }>, rec: { id: string; at: EpochMs }): boolean {
  for (let i = lowerBoundAt(list, rec.at); i < list.length && list[i]!.at === rec.at; i++) if (list[i]!.id === rec.id) return true;
  return false;
}

function trimBefore(log: SubjectLog, before: EpochMs): number {
  const c = lowerBoundAt(log.contacts, before);
  const r = lowerBoundAt(log.responses, before);
  if (c > 0) log.contacts.splice(0, c);
  if (r > 0) log.responses.splice(0, r);
  if (log.oldestOutcomeAt < before) {
    let oldest = Number.POSITIVE_INFINITY;
    for (const [key, outcome] of log.outcomes) {
      if (outcome.contact.at < before) log.outcomes.delete(key);
      else if (outcome.contact.at < oldest) oldest = outcome.contact.at;
    }
    log.oldestOutcomeAt = oldest;
  }
  return c + r;
}

function remember(log: SubjectLog, key: string, outcome: Reservation): void {
  log.outcomes.set(key, outcome);
  if (outcome.contact.at < log.oldestOutcomeAt) log.oldestOutcomeAt = outcome.contact.at;
}
