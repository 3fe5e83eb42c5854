import * as z from 'zod/mini';
import { intSchema, enumSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';
import { parseWith, inputError } from '../core/errors.js';
import { timeZoneSchema } from '../core/schema.js';
import { localTime, WEEK, type EpochMs, type WeekStartsOn } from '../core/time.js';
import { amountOf, type SubjectHistory } from './accumulate.js';
import { PeriodIndex, periodLabel } from './periods.js';
import { checkHistory, checkMergeable, finiteNumber, finiteNumbers, forEachHistory } from './validate.js';

/**
 * Schema of the cohort options: people join the cohort of the local week or month of their first
 * `acquisitionEvent` (default their first purchase); they are active in a later period when they have an event
 * of one of `activeEvents` (default: a purchase) then; revenue is the `amountProperty` of purchase events.
 *
 * @example
 * ```ts
 * cohortOptionsSchema.parse({ period: 'month', timeZone: 'Europe/Paris' });
 * ```
 */
export const cohortOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    period: z._default(enumSchema(['week', 'month']), 'month'),
    timeZone: z._default(timeZoneSchema, 'UTC'),
    weekStartsOn: z._default(intSchema().check(gteCheck(0), lteCheck(6)), 1),
    acquisitionEvent: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'purchase'),
    activeEvents: z._default(z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))).check(minLengthCheck(1), maxLengthCheck(64)), ['purchase']),
    purchaseEvent: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'purchase'),
    amountProperty: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'amount'),
    maxPeriods: z._default(intSchema().check(gteCheck(1), lteCheck(520)), 24),
  }))();

/** Cohort options as a caller writes them. */
export type CohortOptionsInput = z.input<typeof cohortOptionsSchema>;
/** Parsed cohort options. */
export type CohortOptions = z.output<typeof cohortOptionsSchema>;

/** JSON form of a {@link CohortAccumulator}: per cohort start, its size and per-offset active people and revenue. */
export interface CohortStateJSON {
  readonly version: 1;
  readonly options: CohortOptions;
  readonly cohorts: ReadonlyArray<{ readonly start: EpochMs; readonly size: number; readonly active: ReadonlyArray<number>; readonly revenue: ReadonlyArray<number> }>;
}

interface Cohort {
  size: number;
  active: Float64Array;
  revenue: Float64Array;
}

/**
 * Acquisition cohorts, in one pass over people's histories, mergeable across shards of people. Offset 0 is the
 * acquisition period itself; offsets beyond `maxPeriods − 1` are not kept.
 *
 * @example
 * ```ts
 * declare const histories: Iterable<SubjectHistory>;
 * declare const now: EpochMs;
 *
 * const c = new CohortAccumulator({ period: 'month', timeZone: 'Europe/Paris' });
 * for (const h of histories) c.add(h);
 * const report = cohortReport(c, now);
 * ```
 */
export class CohortAccumulator {
  readonly options: CohortOptions;
  private readonly cohorts = new Map<EpochMs, Cohort>();
  private readonly periods: PeriodIndex;
  private readonly activeSet: ReadonlySet<string>;
  private readonly seen: Uint8Array;

  constructor(options: CohortOptionsInput | CohortOptions = {}) {
    this.options = parseWith(cohortOptionsSchema, options, 'CONFIG_INVALID');
    this.periods = new PeriodIndex(this.options.period, this.options.timeZone, this.options.weekStartsOn as WeekStartsOn);
    this.activeSet = new Set(this.options.activeEvents);
    this.seen = new Uint8Array(this.options.maxPeriods);
  }

  /** Adds one person's history. */
  add(history: SubjectHistory): this {
    const o = this.options;
    checkHistory(history, o);
    const events = history.events;
    let first = -1;
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.type === o.acquisitionEvent) {
        first = i;
        break;
      }
    }
    if (first < 0) return this;
    const start = this.periods.startOf(events[first]!.at);
    const c = this.cohortAt(start);
    c.size++;
    const seen = this.seen;
    seen.fill(0);
    for (let i = first; i < events.length; i++) {
      const e = events[i]!;
      const k = periodOffset(start, this.periods.startOf(e.at), o.period, o.timeZone);
      if (k < 0 || k >= o.maxPeriods) continue;
      if (this.activeSet.has(e.type) && seen[k] === 0) {
        seen[k] = 1;
        c.active[k]!++;
      }
      if (e.type === o.purchaseEvent) c.revenue[k]! += amountOf(e.properties, o.amountProperty);
    }
    return this;
  }

  /** Adds every history of an iterable or async iterable. */
  async addAll(histories: Iterable<SubjectHistory> | AsyncIterable<SubjectHistory>): Promise<this> {
    await forEachHistory(histories, (h) => this.add(h));
    return this;
  }

  /** Adds another accumulator's counts (same options). */
  merge(other: CohortAccumulator | CohortStateJSON): this {
    const j = other instanceof CohortAccumulator ? other.toJSON() : other;
    checkMergeable(j, 'options', this.options, 'Cannot merge cohort states computed with different options');
    if (!Array.isArray(j.cohorts)) throw inputError('Malformed cohort state', ['cohorts']);
    // Every value is checked before any is added: a bad one found halfway would leave this half-merged.
    // Every index, holes included (forEach would skip a hole, and the loop below read undefined).
    for (let i = 0; i < j.cohorts.length; i++) {
      const x = j.cohorts[i]!;
      if (typeof x !== 'object' || x === null) finiteNumbers(x, ['cohorts', i], 'cohort'); // not an array: throws
      finiteNumber(Number.isInteger(x.start) && Math.abs(x.start) <= 8.64e15 ? x.start : Number.NaN, ['cohorts', i, 'start'], 'cohort');
      finiteNumber(x.size, ['cohorts', i, 'size'], 'cohort');
      finiteNumbers(x.active, ['cohorts', i, 'active'], 'cohort');
      finiteNumbers(x.revenue, ['cohorts', i, 'revenue'], 'cohort');
    }
    for (const x of j.cohorts) {
      const c = this.cohortAt(x.start);
      c.size += x.size;
      for (let k = 0; k < c.active.length; k++) {
        c.active[k]! += Number(x.active[k] ?? 0);
        c.revenue[k]! += Number(x.revenue[k] ?? 0);
      }
    }
    return this;
  }

  /** A JSON-able snapshot. */
  toJSON(): CohortStateJSON {
    return {
      version: 1,
      options: this.options,
      cohorts: [...this.cohorts].sort((a, b) => a[0] - b[0]).map(([start, c]) => ({ start, size: c.size, active: Array.from(c.active), revenue: Array.from(c.revenue) })),
    };
  }

  private cohortAt(start: EpochMs): Cohort {
    let c = this.cohorts.get(start);
    if (c === undefined) {
      c = { size: 0, active: new Float64Array(this.options.maxPeriods), revenue: new Float64Array(this.options.maxPeriods) };
      this.cohorts.set(start, c);
    }
    return c;
  }
}

/** Number of whole local periods from the period starting at `from` to the one starting at `to`. */
export function periodOffset(from: EpochMs, to: EpochMs, unit: 'week' | 'month', timeZone: string): number {
  if (unit === 'week') return Math.round((to - from) / WEEK); // DST moves starts by an hour, never a week
  const a = localTime(from, timeZone);
  const b = localTime(to, timeZone);
  return (b.year - a.year) * 12 + (b.month - a.month);
}

/** One acquisition cohort's curves. */
export interface CohortRow {
  readonly cohort: string;
  readonly start: EpochMs;
  readonly size: number;
  /** `retention[k]`: share of the cohort active k periods after acquisition (offset 0 is 1 for purchase cohorts). */
  readonly retention: ReadonlyArray<number>;
  /** `revenuePerPerson[k]`: cumulative revenue per cohort member up to and including offset k. */
  readonly revenuePerPerson: ReadonlyArray<number>;
}

/** Acquisition cohorts, oldest first; curves stop at the period containing `now` (later ones are not observed yet). */
export interface CohortReport {
  readonly period: 'week' | 'month';
  readonly cohorts: ReadonlyArray<CohortRow>;
}

/**
 * Reads retention and revenue curves. Curves are cut at `now`: offsets whose period starts after `now` are left
 * out rather than shown as zero.
 *
 * @example
 * ```ts
 * declare const c: CohortAccumulator;
 *
 * const r = cohortReport(c, Date.parse('2026-06-30T00:00:00Z'));
 * r.cohorts[0]?.retention; // [1, 0.31, 0.24, …]
 * ```
 */
export function cohortReport(state: CohortAccumulator | CohortStateJSON, now: EpochMs): CohortReport {
  if (typeof now !== 'number' || !Number.isFinite(now)) throw inputError('now must be epoch ms', ['now']);
  let j: CohortStateJSON;
  if (state instanceof CohortAccumulator) j = state.toJSON();
  else {
    if (typeof state !== 'object' || state === null || (state as { version?: unknown }).version !== 1) {
      throw inputError('Expected a CohortAccumulator or its toJSON()', []);
    }
    // The state's options are checked where they are in it (`options.period`), not as a constructor's argument.
    j = new CohortAccumulator(parseWith(cohortOptionsSchema, state.options, 'CONFIG_INVALID', ['options'])).merge(state).toJSON();
  }
  const o = j.options;
  const nowStart = new PeriodIndex(o.period, o.timeZone, o.weekStartsOn as WeekStartsOn).startOf(now);
  const cohorts = j.cohorts
    .filter((c) => c.start <= nowStart)
    .map((c) => {
      const observed = Math.min(o.maxPeriods, periodOffset(c.start, nowStart, o.period, o.timeZone) + 1);
      let cum = 0;
      const revenuePerPerson: number[] = [];
      for (let k = 0; k < observed; k++) {
        cum += c.revenue[k]!;
        revenuePerPerson.push(c.size === 0 ? 0 : cum / c.size);
      }
      return {
        cohort: periodLabel(c.start, o.period, o.timeZone),
        start: c.start,
        size: c.size,
        retention: c.active.slice(0, observed).map((a) => (c.size === 0 ? 0 : a / c.size)),
        revenuePerPerson,
      };
    });
  return { period: o.period, cohorts };
}
