import { CrossChannelError } from '../core/errors.js';
import { assertTimeZone, calendarWindow, fromLocalTime, localTime, utcOffsetMinutes, MINUTE, type EpochMs, type TimeWindow } from '../core/time.js';
import { quietAt, type CompiledCapRule, type CompiledCapRules } from './rules.js';

// A compiled rule set memoises at most this many calendar windows; beyond that it starts over, so a long-lived
// rule set evaluated at ever-moving instants keeps a bounded footprint.
const MEMO_LIMIT = 512;

/**
 * The local calendar window of a limit rule that contains `t`, in `zone`. Memoised on the compiled rule set:
 * evaluating 100k subjects at the same instant computes each window once, not once per subject or contact.
 *
 * @example
 * ```ts
 * const caps = parseCapRules({ rules: [{ id: 'd', kind: 'limit', limit: 1, window: 'day' }] });
 * capWindowAt(caps, caps.rules[0]!, Date.parse('2026-03-29T12:00:00Z'), 'Europe/Paris'); // { start: …T22:00Z of 28th, end: …T22:00Z of 29th }
 * ```
 */
export function capWindowAt(caps: CompiledCapRules, rule: CompiledCapRule, t: EpochMs, zone: string): TimeWindow {
  const w = rule.window;
  if (w === null) throw new CrossChannelError('INPUT_INVALID', `Rule ${rule.id} has no window`, { detail: { rule: rule.id } });
  if (w.type === 'rolling') return { start: t - w.ms + 1, end: Number.POSITIVE_INFINITY };
  const key = `${zone}|${w.unit}|${w.weekStartsOn}`;
  const memo = caps.windowMemo;
  const hit = memo.get(key);
  if (hit !== undefined && hit.start <= t && t < hit.end) return hit;
  const fresh = calendarWindow(t, w.unit, zone, { weekStartsOn: w.weekStartsOn });
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, fresh);
  return fresh;
}

/**
 * Validates `zone` once per compiled rule set (an `Intl` construction per call would dominate the hot path).
 * Throws `TIMEZONE_INVALID`.
 *
 * @example
 * ```ts
 * checkZone(parseCapRules({ rules: [] }), 'Asia/Kolkata'); // 'Asia/Kolkata'
 * ```
 */
export function checkZone(caps: CompiledCapRules, zone: string): string {
  return assertTimeZone(zone, ['timeZone']);
}

/**
 * `t` when the quiet rule lets a message go at `t`; otherwise the first later instant at which the range
 * blocking `t` ends (the caller re-checks: another range may start right then). `null` when the ranges cover
 * the whole week.
 *
 * @example
 * ```ts
 * const caps = parseCapRules({ rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] });
 * quietEnd(caps.rules[0]!, Date.parse('2026-07-01T20:00:00Z'), 'Europe/Paris'); // 2026-07-02T06:00:00Z (08:00 Paris)
 * ```
 */
export function quietEnd(rule: CompiledCapRule, t: EpochMs, zone: string): EpochMs | null {
  if (rule.alwaysQuiet) return null;
  const lt = localTime(t, zone);
  const m = lt.minuteOfDay;
  if (!quietAt(rule.ranges, lt.weekday, m)) return t;
  const prev = (lt.weekday + 6) % 7;
  let end = t;
  for (let i = 0; i < rule.ranges.length; i++) {
    const r = rule.ranges[i]!;
    let dayOffset: number | null = null;
    if (r.from < r.to) {
      if ((r.days & (1 << lt.weekday)) !== 0 && m >= r.from && m < r.to) dayOffset = 0;
    } else if ((r.days & (1 << lt.weekday)) !== 0 && m >= r.from) {
      dayOffset = 1;
    } else if ((r.days & (1 << prev)) !== 0 && m < r.to) {
      dayOffset = 0;
    }
    if (dayOffset === null) continue;
    const candidate = localClockAfter(lt.year, lt.month, lt.day + dayOffset + Math.floor(r.to / 1440), r.to % 1440, t, zone);
    if (candidate > end) end = candidate;
  }
  return end;
}

/** First instant after `t` at which the local clock of `zone` reads `minuteOfDay` on that date. */
function localClockAfter(year: number, month: number, day: number, minuteOfDay: number, t: EpochMs, zone: string): EpochMs {
  // Normalise day overflow (31 + 1) through UTC date arithmetic, which has no DST.
  const d = new Date(Date.UTC(year, month - 1, day));
  const wall = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 };
  const first = fromLocalTime(wall, zone);
  if (first > t) return first;
  // The clock went back (fall-back fold) and we are past the first reading: the wall time occurs again at
  // the same wall reading under the offset now in force.
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const second = naive - utcOffsetMinutes(t, zone) * MINUTE;
  return second > t ? second : t + MINUTE - (t % MINUTE);
}
