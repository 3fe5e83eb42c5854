/**
 * The SQL port: the small surface every SQL generator (attribution today; segments, identity, insights) and
 * every PostgreSQL-family store runs its statements through. Types only — a module depends on this port,
 * never on an adapter; the adapters (`fromPg`, `fromPglite` in `crosschannel/adapters/postgres`) implement it.
 */

/**
 * Anything that runs one parameterised statement and returns its rows: a `pg.Pool`, a `pg.Client`, PGlite, or
 * any PostgreSQL-compatible engine wrapped by `fromPg` / `fromPglite`.
 *
 * @example
 * ```ts
 * import type { SqlQueryable } from 'crosschannel';
 * async function count(sql: SqlQueryable): Promise<number> {
 *   const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM contacts');
 *   return rows[0]?.n ?? 0;
 * }
 * ```
 */
export interface SqlQueryable {
  query<R = Record<string, unknown>>(text: string, params?: ReadonlyArray<unknown>): Promise<{ rows: R[] }>;
}

/**
 * A {@link SqlQueryable} that can also run a function inside one transaction (all or nothing).
 *
 * @example
 * ```ts
 * import type { SqlClient } from 'crosschannel';
 * async function moveAll(sql: SqlClient): Promise<void> {
 *   await sql.transaction(async (tx) => {
 *     await tx.query('INSERT INTO archive SELECT * FROM inbox');
 *     await tx.query('DELETE FROM inbox');
 *   });
 * }
 * ```
 */
export interface SqlClient extends SqlQueryable {
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one connection, outside any transaction (session state such as temporary tables lasts the whole
   * call). A client over a pool implements it (`fromPg` checks out one connection); a client that is one
   * connection (PGlite, a DuckDB connection) may omit it, and its `query` is used.
   */
  session?<T>(fn: (s: SqlQueryable) => Promise<T>): Promise<T>;
}
