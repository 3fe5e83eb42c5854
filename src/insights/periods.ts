import { calendarWindow, localTime, type CalendarUnit, type EpochMs, type TimeWindow, type WeekStartsOn } from '../core/time.js';

/**
 * Local calendar periods, memoised: the hot loops ask for the period of millions of instants, and every instant
 * of one 15-minute UTC slot lies in the same local day, week and month in every zone (offsets are whole
 * quarter hours), so a slot's window is computed once.
 */
export class PeriodIndex {
  private readonly slots = new Map<number, TimeWindow>();
  private lastStart = 0;
  private lastEnd = -1;
  // A direct-mapped cache in front of the map: one typed-array probe per record in the hot loops.
  private readonly cacheSlot = new Float64Array(4096).fill(Number.NaN);
  private readonly cacheStart = new Float64Array(4096);
  private readonly cacheEnd = new Float64Array(4096);
  constructor(
    readonly unit: CalendarUnit,
    readonly timeZone: string,
    readonly weekStartsOn: WeekStartsOn,
  ) {}

  /** Start of the local period containing `at`. */
  startOf(at: EpochMs): EpochMs {
    if (at >= this.lastStart && at < this.lastEnd) return this.lastStart;
    const slot = Math.floor(at / 900_000);
    const i = slot & 4095;
    if (this.cacheSlot[i] === slot) {
      this.lastStart = this.cacheStart[i]!;
      this.lastEnd = this.cacheEnd[i]!;
      return this.lastStart;
    }
    let w = this.slots.get(slot);
    if (w === undefined) {
      w = calendarWindow(at, this.unit, this.timeZone, { weekStartsOn: this.weekStartsOn });
      if (this.slots.size > 200_000) this.slots.clear();
      this.slots.set(slot, w);
    }
    this.cacheSlot[i] = slot;
    this.cacheStart[i] = w.start;
    this.cacheEnd[i] = w.end;
    this.lastStart = w.start;
    this.lastEnd = w.end;
    return w.start;
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
