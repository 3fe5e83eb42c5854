import * as z from 'zod/mini';
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
 * touches are ordered by `tieBreaker` (default the channel) — SQL has no input order.
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
    timeType: z._default(z.enum(['timestamptz', 'epoch_ms']), 'timestamptz'),
    lookback: z._default(durationSchema, 30 * DAY),
    collapseRepeats: z._default(z.boolean(), false),
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
  const tie = o.tieBreaker === undefined ? `t.${q(o.channel)}::text` : `t.${q(o.tieBreaker)}::text`;
  const value = o.conversionValue === null ? '1::float8' : `coalesce(c.${q(o.conversionValue)}::float8, 1)`;
  const convTie = o.tieBreaker === undefined ? "''" : `c.${q(o.tieBreaker)}::text`;
  return `WITH ev AS (
  SELECT t.${q(o.subjectId)}::text AS subject_id, ${atMs('t')} AS at_ms, t.${q(o.channel)}::text AS channel, NULL::float8 AS value, 0 AS is_conv, ${tie} AS tie
  FROM ${q(o.touchpoints)} t
  UNION ALL
  SELECT c.${q(o.subjectId)}::text, ${atMs('c')}, NULL::text, ${value}, 1, ${convTie}
  FROM ${q(o.conversions)} c
), numbered AS (
  SELECT ev.*, 1 + coalesce(sum(is_conv) OVER (PARTITION BY subject_id ORDER BY at_ms, is_conv, tie ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS journey_no
  FROM ev
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

/** SQL of the journey totals (one row): one pass over the journeys, one over the conversions no touch reached. */
function totalsSql(o: SqlOptions): string {
  return `${journeyCtes(o)}, j AS (
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

/** SQL of the journey counts per exact channel set. */
function channelSetsSql(o: SqlOptions): string {
  return `${journeyCtes(o)}, j AS (
  SELECT array_agg(DISTINCT channel ORDER BY channel) AS channels, bool_or(converted) AS converted, max(value) AS value
  FROM kept GROUP BY subject_id, journey_no
)
SELECT channels, count(*)::float8 AS journeys, (count(*) FILTER (WHERE converted))::float8 AS conversions,
       coalesce(sum(value) FILTER (WHERE converted), 0)::float8 AS value
FROM j GROUP BY channels`;
}

/** SQL of the Markov transition counts of one order: `(from_state, to_state, to_kind, n, value)`. */
function transitionsSql(o: SqlOptions, order: number): string {
  return `${journeyCtes(o)}, st AS (
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
      const f = Number(m.first);
      const l = Number(m.last);
      const two = f + l > 0 ? [f / (f + l), l / (f + l)] : [0.5, 0.5];
      return `CASE WHEN len = 1 THEN 1 WHEN len = 2 THEN CASE WHEN pos = 1 THEN ${two[0]} ELSE ${two[1]} END
              WHEN pos = 1 THEN ${f} WHEN pos = len THEN ${l} ELSE ${1 - f - l} / (len - 2) END`;
    }
    case 'time_decay':
      return ''; // two-step form in ruleCreditsSql (window aggregates cannot nest)
    default:
      throw new CrossChannelError('CONFIG_INVALID', `Model ${quoted(m.name)} (${m.model}) has no SQL form`, { path: ['models', m.name] });
  }
}

/** SQL of a rule-based model's credits per channel: `(channel, conversions, value)`. */
function ruleCreditsSql(o: SqlOptions, m: ModelSpec): string {
  const w = weightExpr(m);
  const body =
    m.model === 'time_decay'
      ? `d AS (SELECT channel, value, exp(${-Math.LN2 / (m as { halfLife: number }).halfLife} * (max(at_ms) OVER jw - at_ms)) AS e, subject_id, journey_no FROM kept WHERE converted WINDOW jw AS (PARTITION BY subject_id, journey_no)),
w AS (SELECT channel, value, e / sum(e) OVER (PARTITION BY subject_id, journey_no) AS weight FROM d)`
      : `w AS (SELECT channel, value, (${w})::float8 AS weight FROM kept WHERE converted WINDOW jw AS (PARTITION BY subject_id, journey_no))`;
  return `${journeyCtes(o)}, ${body}
SELECT channel, sum(weight)::float8 AS conversions, sum(weight * value)::float8 AS value FROM w GROUP BY channel`;
}

/** The SQL statements for a configuration, to read, run by hand, or put in a warehouse job. */
export interface AttributionSql {
  readonly totals: string;
  readonly channelSets: string | null;
  readonly transitions: ReadonlyArray<{ readonly order: number; readonly sql: string }>;
  readonly rules: ReadonlyArray<{ readonly name: string; readonly sql: string }>;
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
  const o = parseWith(attributionSqlOptionsSchema, options ?? {}, 'CONFIG_INVALID');
  const orders = [...new Set(cfg.models.flatMap((m) => (m.model === 'markov' ? [m.order] : [])))].sort();
  return {
    totals: totalsSql(o),
    channelSets: cfg.models.some((m) => m.model === 'shapley') ? channelSetsSql(o) : null,
    transitions: orders.map((order) => ({ order, sql: transitionsSql(o, order) })),
    rules: cfg.models.filter((m) => m.model !== 'markov' && m.model !== 'shapley').map((m) => ({ name: m.name, sql: ruleCreditsSql(o, m) })),
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
    const [tot] = (await client.query<Record<string, unknown>>(sql.totals)).rows;
    const totals: JourneyTotals = {
      journeys: Number(tot?.journeys ?? 0),
      convertingJourneys: Number(tot?.converting ?? 0),
      conversions: Number(tot?.converting ?? 0),
      value: Number(tot?.value ?? 0),
      unattributedConversions: Number(tot?.unattributed ?? 0),
      unattributedValue: Number(tot?.unattributed_value ?? 0),
    };
    const channels = new Set<string>();
    const rules: Array<{ name: string; rows: Array<Record<string, unknown>> }> = [];
    for (const r of sql.rules) {
      const rows = (await client.query<Record<string, unknown>>(r.sql)).rows;
      for (const row of rows) channels.add(String(row.channel));
      rules.push({ name: r.name, rows });
    }
    const markov: Array<AttributionStatisticsJSON['markov'][number]> = [];
    for (const t of sql.transitions) {
      const rows = (await client.query<{ from_state: string[]; to_state: string[]; to_kind: string; n: unknown; value: unknown }>(t.sql)).rows;
      for (const row of rows) for (const c of [...row.from_state, ...row.to_state]) channels.add(c);
      markov.push({
        order: t.order,
        transitions: rows.map((row) => [row.from_state, row.to_kind === 'state' ? row.to_state : (row.to_kind as 'conversion' | 'null'), Number(row.n), Number(row.value ?? 0)] as const),
      });
    }
    let channelSets: AttributionStatisticsJSON['channelSets'] = null;
    if (sql.channelSets !== null) {
      const rows = (await client.query<{ channels: string[]; journeys: unknown; conversions: unknown; value: unknown }>(sql.channelSets)).rows;
      for (const row of rows) for (const c of row.channels) channels.add(c);
      channelSets = rows.map((row) => [row.channels, Number(row.journeys), Number(row.conversions), Number(row.value)] as const);
    }
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
          conversions[i] = Number(row.conversions);
          value[i] = Number(row.value);
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
