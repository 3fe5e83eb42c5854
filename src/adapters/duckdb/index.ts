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
 * `BEGIN` … `COMMIT`, rolled back on any error.
 *
 * @example
 * ```ts
 * import { DuckDBInstance } from '@duckdb/node-api';
 * const db = await DuckDBInstance.create(':memory:');
 * const sql = fromDuckDB(await db.connect());
 * const { rows } = await sql.query('SELECT count(*) AS n FROM read_parquet($1)', ['exports/events/*.parquet']);
 * ```
 */
export function fromDuckDB(connection: DuckDBConnectionLike): SqlClient {
  // One query at a time: a DuckDB connection must not run two at once (node-api runs each on a worker thread; two
  // concurrent queries on one connection, as `Promise.all` of a caller's statements sends them, crashed the process).
  let tail: Promise<unknown> = Promise.resolve();
  const query = <R>(text: string, params?: ReadonlyArray<unknown>): Promise<{ rows: R[] }> => {
    const run = tail.then(() => one<R>(text, params));
    tail = run.catch(() => undefined);
    return run;
  };
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
