import * as z from 'zod/mini';
import { intSchema, regexCheck, booleanSchema, gteCheck, lteCheck, maxLengthCheck, stringSchema } from '../core/zod.js';
import { sqlNameSchema as identifier, sqlRelationSchema } from '../core/sql-schema.js';
import { CrossChannelError, parseWith, inputError } from '../core/errors.js';
import { durationSchema } from '../core/schema.js';
import { expectTransactional, rowsOf, sqlFailure, sqlIdentifier, sqlString } from '../core/sql-dialect.js';
import type { SqlClient, SqlQueryable } from '../core/sql.js';
import type { EpochMs } from '../core/time.js';

/**
 * Identity stitching inside the warehouse: connected components of an identifier-links table by label
 * propagation with parent hooking and pointer jumping, so a component of diameter d converges in O(log d)
 * rounds (each round a handful of set-wise statements), not the O(d) of plain min-label propagation.
 *
 * Merge-protection rules that are set-wise — a property of one link or one identifier, decidable without an
 * order — are applied before propagation: link age (`maxLinkAge`), blocked identifiers (`blocked`) and shared
 * identifiers (`maxDegree`: an identifier linked to more distinct others is dropped, as a shared household
 * phone or a call-centre email would be). The in-memory rules that are NOT expressible set-wise: per-type
 * limits (`user_id: 1`) and `maxIdentifiers`, which refuse links one by one in a canonical order (each
 * refusal changes what the next link would join), and erasure tombstones; run those through
 * `crosschannel/identity` on the (few) components that break them.
 */


/**
 * Schema of the options of {@link identityComponentsFromSql}.
 *
 * @example
 * ```ts
 * identityComponentsSqlOptionsSchema.parse({ links: { from: "read_parquet('links/*.parquet')" }, maxDegree: 50 });
 * ```
 */
export const identityComponentsSqlOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    /** A table, or `{ from: '<SQL>' }` for any relation (a Parquet glob in DuckDB). */
    links: z._default(sqlRelationSchema, 'identity_links'),
    a: z._default(identifier, 'a'),
    b: z._default(identifier, 'b'),
    /** Epoch-ms column of the link's observation time; needed by `maxLinkAge`. */
    at: z.optional(identifier),
    maxLinkAge: z.optional(durationSchema),
    blocked: z._default(z.array(stringSchema().check(maxLengthCheck(1024))).check(maxLengthCheck(100_000)), []),
    /**
     * Identifier types that never link (the rules' `nonLinking`), for identifiers written `type:value`: their links
     * are left out of the components, each is a component of its own, and `attached` lists the components each
     * was seen with.
     */
    nonLinking: z._default(z.array(stringSchema().check(regexCheck(/^[a-z][a-z0-9_]{0,63}$/, 'Identifier type must match [a-z][a-z0-9_]*'))).check(maxLengthCheck(256)), []),
    maxDegree: z.optional(intSchema().check(gteCheck(1))),
    /** Prefix of the temporary tables (default `cc_components`); runs in one session must use distinct ones. */
    tablePrefix: z._default(stringSchema().check(regexCheck(/^[a-z_][a-z0-9_]{0,40}$/)), 'cc_components'),
    /** Safety stop (a connected graph of 2^60 nodes needs far fewer rounds). */
    maxRounds: z._default(intSchema().check(gteCheck(1), lteCheck(1000)), 200),
  }))();
/**
 * Options of {@link identityComponentsFromSql} as written by a caller.
 *
 * @example
 * ```ts
 * const options: IdentityComponentsSqlOptionsInput = { links: 'identity_links', maxDegree: 50 };
 * ```
 */
export type IdentityComponentsSqlOptionsInput = z.input<typeof identityComponentsSqlOptionsSchema>;

/**
 * Components: `component` is one member's identifier (the same for every member), and the rounds it took.
 *
 * @example
 * ```ts
 * declare const result: SqlComponents;
 * console.log(`${result.components} components after ${result.rounds} rounds; u1 is in ${result.componentOf.get("user_id:u1")}`);
 * ```
 */
export interface SqlComponents {
  /** identifier → component label. */
  readonly componentOf: ReadonlyMap<string, string>;
  readonly components: number;
  /** Propagation rounds until no label changed. */
  readonly rounds: number;
  /** With `nonLinking` types: each such identifier → the labels of the components it was seen with, sorted. */
  readonly attached: ReadonlyMap<string, ReadonlyArray<string>>;
}

/**
 * Computes connected components of a links table in the database (PostgreSQL, PGlite or DuckDB through the SQL
 * port) and reads the `(identifier, component)` rows back. Identifiers are mapped to dense integers first, so
 * every round compares integers, whatever the identifiers' collation.
 *
 * @example
 * ```ts
 * import { DuckDBInstance } from '@duckdb/node-api';
 * import { fromDuckDB } from 'crosschannel/adapters/duckdb';
 *
 * const sql = fromDuckDB(await (await DuckDBInstance.create(':memory:')).connect());
 * const r = await identityComponentsFromSql(sql, Date.now(), { links: { from: "read_parquet('links/*.parquet')" }, maxDegree: 50 });
 * console.log(r.components, r.rounds);
 * ```
 */
export async function identityComponentsFromSql(client: SqlQueryable, now: EpochMs, options: IdentityComponentsSqlOptionsInput = {}): Promise<SqlComponents> {
  const o = componentOptions(now, options);
  const work = async (q: SqlQueryable): Promise<SqlComponents> => {
    const query = queryOf(q);
    const rounds = await propagate(query, now, o);
    const { rows } = await query<ComponentRow>(componentRowsSql(o));
    const attached = new Map<string, string[]>();
    if (o.nonLinking.length > 0) {
      const a = await query<ComponentRow>(attachedRowsSql(o));
      for (const r of a.rows) (attached.get(String(r.identifier)) ?? attached.set(String(r.identifier), []).get(String(r.identifier))!).push(String(r.component));
      for (const list of attached.values()) list.sort();
    }
    await dropWorkTables(query, o);
    const componentOf = new Map<string, string>();
    const labels = new Set<string>();
    for (const r of rows) {
      componentOf.set(String(r.identifier), String(r.component));
      labels.add(String(r.component));
    }
    return { componentOf, components: labels.size, rounds, attached };
  };
  return onOneConnection(client, work);
}

/**
 * Runs `fn` on one connection: the work tables are temporary, so per session. Not in a transaction: DuckDB plans
 * joins over tables created in the running transaction badly (a 50 k-link run took 110 s instead of 0.2 s).
 */
function onOneConnection<T>(client: SqlQueryable, fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
  const c = client as Partial<SqlClient> | null;
  if (c === null || typeof c !== 'object' || typeof c.query !== 'function') {
    throw inputError('Expected a SQL client with query() (fromPg, fromPglite, fromDuckDB)', ['client']);
  }
  const session = c.session;
  return typeof session === 'function' ? (session.call(client, fn) as Promise<T>) : fn(client);
}

/**
 * Schema of the target of {@link identityComponentsIntoSql}: the tables that receive the components and,
 * with `nonLinking` types, the attachments; and whether existing ones are replaced.
 *
 * @example
 * ```ts
 * identityComponentsIntoSqlTargetSchema.parse({ into: 'identity_components', attachedInto: 'identity_attached', replace: true });
 * ```
 */
export const identityComponentsIntoSqlTargetSchema = /* @__PURE__ */ (() => z.strictObject({
  /** The table created with `(identifier, component)` rows, one per identifier. */
  into: identifier,
  /** With `nonLinking` types: the table created with `(identifier, component)` rows, one per component a non-linking identifier was seen with. */
  attachedInto: z.optional(identifier),
  /** Replace the tables when they exist (default false: an existing table is an error, nothing is written). */
  replace: z._default(booleanSchema(), false),
}))();

/**
 * Where {@link identityComponentsIntoSql} writes, as written by a caller.
 *
 * @example
 * ```ts
 * const target: IdentityComponentsIntoSqlTarget = { into: 'identity_components', replace: true };
 * ```
 */
export type IdentityComponentsIntoSqlTarget = z.input<typeof identityComponentsIntoSqlTargetSchema>;

/**
 * What {@link identityComponentsIntoSql} wrote, counted in the engine.
 *
 * @example
 * ```ts
 * declare const r: SqlComponentCounts;
 * console.log(`${r.identifiers} identifiers in ${r.components} components (${r.rounds} rounds), in ${r.table}`);
 * ```
 */
export interface SqlComponentCounts {
  readonly table: string;
  readonly attachedTable?: string | undefined;
  readonly identifiers: number;
  readonly components: number;
  readonly rounds: number;
}

/**
 * {@link identityComponentsFromSql} that keeps the result in the database: `CREATE TABLE <into>` with one
 * `(identifier, component)` row per identifier (and `<attachedInto>` for non-linking types). Everything runs on
 * one connection (`client.session` when the client has one: `fromPg` checks out one pool connection; a client
 * of your own over a pool must implement it); the rounds run outside any transaction and the result tables are
 * written in one `BEGIN … COMMIT`, so a failing round, or an existing table without `replace`, leaves the
 * database as it was. Only counts come back to Node, so it suits link tables of tens of millions of rows.
 *
 * @example
 * ```ts
 * import { DuckDBInstance } from '@duckdb/node-api';
 * import { fromDuckDB } from 'crosschannel/adapters/duckdb';
 *
 * const sql = fromDuckDB(await (await DuckDBInstance.create('warehouse.duckdb')).connect());
 * const r = await identityComponentsIntoSql(sql, Date.now(), { into: 'identity_components', replace: true }, { links: { from: "read_parquet('links/*.parquet')" } });
 * console.log(r.components, r.rounds);
 * ```
 */
export async function identityComponentsIntoSql(
  client: SqlClient,
  now: EpochMs,
  target: IdentityComponentsIntoSqlTarget,
  options: IdentityComponentsSqlOptionsInput = {},
): Promise<SqlComponentCounts> {
  expectTransactional(client, ['client']);
  const o = componentOptions(now, options);
  const to = parseWith(identityComponentsIntoSqlTargetSchema, target, 'CONFIG_INVALID', ['target']);
  if (to.attachedInto !== undefined && to.attachedInto === to.into) {
    throw new CrossChannelError('CONFIG_INVALID', 'attachedInto must differ from into', { path: ['target', 'attachedInto'] });
  }
  const t = (name: string): string => `${o.tablePrefix}_${name}`;
  const into = sqlIdentifier(to.into);
  const attachedInto = to.attachedInto === undefined ? undefined : sqlIdentifier(to.attachedInto);
  const write = async (session: SqlQueryable): Promise<SqlComponentCounts> => {
    const query = queryOf(session);
    const rounds = await propagate(query, now, o);
    // Only the result tables are written in the transaction (all or nothing).
    await query('BEGIN');
    let counts: { identifiers: number | string | bigint; components: number | string | bigint } | undefined;
    try {
      if (to.replace) {
        await query(`DROP TABLE IF EXISTS ${into}`);
        if (attachedInto !== undefined) await query(`DROP TABLE IF EXISTS ${attachedInto}`);
      }
      await query(`CREATE TABLE ${into} AS ${componentRowsSql(o)}`);
      if (attachedInto !== undefined) {
        const rows = o.nonLinking.length > 0 ? attachedRowsSql(o) : `SELECT CAST(NULL AS TEXT) AS identifier, CAST(NULL AS TEXT) AS component WHERE false`;
        await query(`CREATE TABLE ${attachedInto} AS ${rows}`);
      }
      counts = (await query<{ identifiers: number | string | bigint; components: number | string | bigint }>(
        `SELECT count(*) AS identifiers, count(DISTINCT lb.l) AS components FROM ${t('labels')} lb`,
      )).rows[0];
      await query('COMMIT');
    } catch (e) {
      await query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await dropWorkTables(query, o).catch(() => undefined);
    }
    return {
      table: to.into,
      ...(to.attachedInto !== undefined ? { attachedTable: to.attachedInto } : {}),
      identifiers: Number(counts?.identifiers ?? 0),
      components: Number(counts?.components ?? 0),
      rounds,
    };
  };
  try {
    return await onOneConnection(client, write);
  } catch (e) {
    throw sqlFailure('SQL', e);
  }
}

type ComponentOptions = z.output<typeof identityComponentsSqlOptionsSchema>;
type ComponentRow = { identifier: string; component: string };

/** One `(identifier, component)` row per identifier, from the work tables {@link propagate} left. */
function componentRowsSql(o: ComponentOptions): string {
  const t = (name: string): string => `${o.tablePrefix}_${name}`;
  return `SELECT i.id AS identifier, r.id AS component FROM ${t('labels')} lb JOIN ${t('ids')} i ON i.n = lb.v JOIN ${t('ids')} r ON r.n = lb.l`;
}

/** One `(identifier, component)` row per component a non-linking identifier was seen with. */
function attachedRowsSql(o: ComponentOptions): string {
  const t = (name: string): string => `${o.tablePrefix}_${name}`;
  return `SELECT DISTINCT a.n AS identifier, r.id AS component FROM ${t('attach')} a JOIN ${t('ids')} i ON i.id = a.y JOIN ${t('labels')} lb ON lb.v = i.n JOIN ${t('ids')} r ON r.n = lb.l`;
}

/** Drops what {@link propagate} left (`IF EXISTS`: `attach` only exists with non-linking types). */
async function dropWorkTables(query: Query, o: ComponentOptions): Promise<void> {
  for (const name of ['raw', 'ids', 'edges', 'labels', 'attach']) await query(`DROP TABLE IF EXISTS ${o.tablePrefix}_${name}`);
}
type Query = <R>(text: string) => Promise<{ rows: R[] }>;

function componentOptions(now: unknown, options: IdentityComponentsSqlOptionsInput): ComponentOptions {
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new CrossChannelError('TIME_INVALID', '`now` must be epoch milliseconds', { path: ['now'] });
  const o = parseWith(identityComponentsSqlOptionsSchema, options ?? {}, 'CONFIG_INVALID');
  if (o.maxLinkAge !== undefined && o.at === undefined) throw new CrossChannelError('CONFIG_INVALID', 'maxLinkAge needs the `at` column', { path: ['at'] });
  return o;
}

function queryOf(client: SqlQueryable): Query {
  return async <R>(text: string): Promise<{ rows: R[] }> => {
    try {
      return { rows: rowsOf<R>(await client.query(text)) };
    } catch (e) {
      throw sqlFailure('SQL', e);
    }
  };
}

/**
 * The work tables (`<prefix>_ids`, `_labels`, and `_attach` with non-linking types) computed by label
 * propagation until no label changes; returns the rounds it took.
 */
async function propagate(query: Query, now: EpochMs, o: ComponentOptions): Promise<number> {
  const t = (name: string): string => `${o.tablePrefix}_${name}`;
  const run = (text: string) => query(text);
  const src = typeof o.links === 'string' ? sqlIdentifier(o.links) : `(SELECT * FROM ${o.links.from}) src`;
  const conds = [`${sqlIdentifier(o.a)} IS NOT NULL`, `${sqlIdentifier(o.b)} IS NOT NULL`];
  if (o.maxLinkAge !== undefined) conds.push(`(${sqlIdentifier(o.at!)})::float8 >= ${now - o.maxLinkAge}`);
  const list = o.blocked.map(sqlString).join(', ');
  const blocked = o.blocked.length === 0 ? '' : ` AND x NOT IN (${list}) AND y NOT IN (${list})`;
  for (const name of ['raw', 'ids', 'edges', 'labels', 'm', 'next']) await run(`DROP TABLE IF EXISTS ${t(name)}`);
  // Links kept by the set-wise rules, both directions, on text identifiers.
  await run(`CREATE TEMP TABLE ${t('raw')} AS SELECT DISTINCT x, y FROM (
  SELECT (${sqlIdentifier(o.a)})::text AS x, (${sqlIdentifier(o.b)})::text AS y FROM ${src} WHERE ${conds.join(' AND ')}
  UNION ALL
  SELECT (${sqlIdentifier(o.b)})::text, (${sqlIdentifier(o.a)})::text FROM ${src} WHERE ${conds.join(' AND ')}
) l WHERE true${blocked}`);
  const shared = (col: string): string => `split_part(${col}, ':', 1) IN (${o.nonLinking.map(sqlString).join(', ')})`;
  if (o.nonLinking.length > 0) {
    // Non-linking identifiers: remember what they were seen with, then keep them only as components of their own.
    await run(`DROP TABLE IF EXISTS ${t('attach')}`);
    await run(`CREATE TEMP TABLE ${t('attach')} AS SELECT DISTINCT x AS n, y FROM ${t('raw')} WHERE ${shared('x')} AND NOT ${shared('y')}`);
    await run(`INSERT INTO ${t('raw')} SELECT DISTINCT x, x FROM ${t('raw')} WHERE ${shared('x')} UNION SELECT DISTINCT y, y FROM ${t('raw')} WHERE ${shared('x')}`);
    await run(`DELETE FROM ${t('raw')} WHERE x <> y AND (${shared('x')} OR ${shared('y')})`);
  }
  if (o.maxDegree !== undefined) {
    await run(`DELETE FROM ${t('raw')} WHERE x IN (SELECT x FROM ${t('raw')} WHERE x <> y GROUP BY x HAVING count(*) > ${o.maxDegree})
  OR y IN (SELECT x FROM ${t('raw')} WHERE x <> y GROUP BY x HAVING count(*) > ${o.maxDegree})`);
  }
  await run(`CREATE TEMP TABLE ${t('ids')} AS SELECT x AS id, row_number() OVER (ORDER BY x) AS n FROM (SELECT DISTINCT x FROM ${t('raw')}) d`);
  await run(`CREATE TEMP TABLE ${t('edges')} AS SELECT i.n AS u, j.n AS v FROM ${t('raw')} r JOIN ${t('ids')} i ON i.id = r.x JOIN ${t('ids')} j ON j.id = r.y WHERE i.n <> j.n`);
  await run(`CREATE TEMP TABLE ${t('labels')} AS SELECT n AS v, n AS l FROM ${t('ids')}`);
  let rounds = 0;
  for (;;) {
    if (rounds >= o.maxRounds) throw new CrossChannelError('STORE_ERROR', `identity components did not converge in ${o.maxRounds} rounds`, { detail: { rounds } });
    rounds++;
    // m(v): the smallest label among v and its neighbours.
    await run(`CREATE TEMP TABLE ${t('m')} AS SELECT v, min(l) AS m FROM (
  SELECT v, l FROM ${t('labels')} UNION ALL SELECT e.u AS v, lb.l FROM ${t('edges')} e JOIN ${t('labels')} lb ON lb.v = e.v
) s GROUP BY v`);
    // Hooking: a label (a tree root) takes the smallest m of the nodes pointing to it; then every node takes the
    // smaller of its own m and its root's new label, and jumps once more (L ← L(L)).
    await run(`CREATE TEMP TABLE ${t('next')} AS
WITH hook AS (SELECT lb.l AS p, min(m.m) AS h FROM ${t('labels')} lb JOIN ${t('m')} m ON m.v = lb.v GROUP BY lb.l),
     step AS (SELECT lb.v, least(m.m, coalesce(h.h, m.m)) AS l FROM ${t('labels')} lb JOIN ${t('m')} m ON m.v = lb.v LEFT JOIN hook h ON h.p = lb.l)
SELECT s.v, least(s.l, coalesce(j.l, s.l)) AS l FROM step s LEFT JOIN step j ON j.v = s.l`);
    const changed = (await query<{ n: number | string }>(`SELECT count(*) AS n FROM ${t('next')} x JOIN ${t('labels')} lb ON lb.v = x.v WHERE x.l <> lb.l`)).rows[0]?.n;
    await run(`DROP TABLE ${t('labels')}`);
    await run(`DROP TABLE ${t('m')}`);
    await run(`ALTER TABLE ${t('next')} RENAME TO ${t('labels')}`);
    if (Number(changed) === 0) break;
  }
  return rounds;
}
