import type { ContactRecord, ContactRecordInput, History, ResponseRecordInput } from '../core/records.js';
import type { EpochMs } from '../core/time.js';
import type { CapDecision } from './evaluate.js';
import type { CompiledCapRules } from './rules.js';

/**
 * Options of {@link ContactHistoryStore.reserve}.
 *
 * @example
 * ```ts
 * declare const store: ContactHistoryStore;
 * declare const contact: ContactRecordInput;
 * declare const caps: CompiledCapRules;
 *
 * await store.reserve(contact, caps, { timeZone: 'Asia/Kolkata', priority: 10 });
 * ```
 */
export interface ReserveOptions {
  /** Instant the caps are evaluated at (default: the contact's `at`). */
  readonly now?: EpochMs | undefined;
  /** The subject's IANA zone (default: the rule set's `timeZone`). */
  readonly timeZone?: string | undefined;
  /** Priority of the message, for limit rules that reserve slots (default 0). */
  readonly priority?: number | undefined;
}

/**
 * The outcome of an atomic reservation.
 *
 * @example
 * ```ts
 * declare const store: ContactHistoryStore;
 * declare const contact: ContactRecordInput;
 * declare const caps: CompiledCapRules;
 *
 * const r: Reservation = await store.reserve(contact, caps);
 * if (!r.granted) console.log(r.decision.reasons.map((x) => x.code), r.decision.nextAllowedAt);
 * ```
 */
export interface Reservation {
  /** True when the caps allowed the contact and it is now recorded. */
  readonly granted: boolean;
  /** The capping decision (reasons, `nextAllowedAt`). */
  readonly decision: CapDecision;
  /** The contact as parsed (on a replay: the contact of the original reservation). */
  readonly contact: ContactRecord;
  /** True when this answer replays an earlier reservation made with the same idempotency key. */
  readonly replayed: boolean;
}

/**
 * The outcome of {@link ContactHistoryStore.recordContact}.
 *
 * @example
 * ```ts
 * declare const store: ContactHistoryStore;
 * declare const now: number;
 *
 * const { recorded } = await store.recordContact({ id: 'c1', subjectId: 'p1', channel: 'email', at: now, idempotencyKey: 'k1' });
 * ```
 */
export interface RecordedContact {
  /** False when the idempotency key (or the identical record) was already there: nothing was added. */
  readonly recorded: boolean;
  readonly contact: ContactRecord;
}

/**
 * THE shared contact history of the library: contacts and responses of every channel, per subject. Capping
 * reserves through it; arbitration and `decide` read {@link History} views from it. Implementations:
 * `MemoryContactHistoryStore` (`crosschannel/adapters/memory`), `RedisContactHistoryStore`
 * (`crosschannel/adapters/redis`); `runContactHistoryStoreConformance` (`crosschannel/testing`) is the contract.
 *
 * Idempotency: a contact carrying an `idempotencyKey` is recorded at most once per subject; a reservation retried
 * with the same key returns the original outcome (granted or not) and counts once. A reservation without a key
 * is keyed by its contact id: a granted one is replayed to a retry with the same id (a refusal is not kept).
 *
 * @example
 * ```ts
 * declare const caps: CompiledCapRules;
 * declare const now: number;
 * declare function sendSms(): Promise<void>;
 *
 * const store: ContactHistoryStore = new MemoryContactHistoryStore();
 * const r = await store.reserve({ id: 'c1', subjectId: 'p1', channel: 'sms', at: now, idempotencyKey: 'send-1' }, caps, { timeZone: 'Europe/Paris' });
 * if (r.granted) await sendSms();
 * ```
 */
export interface ContactHistoryStore {
  /** Records a contact that happened (no caps checked). Throws `INPUT_INVALID` on a malformed record. */
  recordContact(contact: ContactRecordInput): Promise<RecordedContact>;
  /** Records a response (identical records are stored once; another under the same id and `at` is kept). Throws `INPUT_INVALID` on a malformed record. */
  recordResponse(response: ResponseRecordInput): Promise<void>;
  /**
   * The subject's contacts and responses with `at >= since` (default: all kept), sorted by `at`, one instant by id in
   * code-point order (responses sharing an id and an instant: any order); `events` is empty.
   */
  history(subjectId: string, since?: EpochMs): Promise<History>;
  /**
   * Atomically evaluates `rules` for `contact` against the subject's history and records it when allowed: racing
   * callers never get more contacts through than the caps allow.
   */
  reserve(contact: ContactRecordInput, rules: CompiledCapRules, options?: ReserveOptions): Promise<Reservation>;
  /** Deletes contacts and responses with `at < before` (and idempotency entries of such contacts); returns how many records went. */
  prune(before: EpochMs): Promise<number>;
  /** Deletes everything about a subject (right to erasure). */
  erase(subjectId: string): Promise<void>;
}
