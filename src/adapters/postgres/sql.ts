/**
 * Adapters from real PostgreSQL clients to the core SQL port ({@link SqlClient}, defined in `src/core/sql.ts`
 * so that SQL generators in pure modules never import an adapter). A `pg.Pool`, a `pg.Client` and PGlite all
 * fit it through {@link fromPg} / {@link fromPglite}; any PostgreSQL-compatible engine (Citus, Neon, …) does too.
 */
import { CrossChannelError } from '../../core/errors.js';
import { expectFunction, expectObject } from '../../core/guards.js';
import type { SqlClient, SqlQueryable } from '../../core/sql.js';

export type { SqlClient, SqlQueryable };

/** Structural type of `pg.Pool` (only what is used), so `pg` stays an optional peer dependency. */
export interface PgPoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<{ query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>; release(err?: Error | boolean): void }>;
}

/**
 * Wraps a `pg.Pool` as a {@link SqlClient}; transactions check out one connection, `BEGIN` … `COMMIT`, and roll
 * back on any error; `session` checks out one connection for a whole call (temporary tables live on it).
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const sql = fromPg(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * ```
 */
export function fromPg(pool: PgPoolLike): SqlClient {
  return {
    query: queryOn(pool),
    session: async <T>(fn: (s: SqlQueryable) => Promise<T>): Promise<T> => {
      const conn = await pool.connect();
      let broken: unknown;
      try {
        return await fn({ query: queryOn(conn) });
      } catch (e) {
        broken = e;
        throw e;
      } finally {
        // A failed call may leave session state behind (temporary tables, an open transaction): drop the connection.
        conn.release(broken === undefined ? undefined : true);
      }
    },
    transaction: async <T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> => {
      const conn = await pool.connect();
      const tx: SqlQueryable = { query: queryOn(conn) };
      try {
        await conn.query('BEGIN');
        const out = await fn(tx);
        await conn.query('COMMIT');
        conn.release();
        return out;
      } catch (e) {
        try {
          await conn.query('ROLLBACK');
          conn.release();
        } catch (rollbackError) {
          conn.release(rollbackError instanceof Error ? rollbackError : true);
        }
        throw e;
      }
    },
  };
}

/** The port's `query` over a `pg` pool or checked-out client (its parameters as the mutable array `pg` takes). */
function queryOn(target: Pick<PgPoolLike, 'query'>): SqlQueryable['query'] {
  return async <R>(text: string, params?: ReadonlyArray<unknown>) => (await target.query(text, params ? [...params] : undefined)) as { rows: R[] };
}

/** Structural type of a PGlite instance (only what is used). */
export interface PgliteLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  transaction<T>(fn: (tx: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> }) => Promise<T>): Promise<T>;
}

/**
 * Wraps a PGlite database (in-process PostgreSQL, `@electric-sql/pglite`) as a {@link SqlClient}.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * const sql = fromPglite(new PGlite());
 * ```
 */
export function fromPglite(db: PgliteLike): SqlClient {
  return {
    query: async <R>(text: string, params?: ReadonlyArray<unknown>) => (await db.query(text, params ? [...params] : undefined)) as { rows: R[] },
    transaction: <T>(fn: (tx: SqlQueryable) => Promise<T>) =>
      db.transaction((tx) =>
        fn({ query: async <R>(text: string, params?: ReadonlyArray<unknown>) => (await tx.query(text, params ? [...params] : undefined)) as { rows: R[] } }),
      ),
  };
}

/**
 * `value` checked as the part of a table or function name that an adapter writes into its SQL: letters, digits
 * and `_`, not starting with a digit, at most `max` characters (lower case only when `lowerCase`). A name cannot
 * be a bound parameter, so this check is all that keeps a configured name from changing the statement; the
 * stores and the exported schema generators both make it: `sqlNamePart('x; DROP TABLE t', 'tablePrefix', 41)`
 * throws `CONFIG_INVALID` at `tablePrefix`. Internal to the adapter (not exported by the entry).
 */
export function sqlNamePart(value: unknown, path: string, max: number, lowerCase = false): string {
  const pattern = lowerCase ? /^[a-z_][a-z0-9_]*$/ : /^[A-Za-z_][A-Za-z0-9_]*$/;
  if (typeof value !== 'string' || value.length > max || !pattern.test(value)) {
    const letters = lowerCase ? 'lower-case letters' : 'letters';
    throw new CrossChannelError('CONFIG_INVALID', `${path} must be ${letters}, digits or _ (not starting with a digit), at most ${max} characters`, { path: [path] });
  }
  return value;
}

/**
 * The client a PostgreSQL store is given, checked when the store is made: an object with `query` (and
 * `transaction` when the store writes in transactions), as {@link fromPg} and {@link fromPglite} return.
 * `INPUT_INVALID` at `sql` otherwise (a `pg.Pool` not wrapped in `fromPg` fails at `sql.transaction`), instead
 * of an error at the store's first call. Internal to the adapter (not exported by the entry).
 */
export function expectSqlClient(sql: unknown, transaction: boolean): void {
  expectObject(sql, ['sql']);
  expectFunction((sql as { query?: unknown }).query, ['sql', 'query']);
  if (transaction) expectFunction((sql as { transaction?: unknown }).transaction, ['sql', 'transaction']);
}
