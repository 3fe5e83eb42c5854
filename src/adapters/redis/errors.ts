import { CrossChannelError } from '../../core/errors.js';

/**
 * A Redis failure as the library's typed store error: ioredis' `commandTimeout` rejection (`Command timed out`)
 * is `STORE_TIMEOUT`, as a deadline anywhere else in the library, so callers retry it the same way (with the
 * same idempotency key); anything else is `STORE_ERROR`. A typed error passes through unchanged.
 */
export function redisStoreError(what: string, e: unknown): CrossChannelError {
  if (e instanceof CrossChannelError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = /\bcommand timed out\b/i.test(message) ? 'STORE_TIMEOUT' : 'STORE_ERROR';
  return new CrossChannelError(code, `${what}: ${message}`, { cause: e });
}
