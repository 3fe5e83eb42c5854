/**
 * The `ConsentStore` adapter interface: the append-only consent ledger of every subject. Implementations:
 * `MemoryConsentStore` (crosschannel/adapters/memory) and `PostgresConsentStore` (crosschannel/adapters/postgres);
 * integrators' own stores pass the same conformance suite (`runConsentStoreConformance` in crosschannel/testing).
 */
import { expectObject } from '../core/guards.js';
import { readingInput } from '../core/errors.js';
import type { EpochMs } from '../core/time.js';
import type { ConsentEvent } from './ledger.js';

/**
 * What erasing a subject leaves behind: no personal data, only a salted hash proving the erasure happened.
 *
 * @example
 * ```ts
 * declare const store: ConsentStore;
 * const receipt: ConsentErasureReceipt = await store.erase('cust-42', Date.now());
 * ```
 */
export interface ConsentErasureReceipt {
  /** `saltedSha256Hex(salt, subjectId)` — the store's salt is never returned. */
  readonly subjectHash: string;
  readonly erasedAt: EpochMs;
  /** Number of events deleted. */
  readonly eventCount: number;
}

/**
 * An append-only store of {@link ConsentEvent}s.
 *
 * - `append` is idempotent on `(subjectId, id)`: appending the identical event again is a no-op; appending a
 *   different event under an existing id fails with `STORE_CONFLICT` (events are never rewritten).
 * - `events` returns a subject's events ordered by `at`, then by append order.
 * - `erase` deletes every event of the subject and keeps only an {@link ConsentErasureReceipt} (GDPR Art. 17); it
 *   is idempotent: erasing again with no new events returns the stored receipt (the one `erasure` returns), and
 *   only an erase that deleted events appended since replaces it.
 *
 * @example
 * ```ts
 * const store: ConsentStore = new MemoryConsentStore({ erasureSalt: 'pepper' });
 * await store.append(parseConsentEvent({ id: 'e1', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'granted', at: 0, evidence: { source: 'form' } }));
 * const events = await store.events('s1');
 * ```
 */
export interface ConsentStore {
  append(event: ConsentEvent): Promise<void>;
  events(subjectId: string): Promise<ConsentEvent[]>;
  erase(subjectId: string, now: EpochMs): Promise<ConsentErasureReceipt>;
  /** The receipt of an earlier erasure of `subjectId`, or `null`. */
  erasure(subjectId: string): Promise<ConsentErasureReceipt | null>;
}

/**
 * True when two events are the same record (used for idempotent appends).
 *
 * @example
 * ```ts
 * declare const existing: ConsentEvent | undefined; declare const incoming: ConsentEvent; declare const conflict: Error;
 * if (existing && !sameConsentEvent(existing, incoming)) throw conflict;
 * ```
 */
export function sameConsentEvent(a: ConsentEvent, b: ConsentEvent): boolean {
  expectObject(a, ['a']);
  expectObject(b, ['b']);
  expectObject(a.evidence, ['a', 'evidence']);
  expectObject(b.evidence, ['b', 'evidence']);
  return (
    a.id === b.id &&
    a.subjectId === b.subjectId &&
    a.channel === b.channel &&
    a.purpose === b.purpose &&
    a.kind === b.kind &&
    a.at === b.at &&
    evidenceText(a, 'a') === evidenceText(b, 'b')
  );
}

/** The evidence as sorted JSON; evidence JSON cannot hold (a BigInt) is `INPUT_INVALID` at its place. */
function evidenceText(e: ConsentEvent, at: string): string {
  return readingInput([at, 'evidence'], 'evidence must be JSON', () => JSON.stringify(sortKeys(e.evidence)));
}

function sortKeys(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // fromEntries, not assignment: an own `__proto__` key (JSON.parse makes one) is compared, not set as a prototype.
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => [k, o[k]]),
  );
}
