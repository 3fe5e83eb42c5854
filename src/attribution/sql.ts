import * as z from 'zod/mini';
import { enumSchema, booleanSchema } from '../core/zod.js';
import { sqlNameSchema as identifier } from '../core/sql-schema.js';
import { expectFunction, expectObject } from '../core/guards.js';
import { asStoreError, CrossChannelError, parseWith, quoted } from '../core/errors.js';
import { DAY } from '../core/time.js';
import { durationSchema } from '../core/schema.js';
import type { SqlQueryable } from '../core/sql.js';
import { describeModel, parseAttributionConfig, type AttributionConfig, type AttributionConfigInput, type ModelSpec } from './models.js';
import { statisticsFromJSON, type AttributionStatistics, type AttributionStatisticsJSON, type JourneyTotals } from './stats.js';

/**
 * The same sufficient statistics, computed inside PostgreSQL (or Citus, or any engine with window functions
 * and `array_agg … ORDER BY`) from a touchpoints table and a conversions table, so that only a few thousand
 * aggregate rows leave the warehouse. Journey rules are the in-memory ones: per subject, rows ordered by time,
 * touches before a conversion at the same instant; journey number = 1 + conversions before the row; a touch
 * counts when `conversion − touch ≤ lookback`; repeats collapsed after the window. Equal timestamps among
 * touches are ordered by `tieBreaker` (default the channel) — SQL has no input order. Rows with a NULL subject,
 * channel or time are left out (memory refuses them).
 */

/**
 * Schema of the SQL source description. `timeType`: `timestamptz` columns or `epoch_ms` numbers.
 * `conversionValue`: a column, or `null` for value 1 per conversion.
 *
 * @example
 * ```ts
 * attributionSqlOptionsSchema.parse({ touchpoints: 'mart.touchpoints', conversions: 'mart.orders', conversionValue: 'amount' });
 * ```
 */
export const attributionSqlOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    touchpoints: z._default(identifier, 'touchpoints'),
    conversions: z._default(identifier, 'conversions'),
    subjectId: z._default(identifier, 'subject_id'),
    channel: z._default(identifier, 'channel'),
    at: z._default(identifier, 'at'),
    conversionValue: z._default(z.nullable(identifier), 'value'),
    tieBreaker: z.optional(identifier),
    timeType: z._default(enumSchema(['timestamptz', 'epoch_ms']), 'timestamptz'),
    lookback: z._default(durationSchema, 30 * DAY),
    collapseRepeats: z._default(booleanSchema(), false),
  }))();

/** SQL source description as written by a caller. */
export type AttributionSqlOptionsInput = z.input<typeof attributionSqlOptionsSchema>;
type SqlOptions = z.output<typeof attributionSqlOptionsSchema>;

// Identifiers are validated (sqlNameSchema: no quotes), so each dotted part is quoted as it stands.
const q = (id: string): string => `"${id.replace(/\./g, '"."')}"`;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The shared CTEs: `kept` holds one row per counted touch with its journey, position and conversion. */
function journeyCtes(o: SqlOptions): string {
  const atMs = (alias: string): string => (o.timeType === 'epoch_ms' ? `(${alias}.${q(o.at)})::float8` : `(extract(epoch from ${alias}.${q(o.at)}) * 1000)::float8`);
  // A tie-breaker keeps its column type: a sequence number cast to text put 10 before 9.
  const tie = o.tieBreaker === undefined ? `t.${q(o.channel)}::text` : `t.${q(o.tieBreaker)}`;
  const value = o.conversionValue === null ? '1::float8' : `coalesce(c.${q(o.conversionValue)}::float8, 1)`;
  const convTie = o.tieBreaker === undefined ? "''" : `c.${q(o.tieBreaker)}`;
  return `WITH ev AS (
  SELECT t.${q(o.subjectId)}::text AS subject_id, ${atMs('t')} AS at_ms, t.${q(o.channel)}::text AS channel, NULL::float8 AS value, 0 AS is_conv, ${tie} AS tie
  FROM ${q(o.touchpoints)} t
  UNION ALL
  SELECT c.${q(o.subjectId)}::text, ${atMs('c')}, NULL::text, ${value}, 1, ${convTie}
  FROM ${q(o.conversions)} c
), numbered AS (
  SELECT ev.*, 1 + coalesce(sum(is_conv) OVER (PARTITION BY subject_id ORDER BY at_ms, is_conv, tie ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS journey_no
  FROM ev WHERE subject_id IS NOT NULL AND at_ms IS NOT NULL AND (is_conv = 1 OR channel IS NOT NULL)
), conv AS (
  SELECT subject_id, journey_no, at_ms AS conv_at, value FROM numbered WHERE is_conv = 1
), windowed AS (
  SELECT n.subject_id, n.journey_no, n.channel, n.at_ms, n.tie, c.conv_at, c.value,
  lag(n.channel) OVER (PARTITION BY n.subject_id, n.journey_no ORDER BY n.at_ms, n.tie) AS prev_channel
  FROM numbered n LEFT JOIN conv c ON c.subject_id = n.subject_id AND c.journey_no = n.journey_no
  WHERE n.is_conv = 0 AND (c.conv_at IS NULL OR c.conv_at - n.at_ms <= ${Number(o.lookback)})
), kept AS (
  SELECT subject_id, journey_no, channel, at_ms, conv_at, value, conv_at IS NOT NULL AS converted,
  row_number() OVER (PARTITION BY subject_id, journey_no ORDER BY at_ms, tie) AS pos,
  count(*) OVER (PARTITION BY subject_id, journey_no) AS len
  FROM windowed
  WHERE ${o.collapseRepeats ? 'prev_channel IS DISTINCT FROM channel' : 'true'}
)`;
}

// Each part below is the tail of a statement after the journey CTEs (its own CTEs, then its SELECT): run alone
// after `journeyCtes`, or nested as `(WITH tail)` in the combined statement, which computes the journeys once.

/** The journey totals (one row): one pass over the journeys, one over the conversions no touch reached. */
function totalsSql(): string {
  return `j AS (
  SELECT subject_id, journey_no, bool_or(converted) AS converted, max(value) AS value FROM kept GROUP BY subject_id, journey_no
), jt AS (
  SELECT count(*)::float8 AS journeys, (count(*) FILTER (WHERE converted))::float8 AS converting,
  coalesce(sum(value) FILTER (WHERE converted), 0)::float8 AS value
  FROM j
), lost AS (
  SELECT count(*)::float8 AS unattributed, coalesce(sum(value), 0)::float8 AS unattributed_value
  FROM conv c WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE k.subject_id = c.subject_id AND k.journey_no = c.journey_no)
)
SELECT journeys, converting, value, unattributed, unattributed_value FROM jt CROSS JOIN lost`;
}

/** The journey counts per exact channel set. */
function channelSetsSql(): string {
  return `j AS (
  SELECT array_agg(DISTINCT channel ORDER BY channel) AS channels, bool_or(converted) AS converted, max(value) AS value
  FROM kept GROUP BY subject_id, journey_no
)
SELECT channels, count(*)::float8 AS journeys, (count(*) FILTER (WHERE converted))::float8 AS conversions,
  coalesce(sum(value) FILTER (WHERE converted), 0)::float8 AS value
FROM j GROUP BY channels`;
}

/** The Markov transition counts of one order: `(from_state, to_state, to_kind, n, value)`. */
function transitionsSql(order: number): string {
  return `st AS (
  SELECT subject_id, journey_no, pos, len, converted, value,
  array_agg(channel) OVER (PARTITION BY subject_id, journey_no ORDER BY pos ROWS BETWEEN ${order - 1} PRECEDING AND CURRENT ROW) AS state
  FROM kept
), tr AS (
  SELECT coalesce(lag(state) OVER (PARTITION BY subject_id, journey_no ORDER BY pos), ARRAY[]::text[]) AS from_state, state AS to_state, 'state' AS to_kind, 0::float8 AS value FROM st
  UNION ALL
  SELECT state, ARRAY[]::text[], CASE WHEN converted THEN 'conversion' ELSE 'null' END, CASE WHEN converted THEN value ELSE 0 END FROM st WHERE pos = len
)
SELECT from_state, to_state, to_kind, count(*)::float8 AS n, sum(value)::float8 AS value FROM tr GROUP BY from_state, to_state, to_kind`;
}

/** A number as an SQL literal that divides as a fraction: `1.0`, not `1` (an integer divided by an integer truncates). */
function sqlFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** The SQL weight of one touch (`kept` row) under a rule-based model. */
function weightExpr(m: ModelSpec): string {
  switch (m.model) {
    case 'last_touch':
      return 'CASE WHEN pos = len THEN 1 ELSE 0 END';
    case 'first_touch':
      return 'CASE WHEN pos = 1 THEN 1 ELSE 0 END';
    case 'linear':
      return '1.0 / len';
    case 'last_non_direct': {
      const direct = m.directChannels.length === 0 ? "''" : m.directChannels.map(lit).join(', ');
      return `CASE WHEN pos = coalesce(max(pos) FILTER (WHERE channel NOT IN (${direct})) OVER jw, len) THEN 1 ELSE 0 END`;
    }
    case 'position_based': {
      // Shares are written as floats: 1 − first − last is 1 when both are 0, and 1 / (len − 2) divides integers.
      const f = Number(m.first);
      const l = Number(m.last);
      const two = f + l > 0 ? [f / (f + l), l / (f + l)] : [0.5, 0.5];
      return `CASE WHEN len = 1 THEN 1 WHEN len = 2 THEN CASE WHEN pos = 1 THEN ${two[0]} ELSE ${two[1]} END
  WHEN pos = 1 THEN ${f} WHEN pos = len THEN ${l} ELSE ${sqlFloat(1 - f - l)} / (len - 2) END`;
    }
    case 'time_decay':
      return ''; // two-step form in ruleCreditsSql (window aggregates cannot nest)
    default:
      throw new CrossChannelError('CONFIG_INVALID', `Model ${quoted(m.name)} (${m.model}) has no SQL form`, { path: ['models', m.name] });
  }
}

/** A rule-based model's credits per channel: `(channel, conversions, value)`. */
function ruleCreditsSql(m: ModelSpec): string {
  const w = weightExpr(m);
  const body =
    m.model === 'time_decay'
      ? `d AS (SELECT channel, value, exp(${-Math.LN2 / (m as { halfLife: number }).halfLife} * (max(at_ms) OVER jw - at_ms)) AS e, subject_id, journey_no FROM kept WHERE converted WINDOW jw AS (PARTITION BY subject_id, journey_no)),
w AS (SELECT channel, value, e / sum(e) OVER (PARTITION BY subject_id, journey_no) AS weight FROM d)`
      : `w AS (SELECT channel, value, (${w})::float8 AS weight FROM kept WHERE converted WINDOW jw AS (PARTITION BY subject_id, journey_no))`;
  return `${body}
SELECT channel, sum(weight)::float8 AS conversions, sum(weight * value)::float8 AS value FROM w GROUP BY channel`;
}

/** The SQL statements for a configuration, to read, run by hand, or put in a warehouse job. */
export interface AttributionSql {
  readonly totals: string;
  readonly channelSets: string | null;
  readonly transitions: ReadonlyArray<{ readonly order: number; readonly sql: string }>;
  readonly rules: ReadonlyArray<{ readonly name: string; readonly sql: string }>;
  /**
   * Every statement above as one, computing the journeys once (what {@link statisticsFromSql} runs): rows
   * `(part, k, channel, a, b, kind, x1 … x5)` where `part` is `'totals'` (x1 … x5: journeys, converting,
   * value, unattributed, unattributed value), `'rule'` (`k`: index in `rules`; channel, x1 conversions, x2
   * value), `'markov'` (`k`: order; a from state, b to state, kind, x1 count, x2 value) or `'sets'` (a channels,
   * x1 journeys, x2 conversions, x3 value).
   */
  readonly combined: string;
}

/**
 * The SQL statements that compute, inside PostgreSQL, the statistics of every model of `config` (custom
 * weight functions have no SQL form: `CONFIG_INVALID`). Identifiers are validated and quoted; numbers are
 * validated; no user text is concatenated unescaped.
 *
 * @example
 * ```ts
 * const sql = attributionSql({ models: ['last_touch', 'markov', 'shapley'] }, { touchpoints: 'touchpoints', conversions: 'orders' });
 * console.log(sql.transitions[0]!.sql);
 * ```
 */
export function attributionSql(config: AttributionConfigInput | AttributionConfig = {}, options: AttributionSqlOptionsInput = {}): AttributionSql {
  const cfg = parseAttributionConfig(config);
  const head = journeyCtes(parseWith(attributionSqlOptionsSchema, options ?? {}, 'CONFIG_INVALID'));
  const orders = [...new Set(cfg.models.flatMap((m) => (m.model === 'markov' ? [m.order] : [])))].sort();
  // Each part's tail is built once, for its own statement and for the combined one.
  const totals = totalsSql();
  const transitions = orders.map((order) => [order, transitionsSql(order)] as const);
  const rules = cfg.models.filter((m) => m.model !== 'markov' && m.model !== 'shapley').map((m) => [m.name, ruleCreditsSql(m)] as const);
  const sets = cfg.models.some((m) => m.model === 'shapley') ? channelSetsSql() : null;
  // One branch per part, every column in the same place; the first branch types the columns it leaves empty.
  const branch = (part: string, k: number, cols: string, tail: string): string => `SELECT '${part}' AS part, ${k} AS k, ${cols} FROM (WITH ${tail}) p`;
  const none = 'NULL, NULL, NULL';
  const combined = [
    branch('totals', 0, 'NULL::text AS channel, NULL::text[] AS a, NULL::text[] AS b, NULL::text AS kind, journeys AS x1, converting AS x2, value AS x3, unattributed AS x4, unattributed_value AS x5', totals),
    ...rules.map(([, tail], i) => branch('rule', i, `channel, NULL, NULL, NULL, conversions, value, ${none}`, tail)),
    ...transitions.map(([order, tail]) => branch('markov', order, `NULL, from_state, to_state, to_kind, n, value, ${none}`, tail)),
    ...(sets === null ? [] : [branch('sets', 0, 'NULL, channels, NULL, NULL, journeys, conversions, value, NULL, NULL', sets)]),
  ].join('\nUNION ALL\n');
  const full = (tail: string): string => `${head}, ${tail}`;
  return {
    totals: full(totals),
    channelSets: sets === null ? null : full(sets),
    transitions: transitions.map(([order, tail]) => ({ order, sql: full(tail) })),
    rules: rules.map(([name, tail]) => ({ name, sql: full(tail) })),
    combined: `${head}\n${combined}`,
  };
}

/**
 * Runs {@link attributionSql} on a PostgreSQL connection (`fromPg(pool)`, `fromPglite(db)`) and returns the
 * statistics, mergeable with in-memory ones and ready for `computeAttribution`.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { fromPg } from 'crosschannel/adapters/postgres';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const stats = await statisticsFromSql(fromPg(pool), { models: ['markov', 'shapley'] }, { conversions: 'orders', conversionValue: 'amount' });
 * const comparison = computeAttribution(stats);
 * ```
 */
export async function statisticsFromSql(client: SqlQueryable, config: AttributionConfigInput | AttributionConfig = {}, options: AttributionSqlOptionsInput = {}): Promise<AttributionStatistics> {
  expectObject(client, ['client']);
  expectFunction((client as { query?: unknown }).query, ['client', 'query']);
  const cfg = parseAttributionConfig(config);
  const sql = attributionSql(cfg, options);
  // A statement that fails, or a client answering anything but { rows: [...] } of the columns asked for, is the
  // query failing (STORE_ERROR), never a TypeError from reading the answer.
  try {
    type Row = { part: string; k: unknown; channel: string | null; a: string[] | null; b: string[] | null; kind: string | null; x1: unknown; x2: unknown; x3: unknown; x4: unknown; x5: unknown };
    let tot: Row | undefined;
    const channels = new Set<string>();
    const rules = sql.rules.map((r) => ({ name: r.name, rows: [] as Row[] }));
    const markov = sql.transitions.map((t) => ({ order: t.order, transitions: [] as Array<AttributionStatisticsJSON['markov'][number]['transitions'][number]> }));
    let channelSets: Array<NonNullable<AttributionStatisticsJSON['channelSets']>[number]> | null = sql.channelSets === null ? null : [];
    for (const row of (await client.query<Row>(sql.combined)).rows) {
      const k = Number(row.k);
      if (row.part === 'totals') tot = row;
      else if (row.part === 'rule') {
        channels.add(String(row.channel));
        rules[k]!.rows.push(row);
      } else if (row.part === 'markov') {
        for (const c of [...row.a!, ...row.b!]) channels.add(c);
        markov.find((m) => m.order === k)!.transitions.push([row.a!, row.kind === 'state' ? row.b! : (row.kind as 'conversion' | 'null'), Number(row.x1), Number(row.x2 ?? 0)]);
      } else {
        for (const c of row.a!) channels.add(c);
        channelSets!.push([row.a!, Number(row.x1), Number(row.x2), Number(row.x3)]);
      }
    }
    const totals: JourneyTotals = {
      journeys: Number(tot?.x1 ?? 0),
      convertingJourneys: Number(tot?.x2 ?? 0),
      conversions: Number(tot?.x2 ?? 0),
      value: Number(tot?.x3 ?? 0),
      unattributedConversions: Number(tot?.x4 ?? 0),
      unattributedValue: Number(tot?.x5 ?? 0),
    };
    const list = [...channels].sort();
    const index = new Map(list.map((c, i) => [c, i]));
    const json: AttributionStatisticsJSON = {
      version: 1,
      models: cfg.models.map(describeModel),
      channels: list,
      totals,
      rules: rules.map((r) => {
        const conversions = new Array<number>(list.length).fill(0);
        const value = new Array<number>(list.length).fill(0);
        for (const row of r.rows) {
          const i = index.get(String(row.channel))!;
          conversions[i] = Number(row.x1);
          value[i] = Number(row.x2);
        }
        return { name: r.name, conversions, value };
      }),
      markov,
      channelSets,
    };
    return statisticsFromJSON(json, cfg);
  } catch (e) {
    throw asStoreError(e);
  }
}
