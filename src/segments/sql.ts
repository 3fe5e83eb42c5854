import * as z from 'zod/mini';
import { enumSchema, booleanSchema } from '../core/zod.js';
import { sqlNameSchema as identifier, sqlRelationSchema } from '../core/sql-schema.js';
import { CrossChannelError, parseWith } from '../core/errors.js';
import { duckdbDialect, expectTransactional, postgresDialect, rowsOf, sqlFailure, sqlIdentifier, sqlString, type SqlDialect } from '../core/sql-dialect.js';
import type { SqlClient, SqlQueryable } from '../core/sql.js';
import type { EpochMs } from '../core/time.js';
import { compileSegments, type CompiledSegments } from './compile.js';
import { foldCase } from './text.js';
import type { AttributeCondition, EventFilter, PropertyCondition, SegmentRule, Window } from './dsl.js';
import type { SegmentErrorCode } from './errors.js';

/**
 * Segments as ONE SQL query over a profiles table (JSON attributes) and an events table, for populations that
 * live in a warehouse. Each construct is translated with the in-memory semantics (typed comparisons: 1 and "1"
 * differ; a missing attribute fails every test but `neq`/`notIn`; windows are half-open and end at `now`);
 * constructs whose meaning needs JavaScript (regex/glob patterns, date parsing of attributes, local calendars,
 * `since` windows) are refused with `SEGMENT_SQL_UNSUPPORTED` naming them.
 */


/**
 * Schema of the SQL source description of {@link segmentsSql}: the two relations, their columns, how `at` is
 * stored (`epoch_ms` numbers or `timestamptz`), and the dialect.
 *
 * @example
 * ```ts
 * segmentsSqlOptionsSchema.parse({ dialect: 'duckdb', events: { from: "read_parquet('events/*.parquet')" } });
 * ```
 */
export const segmentsSqlOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    dialect: z._default(enumSchema(['postgres', 'duckdb']), 'postgres'),
    profiles: z._default(sqlRelationSchema, 'profiles'),
    events: z._default(sqlRelationSchema, 'events'),
    subjectId: z._default(identifier, 'subject_id'),
    attributes: z._default(identifier, 'attributes'),
    type: z._default(identifier, 'type'),
    channel: z._default(identifier, 'channel'),
    at: z._default(identifier, 'at'),
    properties: z._default(identifier, 'properties'),
    timeType: z._default(enumSchema(['epoch_ms', 'timestamptz']), 'epoch_ms'),
  }))();
/** SQL source description as written by a caller. */
export type SegmentsSqlOptionsInput = z.input<typeof segmentsSqlOptionsSchema>;
type Options = z.output<typeof segmentsSqlOptionsSchema>;
type Path = ReadonlyArray<string | number>;

function unsupported(construct: string, path: Path): CrossChannelError<SegmentErrorCode> {
  return new CrossChannelError<SegmentErrorCode>('SEGMENT_SQL_UNSUPPORTED', `${construct} has no SQL form; evaluate this segment in memory`, { path, detail: { construct } });
}

/** Builds the query; aggregates over events become columns of one GROUP BY, shared by identical text. */
class Generator {
  readonly aggregates = new Map<string, string>();
  /** Second-pass aggregates over events joined to the first ones ("B at or after the last A"). */
  readonly after = new Map<string, string>();
  /** JSON paths read by the conditions, extracted once per row in the `pr` / `ev` CTEs (not once per test). */
  readonly extracted = new Map<string, { readonly rel: 'pr' | 'ev'; readonly segs: string[]; readonly name: string; folded?: boolean }>();
  /** Pages of `translate` arguments folding case as {@link foldCase} does, built when a condition ignores case. */
  foldArgs: Array<[string, string]> | undefined;
  readonly d: SqlDialect;
  constructor(
    readonly o: Options,
    readonly now: EpochMs,
    readonly byId: ReadonlyMap<string, SegmentRule>,
  ) {
    this.d = o.dialect === 'duckdb' ? duckdbDialect : postgresDialect;
  }

  /** Type, text and number of a JSON path of the profile (`pr.attrs`) or event (`ev.props`) document. */
  columns(doc: string, path: string, folded = false): { T: string; X: string; N: string; F: string } {
    const rel = doc === 'pr.attrs' ? 'pr' : 'ev';
    const key = `${rel}\u0000${path}`;
    let e = this.extracted.get(key);
    if (e === undefined) {
      e = { rel, segs: path.split('.'), name: `j${this.extracted.size}` };
      this.extracted.set(key, e);
    }
    if (folded) e.folded = true;
    return { T: `${rel}.${e.name}_t`, X: `${rel}.${e.name}_x`, N: `${rel}.${e.name}_n`, F: `${rel}.${e.name}_f` };
  }

  /** The extraction columns of one CTE, reading the document column `doc`. */
  extractions(rel: 'pr' | 'ev', doc: string): string {
    let out = '';
    for (const e of this.extracted.values()) {
      if (e.rel !== rel) continue;
      out += `, ${this.d.jsonType(doc, e.segs)} AS ${e.name}_t, ${this.d.jsonText(doc, e.segs)} AS ${e.name}_x, ${this.d.jsonNumber(doc, e.segs)} AS ${e.name}_n`;
    }
    return out;
  }

  /** `SELECT` of one CTE: the extractions, then (reading them) the case foldings `ignoreCase` compares. */
  cte(rel: 'pr' | 'ev', select: string): string {
    let folds = '';
    for (const e of this.extracted.values()) {
      if (e.rel === rel && e.folded) folds += `, ${this.d.foldCase(`q.${e.name}_x`, () => (this.foldArgs ??= foldTable()))} AS ${e.name}_f`;
    }
    return `${rel} AS (${folds === '' ? select : `SELECT q.*${folds} FROM (${select}) q`})`;
  }

  aggregate(expr: string): string {
    let name = this.aggregates.get(expr);
    if (name === undefined) {
      name = `a${this.aggregates.size}`;
      this.aggregates.set(expr, name);
    }
    return `agg.${name}`;
  }

  /** A rule as a two-valued boolean expression (every leaf is coalesced, so NOT never meets NULL). */
  rule(r: SegmentRule, path: Path, stack: ReadonlyArray<string>): string {
    // Empty groups take their identities (an empty `and` holds, an empty `or` does not): `()` is no SQL.
    if ('and' in r) return r.and.length === 0 ? 'true' : `(${r.and.map((c, i) => this.rule(c, [...path, 'and', i], stack)).join(' AND ')})`;
    if ('or' in r) return r.or.length === 0 ? 'false' : `(${r.or.map((c, i) => this.rule(c, [...path, 'or', i], stack)).join(' OR ')})`;
    if ('not' in r) return `(NOT ${this.rule(r.not, [...path, 'not'], stack)})`;
    if ('segment' in r) {
      // parseSegments has rejected cycles; the referenced rule is inlined.
      return this.rule(this.byId.get(r.segment)!, [...path, 'segment'], [...stack, r.segment]);
    }
    if ('attr' in r) return `coalesce(${this.value('pr.attrs', r.attr, r, path)}, false)`;
    if ('count' in r) {
      const a = this.aggregate(`count(*) FILTER (WHERE ${this.filter(r.count, [...path, 'count'])} AND ${this.window(r.window, [...path, 'window'])})`);
      return `coalesce(${numberTest(`coalesce(${a}, 0)`, r.op, r.value)}, false)`;
    }
    if ('aggregate' in r) {
      const where = `${this.filter(r.event, [...path, 'event'])} AND ${this.window(r.window, [...path, 'window'])}`;
      const segs = r.property.split('.');
      const { T: t, N: n } = this.columns('ev.props', r.property);
      if (r.aggregate === 'distinct') {
        const a = this.aggregate(`count(DISTINCT ${this.d.jsonValue('ev.props', segs)}) FILTER (WHERE ${where} AND ${t} <> 'null')`);
        return `coalesce(${numberTest(`coalesce(${a}, 0)`, r.op, r.value)}, false)`;
      }
      let a: string;
      if (r.aggregate === 'sum' || r.aggregate === 'avg') {
        // As in memory: ±Infinity only when the total is beyond the double range. Values of 2^960 and more are
        // summed scaled by 2^-64 (exact), the others as they are: no partial sum overflows (PostgreSQL would
        // raise), whatever the order of the rows.
        const f = (x: number): string => `(${x})::${this.d.float}`;
        const lo = `coalesce(${this.aggregate(`sum(${n}) FILTER (WHERE ${where} AND ${t} = 'number' AND abs(${n}) < ${f(2 ** 960)})`)}, 0)`;
        const hi = `coalesce(${this.aggregate(`sum(${n} * ${f(2 ** -64)}) FILTER (WHERE ${where} AND ${t} = 'number' AND abs(${n}) >= ${f(2 ** 960)})`)}, 0)`;
        const s = `(${hi} + ${lo} * ${f(2 ** -64)})`;
        const inf = `'Infinity'::${this.d.float}`;
        a = `(CASE WHEN ${hi} = 0 THEN ${lo} WHEN ${s} >= ${f(2 ** 960)} THEN ${inf} WHEN ${s} <= -${f(2 ** 960)} THEN -${inf} ELSE ${s} * ${f(2 ** 64)} END)`;
        if (r.aggregate === 'avg') a = `(${a} / nullif(${this.aggregate(`count(*) FILTER (WHERE ${where} AND ${t} = 'number')`)}, 0))`;
      } else a = this.aggregate(`${r.aggregate}(${n}) FILTER (WHERE ${where} AND ${t} = 'number')`);
      return `coalesce(${numberTest(a, r.op, r.value)}, false)`;
    }
    if ('occurrence' in r) {
      const at = this.aggregate(`${r.occurrence === 'first' ? 'min' : 'max'}(ev.at_ms) FILTER (WHERE ${this.filter(r.event, [...path, 'event'])} AND ${this.window(r.window, [...path, 'window'])})`);
      return `coalesce(${numberTest(`(${this.now} - ${at})`, r.op, r.value)}, false)`;
    }
    if ('did' in r) {
      // The last A in the window, and no B at or after it up to now (B at the same instant interrupts).
      const last = this.aggregate(`max(ev.at_ms) FILTER (WHERE ${this.filter(r.did, [...path, 'did'])} AND ${this.window(r.window, [...path, 'window'])})`);
      const b = this.filter(r.notSince, [...path, 'notSince']);
      // A second GROUP BY over the events joined to the first one (a hash join, not a correlated subquery).
      const expr = `bool_or(${b} AND ev.at_ms >= ${last} AND ev.at_ms < ${this.now + 1})`;
      let name = this.after.get(expr);
      if (name === undefined) {
        name = `b${this.after.size}`;
        this.after.set(expr, name);
      }
      return `coalesce(${last} IS NOT NULL AND NOT coalesce(agg2.${name}, false), false)`;
    }
    const kind = Object.keys(r)[0] ?? 'rule';
    throw unsupported(kind, path);
  }

  /** An attribute or property condition on a JSON document column. */
  value(doc: string, attrPath: string, c: AttributeCondition | PropertyCondition, path: Path): string {
    const d = this.d;
    const segs = attrPath.split('.');
    const ic = 'ignoreCase' in c && c.ignoreCase === true;
    // With ignoreCase, the text folded in the CTE (locale-independent, as in memory) against the literal folded here.
    const { T, X, N, F } = this.columns(doc, attrPath, ic);
    const text = (lit: string): string => (ic ? `${F} = ${sqlString(foldCase(lit))}` : `${X} = ${sqlString(lit)}`);
    const eq = (v: unknown): string => {
      if (typeof v === 'string') return `(${T} = 'string' AND ${text(v)})`;
      if (typeof v === 'number') return `(${T} = 'number' AND ${N} = ${v})`;
      if (typeof v === 'boolean') return `(${T} = 'boolean' AND ${X} = '${v}')`;
      return `(${T} = 'null')`;
    };
    const anyOf = (values: ReadonlyArray<unknown>): string => {
      const strings = [...new Set(values.filter((v): v is string => typeof v === 'string'))];
      const numbers = [...new Set(values.filter((v): v is number => typeof v === 'number'))];
      const parts: string[] = [];
      if (strings.length > 0) parts.push(`(${T} = 'string' AND ${ic ? F : X} IN (${strings.map((s) => sqlString(ic ? foldCase(s) : s)).join(', ')}))`);
      if (numbers.length > 0) parts.push(`(${T} = 'number' AND ${N} IN (${numbers.join(', ')}))`);
      for (const b of [true, false]) if (values.includes(b)) parts.push(eq(b));
      if (values.includes(null)) parts.push(eq(null));
      return parts.length === 0 ? 'false' : `(${parts.join(' OR ')})`;
    };
    const ordered = (op: string, v: number | string): string =>
      typeof v === 'number' ? `(${T} = 'number' AND ${N} ${op} ${v})` : `(${T} = 'string' AND ${d.binaryText(X)} ${op} ${d.binaryText(sqlString(v))})`;
    switch (c.op) {
      case 'eq':
        return eq(c.value);
      case 'neq':
        return `(NOT coalesce(${eq(c.value)}, false))`;
      case 'in':
        return anyOf(c.value);
      case 'notIn':
        return `(NOT coalesce(${anyOf(c.value)}, false))`;
      case 'gt':
        return ordered('>', c.value);
      case 'gte':
        return ordered('>=', c.value);
      case 'lt':
        return ordered('<', c.value);
      case 'lte':
        return ordered('<=', c.value);
      case 'between': {
        const [lo, hi] = c.value;
        return `(${ordered('>=', lo)} AND ${ordered('<=', hi)})`;
      }
      case 'exists':
        return `(${T} IS NOT NULL AND ${T} <> 'null')`;
      case 'contains': {
        if (ic) throw unsupported(`${'attr' in c ? 'attr' : 'prop'}.contains with ignoreCase`, path);
        const inArray = `(${T} = 'array' AND ${d.jsonArrayHas(doc, segs, JSON.stringify(c.value))})`;
        if (typeof c.value !== 'string') return inArray;
        return `((${T} = 'string' AND strpos(${X}, ${sqlString(c.value)}) > 0) OR ${inArray})`;
      }
      case 'startsWith':
      case 'endsWith': {
        const w = sqlString(ic ? foldCase(c.value) : c.value);
        return `(${T} = 'string' AND ${c.op === 'startsWith' ? 'left' : 'right'}(${ic ? F : X}, length(${w})) = ${w})`;
      }
      default:
        throw unsupported(`${'attr' in c ? 'attr' : 'prop'}.${c.op}`, path);
    }
  }

  filter(f: EventFilter, path: Path): string {
    const parts: string[] = [];
    const oneOrMany = (col: string, v: string | string[] | undefined): void => {
      if (v === undefined) return;
      const list = typeof v === 'string' ? [v] : [...new Set(v)];
      parts.push(`coalesce(${col} IN (${list.map(sqlString).join(', ')}), false)`);
    };
    oneOrMany('ev.type', f.type);
    oneOrMany('ev.channel', f.channel);
    (f.where ?? []).forEach((w, i) => parts.push(`coalesce(${this.value('ev.props', w.prop, w, [...path, 'where', i])}, false)`));
    return parts.length === 0 ? 'true' : `(${parts.join(' AND ')})`;
  }

  window(w: Window | undefined, path: Path): string {
    const end = this.now + 1;
    if (w === undefined) return `ev.at_ms < ${end}`;
    if ('last' in w) return `(ev.at_ms >= ${this.now - w.last} AND ev.at_ms < ${end})`;
    if ('calendar' in w) throw unsupported('window.calendar', path);
    if ('since' in w) throw unsupported('window.since', path);
    const parts = [`ev.at_ms < ${Math.min(w.to ?? Infinity, end)}`];
    if (w.from !== undefined) parts.push(`ev.at_ms >= ${w.from}`);
    return `(${parts.join(' AND ')})`;
  }
}

/** `[from, to]` of `translate` for every character {@link foldCase} changes, by page of 256 code points. */
function foldTable(): Array<[string, string]> {
  const pages: Array<[string, string]> = [];
  for (let c = 0; c < 0x1f000; c++) {
    if (c === 0xd800) c = 0xe000;
    const ch = String.fromCodePoint(c);
    const f = foldCase(ch);
    if (f === ch) continue;
    const last = pages[pages.length - 1];
    if (last !== undefined && last[0].codePointAt(0)! >> 8 === c >> 8) {
      last[0] += ch;
      last[1] += f;
    } else pages.push([ch, f]);
  }
  return pages;
}

function numberTest(expr: string, op: string, value: number | readonly [number, number]): string {
  if (Array.isArray(value)) return `(${expr} >= ${value[0]} AND ${expr} <= ${value[1]})`;
  const sym = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }[op] ?? '<=';
  return `(${expr} ${sym} ${value as number})`;
}

function o(options: SegmentsSqlOptionsInput): Options {
  return parseWith(segmentsSqlOptionsSchema, options ?? {}, 'CONFIG_INVALID');
}

function from(r: z.output<typeof sqlRelationSchema>): string {
  return typeof r === 'string' ? sqlIdentifier(r) : `(SELECT * FROM ${r.from}) src`;
}

/**
 * The SQL query computing every segment's members at `now`: rows `(subject_id, segment_id)`, one per
 * membership. One scan of the events (one GROUP BY with a FILTERed aggregate per distinct event condition) joined
 * to the profiles; "did A, not B since" adds a second GROUP BY over the events joined to the first. Literals are escaped, identifiers
 * validated and quoted.
 *
 * @example
 * ```ts
 * const segments = compileSegments([{ id: 'buyers', rule: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } }]);
 * const text = segmentsSql(segments, Date.UTC(2026, 0, 1), { dialect: 'duckdb' });
 * ```
 */
export function segmentsSql(segments: CompiledSegments | unknown, now: EpochMs, options: SegmentsSqlOptionsInput = {}): string {
  const set = compileSegments(segments);
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new CrossChannelError('TIME_INVALID', '`now` must be epoch milliseconds', { path: ['now'] });
  const o = parseWith(segmentsSqlOptionsSchema, options ?? {}, 'CONFIG_INVALID');
  const byId = new Map(set.definitions.map((d) => [d.id, d.rule] as const));
  const g = new Generator(o, now, byId);
  const columns = set.definitions.map((def, i) => `${g.rule(def.rule, [i, 'rule'], [def.id])} AS s${i}`);
  const d = g.d;
  const atMs = o.timeType === 'epoch_ms' ? `(${sqlIdentifier(o.at)})::${d.float}` : d.epochMs(sqlIdentifier(o.at));
  const attrs = sqlIdentifier(o.attributes);
  const props = sqlIdentifier(o.properties);
  const ctes = [
    g.cte('pr', `SELECT (${sqlIdentifier(o.subjectId)})::text AS sid, ${attrs} AS attrs${g.extractions('pr', attrs)} FROM ${from(o.profiles)}`),
    g.cte('ev', `SELECT (${sqlIdentifier(o.subjectId)})::text AS sid, (${sqlIdentifier(o.type)})::text AS type, (${sqlIdentifier(o.channel)})::text AS channel, ${atMs} AS at_ms, ${props} AS props${g.extractions('ev', props)} FROM ${from(o.events)}`),
  ];
  const aggs = [...g.aggregates].map(([expr, name]) => `${expr} AS ${name}`);
  if (aggs.length > 0) ctes.push(`agg AS (SELECT ev.sid, ${aggs.join(', ')} FROM ev GROUP BY ev.sid)`);
  const after = [...g.after].map(([expr, name]) => `${expr} AS ${name}`);
  if (after.length > 0) ctes.push(`agg2 AS (SELECT ev.sid, ${after.join(', ')} FROM ev JOIN agg ON agg.sid = ev.sid GROUP BY ev.sid)`);
  const join = (aggs.length > 0 ? ' LEFT JOIN agg ON agg.sid = pr.sid' : '') + (after.length > 0 ? ' LEFT JOIN agg2 ON agg2.sid = pr.sid' : '');
  ctes.push(`m AS (SELECT pr.sid, ${columns.length > 0 ? columns.join(', ') : 'true AS s_'} FROM pr${join})`);
  const selects = set.definitions.map((def, i) => `SELECT sid AS subject_id, ${sqlString(def.id)} AS segment_id FROM m WHERE s${i}`);
  return `WITH ${ctes.join(',\n')}\n${selects.length > 0 ? selects.join('\nUNION ALL\n') : 'SELECT NULL AS subject_id, NULL AS segment_id WHERE false'}`;
}

/** Members per segment computed by SQL (every segment of the set has an entry, possibly empty). */
export interface SqlMemberships {
  readonly counts: Readonly<Record<string, number>>;
  readonly members: Readonly<Record<string, ReadonlyArray<string>>>;
}

/**
 * Runs {@link segmentsSql} on a SQL connection (`fromPg`, `fromPglite`, `fromDuckDB`) and groups the rows.
 * Members are sorted by subject id.
 *
 * @example
 * ```ts
 * import { DuckDBInstance } from '@duckdb/node-api';
 * import { fromDuckDB } from 'crosschannel/adapters/duckdb';
 *
 * declare const segments: CompiledSegments;
 *
 * const sql = fromDuckDB(await (await DuckDBInstance.create(':memory:')).connect());
 * const r = await segmentsFromSql(sql, segments, Date.now(), { dialect: 'duckdb', profiles: { from: "read_parquet('profiles/*.parquet')" } });
 * ```
 */
export async function segmentsFromSql(client: SqlQueryable, segments: CompiledSegments | unknown, now: EpochMs, options: SegmentsSqlOptionsInput = {}): Promise<SqlMemberships> {
  const set = compileSegments(segments);
  const text = segmentsSql(set, now, options);
  let rows: Array<{ subject_id: string; segment_id: string }>;
  try {
    rows = rowsOf<{ subject_id: string; segment_id: string }>(await client.query(text));
  } catch (e) {
    throw sqlFailure(o(options).dialect === 'duckdb' ? 'DuckDB' : 'PostgreSQL', e);
  }
  const members: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const id of set.ids) members[id] = [];
  for (const r of rows) members[r.segment_id]?.push(String(r.subject_id));
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const id of set.ids) {
    members[id]!.sort();
    counts[id] = members[id]!.length;
  }
  return { counts, members };
}

/**
 * Schema of the target of {@link segmentsIntoSql}: the table that receives the memberships, and whether an
 * existing one is replaced.
 *
 * @example
 * ```ts
 * segmentsIntoSqlTargetSchema.parse({ into: 'analytics.segment_members', replace: true });
 * ```
 */
export const segmentsIntoSqlTargetSchema = /* @__PURE__ */ (() => z.strictObject({
  /** The table created with the `(subject_id, segment_id)` rows (schema-qualified names allowed). */
  into: identifier,
  /** Replace the table when it exists (default false: an existing table is an error, nothing is written). */
  replace: z._default(booleanSchema(), false),
}))();

/**
 * Where {@link segmentsIntoSql} writes, as written by a caller.
 *
 * @example
 * ```ts
 * const target: SegmentsIntoSqlTarget = { into: 'segment_members', replace: true };
 * ```
 */
export type SegmentsIntoSqlTarget = z.input<typeof segmentsIntoSqlTargetSchema>;

/**
 * What {@link segmentsIntoSql} wrote: the table, and the members per segment counted in the engine (every
 * segment of the set has an entry, possibly 0).
 *
 * @example
 * ```ts
 * declare const r: SqlMembershipCounts;
 * console.log(`${r.rows} memberships in ${r.table}; ${r.counts['vip']} VIPs`);
 * ```
 */
export interface SqlMembershipCounts {
  readonly table: string;
  readonly counts: Readonly<Record<string, number>>;
  /** Rows written (the sum of the counts). */
  readonly rows: number;
}

/**
 * Runs {@link segmentsSql} inside the engine and keeps the result there: `CREATE TABLE <into> AS` the
 * `(subject_id, segment_id)` rows, then counts them per segment, in one transaction (all or nothing: a failing
 * query, or an existing table without `replace`, leaves the database as it was). Nothing but the counts comes
 * back to Node, so it suits populations whose memberships do not fit in a process (10 M profiles and more);
 * {@link segmentsFromSql} reads the members back instead.
 *
 * @example
 * ```ts
 * import { DuckDBInstance } from '@duckdb/node-api';
 * import { fromDuckDB } from 'crosschannel/adapters/duckdb';
 *
 * declare const segments: CompiledSegments;
 *
 * const sql = fromDuckDB(await (await DuckDBInstance.create('warehouse.duckdb')).connect());
 * const r = await segmentsIntoSql(sql, segments, Date.now(), { into: 'segment_members', replace: true }, { dialect: 'duckdb', events: { from: "read_parquet('events/*.parquet')" } });
 * console.log(r.counts);
 * ```
 */
export async function segmentsIntoSql(
  client: SqlClient,
  segments: CompiledSegments | unknown,
  now: EpochMs,
  target: SegmentsIntoSqlTarget,
  options: SegmentsSqlOptionsInput = {},
): Promise<SqlMembershipCounts> {
  expectTransactional(client, ['client']);
  const set = compileSegments(segments);
  const t = parseWith(segmentsIntoSqlTargetSchema, target, 'CONFIG_INVALID', ['target']);
  const text = segmentsSql(set, now, options);
  const table = sqlIdentifier(t.into);
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const id of set.ids) counts[id] = 0;
  let rows = 0;
  try {
    await client.transaction(async (tx) => {
      if (t.replace) await tx.query(`DROP TABLE IF EXISTS ${table}`);
      await tx.query(`CREATE TABLE ${table} AS ${text}`);
      const counted = rowsOf<{ segment_id: string; n: number | string | bigint }>(await tx.query(`SELECT segment_id, count(*) AS n FROM ${table} GROUP BY segment_id`));
      for (const row of counted) {
        const n = Number(row.n);
        if (String(row.segment_id) in counts) counts[String(row.segment_id)] = n;
        rows += n;
      }
    });
  } catch (e) {
    throw sqlFailure(o(options).dialect === 'duckdb' ? 'DuckDB' : 'PostgreSQL', e);
  }
  return { table: t.into, counts, rows };
}
