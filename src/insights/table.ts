import * as z from 'zod/mini';
import { ENGLISH, gteCheck, maxLengthCheck, numberSchema } from '../core/zod.js';
import { atPath, CrossChannelError, fromZodError, quoted, inputError, underPath } from '../core/errors.js';
import { expectOptions } from '../core/guards.js';
import { reason, type Reason } from '../core/explain.js';
import { channelSchema, timestampSchema } from '../core/schema.js';
import { assertTimeZone, instantOfWall, type WeekStartsOn } from '../core/time.js';
import { KpiAccumulator, NONE, type GroupKey, type KpiStateJSON } from './accumulate.js';
import type { InsightsErrorCode, InsightsReasonCode } from './errors.js';
import { COUNTER_SLOTS, resolveKpis, type KpiName, type KpiValue } from './kpis.js';
import { PeriodIndex, periodLabel } from './periods.js';

/**
 * Schema of a spend table: what was spent on each channel, over the whole range or in one period (`period`: any
 * instant inside the local period, or a date of it, e.g. its first day: `kpiTable` reads a plain date
 * `YYYY-MM-DD` as that date in the table's time zone, not as UTC midnight).
 *
 * @example
 * ```ts
 * spendTableSchema.parse([{ channel: 'search', amount: 1200 }, { channel: 'email', amount: 90, period: '2026-03-02' }]);
 * ```
 */
export const spendTableSchema = /* @__PURE__ */ (() => z
  .array(
    z.strictObject({
        channel: channelSchema,
        amount: numberSchema().check(gteCheck(0, 'Spend cannot be negative')),
        period: z.optional(timestampSchema),
      }),
  ).check(maxLengthCheck(1_000_000)))();

/** A spend table as a caller writes it. */
export type SpendTableInput = z.input<typeof spendTableSchema>;

/** One row of a {@link KpiTable}: the group and each asked KPI's value (a number, or `null` with the reason). */
export interface KpiRow {
  readonly key: GroupKey;
  /** `email · 2026-03`: the group's dimension values, periods as local dates. */
  readonly label: string;
  readonly values: Readonly<Partial<Record<KpiName, KpiValue>>>;
}

/** KPI values per group; `reasons` says why the table is empty when it is. */
export interface KpiTable {
  readonly kpis: ReadonlyArray<KpiName>;
  readonly rows: ReadonlyArray<KpiRow>;
  readonly reasons: ReadonlyArray<Reason<InsightsReasonCode>>;
  /** The local periods of a table grouped by period (the dashboard finds the period before a row's with them). */
  readonly period?: { readonly unit: 'day' | 'week' | 'month'; readonly timeZone: string; readonly weekStartsOn: WeekStartsOn };
}

/** Options of {@link kpiTable}. */
export interface KpiTableOptions {
  /** Spend per channel (and period), for `spend` and `customerAcquisitionCost`. */
  readonly spend?: SpendTableInput;
}

/**
 * Reads KPIs from an accumulated state: one row per group, in key order (periods ascending). Unknown KPI names
 * throw `INSIGHTS_KPI_UNKNOWN` (path `kpis[i]`); a spend table with a negative amount, a channel no record in the
 * range has (whatever the grouping), or no period while the table is grouped by period throws `INSIGHTS_SPEND_INVALID`
 * with the row's path. Retention of the table's first period is `NO_PREVIOUS_PERIOD`; of a later period whose
 * previous one had nobody active (in the same other dimensions), `ZERO_DENOMINATOR`.
 *
 * @example
 * ```ts
 * declare const acc: KpiAccumulator;
 *
 * const t = kpiTable(acc, ['contacts', 'conversionRate', 'customerAcquisitionCost'], { spend: [{ channel: 'search', amount: 500 }] });
 * t.rows[0]?.values.conversionRate; // { value: 0.031 } or { value: null, reason: { code: 'ZERO_DENOMINATOR', … } }
 * ```
 */
export function kpiTable(state: KpiAccumulator | KpiStateJSON, kpis: ReadonlyArray<KpiName>, options: KpiTableOptions = {}): KpiTable {
  const defs = resolveKpis(kpis);
  expectOptions(options, ['options']);
  const acc = state instanceof KpiAccumulator ? state : accumulatorOf(checkState(state));
  const o = acc.options;
  const entries = acc.entries();
  const spendOf = options.spend === undefined ? () => undefined : spendLookup(acc, options.spend);
  entries.sort((a, b) => compareKeys(a.key, b.key));
  const byPeriod = o.by.includes('period');
  // A period after the table's first whose previous one has no group had nobody active in it: zero counters.
  const first = entries[0]?.key.period;
  const none = new Float64Array(COUNTER_SLOTS);
  const rows = entries.map((e) => {
    const spend = spendOf(e.key);
    const previous = e.previous ?? (byPeriod && e.key.period !== first ? none : undefined);
    const values: Partial<Record<KpiName, KpiValue>> = {};
    for (const d of defs) values[d.name] = d.compute({ c: e.counters, previous, spend });
    return { key: e.key, label: labelOf(e.key, o.period, o.timeZone), values };
  });
  const reasons = rows.length === 0 ? [reason('NO_DATA', 'No record in the range', { detail: { from: o.from, to: o.to } })] : [];
  const table = { kpis: defs.map((d) => d.name), rows, reasons };
  return byPeriod ? { ...table, period: { unit: o.period, timeZone: o.timeZone, weekStartsOn: o.weekStartsOn } } : table;
}

function checkState(s: unknown): KpiStateJSON {
  if (typeof s !== 'object' || s === null || (s as { version?: unknown }).version !== 1 || !Array.isArray((s as { groups?: unknown }).groups)) {
    throw inputError('Expected a KpiAccumulator or its toJSON()', []);
  }
  return s as KpiStateJSON;
}

/** An accumulator holding a state's counts; the state's options are named at `options`. */
function accumulatorOf(state: KpiStateJSON): KpiAccumulator {
  let acc: KpiAccumulator;
  try {
    acc = new KpiAccumulator(state.options);
  } catch (e) {
    throw underPath(e, ['options']);
  }
  return acc.merge(state);
}

function spendLookup(acc: KpiAccumulator, input: unknown): (key: GroupKey) => number | undefined {
  const r = spendTableSchema.safeParse(input, ENGLISH);
  if (!r.success) throw fromZodError(r.error, 'INSIGHTS_SPEND_INVALID' as InsightsErrorCode, ['spend']);
  const o = acc.options;
  const byPeriod = o.by.includes('period');
  const byChannel = o.by.includes('channel');
  // The channels of the records in the range, whatever the grouping (unknown only for a state written before states kept them).
  const known = acc.channels();
  const channels = known && new Set(known);
  const periods = byPeriod ? new PeriodIndex(o.period, o.timeZone, o.weekStartsOn) : undefined;
  const sums = new Map<string, number>();
  r.data.forEach((row, i) => {
    if (channels !== undefined && !channels.has(row.channel)) {
      throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_SPEND_INVALID', `Spend on channel ${quoted(row.channel)}, which the history never saw`, {
        path: ['spend', i, 'channel'],
        detail: { known },
      });
    }
    if (periods !== undefined && row.period === undefined) {
      throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_SPEND_INVALID', 'A spend row needs a period when KPIs are grouped by period', { path: ['spend', i, 'period'] });
    }
    // A plain date is that local date in the table's zone (parsed, it is UTC midnight: a day early west of UTC).
    let p: number | string = '';
    if (periods !== undefined) {
      const raw = (input as ReadonlyArray<{ readonly period?: unknown }>)[i]!.period;
      try {
        p = periods.startOf(typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? instantOfWall(row.period!, o.timeZone) : row.period!);
      } catch (e) {
        throw atPath(e, ['spend', i, 'period']);
      }
    }
    const k = `${byChannel ? row.channel : ''}|${p}`;
    sums.set(k, (sums.get(k) ?? 0) + row.amount);
  });
  // Spend is known per channel and period only; a campaign, offer or segment share of it is not.
  const finer = o.by.some((d) => d === 'campaign' || d === 'offer' || d === 'segment');
  return (key) => (finer ? undefined : sums.get(`${byChannel ? key.channel : ''}|${byPeriod ? key.period : ''}`));
}

function compareKeys(a: GroupKey, b: GroupKey): number {
  if (a.period !== undefined && b.period !== undefined && a.period !== b.period) return a.period - b.period;
  for (const d of ['channel', 'campaign', 'offer', 'segment'] as const) {
    const x = a[d] ?? '';
    const y = b[d] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * A group's readable label: its dimension values joined by ` · `, periods as local dates (`email · 2026-03`).
 *
 * @example
 * ```ts
 * labelOf({ channel: 'email' }, 'week', 'UTC'); // 'email'
 * ```
 */
export function labelOf(key: GroupKey, unit: 'day' | 'week' | 'month', timeZone: string): string {
  if (typeof key !== 'object' || key === null) throw inputError('Expected a group key', ['key']);
  if (unit !== 'day' && unit !== 'week' && unit !== 'month') throw inputError('unit must be day, week or month', ['unit']);
  assertTimeZone(timeZone, ['timeZone']);
  const parts: string[] = [];
  for (const d of ['channel', 'campaign', 'offer', 'segment'] as const) {
    const v: unknown = key[d];
    if (v === undefined) continue;
    if (v !== null && typeof v !== 'string') throw inputError(`key.${d} must be a string`, ['key', d]);
    parts.push(v ?? NONE);
  }
  if (key.period !== undefined) {
    try {
      parts.push(periodLabel(key.period, unit, timeZone));
    } catch (e) {
      // The instant's own error, at the key's field (its path inside periodLabel means nothing to the caller).
      throw atPath(e, ['key', 'period']);
    }
  }
  return parts.length === 0 ? 'all' : parts.join(' · ');
}
