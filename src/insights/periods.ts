import { calendarWindow, localTime, type CalendarUnit, type EpochMs, type TimeWindow, type WeekStartsOn } from '../core/time.js';

/**
 * Local calendar periods, memoised: the hot loops ask for the period of millions of instants that fall in a few
 * dozen periods, so the windows seen so far are kept sorted and found by binary search; a new window is
 * computed once (exact across DST) and inserted.
 */
export class PeriodIndex {
  private starts = new Float64Array(16);
  private ends = new Float64Array(16);
  private n = 0;
  private lastStart = 0;
  private lastEnd = -1;
  constructor(
    readonly unit: CalendarUnit,
    readonly timeZone: string,
    readonly weekStartsOn: WeekStartsOn,
  ) {}

  /** Start of the local period containing `at`. */
  startOf(at: EpochMs): EpochMs {
    if (at >= this.lastStart && at < this.lastEnd) return this.lastStart;
    const starts = this.starts;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= at) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    if (i >= 0 && at < this.ends[i]!) {
      this.lastStart = starts[i]!;
      this.lastEnd = this.ends[i]!;
      return this.lastStart;
    }
    const w = calendarWindow(at, this.unit, this.timeZone, { weekStartsOn: this.weekStartsOn });
    this.insert(lo, w);
    this.lastStart = w.start;
    this.lastEnd = w.end;
    return w.start;
  }

  private insert(at: number, w: TimeWindow): void {
    if (this.n === this.starts.length) {
      if (this.n >= 1 << 20) {
        // A pathological spread of instants: start over rather than grow without bound.
        this.n = 0;
        at = 0;
      } else {
        const s = new Float64Array(this.n * 2);
        const e = new Float64Array(this.n * 2);
        s.set(this.starts);
        e.set(this.ends);
        this.starts = s;
        this.ends = e;
      }
    }
    this.starts.copyWithin(at + 1, at, this.n);
    this.ends.copyWithin(at + 1, at, this.n);
    this.starts[at] = w.start;
    this.ends[at] = w.end;
    this.n++;
  }
}

/**
 * A period's label in its zone: `2026-03-02` for a day or a week (its first day), `2026-03` for a month.
 */
export function periodLabel(start: EpochMs, unit: CalendarUnit, timeZone: string): string {
  const t = localTime(start, timeZone);
  const mm = String(t.month).padStart(2, '0');
  if (unit === 'month') return `${t.year}-${mm}`;
  return `${t.year}-${mm}-${String(t.day).padStart(2, '0')}`;
}
