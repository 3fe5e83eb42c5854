import * as z from 'zod/mini';
import { parseWith, inputError } from '../core/errors.js';
import { durationSchema } from '../core/schema.js';
import { DAY } from '../core/time.js';
import { NONE, type SubjectHistory } from './accumulate.js';
import { checkHistory, checkMergeable, finiteNumber, finiteNumbers, forEachHistory } from './validate.js';
import { refineCheck, intSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';

/**
 * Schema of a funnel: ordered event types, a conversion window measured from entering the first step, and how
 * many events to keep of the path a person took after the last step they reached.
 *
 * @example
 * ```ts
 * funnelSchema.parse({ steps: ['page_view', 'cart_add', 'checkout', 'purchase'], window: '7d' });
 * ```
 */
export const funnelSchema = /* @__PURE__ */ (() => z.strictObject({
    steps: z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))).check(minLengthCheck(2), maxLengthCheck(32)),
    window: z._default(durationSchema.check(refineCheck((ms) => ms > 0, 'The window must be longer than 0')), 7 * DAY),
    pathLength: z._default(intSchema().check(gteCheck(1), lteCheck(10)), 3),
    topPaths: z._default(intSchema().check(gteCheck(1), lteCheck(100)), 5),
  }))();

/** A funnel as a caller writes it. */
export type FunnelInput = z.input<typeof funnelSchema>;
/** A parsed funnel. */
export type Funnel = z.output<typeof funnelSchema>;

/** Counts of one funnel: people reaching each step, overall and per channel of entry, and step-to-step times. */
export interface FunnelStateJSON {
  readonly version: 1;
  readonly funnel: Funnel;
  /** Per entry channel: `reached[k]` = people who reached step k. */
  readonly byChannel: Readonly<Record<string, ReadonlyArray<number>>>;
  /** Sum and count of the time (ms) from step k to step k+1, for the people who made it. */
  readonly timeSum: ReadonlyArray<number>;
  readonly timeCount: ReadonlyArray<number>;
  /** Per step k: the paths (event types after step k, ` > ` joined) of the people who stopped there. */
  readonly dropPaths: ReadonlyArray<Readonly<Record<string, number>>>;
}

const MAX_PATHS = 10_000;

/**
 * The funnel accumulator. Each person enters at their first event of the first step; each later step counts
 * when an event of its type follows the previous step within `window` of the entry (first match, in time
 * order). People drop off at the last step they reached; the event types they did next (inside the window, up
 * to `pathLength`) are their path before drop-off. Mergeable across shards of people.
 *
 * @example
 * ```ts
 * declare const histories: Iterable<SubjectHistory>;
 *
 * const f = new FunnelAccumulator({ steps: ['page_view', 'cart_add', 'purchase'], window: '3d' });
 * for (const h of histories) f.add(h);
 * const report = funnelReport(f);
 * ```
 */
export class FunnelAccumulator {
  readonly funnel: Funnel;
  private readonly byChannel = new Map<string, Float64Array>();
  private readonly timeSum: Float64Array;
  private readonly timeCount: Float64Array;
  private readonly dropPaths: Array<Map<string, number>>;
  private readonly stepAt: Float64Array;

  constructor(funnel: FunnelInput | Funnel) {
    this.funnel = parseWith(funnelSchema, funnel, 'CONFIG_INVALID');
    const n = this.funnel.steps.length;
    this.timeSum = new Float64Array(n - 1);
    this.timeCount = new Float64Array(n - 1);
    this.dropPaths = Array.from({ length: n }, () => new Map());
    this.stepAt = new Float64Array(n);
  }

  /** Adds one person's history (its behaviour events, sorted by time). */
  add(history: SubjectHistory): this {
    checkHistory(history, { purchaseEvent: '', amountProperty: '' });
    const { steps, window, pathLength } = this.funnel;
    const events = history.events;
    let entry = -1;
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.type === steps[0]) {
        entry = i;
        break;
      }
    }
    if (entry < 0) return this;
    const start = events[entry]!.at;
    const channel = events[entry]!.channel ?? NONE;
    const at = this.stepAt;
    at[0] = start;
    let k = 1;
    let last = entry;
    for (let i = entry + 1; i < events.length && k < steps.length; i++) {
      const e = events[i]!;
      if (e.at - start > window) break;
      if (e.type === steps[k]) {
        at[k] = e.at;
        last = i;
        k++;
      }
    }
    const reached = this.reachedOf(channel);
    for (let s = 0; s < k; s++) reached[s]!++;
    for (let s = 0; s + 1 < k; s++) {
      this.timeSum[s]! += at[s + 1]! - at[s]!;
      this.timeCount[s]!++;
    }
    if (k < steps.length) {
      const path: string[] = [];
      for (let i = last + 1; i < events.length && path.length < pathLength; i++) {
        const e = events[i]!;
        if (e.at - start > window) break;
        path.push(e.type);
      }
      const key = path.length === 0 ? '(nothing)' : path.join(' > ');
      const m = this.dropPaths[k - 1]!;
      if (m.has(key) || m.size < MAX_PATHS) m.set(key, (m.get(key) ?? 0) + 1);
    }
    return this;
  }

  /** Adds every history of an iterable or async iterable. */
  async addAll(histories: Iterable<SubjectHistory> | AsyncIterable<SubjectHistory>): Promise<this> {
    await forEachHistory(histories, (h) => this.add(h));
    return this;
  }

  /** Adds another accumulator's counts (same funnel), e.g. from another shard. */
  merge(other: FunnelAccumulator | FunnelStateJSON): this {
    const j = other instanceof FunnelAccumulator ? other.toJSON() : other;
    checkMergeable(j, 'funnel', this.funnel, 'Cannot merge states of different funnels');
    if (typeof j.byChannel !== 'object' || j.byChannel === null || !Array.isArray(j.timeSum) || !Array.isArray(j.timeCount) || !Array.isArray(j.dropPaths)) {
      throw inputError('Malformed funnel state', []);
    }
    // Every value is checked before any is added: a bad one found halfway would leave this half-merged.
    for (const [channel, counts] of Object.entries(j.byChannel)) finiteNumbers(counts, ['byChannel', channel], 'funnel');
    finiteNumbers(j.timeSum, ['timeSum'], 'funnel');
    finiteNumbers(j.timeCount, ['timeCount'], 'funnel');
    j.dropPaths.forEach((paths, s) => {
      if (typeof paths !== 'object' || paths === null) return;
      for (const [p, c] of Object.entries(paths as Record<string, unknown>)) finiteNumber(c, ['dropPaths', s, p], 'funnel');
    });
    const n = this.funnel.steps.length;
    for (const [channel, counts] of Object.entries(j.byChannel)) {
      const r = this.reachedOf(channel);
      for (let s = 0; s < n; s++) r[s]! += Number(counts[s] ?? 0);
    }
    for (let s = 0; s < n - 1; s++) {
      this.timeSum[s]! += Number(j.timeSum[s] ?? 0);
      this.timeCount[s]! += Number(j.timeCount[s] ?? 0);
    }
    j.dropPaths.forEach((paths, s) => {
      const m = this.dropPaths[s];
      if (m === undefined || typeof paths !== 'object' || paths === null) return;
      for (const [p, c] of Object.entries(paths as Record<string, unknown>)) if (m.has(p) || m.size < MAX_PATHS) m.set(p, (m.get(p) ?? 0) + Number(c));
    });
    return this;
  }

  /** People reached at each step, by entry channel. */
  private reachedOf(channel: string): Float64Array {
    let r = this.byChannel.get(channel);
    if (r === undefined) {
      r = new Float64Array(this.funnel.steps.length);
      this.byChannel.set(channel, r);
    }
    return r;
  }

  /** A JSON-able snapshot. */
  toJSON(): FunnelStateJSON {
    return {
      version: 1,
      funnel: this.funnel,
      byChannel: Object.fromEntries([...this.byChannel].map(([k, v]) => [k, Array.from(v)])),
      timeSum: Array.from(this.timeSum),
      timeCount: Array.from(this.timeCount),
      dropPaths: this.dropPaths.map((m) => Object.fromEntries(m)),
    };
  }
}

/** One step of a {@link FunnelReport}. */
export interface FunnelStep {
  readonly step: string;
  readonly reached: number;
  /** reached ÷ people who entered; `null` when nobody entered. */
  readonly conversionFromStart: number | null;
  /** reached ÷ reached at the previous step (1 for the first step); `null` when nobody reached the previous one. */
  readonly conversionFromPrevious: number | null;
  /** People who reached this step and no further. */
  readonly dropOff: number;
  /** Mean ms from the previous step to this one, `null` for the first step or when nobody made it. */
  readonly meanTimeFromPrevious: number | null;
  /** The most common paths (event types after this step, within the window) of the people who stopped here. */
  readonly topDropPaths: ReadonlyArray<{ readonly path: string; readonly people: number }>;
}

/** Drop-off of a funnel: overall and per channel of entry. */
export interface FunnelReport {
  readonly steps: ReadonlyArray<FunnelStep>;
  readonly byEntryChannel: ReadonlyArray<{ readonly channel: string; readonly reached: ReadonlyArray<number>; readonly dropOff: ReadonlyArray<number> }>;
  readonly entered: number;
  readonly completed: number;
}

/**
 * Reads the drop-off report of a funnel accumulator (or its JSON).
 *
 * @example
 * ```ts
 * declare const f: FunnelAccumulator;
 *
 * const r = funnelReport(f);
 * r.steps.map((s) => `${s.step}: ${s.reached} (${s.dropOff} stopped here)`);
 * ```
 */
export function funnelReport(state: FunnelAccumulator | FunnelStateJSON): FunnelReport {
  let j: FunnelStateJSON;
  if (state instanceof FunnelAccumulator) j = state.toJSON();
  else {
    if (typeof state !== 'object' || state === null || (state as { version?: unknown }).version !== 1) {
      throw inputError('Expected a FunnelAccumulator or its toJSON()', []);
    }
    // The state's funnel is checked where it is in it (`funnel.steps[1]`), not as a constructor's argument.
    j = new FunnelAccumulator(parseWith(funnelSchema, state.funnel, 'CONFIG_INVALID', ['funnel'])).merge(state).toJSON();
  }
  const { steps, topPaths } = j.funnel;
  const n = steps.length;
  const total = new Array<number>(n).fill(0);
  for (const counts of Object.values(j.byChannel)) for (let s = 0; s < n; s++) total[s]! += counts[s]!;
  const drop = (r: ReadonlyArray<number>): number[] => r.map((v, s) => v - (s + 1 < n ? r[s + 1]! : 0));
  const totalDrop = drop(total);
  return {
    entered: total[0]!,
    completed: total[n - 1]!,
    steps: steps.map((step, s) => ({
      step,
      reached: total[s]!,
      conversionFromStart: total[0] === 0 ? null : total[s]! / total[0]!,
      conversionFromPrevious: s === 0 ? (total[0] === 0 ? null : 1) : total[s - 1] === 0 ? null : total[s]! / total[s - 1]!,
      dropOff: totalDrop[s]!,
      meanTimeFromPrevious: s === 0 || j.timeCount[s - 1] === 0 ? null : j.timeSum[s - 1]! / j.timeCount[s - 1]!,
      topDropPaths: Object.entries(j.dropPaths[s] ?? {})
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, topPaths)
        .map(([path, people]) => ({ path, people })),
    })),
    byEntryChannel: Object.entries(j.byChannel)
      .sort((a, b) => b[1][0]! - a[1][0]! || (a[0] < b[0] ? -1 : 1))
      .map(([channel, reached]) => ({ channel, reached: [...reached], dropOff: drop(reached) })),
  };
}
