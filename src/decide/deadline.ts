import { CrossChannelError, isCrossChannelError, type CoreErrorCode } from '../core/errors.js';
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
  if (typeof call !== 'function') return Promise.reject(new CrossChannelError('INPUT_INVALID', 'withDeadline needs the store call as a function', { path: ['call'] }));
  return settleAll(stage, timeoutMs, [operation], [call], true) as Promise<T>;
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
  if (!Array.isArray(list) || list.some((c) => !Array.isArray(c) || typeof c[0] !== 'string' || typeof c[1] !== 'function')) {
    return Promise.reject(new CrossChannelError('INPUT_INVALID', 'allWithDeadline needs [operation, call] pairs', { path: ['calls'] }));
  }
  return settleAll(stage, timeoutMs, list.map((c) => c[0]), list.map((c) => c[1]), false) as Promise<T>;
}

function settleAll(stage: DecideStage | 'record', timeoutMs: number, operations: readonly string[], calls: ReadonlyArray<() => unknown>, single: boolean): Promise<unknown> {
  const n = calls.length;
  const pending: Array<Promise<unknown>> = new Array<Promise<unknown>>(n);
  for (let i = 0; i < n; i++) {
    try {
      pending[i] = Promise.resolve(calls[i]!());
    } catch (e) {
      pending[i] = Promise.reject(e);
    }
  }
  if (n === 0) return Promise.resolve([]);
  const bounded = Number.isFinite(timeoutMs) && timeoutMs > 0;
  return new Promise<unknown>((resolve, reject) => {
    const g = new Gathering(stage, timeoutMs, operations, single, n, resolve, reject);
    for (let i = 0; i < n; i++) {
      pending[i]!.then(
        (v) => g.answered(i, v),
        (e: unknown) => g.failed(i, e),
      );
    }
    // Promise jobs, not queueMicrotask (which wraps each callback in an async resource in Node).
    if (bounded) SETTLED.then(() => SETTLED.then(() => g.arm()));
  });
}

/**
 * One {@link settleAll} in flight: the values so far, which calls answered, its timer. Its steps are methods, not
 * closures made per call: fewer allocations per store call, and no function objects to name (a TypeScript
 * loader that keeps function names, such as tsx, defines `name` on every named closure each time it is made).
 */
class Gathering {
  readonly values: unknown[];
  readonly done: boolean[];
  left: number;
  settled = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    readonly stage: DecideStage | 'record',
    readonly timeoutMs: number,
    readonly operations: readonly string[],
    readonly single: boolean,
    n: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
  ) {
    this.values = new Array<unknown>(n);
    this.done = new Array<boolean>(n).fill(false);
    this.left = n;
  }

  answered(i: number, v: unknown): void {
    if (this.settled) return;
    this.values[i] = v;
    this.done[i] = true;
    if (--this.left > 0) return;
    this.finish();
    this.resolve(this.single ? this.values[0] : this.values);
  }

  failed(i: number, e: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(storeError(this.stage, this.operations[i]!, e));
  }

  arm(): void {
    if (this.settled) return;
    this.timer = setTimeout(() => this.expire(), this.timeoutMs);
  }

  expire(): void {
    if (this.settled) return;
    this.settled = true;
    const operation = this.operations[this.done.indexOf(false)]!;
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
