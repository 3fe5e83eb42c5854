import type { LRUCache } from 'lru-cache';
import { CrossChannelError } from '../../core/errors.js';
import { saltedSha256Hex } from '../../core/hash.js';
import type { EpochMs } from '../../core/time.js';
import { parseConsentEvent, type ConsentEvent } from '../../consent/ledger.js';
import { sameConsentEvent, type ConsentStore, type ConsentErasureReceipt } from '../../consent/store.js';
import { boundedLru } from './lru.js';
import { checkStoreId, refuseUnknownOptions } from '../store-input.js';

/**
 * Options of {@link MemoryConsentStore}.
 *
 * @example
 * ```ts
 * const options: MemoryConsentStoreOptions = { erasureSalt: 'pepper', maxSubjects: 10_000 };
 * ```
 */
export interface MemoryConsentStoreOptions {
  /** Salt for the erasure receipts' subject hash. Keep it secret and stable. Required. */
  readonly erasureSalt: string;
  /**
   * Most subjects kept (least recently used evicted first). Default 100,000. Eviction loses ledger data, so
   * size it above your subject count: memory is for tests, demos and single-process services. Erasure receipts
   * are not evicted: they are kept apart, one per erased subject (a hash and two numbers, about 200 bytes).
   */
  readonly maxSubjects?: number;
  /** Most events per subject (appends beyond fail with `STORE_CONFLICT`). Default 10,000. */
  readonly maxEventsPerSubject?: number;
}

/**
 * In-process {@link ConsentStore}: the ledgers bounded with lru-cache (`maxSubjects`), the erasure receipts kept
 * apart and never evicted, as the PostgreSQL store keeps them. Unknown options are refused (`CONFIG_INVALID`).
 *
 * @example
 * ```ts
 * import { MemoryConsentStore } from 'crosschannel/adapters/memory';
 * const store = new MemoryConsentStore({ erasureSalt: 'pepper-2026' });
 * ```
 */
export class MemoryConsentStore implements ConsentStore {
  private readonly ledgers: LRUCache<string, ConsentEvent[]>;
  /** Outside the LRU: a receipt is the proof of an erasure, and must outlive the eviction of other subjects. */
  private readonly erasures = new Map<string, ConsentErasureReceipt>();
  private readonly salt: string;
  private readonly maxEvents: number;

  constructor(options: MemoryConsentStoreOptions) {
    if (typeof options?.erasureSalt !== 'string' || options.erasureSalt.length === 0) {
      throw new CrossChannelError('CONFIG_INVALID', 'erasureSalt must be a non-empty string', { path: ['erasureSalt'] });
    }
    refuseUnknownOptions(options, ['erasureSalt', 'maxSubjects', 'maxEventsPerSubject']);
    this.salt = options.erasureSalt;
    this.maxEvents = options.maxEventsPerSubject ?? 10_000;
    if (!Number.isSafeInteger(this.maxEvents) || this.maxEvents < 1) throw new CrossChannelError('CONFIG_INVALID', 'maxEventsPerSubject must be a positive integer', { path: ['maxEventsPerSubject'] });
    this.ledgers = boundedLru(options.maxSubjects ?? 100_000, 'maxSubjects');
  }

  async append(event: ConsentEvent): Promise<void> {
    const e = parseConsentEvent(event);
    const list = this.ledgers.get(e.subjectId) ?? [];
    const existing = list.find((x) => x.id === e.id);
    if (existing) {
      if (sameConsentEvent(existing, e)) return;
      throw new CrossChannelError('STORE_CONFLICT', `consent event ${e.id} already exists with different content`, { path: ['id'] });
    }
    if (list.length >= this.maxEvents) throw new CrossChannelError('STORE_CONFLICT', `subject has ${list.length} events, the configured maximum`);
    // Keep the list ordered by `at`, append order breaking ties.
    let i = list.length;
    while (i > 0 && list[i - 1]!.at > e.at) i--;
    list.splice(i, 0, e);
    this.ledgers.set(e.subjectId, list);
  }

  async events(subjectId: string): Promise<ConsentEvent[]> {
    checkStoreId(subjectId, 'subjectId');
    return [...(this.ledgers.get(subjectId) ?? [])];
  }

  async erase(subjectId: string, now: EpochMs): Promise<ConsentErasureReceipt> {
    checkStoreId(subjectId, 'subjectId');
    const count = this.ledgers.get(subjectId)?.length ?? 0;
    this.ledgers.delete(subjectId);
    const subjectHash = await saltedSha256Hex(this.salt, subjectId);
    // Idempotent: erasing again with nothing new to erase returns the stored proof, not a second one.
    const prior = this.erasures.get(subjectHash);
    if (prior && count === 0) return prior;
    const receipt: ConsentErasureReceipt = { subjectHash, erasedAt: now, eventCount: count };
    this.erasures.set(subjectHash, receipt);
    return receipt;
  }

  async erasure(subjectId: string): Promise<ConsentErasureReceipt | null> {
    checkStoreId(subjectId, 'subjectId');
    return this.erasures.get(await saltedSha256Hex(this.salt, subjectId)) ?? null;
  }
}
