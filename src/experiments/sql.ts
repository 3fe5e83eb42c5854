import * as z from 'zod/mini';
import { sqlNameSchema as identifier } from '../core/sql-schema.js';
import { asStoreError, parseWith } from '../core/errors.js';
import type { SqlQueryable } from '../core/sql.js';
import type { EpochMs } from '../core/time.js';
import { EXPOSURE_EVENT_TYPE } from './exposure.js';
import type { Metric } from './metrics.js';
import { checkExperimentStats, emptyExperimentStats, MOMENTS, type ExperimentStats } from './stats.js';
import { checkNow, invalidInput } from './check.js';

/**
 * The same statistics as `statsFromHistories`, computed inside PostgreSQL (or Citus, PGlite, any compatible
 * engine) from the behaviour-events table of `PostgresEventStore` (`subject_id`, `type`, `at` epoch ms, `seq`,
 * `properties` jsonb): only one row per variant leaves the database, centred on the variant's means (`avg`,
 * `var_pop`, `covar_pop`). Metrics must read events
 * (`source: 'events'`); responses live in the contact history, not in SQL.
 */

/**
 * Where the events are.
 *
 * @example
 * ```ts
 * experimentSqlOptionsSchema.parse({ events: 'crosschannel_behaviour_events' });
 * ```
 */
export const experimentSqlOptionsSchema = /* @__PURE__ */ (() => z.strictObject({ events: z._default(identifier, 'crosschannel_behaviour_events') }))();

/** Options of {@link experimentStatsSql} as a caller writes them. */
export type ExperimentSqlOptionsInput = z.input<typeof experimentSqlOptionsSchema>;

/** A statement and its parameters. */
export interface ExperimentStatsSql {
  readonly text: string;
  readonly params: ReadonlyArray<unknown>;
}

const q = (id: string): string =>
  id
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * Builds the statement computing the statistics of `experimentId` at `now`.
 *
 * @example
 * ```ts
 * declare const metrics: Metric[];
 * declare const now: number;
 *
 * const { text, params } = experimentStatsSql('subject-line', ['control', 'emoji'], metrics, now);
 * ```
 */
export function experimentStatsSql(experimentId: string, variantIds: ReadonlyArray<string>, metrics: ReadonlyArray<Metric>, now: EpochMs, options: ExperimentSqlOptionsInput = {}): ExperimentStatsSql {
  const o = parseWith(experimentSqlOptionsSchema, options, 'INPUT_INVALID', ['options']);
  if (typeof experimentId !== 'string' || !Array.isArray(variantIds) || variantIds.some((v) => typeof v !== 'string')) {
    throw invalidInput('ids must be strings', 'variantIds');
  }
  checkNow(now);
  if (!Array.isArray(metrics) || metrics.length === 0) throw invalidInput('metrics must come from parseMetrics', 'metrics');
  const t = q(o.events);
  const params: unknown[] = [experimentId, Math.floor(now), [...variantIds], EXPOSURE_EVENT_TYPE];
  const laterals: string[] = [];
  const selects: string[] = [];
  metrics.forEach((m, i) => {
    if (typeof m?.window !== 'number') throw invalidInput('metrics must come from parseMetrics', 'metrics', i);
    if (m.source !== 'events') throw invalidInput('SQL reads events only', 'metrics', i, 'source');
    params.push(m.type);
    const typeParam = `$${params.length}`;
    const cw = Math.floor(m.covariateWindow ?? 0);
    const value =
      m.aggregate === 'sum'
        ? `CASE WHEN jsonb_typeof(ev.properties -> ${lit(m.property!)}) = 'number' THEN (ev.properties ->> ${lit(m.property!)})::float8 ELSE 0 END`
        : '1::float8';
    const agg = (filter: string) =>
      m.aggregate === 'conversion' ? `(count(*) FILTER (WHERE ${filter}) > 0)::int::float8` : `coalesce(sum(${value}) FILTER (WHERE ${filter}), 0)::float8`;
    laterals.push(`CROSS JOIN LATERAL (SELECT ${agg('ev.at >= e.exposed_at')} AS y, ${m.covariateWindow === undefined ? '0::float8' : agg('ev.at < e.exposed_at')} AS x
FROM ${t} ev
WHERE ev.subject_id = e.subject_id AND ev.type = ${typeParam} AND ev.at >= e.exposed_at - ${cw} AND ev.at < least(e.exposed_at + ${Math.floor(m.window)}, $2::bigint)) m${i}`);
    // Centred moments (see ExperimentStats): the means, and n times the population (co)variances, which
    // PostgreSQL ≥ 12 computes with the Youngs–Cramer updates, without the cancellation of Σy² − n·ȳ².
    selects.push(`avg(m${i}.y) AS ky_${i}, avg(m${i}.x) AS kx_${i}, var_pop(m${i}.y) * count(*) AS yy_${i}, var_pop(m${i}.x) * count(*) AS xx_${i}, covar_pop(m${i}.x, m${i}.y) * count(*) AS xy_${i}`);
  });
  const text = `WITH e AS (SELECT DISTINCT ON (subject_id) subject_id, at AS exposed_at, properties ->> 'variantId' AS variant_id
FROM ${t}
WHERE type = $4 AND properties ->> 'experimentId' = $1
ORDER BY subject_id, at, seq)
SELECT e.variant_id, count(*)::float8 AS units, ${selects.join(', ')}
FROM e
${laterals.join('\n')}
WHERE e.exposed_at < $2::bigint AND e.variant_id = ANY($3::text[])
GROUP BY e.variant_id`;
  return { text, params };
}

/**
 * Runs {@link experimentStatsSql} and returns the statistics, ready for `analyzeExperiment` or merging.
 *
 * @example
 * ```ts
 * declare const sql: SqlQueryable;
 * declare const metrics: Metric[];
 * declare const now: number;
 *
 * const stats = await statsFromSql(sql, 'subject-line', ['control', 'emoji'], metrics, now);
 * ```
 */
export async function statsFromSql(
  client: SqlQueryable,
  experimentId: string,
  variantIds: ReadonlyArray<string>,
  metrics: ReadonlyArray<Metric>,
  now: EpochMs,
  options: ExperimentSqlOptionsInput = {},
): Promise<ExperimentStats> {
  const { text, params } = experimentStatsSql(experimentId, variantIds, metrics, now, options);
  const out = emptyExperimentStats(experimentId, variantIds, metrics.map((m) => m.id));
  const units = out.units as number[];
  const moments = out.moments as number[];
  const shifts = out.shifts as number[];
  const M = metrics.length;
  // A client that fails, or answers anything but { rows: [objects] }, is the query failing.
  try {
    for (const r of (await client.query<Record<string, unknown>>(text, params)).rows) {
      const v = variantIds.indexOf(String(r.variant_id));
      if (v < 0) continue;
      units[v] = Number(r.units);
      for (let i = 0; i < M; i++) {
        const f = (k: string) => Number(r[`${k}_${i}`] ?? 0);
        moments.splice((v * M + i) * MOMENTS, MOMENTS, 0, f('yy'), 0, f('xx'), f('xy'));
        shifts.splice((v * M + i) * 2, 2, f('ky'), f('kx'));
      }
    }
  } catch (e) {
    throw asStoreError(e);
  }
  return checkExperimentStats(out);
}
