/**
 * `crosschannel/adapters/duckdb` — the SQL port ({@link SqlQueryable}) on DuckDB through its official Node
 * package `@duckdb/node-api` (optional peer dependency), so the batch SQL of segments, identity and attribution
 * runs in-process over tables, or straight over Parquet/CSV files (`read_parquet('exports/*.parquet')`).
 * @packageDocumentation
 */
import type { SqlClient, SqlQueryable } from '../../core/sql.js';
import { sqlFailure } from '../../core/sql-dialect.js';

export type { SqlClient, SqlQueryable };

/** Structural type of a `DuckDBConnection` (only what is used), so the package stays an optional peer. */
export interface DuckDBConnectionLike {
  runAndReadAll(sql: string, values?: never[]): Promise<{ getRowObjectsJS(): Array<Record<string, unknown>> }>;
  /** Disconnects; `close()` of the client calls it once every query sent has settled. */
  closeSync?(): void;
}

/** BIGINT/HUGEINT come back as bigint: plain numbers when exact, so rows look like PostgreSQL's. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/**
 * Wraps a DuckDB connection as a {@link SqlClient}. Parameters are `$1`, `$2`, … as in PostgreSQL; a failing
 * statement becomes `STORE_ERROR` naming the missing column or table when DuckDB does; a transaction is
 * `BEGIN` … `COMMIT`, rolled back on any error. Queries run one at a time, in the order sent.
 *
 * `close()` disconnects the connection after every query sent before it has settled (queries sent after it fail
 * with `STORE_ERROR`); close the instance after it. Close through the client, not the connection: a caller can
 * return before its queries are done (`kpiStateFromSql` rejects on its first failing statement while the others
 * still wait here), and `@duckdb/node-api` crashes or hangs the process when a connection is disconnected while a
 * query runs on it.
 *
 * @example
 * ```ts
 * import { DuckDBInstance } from '@duckdb/node-api';
 * const db = await DuckDBInstance.create(':memory:');
 * const sql = fromDuckDB(await db.connect());
 * try {
 *   const { rows } = await sql.query('SELECT count(*) AS n FROM read_parquet($1)', ['exports/events/*.parquet']);
 *   console.log(rows[0]);
 * } finally {
 *   await sql.close();
 *   db.closeSync();
 * }
 * ```
 */
export function fromDuckDB(connection: DuckDBConnectionLike): SqlClient & { close(): Promise<void> } {
  // One query at a time: a DuckDB connection must not run two at once (node-api runs each on a worker thread; two
  // concurrent queries on one connection, as `Promise.all` of a caller's statements sends them, crashed the process).
  // The disconnect waits its turn in the same queue: disconnecting under a running query crashed the process too.
  let tail: Promise<unknown> = Promise.resolve();
  const queue = <T>(fn: () => T | Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
  const query = <R>(text: string, params?: ReadonlyArray<unknown>): Promise<{ rows: R[] }> => queue(() => one<R>(text, params));
  const one = async <R>(text: string, params?: ReadonlyArray<unknown>): Promise<{ rows: R[] }> => {
    try {
      const reader = await connection.runAndReadAll(text, params && params.length > 0 ? ([...params] as never[]) : undefined);
      const rows = reader.getRowObjectsJS().map((r) => {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(r)) out[k] = plain(r[k]);
        return out;
      });
      return { rows: rows as R[] };
    } catch (e) {
      throw sqlFailure('DuckDB', e);
    }
  };
  return {
    query,
    close: () => queue(() => connection.closeSync?.()),
    transaction: async <T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> => {
      await query('BEGIN TRANSACTION');
      try {
        const out = await fn({ query });
        await query('COMMIT');
        return out;
      } catch (e) {
        await query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    },
  };
}
