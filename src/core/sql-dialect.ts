/**
 * SQL dialects for batch work: the few places where PostgreSQL and DuckDB spell the same thing differently,
 * in one file. SQL generators (segments, identity, attribution, insights) take a dialect (or, for a spelling or two, the per-engine maps `epochMsSql` and `jsonNumberSql`, which a bundler keeps without the dialect objects) and never test which engine
 * they run on; everything else they write is the SQL both engines share (CTEs, FILTER, window functions).
 */

import { CrossChannelError, quoted, inputError } from './errors.js';
import type { SqlClient } from './sql.js';

/** The JSON types a dialect reports, named as JSON names them. */
export type JsonTypeName = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

/**
 * How one engine reads a JSON document column at a fixed path (path segments are plain keys; the generator
 * quotes them). Every method returns a SQL expression; a missing path yields SQL NULL.
 */
export interface SqlDialect {
  readonly name: 'postgres' | 'duckdb';
  /** The JSON type at the path, as a {@link JsonTypeName}, or NULL when missing. */
  jsonType(doc: string, path: ReadonlyArray<string>): string;
  /** The value at the path as text (a string without quotes; other types as their JSON text). */
  jsonText(doc: string, path: ReadonlyArray<string>): string;
  /** The value at the path as a double when it is a JSON number, else NULL ({@link jsonNumberSql}). */
  jsonNumber(doc: string, path: ReadonlyArray<string>): string;
  /** The value at the path as a JSON value usable in `count(DISTINCT …)` (typed: 1 and "1" differ). */
  jsonValue(doc: string, path: ReadonlyArray<string>): string;
  /** True when the JSON array at the path has an element equal (type and value) to the JSON literal. */
  jsonArrayHas(doc: string, path: ReadonlyArray<string>, jsonLiteral: string): string;
  /** Text comparison in code-point order (JavaScript's `<` on BMP strings). */
  binaryText(expr: string): string;
  /** A timestamp column as epoch milliseconds (double). */
  epochMs(expr: string): string;
  /**
   * Text folded to lowercase character by character, whatever the database's locale. `table()` gives the
   * caller's folding as `[from, to]` pairs of `translate()` (one per page of 256 code points), for engines whose
   * `lower()` depends on the locale; the others lowercase with `lower()` (Unicode's one-character mappings) and
   * map the final sigma ς to σ.
   */
  foldCase(expr: string, table: () => ReadonlyArray<readonly [string, string]>): string;
  /** The SQL type name of a 64-bit float. */
  readonly float: string;
}

/** A string literal, quotes doubled (both engines use standard-conforming strings). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A double-quoted identifier, `schema.table` allowed. */
export function sqlIdentifier(id: string): string {
  return id
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}

const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const pgPath = (path: ReadonlyArray<string>): string => sqlString(`{${path.map((p) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);

/**
 * The JSON value at a path (`#>`, or its text with `#>>`). `#>` reads a step such as `-1` (from the end), `01`, `+1`
 * or ` 1` as an array position, where the in-memory path and a JSON Pointer read only a member of that name: such a
 * step is taken with `->` (a key never reads an array), the runs of other steps with `#>`.
 */
const pgAt = (doc: string, path: ReadonlyArray<string>, text = false): string => {
  const odd = (p: string): boolean => /^\s*[+-]?\d+$/.test(p) && !/^(0|[1-9]\d*)$/.test(p);
  if (!path.some(odd)) return `(${doc})::jsonb ${text ? '#>>' : '#>'} ${pgPath(path)}`;
  let e = `(${doc})::jsonb`;
  let run: string[] = [];
  for (const p of path) {
    if (!odd(p)) run.push(p);
    else {
      if (run.length > 0) e += ` #> ${pgPath(run)}`;
      e += ` -> ${sqlString(p)}`;
      run = [];
    }
  }
  if (run.length > 0) e += ` #> ${pgPath(run)}`;
  return text ? `${e} #>> '{}'` : e;
};

// A JSON Pointer (RFC 6901): a step of digits reads an array's element or an object's member of that name, as the
// in-memory path and PostgreSQL's `#>` do (a JSONPath `$."0"` reads only a member, `$[0]` only an element).
const duckPath = (path: ReadonlyArray<string>): string => sqlString(path.length === 0 ? '$' : path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''));

type DialectName = SqlDialect['name'];

/**
 * A timestamp column as epoch milliseconds (a double), per engine: the dialects' `epochMs`, exported apart so a
 * generator that needs only this spelling does not bundle whole dialect objects. DuckDB's `extract(epoch …)` is a
 * double of seconds (1.001 × 1000 = 1000.9999999999999); its `epoch_ms` is exact.
 * @example
 * epochMsSql.duckdb('e.at'); // '(epoch_ms(e.at))::DOUBLE'
 */
export const epochMsSql: Readonly<Record<DialectName, (expr: string) => string>> = {
  postgres: (expr) => `(extract(epoch from ${expr}) * 1000)::float8`,
  duckdb: (expr) => `(epoch_ms(${expr}))::DOUBLE`,
};
// (The dialect objects below read these maps' members inside their own functions: a member read at module level
// is not side-effect free to a bundler, which would then keep both dialect objects in every importer.)

/**
 * The value at a path of a JSON document as a double when it is a JSON number, else SQL NULL (a string "12" or
 * `true` is no number; DuckDB's casts would read both), per engine: the dialects' `jsonNumber`, exported apart as
 * {@link epochMsSql} is. PostgreSQL tests with CASE, not AND: the planner may evaluate a cast before the type
 * test beside it.
 * @example
 * jsonNumberSql.postgres('e.props', ['amount']);
 */
export const jsonNumberSql: Readonly<Record<DialectName, (doc: string, path: ReadonlyArray<string>) => string>> = {
  postgres: (doc, path) => `(CASE WHEN jsonb_typeof(${pgAt(doc, path)}) = 'number' THEN (${pgAt(doc, path, true)})::float8 END)`,
  duckdb: (doc, path) => {
    const [d, at] = [`(${doc})::JSON`, duckPath(path)];
    return `(CASE WHEN json_type(${d}, ${at}) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN json_extract_string(${d}, ${at})::DOUBLE END)`;
  },
};

/**
 * PostgreSQL (and PGlite, Citus, any engine with `jsonb`): documents are `jsonb` (a `json` column is cast).
 */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  jsonType: (doc, path) => `jsonb_typeof(${pgAt(doc, path)})`,
  jsonText: (doc, path) => `(${pgAt(doc, path, true)})`,
  jsonNumber: (doc, path) => jsonNumberSql.postgres(doc, path),
  jsonValue: (doc, path) => `(${pgAt(doc, path)})`,
  jsonArrayHas: (doc, path, lit) => `((${pgAt(doc, path)}) @> jsonb_build_array((${sqlString(lit)})::jsonb))`,
  binaryText: (expr) => `(${expr} COLLATE "C")`,
  epochMs: (expr) => epochMsSql.postgres(expr),
  // lower() follows LC_CTYPE (ASCII only in the C locale): ASCII text with a 26-letter translate, the rest page by
  // page, each page's translate only on text holding a character of it (translate scans its table per character).
  foldCase: (expr, table) => {
    const pages = table();
    const latin1 = pages[0]!;
    const rest = pages.slice(1).reduce((e, [from, to]) => `translate(${e}, CASE WHEN ${expr} ~ '[${[...from][0]}-${[...from].pop()}]' THEN ${sqlString(from)} ELSE '' END, ${sqlString(to)})`, `translate(${expr}, ${sqlString(latin1[0])}, ${sqlString(latin1[1])})`);
    return `(CASE WHEN octet_length(${expr}) = length(${expr}) THEN translate(${expr}, '${ASCII_UPPER}', '${ASCII_UPPER.toLowerCase()}') WHEN ${expr} ~ '[^\\x01-\\xff]' THEN ${rest} ELSE translate(${expr}, ${sqlString(latin1[0])}, ${sqlString(latin1[1])}) END)`;
  },
  float: 'float8',
};

const DUCK_TYPES = `CASE json_type(%) WHEN 'VARCHAR' THEN 'string' WHEN 'BIGINT' THEN 'number' WHEN 'UBIGINT' THEN 'number' WHEN 'DOUBLE' THEN 'number' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null' WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' END`;

/**
 * DuckDB (`@duckdb/node-api`): documents are `JSON` (a `VARCHAR` column holding JSON text works too).
 */
export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  jsonType: (doc, path) => DUCK_TYPES.replace('%', `json_extract((${doc})::JSON, ${duckPath(path)})`),
  jsonText: (doc, path) => `json_extract_string((${doc})::JSON, ${duckPath(path)})`,
  jsonNumber: (doc, path) => jsonNumberSql.duckdb(doc, path),
  jsonValue: (doc, path) => `json_extract((${doc})::JSON, ${duckPath(path)})::VARCHAR`,
  // DuckDB evaluates both sides of AND: the list is only read from arrays. `$[*]` keeps a JSON null element as the
  // text 'null' (a cast to JSON[] would make it an SQL NULL, which list_contains never finds).
  jsonArrayHas: (doc, path, lit) =>
    `(CASE WHEN json_type(json_extract((${doc})::JSON, ${duckPath(path)})) = 'ARRAY' THEN list_contains(json_extract(json_extract((${doc})::JSON, ${duckPath(path)}), '$[*]')::VARCHAR[], (${sqlString(lit)})::JSON::VARCHAR) ELSE false END)`,
  binaryText: (expr) => `(${expr} COLLATE "binary")`,
  epochMs: (expr) => epochMsSql.duckdb(expr),
  // DuckDB's lower() maps each character by Unicode's data, whatever the locale.
  foldCase: (expr) => `replace(lower(${expr}), 'ς', 'σ')`,
  float: 'DOUBLE',
};

/**
 * A failed statement as `STORE_ERROR`, naming what the engine named: `detail.column` for a missing column (or
 * the column of a failed conversion), `detail.table` for a missing table. PostgreSQL's and DuckDB's wordings.
 */
export function sqlFailure(engine: string, e: unknown): CrossChannelError {
  if (e instanceof CrossChannelError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const column = /column "([^"]+)"(?: of relation "[^"]+")? does not exist|Referenced column "([^"]+)" not found|column (?:with name )?"?([\w.]+)"? not found/i.exec(message);
  const table = /Table with name "?([\w.]+)"? does not exist|relation "([^"]+)" does not exist/i.exec(message);
  const detail: Record<string, unknown> = {};
  const col = column?.slice(1).find((x) => x !== undefined);
  const tab = table?.slice(1).find((x) => x !== undefined);
  if (col !== undefined) detail.column = col;
  if (tab !== undefined) detail.table = tab;
  const where = [col === undefined ? '' : `column ${col}`, tab === undefined ? '' : `table ${tab}`].filter(Boolean).join(', ');
  return new CrossChannelError('STORE_ERROR', `${engine} query failed${where ? ` (${where})` : ''}: ${message}`, { cause: e, detail });
}

/**
 * `client` checked as a {@link SqlClient} (a query function and a `transaction` function): the generators that
 * write results into the database need one connection for all their statements. Plain JavaScript may pass
 * anything; the error names the adapters that build one.
 */
export function expectTransactional(client: unknown, path: ReadonlyArray<string | number>): asserts client is SqlClient {
  const c = client as { query?: unknown; transaction?: unknown } | null;
  if (c === null || typeof c !== 'object' || typeof c.query !== 'function' || typeof c.transaction !== 'function') {
    throw inputError('Expected a SqlClient with query() and transaction() (fromPg, fromPglite, fromDuckDB)', path);
  }
}

/**
 * The rows of what `client.query` answered, checked: anything but `{ rows: [objects…] }` (a wrapper of the wrong
 * shape, a driver answering `undefined`) is the query failing, `STORE_ERROR` at `client.rows`, not a `TypeError`
 * further on.
 */
export function rowsOf<R>(answer: unknown): R[] {
  const rows = (answer as { rows?: unknown } | null | undefined)?.rows;
  if (!Array.isArray(rows)) throw badRows('no list of rows', ['client', 'rows']);
  const bad = rows.findIndex((r) => r === null || typeof r !== 'object');
  if (bad !== -1) throw badRows(`a row that is not an object (${quoted(rows[bad])})`, ['client', 'rows', bad]);
  return rows as R[];
}

const badRows = (what: string, path: Array<string | number>): CrossChannelError =>
  new CrossChannelError('STORE_ERROR', `client.query answered ${what}; expected { rows: [{…}, …] }`, { path });
