import * as z from 'zod/mini';
import { enumSchema, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';
import { progressCounter, type ProgressOptions } from '../core/progress.js';
import { CrossChannelError, parseWith, quoted } from '../core/errors.js';
import type { History } from '../core/records.js';
import { durationSchema, idSchema } from '../core/schema.js';
import { DAY, type EpochMs } from '../core/time.js';
import { EXPOSURE_EVENT_TYPE } from './exposure.js';
import { emptyExperimentStats, statsFromColumns, type ExperimentStats } from './stats.js';
import { checkNow, checkString, invalidInput } from './check.js';

/**
 * Schema of a metric read from the shared history in a window after each unit's first exposure:
 * - `conversion`: 1 when at least one matching record is in the window, else 0;
 * - `count`: the number of matching records;
 * - `sum`: the sum of a numeric property of matching events (`property`), or of responses' `value`.
 * `covariateWindow` adds CUPED's covariate: the same aggregate over that window *before* exposure.
 *
 * @example
 * ```ts
 * metricSchema.parse({ id: 'revenue', type: 'purchase', aggregate: 'sum', property: 'amount', window: '14d', covariateWindow: '28d' });
 * ```
 */
export const metricSchema = /* @__PURE__ */ (() => z.strictObject({
    id: idSchema,
    source: z._default(enumSchema(['events', 'responses']), 'events'),
    /** Event type (`purchase`) or response kind (`converted`). */
    type: stringSchema().check(minLengthCheck(1), maxLengthCheck(128)),
    aggregate: z._default(enumSchema(['conversion', 'count', 'sum']), 'conversion'),
    property: z.optional(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))),
    window: z._default(durationSchema, 7 * DAY),
    covariateWindow: z.optional(durationSchema),
  }))();

/** A metric as a caller writes it. */
export type MetricInput = z.input<typeof metricSchema>;
/** A parsed metric. */
export type Metric = z.output<typeof metricSchema>;

/**
 * Validates metric definitions (unique ids; `sum` over events needs a `property`).
 *
 * @example
 * ```ts
 * const metrics = parseMetrics([{ id: 'converted', type: 'purchase' }, { id: 'revenue', type: 'purchase', aggregate: 'sum', property: 'amount' }]);
 * ```
 */
export function parseMetrics(input: ReadonlyArray<MetricInput>): Metric[] {
  const list = parseWith(z.array(metricSchema).check(minLengthCheck(1), maxLengthCheck(64)), input, 'CONFIG_INVALID', ['metrics']);
  const seen = new Set<string>();
  list.forEach((m, i) => {
    if (seen.has(m.id)) throw new CrossChannelError('CONFIG_INVALID', `Duplicate metric id ${quoted(m.id)}`, { path: ['metrics', i, 'id'] });
    seen.add(m.id);
    if (m.aggregate === 'sum' && m.source === 'events' && m.property === undefined) throw new CrossChannelError('CONFIG_INVALID', 'A sum over events needs a property', { path: ['metrics', i, 'property'] });
  });
  return list;
}

/**
 * The first exposure of a history to an experiment: `{ at, variantId }`, or null.
 *
 * @example
 * ```ts
 * declare const history: History;
 * const first = firstExposure(history, 'subject-line'); // { at, variantId: 'emoji' } or null
 * ```
 */
export function firstExposure(history: History, experimentId: string): { at: EpochMs; variantId: string } | null {
  if (!Array.isArray(history?.events)) throw invalidInput('history must be a History', 'history');
  checkString(experimentId, 'experimentId');
  return exposureIn(history.events, experimentId, 'history');
}

/**
 * The first exposure among `events` (of the history named `...at`). Other events are not read; an exposure event
 * without its properties, or this experiment's without a string `variantId` or with an `at` that is no epoch-ms
 * integer, is refused: skipped, it would drop or misplace a unit without a word.
 */
function exposureIn(events: History['events'], experimentId: string, ...at: Array<string | number>): { at: EpochMs; variantId: string } | null {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e?.type !== EXPOSURE_EVENT_TYPE) continue;
    const p = e.properties;
    // This experiment's exposure without a variantId, skipped, would leave the unit to a later exposure (SQL drops it).
    if (typeof p !== 'object' || p === null || (p.experimentId === experimentId && typeof p.variantId !== 'string')) {
      throw invalidInput('An exposure needs a variantId', ...at, 'events', i, 'properties');
    }
    if (p.experimentId !== experimentId) continue;
    if (!Number.isSafeInteger(e.at)) throw invalidInput('An exposure needs an integer at', ...at, 'events', i, 'at');
    return { at: e.at, variantId: p.variantId as string };
  }
  return null;
}

function aggregate(history: History, m: Metric, from: EpochMs, to: EpochMs): number {
  let out = 0;
  const records = m.source === 'events' ? history.events : history.responses;
  for (const r of records) {
    if (r.at < from) continue;
    if (r.at >= to) break;
    const matches = m.source === 'events' ? (r as History['events'][number]).type === m.type : (r as History['responses'][number]).kind === m.type;
    if (!matches) continue;
    if (m.aggregate === 'conversion') return 1;
    if (m.aggregate === 'count') out++;
    else {
      const v = m.source === 'events' ? (r as History['events'][number]).properties[m.property!] : (r as History['responses'][number]).value;
      if (Number.isFinite(v)) out += v as number;
    }
  }
  return out;
}

/**
 * Mergeable statistics of an experiment from people's histories (the shared history, with exposure events
 * written by `exposureEvent`): each exposed person counts once, in the variant of their first exposure; metric
 * windows are cut at `now`, so an analysis run mid-test reads only what has happened. Exposures to variants not
 * in `variantIds` (e.g. the holdout when it is not analysed) are skipped. Histories may be any shard: merge the
 * results with `mergeExperimentStats`.
 *
 * @example
 * ```ts
 * declare const histories: History[];
 * declare const now: number;
 *
 * const metrics = parseMetrics([{ id: 'revenue', type: 'purchase', aggregate: 'sum', property: 'amount', window: '14d', covariateWindow: '28d' }]);
 * const stats = statsFromHistories('subject-line', ['control', 'emoji'], metrics, histories, now);
 * ```
 */
export function statsFromHistories(
  experimentId: string,
  variantIds: ReadonlyArray<string>,
  metrics: ReadonlyArray<Metric>,
  histories: Iterable<History>,
  now: EpochMs,
  progress?: ProgressOptions,
): ExperimentStats {
  const tracker = progressCounter(progress, ['progress']);
  checkNow(now);
  if (!Array.isArray(metrics) || metrics.some((m) => typeof m?.window !== 'number')) {
    throw invalidInput('metrics must come from parseMetrics', 'metrics');
  }
  if (typeof (histories as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
    throw invalidInput('histories must be iterable', 'histories');
  }
  // Checks the ids before reading any history (as it did when it accumulated into these statistics).
  emptyExperimentStats(experimentId, variantIds, []);
  // Per-unit columns (one number per unit and metric), then the two-pass sums of statsFromColumns.
  const variant: number[] = [];
  const values = metrics.map((): number[] => []);
  const covariates = metrics.map((): number[] => []);
  let k = 0;
  for (const h of histories) {
    tracker?.step();
    if (!Array.isArray(h?.events) || !Array.isArray(h.responses)) throw invalidInput('a history needs events and responses', 'histories', k);
    const x = exposureIn(h.events, experimentId, 'histories', k++);
    if (x === null || x.at >= now) continue;
    const v = variantIds.indexOf(x.variantId);
    if (v < 0) continue;
    variant.push(v);
    metrics.forEach((m, i) => {
      values[i]!.push(aggregate(h, m, x.at, Math.min(x.at + m.window, now)));
      covariates[i]!.push(m.covariateWindow === undefined ? 0 : aggregate(h, m, x.at - m.covariateWindow, x.at));
    });
  }
  tracker?.end();
  return statsFromColumns(experimentId, variantIds, metrics.map((m) => m.id), { variant, values, covariates });
}
