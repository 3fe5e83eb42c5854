import { parseCapRules, type CompiledCapRules, type CapRuleSetInput } from '../capping/rules.js';
import { DAY, WEEK } from '../core/time.js';
import { inputError } from '../core/errors.js';
import { KpiAccumulator } from './accumulate.js';
import { quantileOf } from './quantile.js';

/** The tightest weekly limit the caps in force put on a channel's marketing contacts. */
export interface WeeklyCap {
  readonly limit: number;
  /** The rule that sets it. */
  readonly ruleId: string;
}

/** Marketing pressure on one channel: contacts per person-week, against the weekly cap in force. */
export interface ChannelPressure {
  readonly channel: string;
  /** `histogram[n]`: person-weeks with n marketing contacts on the channel (last bucket: n or more — for the chart). */
  readonly histogram: ReadonlyArray<number>;
  /** Person-weeks with at least one marketing contact on the channel. */
  readonly personWeeks: number;
  /** Mean contacts per person-week (over person-weeks with at least one), exact: beyond the last bucket too. */
  readonly mean: number;
  /**
   * Median and 90th percentile of contacts per person-week, exact (beyond the last bucket too), by linear
   * interpolation between order statistics (Hyndman & Fan type 7, R's and NumPy's default): the median of 2 and
   * 40 is 21, their 90th percentile 36.2.
   */
  readonly p50: number;
  readonly p90: number;
  readonly cap: WeeklyCap | null;
  /**
   * Person-weeks exactly at the cap, and above it (above means the caps were not in force, or were bypassed),
   * counted on the exact contacts per person-week: a cap at or beyond the last bucket is no different.
   */
  readonly atCap: number;
  readonly overCap: number;
}

/**
 * Marketing pressure per channel — the distribution of marketing (non-transactional) contacts per person and
 * local week — set against the caps in force. The histogram stops at `pressureBuckets` (its last bucket holds that
 * many or more), but the mean, percentiles and the person-weeks at and over the cap read the exact counts. A cap rule applies to a channel when it is a `limit` rule whose
 * scope names the channel (or no channel), no campaign or offer, and no tag or the `marketing` tag; a window
 * `W` shorter than a week allows `limit × ⌈7 d / W⌉` a week, a longer one `limit`.
 *
 * @example
 * ```ts
 * declare const acc: KpiAccumulator;
 *
 * const p = pressureReport(acc, { rules: [{ id: 'weekly', kind: 'limit', limit: 3, window: 'week' }] });
 * p[0]?.overCap; // person-weeks above 3
 * ```
 */
export function pressureReport(state: KpiAccumulator, caps?: CompiledCapRules | CapRuleSetInput): ChannelPressure[] {
  if (!(state instanceof KpiAccumulator)) throw inputError('Expected a KpiAccumulator', []);
  const rules = caps === undefined ? undefined : parseCapRules(caps);
  const out: ChannelPressure[] = [];
  for (const [channel, h] of [...state.pressure()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // The exact distribution: buckets below the last as they are, the last split into its exact counts above it
    // and the rest, which is exactly the last bucket's count.
    const last = h.length - 1;
    const tail = [...(state.pressureTail(channel) ?? [])].sort((a, b) => a[0] - b[0]);
    const values: number[] = [];
    const weeks: number[] = [];
    for (let b = 0; b < last; b++) {
      values.push(b);
      weeks.push(h[b]!);
    }
    let inTail = 0;
    for (const [, w] of tail) inTail += w;
    values.push(last);
    weeks.push(Math.max(0, h[last]! - inTail));
    for (const [n, w] of tail) {
      values.push(n);
      weeks.push(w);
    }
    let n = 0;
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      n += weeks[i]!;
      sum += values[i]! * weeks[i]!;
    }
    const cap = rules === undefined ? null : weeklyCap(rules, channel);
    let atCap = 0;
    let overCap = 0;
    if (cap !== null) {
      for (let i = 0; i < values.length; i++) {
        if (values[i] === cap.limit) atCap += weeks[i]!;
        else if (values[i]! > cap.limit) overCap += weeks[i]!;
      }
    }
    out.push({ channel, histogram: Array.from(h), personWeeks: n, mean: n === 0 ? 0 : sum / n, p50: quantileOf(values, weeks, 0.5), p90: quantileOf(values, weeks, 0.9), cap, atCap, overCap });
  }
  return out;
}

/**
 * The tightest weekly cap on a channel's marketing contacts implied by a rule set, or `null` when none applies.
 *
 * @example
 * ```ts
 * import { parseCapRules } from 'crosschannel/capping';
 *
 * weeklyCap(parseCapRules({ rules: [{ id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } }] }), 'sms'); // { limit: 7, ruleId: 'sms-day' }
 * ```
 */
export function weeklyCap(rules: CompiledCapRules, channel: string): WeeklyCap | null {
  const compiled = parseCapRules(rules);
  if (typeof channel !== 'string') throw inputError('channel must be a string', ['channel']);
  let best: WeeklyCap | null = null;
  for (const r of compiled.rules) {
    if (r.kind !== 'limit' || r.window === null) continue;
    if (r.channels !== null && !r.channels.includes(channel)) continue;
    if (r.campaigns !== null || r.offers !== null || r.per === 'campaign' || r.per === 'offer') continue;
    if (r.tags !== null && !r.tags.includes('marketing')) continue;
    const w = r.window.type === 'rolling' ? r.window.ms : r.window.unit === 'day' ? DAY : r.window.unit === 'week' ? WEEK : 28 * DAY;
    const limit = w >= WEEK ? r.limit : r.limit * Math.ceil(WEEK / w);
    if (best === null || limit < best.limit) best = { limit, ruleId: r.id };
  }
  return best;
}
