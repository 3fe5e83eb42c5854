import { CrossChannelError, isCrossChannelError, inputError } from '../core/errors.js';
import { safeText } from '../core/guards.js';
import type { DecideStage } from './trace.js';
import type { DecideErrorCode } from './errors.js';

/**
 * Detail attached to every error `decide` throws: where it failed. The trace is attached by the pipeline.
 *
 * @example
 * ```ts
 * declare const error: CrossChannelError;
 * const where = error.detail as DecideErrorDetail | undefined;
 * if (where?.operation) console.log(`${where.stage}: ${where.operation} failed`);
 * ```
 */
export interface DecideErrorDetail {
  readonly stage: DecideStage | 'record';
  /** The store operation that failed (`identity.lookup`, `contacts.reserve`, …), when a store failed. */
  readonly operation?: string;
  readonly timeoutMs?: number;
}

// Arms deadline timers through promise jobs (see withDeadline).
const SETTLED = Promise.resolve();

/**
 * Runs one store call with a deadline. A call that rejects becomes `STORE_ERROR` (or keeps its `STORE_*`
 * code when the store already threw a typed one); a call that does not settle within `timeoutMs` becomes
 * `STORE_TIMEOUT`. Either way the caller gets a typed error naming the stage and the operation, never a hang.
 *
 * A timed-out call is not cancelled (stores offer no cancellation); its late result is ignored. That is safe
 * for reads; for the one write (the reservation) the idempotency key makes a retry count once.
 *
 * The timer is armed only for a call still pending after two microtask turns: an in-process store (memory, a
 * cache) has answered by then, and arming and clearing a timer per call cost more than such a call itself.
 * The deadline of a real I/O call therefore starts those microseconds after the call.
 *
 * @example
 * ```ts
 * declare const store: IdentityStore;
 * const profile = await withDeadline('identity', 'identity.lookup', 50, () => store.lookup({ type: 'email', value: 'ann@example.com' }));
 * ```
 */
export function withDeadline<T>(stage: DecideStage | 'record', operation: string, timeoutMs: number, call: () => Promise<T> | T): Promise<T> {
  if (typeof call !== 'function') return Promise.reject(inputError('withDeadline needs the store call as a function', ['call']));
  return settleAll(stage, timeoutMs, operation, call, null) as Promise<T>;
}

/**
 * {@link withDeadline} for store calls made in parallel (the load stage's reads): resolves with their values in
 * order once all have answered, fails with the first typed error, and times out, naming the first operation still
 * pending, when they have not all answered within `timeoutMs`. One timer for the lot, armed only if some call is
 * still pending after two microtask turns.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * const [events, consent] = await allWithDeadline('load', 50, [
 *   ['events.read', () => stores.events.read('p-1')],
 *   ['consent.events', () => stores.consent.events('p-1')],
 * ]);
 * ```
 */
export function allWithDeadline<T extends readonly unknown[]>(
  stage: DecideStage | 'record',
  timeoutMs: number,
  calls: { readonly [K in keyof T]: readonly [operation: string, call: () => Promise<T[K]> | T[K]] },
): Promise<T> {
  const list = calls as ReadonlyArray<readonly [string, () => unknown]>;
  if (!Array.isArray(list)) return Promise.reject(notPairs());
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (!Array.isArray(c) || typeof c[0] !== 'string' || typeof c[1] !== 'function') return Promise.reject(notPairs());
  }
  return settleAll(stage, timeoutMs, null, null, list) as Promise<T>;
}

const notPairs = (): CrossChannelError => inputError('allWithDeadline needs [operation, call] pairs', ['calls']);

/**
 * Makes the calls (one, or the pairs of `list`), then settles as they answer. A call that throws or returns a
 * non-promise counts as answered (or failed) in a promise job, as if it had returned a settled promise.
 */
function settleAll(
  stage: DecideStage | 'record',
  timeoutMs: number,
  operation: string | null,
  call: (() => unknown) | null,
  list: ReadonlyArray<readonly [string, () => unknown]> | null,
): Promise<unknown> {
  const n = list === null ? 1 : list.length;
  if (n === 0) return Promise.resolve([]);
  const g = new Gathering(stage, timeoutMs, operation, list, n);
  const settled = new Promise<unknown>((resolve, reject) => {
    g.resolve = resolve;
    g.reject = reject;
  });
  for (let i = 0; i < n; i++) {
    let answer: unknown;
    try {
      answer = Promise.resolve(list === null ? call!() : list[i]![1]());
    } catch (e) {
      answer = Promise.reject(e);
    }
    (answer as Promise<unknown>).then(
      (v) => g.answered(i, v),
      (e: unknown) => g.failed(i, e),
    );
  }
  // Promise jobs, not queueMicrotask (which wraps each callback in an async resource in Node). The check after one
  // turn finds calls that had already answered settled (their jobs were queued first) and arms nothing.
  if (Number.isFinite(timeoutMs) && timeoutMs > 0) SETTLED.then(() => g.check());
  return settled;
}

/**
 * One {@link settleAll} in flight: the values so far, which calls answered, its timer. Its steps are methods, not
 * closures made per call: fewer allocations per store call, and no function objects to name (a TypeScript
 * loader that keeps function names, such as tsx, defines `name` on every named closure each time it is made).
 */
class Gathering {
  /** The one call's value, or every call's values in order. */
  value: unknown;
  /** Which of several calls have answered (`null` for one call: at a timeout, that call is the one pending). */
  readonly done: boolean[] | null;
  left: number;
  settled = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;

  constructor(
    readonly stage: DecideStage | 'record',
    readonly timeoutMs: number,
    readonly operation: string | null,
    readonly list: ReadonlyArray<readonly [string, () => unknown]> | null,
    n: number,
  ) {
    this.value = list === null ? undefined : new Array<unknown>(n);
    this.done = list === null ? null : new Array<boolean>(n).fill(false);
    this.left = n;
  }

  operationAt(i: number): string {
    return this.list === null ? this.operation! : this.list[i]![0];
  }

  answered(i: number, v: unknown): void {
    if (this.settled) return;
    if (this.done === null) this.value = v;
    else {
      (this.value as unknown[])[i] = v;
      this.done[i] = true;
    }
    if (--this.left > 0) return;
    this.finish();
    this.resolve(this.value);
  }

  failed(i: number, e: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(storeError(this.stage, this.operationAt(i), e));
  }

  /** After one promise turn: still pending calls get one more turn before the timer is armed. */
  check(): void {
    if (!this.settled) SETTLED.then(() => this.arm());
  }

  arm(): void {
    if (this.settled) return;
    this.timer = setTimeout(() => this.expire(), this.timeoutMs);
  }

  expire(): void {
    if (this.settled) return;
    this.settled = true;
    const operation = this.operationAt(this.done === null ? 0 : this.done.indexOf(false));
    const { stage, timeoutMs } = this;
    this.reject(new CrossChannelError<DecideErrorCode>('STORE_TIMEOUT', `Store operation ${operation} did not answer within ${timeoutMs} ms (stage ${stage})`, { detail: { stage, operation, timeoutMs } }));
  }

  finish(): void {
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

/**
 * Wraps whatever a store threw as a typed store error naming the stage and operation.
 *
 * @example
 * ```ts
 * const e = storeError('load', 'events.read', new Error('connection reset'));
 * e.code; // 'STORE_ERROR'
 * ```
 */
export function storeError(stage: DecideStage | 'record', operation: string, cause: unknown): CrossChannelError<DecideErrorCode> {
  const code: DecideErrorCode =
    isCrossChannelError(cause) && (cause.code === 'STORE_TIMEOUT' || cause.code === 'STORE_CONFLICT') ? cause.code : 'STORE_ERROR';
  const msg = cause instanceof Error ? safeText(cause.message) : safeText(cause);
  return new CrossChannelError<DecideErrorCode>(code, `Store operation ${safeText(operation)} failed (stage ${safeText(stage)}): ${msg}`, { cause, detail: { stage, operation } });
}
