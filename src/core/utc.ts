/**
 * `Date.UTC` for every year. `Date.UTC` reads the years 0–99 as 1900–1999 (a two-digit-year rule of the
 * language), so `Date.UTC(50, 5, 1)` is in 1950; for those years this takes the same date 400 years later and
 * moves it back by exactly 400 Gregorian years (146,097 days: the same weekdays and leap days). Fields overflow
 * as in `Date.UTC` (month 12 is January of the next year, day 0 the last day of the month before). Internal:
 * the core's calendar arithmetic and segments' anniversaries.
 */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): number {
  const eras = year >= 0 && year < 100 ? 1 : 0;
  return Date.UTC(year + 400 * eras, month, day, hour, minute, second, millisecond) - eras * 126_227_808e5;
}
