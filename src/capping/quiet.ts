/**
 * Quiet hours, in one place: compiled ranges, whether a local minute is quiet, whether ranges cover the whole
 * week, and when the quiet range blocking an instant ends (DST folds and gaps are core's `nextLocalTime`).
 */
import { localTime, nextLocalTime, type EpochMs } from '../core/time.js';

/** A quiet range compiled to minutes and a weekday bit mask (bit d = range starts on weekday d). */
export interface CompiledQuietRange {
  readonly from: number;
  readonly to: number;
  readonly days: number;
}

/**
 * What {@link quietEnd} reads of a compiled quiet rule (a `CompiledCapRule` of kind `quiet` is one).
 */
export interface QuietRule {
  readonly ranges: ReadonlyArray<CompiledQuietRange>;
  /** The ranges cover the whole week: never allowed. */
  readonly alwaysQuiet: boolean;
}

/**
 * True when local minute `minuteOfDay` of `weekday` (0 = Sunday) falls in one of the ranges.
 */
export function quietAt(ranges: ReadonlyArray<CompiledQuietRange>, weekday: number, minuteOfDay: number): boolean {
  const prev = (weekday + 6) % 7;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r.from < r.to) {
      if ((r.days & (1 << weekday)) !== 0 && minuteOfDay >= r.from && minuteOfDay < r.to) return true;
    } else {
      if ((r.days & (1 << weekday)) !== 0 && minuteOfDay >= r.from) return true;
      if ((r.days & (1 << prev)) !== 0 && minuteOfDay < r.to) return true;
    }
  }
  return false;
}

/**
 * True when the ranges together leave no local minute of the week free (a candidate under them is never allowed).
 */
export function coversWholeWeek(ranges: ReadonlyArray<CompiledQuietRange>): boolean {
  for (let d = 0; d < 7; d++) for (let m = 0; m < 1440; m++) if (!quietAt(ranges, d, m)) return false;
  return true;
}

/**
 * `t` when the quiet rule lets a message go at `t`; otherwise the first later instant at which it does (past
 * ranges that run into each other). `null` when the ranges cover the whole week, or when a range blocking the
 * way ends after the year 9999 (past the local calendar).
 */
export function quietEnd(rule: QuietRule, t: EpochMs, zone: string): EpochMs | null {
  if (rule.alwaysQuiet) return null;
  for (;;) {
    const lt = localTime(t, zone);
    const m = lt.minuteOfDay;
    const wd = lt.weekday;
    let end = t;
    for (const r of rule.ranges) {
      // The days from today to the one the range blocking `t` ends on (-1: the range does not block `t`), as quietAt reads them.
      const d = r.from < r.to
        ? ((r.days >> wd) & 1 && m >= r.from && m < r.to ? 0 : -1)
        : (r.days >> wd) & 1 && m >= r.from ? 1 : (r.days >> ((wd + 6) % 7)) & 1 && m < r.to ? 0 : -1;
      if (d < 0) continue;
      const day = lt.day + d + Math.floor(r.to / 1440);
      // A range that ends after the year 9999 ends where the local calendar does not reach: never, for the rules.
      if (lt.year > 9999 || (lt.year === 9999 && lt.month === 12 && day > 31)) return null;
      const c = nextLocalTime({ year: lt.year, month: lt.month, day, hour: Math.floor((r.to % 1440) / 60), minute: r.to % 60 }, t, zone);
      if (c > end) end = c;
    }
    if (end === t) return t;
    // The clock jumps on the way (a fall-back may turn it back out of the ranges): re-check from the jump.
    for (let a = t; localTime(end, zone).offsetMinutes !== lt.offsetMinutes && end - a > 1; ) {
      const c = Math.floor((a + end) / 2);
      if (localTime(c, zone).offsetMinutes === lt.offsetMinutes) a = c;
      else end = c;
    }
    t = end;
  }
}
