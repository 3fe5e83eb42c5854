import { CrossChannelError } from '../../core/errors.js';

/**
 * What `detail` of a Redis store's `STORE_ERROR` (or `STORE_TIMEOUT`) says: `retryable` is true when the failure is a passing state of
 * the cluster — a slot being migrated (`TRYAGAIN`, `ASK`/`MOVED` past ioredis' redirection budget), a failover
 * (`CLUSTERDOWN`, `READONLY`, `LOADING`, `MASTERDOWN`) or a node that does not answer — and the same call, with
 * the same idempotency key, may simply be repeated. `slot` and `node` (`host:port`) are set when Redis named them.
 *
 * @example
 * ```ts
 * import { isCrossChannelError } from 'crosschannel';
 *
 * declare const e: unknown;
 *
 * if (isCrossChannelError(e, 'STORE_ERROR') && (e.detail as RedisStoreErrorDetail | undefined)?.retryable) {
 *   // retry with the same idempotency key
 * }
 * ```
 */
export interface RedisStoreErrorDetail {
  readonly retryable: boolean;
  readonly slot?: number;
  readonly node?: string;
}

const TRANSIENT = /TRYAGAIN|CLUSTERDOWN|MOVED|ASK |Too many Cluster redirections|READONLY|LOADING|MASTERDOWN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|MaxRetriesPerRequest|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready|Stream isn't writeable/;

/**
 * A Redis failure as the typed error the stores throw (see {@link RedisStoreErrorDetail}): ioredis'
 * `commandTimeout` rejection (`Command timed out`) is `STORE_TIMEOUT`, as a deadline anywhere else in the
 * library, so callers retry it the same way (with the same idempotency key); anything else is `STORE_ERROR`.
 * A typed error passes through unchanged.
 */
export function redisStoreError(store: string, e: unknown): CrossChannelError {
  if (e instanceof CrossChannelError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const timedOut = /\bcommand timed out\b/i.test(message);
  const detail: { retryable: boolean; slot?: number; node?: string } = { retryable: timedOut || TRANSIENT.test(message) };
  const redirect = /(?:MOVED|ASK) (\d+) ([\w.:-]+)/.exec(message);
  if (redirect) {
    detail.slot = Number(redirect[1]);
    detail.node = redirect[2]!;
  } else {
    const addr = /(\d{1,3}(?:\.\d{1,3}){3}:\d+)/.exec(message);
    if (addr) detail.node = addr[1]!;
  }
  const where = [detail.slot === undefined ? '' : `slot ${detail.slot}`, detail.node === undefined ? '' : `node ${detail.node}`].filter(Boolean).join(', ');
  return new CrossChannelError(timedOut ? 'STORE_TIMEOUT' : 'STORE_ERROR', `${store}: ${message}${where ? ` (${where})` : ''}${detail.retryable ? ' — retryable' : ''}`, { cause: e, detail });
}
