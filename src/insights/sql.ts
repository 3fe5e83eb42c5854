import * as z from 'zod/mini';
import { enumSchema } from '../core/zod.js';
import { sqlNameSchema as identifier } from '../core/sql-schema.js';
import { CrossChannelError, parseWith, inputError } from '../core/errors.js';
import type { SqlQueryable } from '../core/sql.js';
import type { KpiStateJSON } from './accumulate.js';
import { cohortOptionsSchema, type CohortOptionsInput, type CohortStateJSON } from './cohorts.js';
import type { InsightsErrorCode } from './errors.js';
import { funnelSchema, type FunnelInput, type FunnelStateJSON } from './funnels.js';
import { COUNTER_SLOTS } from './kpis.js';
import { parseKpiOptions, type GroupDimension, type KpiOptions, type KpiOptionsInput } from './options.js';
import { epochMsSql, jsonNumberSql, rowsOf, sqlIdentifier as q, sqlString as lit } from '../core/sql-dialect.js';

/**
 * The same KPIs, funnels and cohorts computed inside PostgreSQL (or PGlite, Citus, any compatible engine) or
 * DuckDB (`dialect: 'duckdb'`) from the stores' tables — the behaviour events of `PostgresEventStore`
 * (`crosschannel_behaviour_events`, `at` in epoch ms) — and the user's own contact and response tables, named like
 * attribution's SQL source. Each query returns the partial state the in-memory accumulators produce, so
 * `kpiTable`, `funnelReport` and `cohortReport` read both alike, and the tests hold them equal.
 */

/**
 * Schema of the SQL source: the engine (`dialect`, as in segments' SQL), table and column names, and whether `at`
 * columns hold `epoch_ms` numbers (the stores' layout) or `timestamptz`.
 *
 * @example
 * ```ts
 * insightsSqlSourceSchema.parse({ contacts: 'mart.contacts', responses: 'mart.responses' });
 * insightsSqlSourceSchema.parse({ dialect: 'duckdb', events: 'events' });
 * ```
 */
export const insightsSqlSourceSchema = /* @__PURE__ */ (() => z.strictObject({
    /** The engine the SQL is written for: `postgres` (PostgreSQL, PGlite, Citus) or `duckdb`. */
    dialect: z._default(enumSchema(['postgres', 'duckdb']), 'postgres'),
    events: z._default(identifier, 'crosschannel_behaviour_events'),
    contacts: z._default(identifier, 'contacts'),
    responses: z._default(identifier, 'responses'),
    subjectId: z._default(identifier, 'subject_id'),
    channel: z._default(identifier, 'channel'),
    campaignId: z._default(identifier, 'campaign_id'),
    offerId: z._default(identifier, 'offer_id'),
    tags: z._default(identifier, 'tags'),
    transactional: z._default(identifier, 'transactional'),
    kind: z._default(identifier, 'kind'),
    value: z._default(identifier, 'value'),
    type: z._default(identifier, 'type'),
    properties: z._default(identifier, 'properties'),
    at: z._default(identifier, 'at'),
    /** Orders events of equal time: the event store's append sequence, as its histories are read (`ORDER BY at, seq`); `null` when the table has none (ties then fall in an unspecified order). */
    sequence: z._default(z.nullable(identifier), 'seq'),
    /** The responses' contact id, for unique opens and clicks as memory counts them; `null` (the default): every response counts. */
    contactId: z._default(z.nullable(identifier), null),
    timeType: z._default(enumSchema(['epoch_ms', 'timestamptz']), 'epoch_ms'),
  }))();

/** The SQL source as a caller writes it. */
export type InsightsSqlSourceInput = z.input<typeof insightsSqlSourceSchema>;
type Source = z.output<typeof insightsSqlSourceSchema>;

function checkClient(client: unknown): void {
  if (typeof client !== 'object' || client === null || typeof (client as SqlQueryable).query !== 'function') {
    throw inputError('Expected a SqlQueryable (fromPg, fromPglite, fromDuckDB)', ['client']);
  }
}
/** The ORDER BY of one person's events as the in-memory code sees them: by time, then append order. */
const eventOrder = (o: Source, alias: string): string => `${atMs(o, alias)}${o.sequence === null ? '' : `, ${alias}.${q(o.sequence)}`}`;
const atMs = (o: Source, alias: string): string => {
  const at = `${alias}.${q(o.at)}`;
  return o.timeType === 'epoch_ms' ? `(${at})::float8` : epochMsSql[o.dialect](at);
};

/**
 * Start (epoch ms) of the local period of `ms` — or of the period `back` periods before — in SQL: the first
 * instant of the local day, week or month, as the in-memory `PeriodIndex` computes it. `local AT TIME ZONE zone`
 * reads a local midnight that happens twice (clocks set back at midnight: America/Havana on 2026-11-01) as the
 * later instant; the earlier one is the same local time at the offset in force a day before, used when it maps
 * back to that local time.
 */
function periodExpr(ms: string, unit: 'day' | 'week' | 'month', zone: string, weekStartsOn: number, back = 0): string {
  const z = lit(zone);
  const local = `(to_timestamp((${ms}) / 1000.0) AT TIME ZONE ${z})`;
  const k = unit === 'week' ? (weekStartsOn - 1 + 7) % 7 : 0;
  let trunc = k === 0 ? `date_trunc('${unit}', ${local})` : `(date_trunc('week', ${local} - interval '${k} days') + interval '${k} days')`;
  if (back > 0) trunc = `(${trunc} - interval '${back} ${unit}')`;
  const before = `(c-interval '1 day')`;
  return `(SELECT extract(epoch from CASE WHEN e<c AND (e AT TIME ZONE ${z})=l THEN e ELSE c END)*1000 FROM (SELECT l,c,((l-((${before} AT TIME ZONE ${z})-(${before} AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC') AS e FROM (SELECT l,(l AT TIME ZONE ${z}) AS c FROM (SELECT ${trunc} AS l) l0) l1) l2)::float8`;
}

/**
 * `pb`, and how a row reads it: the time zone arithmetic of {@link periodExpr} runs once per distinct hour (`h`) of the
 * instants (column `ms`) of the `from` tables — not once per row — at the hour's first and last millisecond;
 * `vJ_0`/`vJ_1` hold expression J there (`v0` the period start). A row takes the last millisecond's values from that
 * period's start on, else the first's: exact, since periods follow one another in time and last more than an hour.
 * MATERIALIZED keeps PostgreSQL from copying the expressions into each row (PostgreSQL 12+, DuckDB).
 */
function hourly(from: string[], v: Array<(ms: string) => string>): [string, (ms: string, j?: number) => string, (ms: string) => string] {
  const H = 3_600_000;
  const edges = [0, H - 1].map((d, e) => v.map((f, j) => `${f(`h * ${H} + ${d}`)} AS v${j}_${e}`).join(', '));
  return [
    `pb AS MATERIALIZED (SELECT h, ${edges.join(', ')} FROM (${from.map((t) => `SELECT DISTINCT floor(ms / ${H}) AS h FROM ${t}`).join(' UNION ')}) d)`,
    (ms, j = 0) => `CASE WHEN ${ms} >= pb.v0_1 THEN pb.v${j}_1 ELSE pb.v${j}_0 END`,
    (ms) => `JOIN pb ON pb.h = floor(${ms} / ${H})`,
  ];
}

/** The amount property of an event when it is a JSON number, else 0, as in memory. */
const amountExpr = (o: Source, alias: string, property: string): string => `coalesce(${jsonNumberSql[o.dialect](`${alias}.${q(o.properties)}`, [property])}, 0)`;

function rangeWhere(ms: string, k: KpiOptions): string {
  const parts = ['true'];
  if (k.from !== undefined) parts.push(`${ms} >= ${Number(k.from)}`);
  if (k.to !== undefined) parts.push(`${ms} < ${Number(k.to)}`);
  return parts.join(' AND ');
}

/**
 * The SQL of the KPI counters per group (one row per group, one column per counter), of the pressure
 * (person-weeks by channel and exact number of marketing contacts) and of the channels of the records in the range
 * (column `ch`). Grouping by `segment` is not available in SQL (segment membership is not in these tables).
 *
 * @example
 * ```ts
 * const { counters, pressure } = kpiSql({ by: ['channel', 'period'], period: 'month', timeZone: 'Europe/Paris' });
 * ```
 */
export function kpiSql(options: KpiOptionsInput | KpiOptions = {}, source: InsightsSqlSourceInput = {}): { counters: string; pressure: string; channels: string } {
  const k = parseKpiOptions(options as KpiOptionsInput);
  const o = parseWith(insightsSqlSourceSchema, source, 'CONFIG_INVALID');
  if (k.by.includes('segment')) throw new CrossChannelError<InsightsErrorCode>('CONFIG_INVALID', 'Grouping by segment is not available in SQL', { path: ['by'] });
  const hasPeriod = k.by.includes('period');
  const cols = ['g0', ...k.by.map((d) => COLUMN[d as Exclude<GroupDimension, 'segment'>])];
  const G = cols.join(', ');
  const per = (back: number) => (ms: string): string => periodExpr(ms, k.period, k.timeZone, k.weekStartsOn, back);
  const [pb, pick, join] = hourly(['c0', 'r0', 'e0'], [per(0), per(1)]);
  // The rows of `t`0 with their period (p) and the previous one (pp), read from the hours' table.
  const P = (j: number): string => (hasPeriod ? pick('x.ms', j) : '0');
  const withPeriod = (t: string): string => `${t} AS (SELECT x.*, ${P(0)} AS p, ${P(1)} AS pp FROM ${t}0 x ${hasPeriod ? join('x.ms') : ''})`;
  const undelivered = `ARRAY[${k.undeliveredTags.map(lit).join(', ') || "''"}]::text[]`;
  const cAt = atMs(o, 'x');
  const buy = `type = ${lit(k.purchaseEvent)}`;
  const aG = cols.map((c) => `a.${c}`).join(', ');
  const part = (v: Record<string, string>, from: string, first = false): string =>
    `SELECT ${G}, ${COLS.map((c) => (first ? `${v[c] ?? 0}::float8 AS ${c}` : (v[c] ?? 0))).join(', ')} FROM ${from} ${G}`;
  const counters = `WITH c0 AS (
  SELECT 0 AS g0, x.${q(o.subjectId)}::text AS s, x.${q(o.channel)}::text AS ch, coalesce(x.${q(o.campaignId)}::text, '(none)') AS camp, coalesce(x.${q(o.offerId)}::text, '(none)') AS off,
         ${cAt} AS ms,
         CASE WHEN coalesce(x.${q(o.transactional)}, false) THEN 0 ELSE 1 END AS marketing,
         CASE WHEN coalesce(x.${q(o.tags)}::text[], ARRAY[]::text[]) && ${undelivered} THEN 0 ELSE 1 END AS delivered
  FROM ${q(o.contacts)} x WHERE ${rangeWhere(cAt, k)}
), r0 AS (
  SELECT 0 AS g0, x.${q(o.subjectId)}::text AS s, x.${q(o.channel)}::text AS ch, coalesce(x.${q(o.campaignId)}::text, '(none)') AS camp, coalesce(x.${q(o.offerId)}::text, '(none)') AS off,
         ${cAt} AS ms, x.${q(o.kind)}::text AS kind, coalesce(x.${q(o.value)}::float8, 0) AS value,
         ${o.contactId === null ? '1' : `CASE WHEN x.${q(o.contactId)} IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY x.${q(o.subjectId)}, x.${q(o.contactId)}, x.${q(o.kind)} ORDER BY ${cAt}) END`} AS n
  FROM ${q(o.responses)} x WHERE ${rangeWhere(cAt, k)}
), ef AS (
  SELECT x.*, ${cAt} AS at_ms,
         CASE WHEN x.${q(o.type)} = ${lit(k.purchaseEvent)} THEN row_number() OVER (PARTITION BY x.${q(o.subjectId)}, x.${q(o.type)} = ${lit(k.purchaseEvent)} ORDER BY ${eventOrder(o, 'x')}) END AS purchase_no
  FROM ${q(o.events)} x
), e0 AS (
  SELECT 0 AS g0, x.${q(o.subjectId)}::text AS s, coalesce(x.${q(o.channel)}::text, '(none)') AS ch, '(none)'::text AS camp, '(none)'::text AS off,
         x.at_ms AS ms, x.${q(o.type)}::text AS type,
         ${amountExpr(o, 'x', k.amountProperty)} AS amount, (x.purchase_no = 1) AS first_purchase
  FROM ef x WHERE ${rangeWhere('x.at_ms', k)}
), ${hasPeriod ? `${pb}, ` : ''}${['c', 'r', 'e'].map(withPeriod).join(', ')}, act AS (
  SELECT DISTINCT ${G}, s, pp FROM (SELECT ${G}, s, pp FROM r UNION ALL SELECT ${G}, s, pp FROM e) a
), parts AS (
  ${[
    // One branch per source: its counters by column, 0 in the others (the first names and types them).
    part({ contacts: 'count(*)', marketing: 'sum(marketing)', delivered: 'sum(delivered)', reached: 'count(DISTINCT s)' }, 'c GROUP BY', true),
    part(
      {
        opened: `count(*) FILTER (WHERE kind = 'opened' AND n = 1)`,
        clicked: `count(*) FILTER (WHERE kind = 'clicked' AND n = 1)`,
        converted: `count(*) FILTER (WHERE kind = 'converted')`,
        unsubscribed: `count(*) FILTER (WHERE kind = 'unsubscribed')`,
        complained: `count(*) FILTER (WHERE kind = 'complained')`,
        conversion_value: `coalesce(sum(value) FILTER (WHERE kind = 'converted'), 0)`,
      },
      'r GROUP BY',
    ),
    part(
      {
        abandons: `count(*) FILTER (WHERE type = ${lit(k.cartAbandonEvent)})`,
        purchases: `count(*) FILTER (WHERE ${buy})`,
        revenue: `coalesce(sum(amount) FILTER (WHERE ${buy}), 0)`,
        buyers: `count(DISTINCT s) FILTER (WHERE ${buy})`,
        acquired: 'count(*) FILTER (WHERE first_purchase)',
      },
      'e GROUP BY',
    ),
    part({ repeat_buyers: 'count(*)' }, `(SELECT ${G}, s FROM e WHERE ${buy} GROUP BY ${G}, s HAVING count(*) >= 2) rb GROUP BY`),
    part({ people: 'count(DISTINCT s)' }, 'act GROUP BY'),
    ...(hasPeriod
      ? [
          `SELECT ${aG}, ${COLS.map((c) => (c === 'retained' ? 'count(DISTINCT a.s)' : 0)).join(', ')}
  FROM act a JOIN act b ON b.s = a.s AND b.p = a.pp ${cols.filter((c) => c !== 'p').map((c) => `AND b.${c} = a.${c}`).join(' ')}
  GROUP BY ${aG}`,
        ]
      : []),
  ].join('\n  UNION ALL\n  ')}
)
SELECT ${G}, ${COLS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
FROM parts GROUP BY ${G}`;
  // Exact contacts per person-week: the state clamps them into its histogram and keeps those above it apart.
  const [wb, week, joinWeek] = hourly(['w0'], [(ms) => periodExpr(ms, 'week', k.timeZone, k.weekStartsOn)]);
  const pressure = `WITH w0 AS (
  SELECT x.${q(o.subjectId)}::text AS s, x.${q(o.channel)}::text AS ch, ${cAt} AS ms
  FROM ${q(o.contacts)} x WHERE NOT coalesce(x.${q(o.transactional)}, false) AND ${rangeWhere(cAt, k)}
), ${wb}
SELECT ch, n::float8 AS n, count(*)::float8 AS weeks FROM (SELECT s, ch, ${week('x.ms')} AS w, count(*) AS n FROM w0 x ${joinWeek('x.ms')} GROUP BY 1, 2, 3) t GROUP BY 1, 2`;
  // The channels a spend table is checked against, whatever the grouping: those of the records in the range.
  const channels = `SELECT x.${q(o.channel)}::text AS ch FROM ${q(o.contacts)} x WHERE ${rangeWhere(cAt, k)}
UNION SELECT x.${q(o.channel)}::text FROM ${q(o.responses)} x WHERE ${rangeWhere(cAt, k)}
UNION SELECT coalesce(x.${q(o.channel)}::text, '(none)') FROM ${q(o.events)} x WHERE ${rangeWhere(cAt, k)}`;
  return { counters, pressure, channels };
}

/** The column of each grouping dimension in the SQL (segment is not one). */
const COLUMN = { channel: 'ch', campaign: 'camp', offer: 'off', period: 'p' } as const;

/** The counters' columns in the SQL, in slot order (`COUNTER` of ./kpis.ts). */
const COLS = 'contacts marketing delivered opened clicked converted unsubscribed complained abandons purchases revenue people reached buyers repeat_buyers retained acquired conversion_value'.split(' ');

/**
 * Runs {@link kpiSql} and returns the KPI state, ready for `kpiTable` (or to merge with in-memory shards).
 * The `subjects` count of the state is 0: SQL counts people per group, not a population size.
 *
 * @example
 * ```ts
 * declare const sql: SqlQueryable; // fromPg(pool), fromPglite(db) — or fromDuckDB(connection) with dialect: 'duckdb'
 *
 * const state = await kpiStateFromSql(sql, { by: ['channel'] }, { contacts: 'mart.contacts', responses: 'mart.responses' });
 * const table = kpiTable(state, ['contacts', 'conversionRate']);
 * ```
 */
export async function kpiStateFromSql(client: SqlQueryable, options: KpiOptionsInput | KpiOptions = {}, source: InsightsSqlSourceInput = {}): Promise<KpiStateJSON> {
  checkClient(client);
  const k = parseKpiOptions(options as KpiOptionsInput);
  const { counters, pressure, channels } = kpiSql(k, source);
  // Settled, not Promise.all: a failure answers once every statement sent is done, so a caller closing its connection
  // then does not close it under a running query (which crashes @duckdb/node-api).
  const settled = await Promise.allSettled([client.query(counters), client.query(pressure), client.query(channels)]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  const [answer, pressureAnswer, channelAnswer] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value);
  const rows = rowsOf<Record<string, unknown>>(answer);
  const hist = rowsOf<{ ch: string; n: number; weeks: number }>(pressureAnswer);
  const groups = rows.map((row) => {
    const key: Record<string, string | number> = {};
    for (const d of k.by as ReadonlyArray<Exclude<GroupDimension, 'segment'>>) key[d] = d === 'period' ? Number(row.p) : String(row[COLUMN[d]]);
    const c = new Array<number>(COUNTER_SLOTS).fill(0);
    for (let s = 0; s < COUNTER_SLOTS; s++) c[s] = Number(row[COLS[s]!] ?? 0);
    return { key, counters: c };
  });
  // A Map, then fromEntries, as the accumulator does: channels come from the database, and with an object a row
  // of channel `constructor` or `__proto__` would add into Object or Object.prototype instead of a new histogram.
  const pressureOut = new Map<string, number[]>();
  const aboveOut = new Map<string, Map<number, number>>();
  for (const h of hist) {
    let arr = pressureOut.get(h.ch);
    if (arr === undefined) pressureOut.set(h.ch, (arr = new Array<number>(k.pressureBuckets + 1).fill(0)));
    const n = Number(h.n);
    arr[Math.min(n, k.pressureBuckets)]! += Number(h.weeks);
    if (n > k.pressureBuckets) {
      let m = aboveOut.get(h.ch);
      if (m === undefined) aboveOut.set(h.ch, (m = new Map()));
      m.set(n, (m.get(n) ?? 0) + Number(h.weeks));
    }
  }
  const pressureAbove = Object.fromEntries([...aboveOut].map(([ch, m]) => [ch, Object.fromEntries([...m].sort((a, b) => a[0] - b[0]))]));
  const seen = rowsOf<{ ch: string }>(channelAnswer)
    .map((r) => String(r.ch))
    .sort();
  return { version: 1, options: k, groups, pressure: Object.fromEntries(pressureOut), pressureAbove, subjects: 0, channels: seen };
}

/**
 * A funnel computed in SQL over the events table, as the in-memory `FunnelAccumulator` counts it: each
 * person's events numbered in the order a history holds them (time, then the `sequence` column), entry at the
 * first event of the first step, each later step the first event of its type *after* the previous step's event
 * (a later number: one event never counts for two steps, and of two events in the same millisecond the one
 * appended first comes first) and within the window of the entry. Returns the funnel state (paths before
 * drop-off are left empty: they are an in-memory report).
 *
 * @example
 * ```ts
 * declare const sql: SqlQueryable;
 *
 * const report = funnelReport(await funnelStateFromSql(sql, { steps: ['page_view', 'cart_add', 'purchase'], window: '1d' }));
 * ```
 */
export async function funnelStateFromSql(client: SqlQueryable, funnel: FunnelInput, source: InsightsSqlSourceInput = {}): Promise<FunnelStateJSON> {
  checkClient(client);
  const f = parseWith(funnelSchema, funnel, 'CONFIG_INVALID');
  const o = parseWith(insightsSqlSourceSchema, source, 'CONFIG_INVALID');
  const n = f.steps.length;
  const steps: string[] = [];
  for (let s = 1; s < n; s++) {
    steps.push(
      `s${s} AS (SELECT s${s - 1}.*, n.at_ms AS a${s}, n.i AS i${s} FROM s${s - 1} LEFT JOIN LATERAL (SELECT v.at_ms, v.i FROM ev v WHERE v.s = s${s - 1}.s AND v.type = ${lit(f.steps[s]!)} AND v.i > s${s - 1}.i${s - 1} AND v.at_ms - s${s - 1}.a0 <= ${Number(f.window)} ORDER BY v.i LIMIT 1) n ON true)`,
    );
  }
  const text = `WITH ev AS (
  SELECT x.${q(o.subjectId)}::text AS s, ${atMs(o, 'x')} AS at_ms, x.${q(o.type)}::text AS type, coalesce(x.${q(o.channel)}::text, '(none)') AS ch,
         row_number() OVER (PARTITION BY x.${q(o.subjectId)}::text ORDER BY ${eventOrder(o, 'x')}) AS i
  FROM ${q(o.events)} x
), s0 AS (
  SELECT DISTINCT ON (s) s, ch, at_ms AS a0, i AS i0 FROM ev WHERE type = ${lit(f.steps[0]!)} ORDER BY s, i
)${steps.length > 0 ? ', ' : ''}${steps.join(',\n')}
SELECT ch, ${Array.from({ length: n }, (_, s) => `count(a${s})::float8 AS r${s}`).join(', ')},
       ${Array.from({ length: n - 1 }, (_, s) => `coalesce(sum(a${s + 1} - a${s}), 0)::float8 AS t${s}`).join(', ')}
FROM s${n - 1} GROUP BY ch`;
  const rows = rowsOf<Record<string, unknown>>(await client.query(text));
  // Entries, then fromEntries (as the in-memory funnel does): a channel `__proto__` from the database stays a key.
  const byChannel: Array<[string, number[]]> = [];
  const timeSum = new Array<number>(n - 1).fill(0);
  const timeCount = new Array<number>(n - 1).fill(0);
  for (const row of rows) {
    const reached = Array.from({ length: n }, (_, s) => Number(row[`r${s}`]));
    byChannel.push([String(row.ch), reached]);
    for (let s = 0; s < n - 1; s++) {
      timeSum[s]! += Number(row[`t${s}`]);
      timeCount[s]! += reached[s + 1]!;
    }
  }
  return { version: 1, funnel: f, byChannel: Object.fromEntries(byChannel), timeSum, timeCount, dropPaths: f.steps.map(() => ({})) };
}

/**
 * Acquisition cohorts computed in SQL over the events table; returns the cohort state for `cohortReport`.
 *
 * @example
 * ```ts
 * declare const sql: SqlQueryable;
 *
 * const report = cohortReport(await cohortStateFromSql(sql, { period: 'month', timeZone: 'Europe/Paris' }), Date.parse('2026-06-30T00:00:00Z'));
 * ```
 */
export async function cohortStateFromSql(client: SqlQueryable, options: CohortOptionsInput = {}, source: InsightsSqlSourceInput = {}): Promise<CohortStateJSON> {
  checkClient(client);
  const c = parseWith(cohortOptionsSchema, options, 'CONFIG_INVALID');
  const o = parseWith(insightsSqlSourceSchema, source, 'CONFIG_INVALID');
  const local = (ms: string): string => `(to_timestamp((${ms}) / 1000.0) AT TIME ZONE ${lit(c.timeZone)})`;
  // Offsets count weeks between period starts, or months between local months (v1).
  const w = c.period === 'week';
  const [pb, pick, join] = hourly(['ev'], [(ms) => periodExpr(ms, c.period, c.timeZone, c.weekStartsOn), (ms) => (w ? '0' : `extract(year from ${local(ms)}) * 12 + extract(month from ${local(ms)})`)]);
  const j = w ? 0 : 1;
  // Events numbered in the order a history holds them (time, then append order): the acquisition is the first
  // acquisition event in that order, and only events from it on count (not one of the same millisecond before it).
  const text = `WITH ev AS (
  SELECT x.${q(o.subjectId)}::text AS s, ${atMs(o, 'x')} AS ms, x.${q(o.type)}::text AS type, ${amountExpr(o, 'x', c.amountProperty)} AS amount,
         row_number() OVER (PARTITION BY x.${q(o.subjectId)}::text ORDER BY ${eventOrder(o, 'x')}) AS i
  FROM ${q(o.events)} x
), f0 AS (
  SELECT DISTINCT ON (s) s, ms AS first_at, i AS first_i FROM ev WHERE type = ${lit(c.acquisitionEvent)} ORDER BY s, i
), ${pb}, f AS (
  SELECT s, first_i, ${pick('first_at')} AS cohort, ${pick('first_at', j)} AS m FROM f0 ${join('first_at')}
), o AS (
  SELECT f.cohort, f.s, round((${pick('e.ms', j)} - f.m) / ${w ? 7 * 86_400_000 : 1})::int AS k, e.type, e.amount FROM ev e JOIN f ON f.s = e.s ${join('e.ms')} WHERE e.i >= f.first_i
)
SELECT cohort, -1 AS k, count(*)::float8 AS active, 0::float8 AS revenue FROM f GROUP BY cohort
UNION ALL
SELECT cohort, k, count(DISTINCT s) FILTER (WHERE type IN (${c.activeEvents.map(lit).join(', ')}))::float8, coalesce(sum(amount) FILTER (WHERE type = ${lit(c.purchaseEvent)}), 0)::float8
FROM o WHERE k >= 0 AND k < ${c.maxPeriods} GROUP BY cohort, k`;
  const rows = rowsOf<{ cohort: number; k: number; active: number; revenue: number }>(await client.query(text));
  const byStart = new Map<number, { start: number; size: number; active: number[]; revenue: number[] }>();
  for (const row of rows) {
    const start = Number(row.cohort);
    const k = Number(row.k);
    let x = byStart.get(start);
    if (x === undefined) byStart.set(start, (x = { start, size: 0, active: new Array<number>(c.maxPeriods).fill(0), revenue: new Array<number>(c.maxPeriods).fill(0) }));
    if (k < 0) x.size = Number(row.active);
    else {
      x.active[k] = Number(row.active);
      x.revenue[k] = Number(row.revenue);
    }
  }
  return { version: 1, options: c, cohorts: [...byStart.values()].sort((a, b) => a.start - b.start) };
}
