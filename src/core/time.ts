import { isKnownZone, zoneOffsetMs } from './zone.js';
import { utcMs } from './utc.js';
import { CrossChannelError, attempt, quoted, type Result, inputError } from './errors.js';

/**
 * An instant as milliseconds since the Unix epoch (UTC). Every time in crosschannel is one of these; time
 * zones only matter when a rule speaks of local calendar days, weeks, months or times of day.
 */
export type EpochMs = number;

/** One second in milliseconds. */
export const SECOND = 1000;
/** One minute in milliseconds. */
export const MINUTE = 60 * SECOND;
/** One hour in milliseconds. */
export const HOUR = 60 * MINUTE;
/** 24 hours in milliseconds (a fixed duration; a local calendar day may last 23 or 25 hours). */
export const DAY = 24 * HOUR;
/** 7 × 24 hours in milliseconds. */
export const WEEK = 7 * DAY;

/** Largest |ms| a JavaScript `Date` can represent (±100,000,000 days): the range {@link toEpochMs} accepts. Internal (not re-exported by the package). */
export const MAX_EPOCH_MS = 8.64e15;

// Date-only, or date-time with a mandatory Z / ±hh:mm offset. A date-time without offset would be read in
// the machine's zone — a hidden input that pure functions must not have — so it is rejected.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Anything {@link toEpochMs} accepts. */
export type TimeInput = EpochMs | Date | string;

/**
 * Reads a timestamp as epoch milliseconds: a finite integer number of ms, a valid `Date`, or an ISO 8601
 * string (`2026-03-29`, `2026-03-29T01:30:00Z`, `2026-03-29T03:30:00+02:00`). A date-time string must carry
 * `Z` or an offset. Throws `CrossChannelError` with code `TIME_INVALID` (and `path`) otherwise.
 *
 * @example
 * ```ts
 * toEpochMs('2026-03-29T01:30:00Z'); // 1774747800000
 * toEpochMs(new Date(0)); // 0
 * toEpochMs('29/03/2026'); // throws CrossChannelError { code: 'TIME_INVALID' }
 * ```
 */
export function toEpochMs(input: unknown, path: ReadonlyArray<string | number> = []): EpochMs {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && Math.abs(input) <= MAX_EPOCH_MS) return input;
    throw timeError(`Expected an integer number of epoch milliseconds, got ${quoted(input)}`, path, input);
  }
  if (input instanceof Date) {
    const t = input.getTime();
    if (Number.isNaN(t)) throw timeError('Invalid Date', path, String(input));
    return t;
  }
  if (typeof input === 'string') return parseIso(input, path);
  throw timeError(`Expected a timestamp (epoch ms, Date or ISO 8601 string), got ${input === null ? 'null' : typeof input}`, path, undefined);
}

/**
 * Non-throwing {@link toEpochMs}.
 *
 * @example
 * ```ts
 * safeToEpochMs('tomorrow'); // { ok: false, error: CrossChannelError { code: 'TIME_INVALID' } }
 * ```
 */
export function safeToEpochMs(input: unknown): Result<EpochMs> {
  return attempt(() => toEpochMs(input));
}

/**
 * Formats epoch ms as an ISO 8601 UTC string (`2026-03-29T01:30:00.000Z`).
 *
 * @example
 * ```ts
 * toIsoString(0); // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function toIsoString(ms: EpochMs): string {
  instantArg(ms, 'ms');
  return new Date(ms).toISOString();
}

function parseIso(s: string, path: ReadonlyArray<string | number>): EpochMs {
  if (s.length > 40) throw timeError('Timestamp string too long', path, s.slice(0, 40));
  let m = ISO_DATE.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    checkFields(y, mo, d, 0, 0, 0, s, path);
    return utcMs(y, mo - 1, d);
  }
  m = ISO_DATE_TIME.exec(s);
  if (!m) {
    throw timeError(`Not an ISO 8601 timestamp with offset: ${quoted(s)}`, path, s);
  }
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  const msPart = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  checkFields(y, mo, d, h, mi, sec, s, path);
  const offset = m[8] ?? 'Z';
  let offsetMin = 0;
  if (offset.toUpperCase() !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) throw timeError(`Invalid UTC offset in ${quoted(s)}`, path, s);
    offsetMin = sign * (oh * 60 + om);
  }
  return utcMs(y, mo - 1, d, h, mi, sec, msPart) - offsetMin * MINUTE;
}

function checkFields(y: number, mo: number, d: number, h: number, mi: number, s: number, raw: string, path: ReadonlyArray<string | number>): void {
  const dim = new Date(utcMs(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > dim || h > 23 || mi > 59 || s > 59) {
    throw timeError(`Date or time field out of range in ${quoted(raw)}`, path, raw);
  }
}

function timeError(message: string, path: ReadonlyArray<string | number>, value: unknown): CrossChannelError<'TIME_INVALID'> {
  return new CrossChannelError('TIME_INVALID', message, { path, detail: value === undefined ? {} : { value } });
}

/** First and last instants the calendar helpers accept: years 1 to 9999 (UTC). */
const MIN_INSTANT = -62_135_596_800_000;
const MAX_INSTANT = 253_402_300_799_999;

/**
 * Whether `ms` is an instant the calendar helpers accept (years 1–9999, UTC): for a caller that checks its own
 * argument before calendar work, so the error names that argument. Internal: not exported from the package's entries.
 */
export function isCalendarInstant(ms: number): boolean {
  return ms >= MIN_INSTANT && ms <= MAX_INSTANT;
}

/**
 * Checks an epoch-ms argument of the calendar helpers (they take numbers, not strings: see {@link toEpochMs}).
 * Cheap: a type test and two comparisons. NaN, infinities and instants outside years 1–9999 are `TIME_INVALID`.
 */
function instantArg(ms: unknown, name: string): void {
  if (typeof ms !== 'number' || !isCalendarInstant(ms)) {
    throw timeError(`${name} must be epoch milliseconds between the years 1 and 9999`, [name], typeof ms === 'number' || typeof ms === 'string' ? ms : typeof ms);
  }
}

/** Checks a zone argument of the calendar helpers (a memoised lookup once a zone has been seen). */
/** The default options (no object allocated, nothing to check). */
const NO_OPTIONS: CalendarOptions = Object.freeze({});

let lastZone = '';
function zoneArg(zone: unknown): void {
  if (zone === lastZone) return;
  if (typeof zone !== 'string' || !isKnownZone(zone)) assertTimeZone(zone as string, ['zone']);
  lastZone = zone as string;
}

function unitArg(unit: unknown): void {
  if (unit !== 'day' && unit !== 'week' && unit !== 'month') {
    throw inputError("unit must be 'day', 'week' or 'month'", ['unit'], { value: typeof unit === 'string' ? unit : typeof unit });
  }
}

function weekStartArg(options: unknown): void {
  if (options === undefined || options === NO_OPTIONS) return;
  if (typeof options !== 'object' || options === null) throw inputError('options must be an object', ['options']);
  const w = (options as CalendarOptions).weekStartsOn;
  if (w !== undefined && !(Number.isInteger(w) && w >= 0 && w <= 6)) {
    throw inputError('weekStartsOn must be an integer from 0 (Sunday) to 6', ['options', 'weekStartsOn']);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Durations

/** A duration: ms as a number, a compact string (`90s`, `15m`, `2h`, `7d`, `2w`, `1h30m`), an ISO 8601
 * duration without years/months (`P7D`, `PT1H30M`, `P1W`), or an object of parts. Days are fixed 24 h. */
export type DurationInput =
  | number
  | string
  | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number; milliseconds?: number };

const COMPACT = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

function durationError(input: unknown, path: ReadonlyArray<string | number>, why: string): CrossChannelError<'INPUT_INVALID'> {
  return inputError(`Invalid duration: ${why}`, path, { value: input });
}

/**
 * Converts a {@link DurationInput} to milliseconds. Throws `CrossChannelError` `INPUT_INVALID` on anything
 * negative, non-finite, empty or unparseable. Calendar lengths (months, years) are not durations: use the
 * calendar-window helpers for those.
 *
 * @example
 * ```ts
 * durationToMs('1h30m'); // 5400000
 * durationToMs('P7D'); // 604800000
 * durationToMs({ days: 30 }); // 2592000000
 * ```
 */
export function durationToMs(input: DurationInput, path: ReadonlyArray<string | number> = []): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw durationError(input, path, 'expected a non-negative finite number of ms');
    return input;
  }
  if (typeof input === 'string') {
    const s = input.trim();
    if (s === '' || s === 'P' || s === 'PT') throw durationError(input, path, 'empty');
    const c = COMPACT.exec(s);
    if (c && s !== '') {
      return sumParts(Number(c[1] ?? 0), Number(c[2] ?? 0), Number(c[3] ?? 0), Number(c[4] ?? 0), Number(c[5] ?? 0), Number(c[6] ?? 0));
    }
    const iso = ISO_DURATION.exec(s.toUpperCase());
    if (iso && !s.toUpperCase().endsWith('T')) {
      const secs = Number(iso[5] ?? 0);
      return sumParts(Number(iso[1] ?? 0), Number(iso[2] ?? 0), Number(iso[3] ?? 0), Number(iso[4] ?? 0), 0, Math.round(secs * 1000));
    }
    throw durationError(input, path, quoted(input));
  }
  if (typeof input === 'object' && input !== null) {
    const keys = ['weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'] as const;
    const values: number[] = [];
    let any = false;
    for (const k of keys) {
      const v = input[k];
      if (v === undefined) {
        values.push(0);
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw durationError(input, path, `${k} must be a non-negative finite number`);
      any = true;
      values.push(v);
    }
    for (const k of Object.keys(input)) {
      if (!(keys as readonly string[]).includes(k)) throw durationError(input, path, `unknown unit ${quoted(k)}`);
    }
    if (!any) throw durationError(input, path, 'no unit given');
    return sumParts(values[0]!, values[1]!, values[2]!, values[3]!, values[4]!, values[5]!);
  }
  throw durationError(input, path, 'expected a number, string or object');
}

function sumParts(w: number, d: number, h: number, m: number, s: number, ms: number): number {
  return w * WEEK + d * DAY + h * HOUR + m * MINUTE + s * SECOND + ms;
}

// ---------------------------------------------------------------------------------------------------------
// Time zones and calendar windows

/**
 * True when `zone` is an IANA time-zone name (or `UTC`) that this runtime's `Intl` knows.
 *
 * @example
 * ```ts
 * isValidTimeZone('Europe/Paris'); // true
 * isValidTimeZone('Mars/Olympus'); // false
 * ```
 */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false;
  return isKnownZone(zone);
}

/**
 * Throws `TIMEZONE_INVALID` unless `zone` is a known IANA zone; returns it otherwise.
 *
 * @example
 * ```ts
 * assertTimeZone('America/New_York'); // 'America/New_York'
 * ```
 */
export function assertTimeZone(zone: string, path: ReadonlyArray<string | number> = []): string {
  if (!isValidTimeZone(zone)) {
    throw new CrossChannelError('TIMEZONE_INVALID', `Unknown IANA time zone ${quoted(zone)}`, { path, detail: { zone } });
  }
  return zone;
}

/** Day the week starts on: 0 = Sunday, 1 = Monday (ISO), … 6 = Saturday. */
export type WeekStartsOn = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** A calendar unit for local windows. */
export type CalendarUnit = 'day' | 'week' | 'month';

/** A half-open interval `[start, end)` of epoch ms. */
export interface TimeWindow {
  readonly start: EpochMs;
  readonly end: EpochMs;
}

/** Options of the calendar helpers. */
export interface CalendarOptions {
  /** First day of the week, default 1 (Monday, ISO 8601). */
  readonly weekStartsOn?: WeekStartsOn;
}

/**
 * Start (first ms) of the local calendar day containing `ms` in `zone`. Correct across DST: on the day
 * Europe/Paris springs forward the day still starts at local midnight.
 *
 * @example
 * ```ts
 * startOfLocalDay(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Paris'); // 2026-03-28T23:00:00Z
 * ```
 */
export function startOfLocalDay(ms: EpochMs, zone: string): EpochMs {
  instantArg(ms, 'ms');
  zoneArg(zone);
  return instantOfWall(Math.floor(wallOf(ms, zone) / DAY) * DAY, zone);
}

/**
 * Last millisecond of the local calendar day containing `ms` (inclusive end, like date-fns `endOfDay`).
 *
 * @example
 * ```ts
 * endOfLocalDay(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Paris') - startOfLocalDay(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Paris') + 1; // 23 hours
 * ```
 */
export function endOfLocalDay(ms: EpochMs, zone: string): EpochMs {
  return calendarWindow(ms, 'day', zone).end - 1;
}

/**
 * Start of the local week containing `ms`, weeks starting on `weekStartsOn` (default Monday).
 *
 * @example
 * ```ts
 * startOfLocalWeek(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Paris', { weekStartsOn: 0 }); // Sunday 2026-03-29 00:00 Paris
 * ```
 */
export function startOfLocalWeek(ms: EpochMs, zone: string, options: CalendarOptions = {}): EpochMs {
  return calendarWindow(ms, 'week', zone, options).start;
}

/**
 * Start of the local calendar month containing `ms`.
 *
 * @example
 * ```ts
 * startOfLocalMonth(Date.parse('2026-03-31T23:30:00Z'), 'Europe/Paris'); // 2026-03-31T22:00:00Z (1 April, Paris)
 * ```
 */
export function startOfLocalMonth(ms: EpochMs, zone: string): EpochMs {
  return calendarWindow(ms, 'month', zone).start;
}

/**
 * The local calendar window (`[start, end)`) of the given unit that contains `ms`. Every instant belongs to
 * exactly one window per unit and zone; consecutive windows touch (`end` of one is `start` of the next). A
 * window starts at the first instant the local clock shows midnight of its first day (after the gap when a
 * DST change skips midnight). When a clock is set back across midnight (St John's fell back from 00:01 to 23:01
 * the evening before until 2011), the hour that reads the previous evening again stays in the window that has
 * begun; `date-fns`' `startOfDay` dates it by its reading instead.
 *
 * @example
 * ```ts
 * const w = calendarWindow(Date.parse('2026-10-25T12:00:00Z'), 'day', 'Europe/Paris');
 * w.end - w.start; // 90000000 (25 hours: clocks go back that night)
 * ```
 */
export function calendarWindow(ms: EpochMs, unit: CalendarUnit, zone: string, options: CalendarOptions = NO_OPTIONS): TimeWindow {
  instantArg(ms, 'ms');
  unitArg(unit);
  zoneArg(zone);
  weekStartArg(options);
  // Work on the "wall" time line (the local clock reading written as if it were UTC), where every day is
  // 24 h long, then map the window's wall bounds back to instants.
  let dayIndex = Math.floor(wallOf(ms, zone) / DAY);
  // A wall reading can fall in the day before its window when midnight was skipped; step back into range.
  let start: number;
  let end: number;
  for (;;) {
    let startWall: number;
    let endWall: number;
    if (unit === 'day') {
      startWall = dayIndex * DAY;
      endWall = startWall + DAY;
    } else if (unit === 'week') {
      const weekday = (((dayIndex + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
      const back = (weekday - (options.weekStartsOn ?? 1) + 7) % 7;
      startWall = (dayIndex - back) * DAY;
      endWall = startWall + 7 * DAY;
    } else {
      const d = new Date(dayIndex * DAY);
      startWall = utcMs(d.getUTCFullYear(), d.getUTCMonth(), 1);
      endWall = utcMs(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
    start = instantOfWall(startWall, zone);
    end = instantOfWall(endWall, zone);
    if (ms < start) dayIndex = Math.floor(startWall / DAY) - 1;
    else if (ms >= end) dayIndex = Math.floor(endWall / DAY);
    else return { start, end };
  }
}

/** The local clock reading of `ms`, as a "wall" timestamp (local fields written as UTC). */
function wallOf(ms: number, zone: string): number {
  return ms + zoneOffsetMs(ms, zone);
}

/**
 * The earliest instant whose local clock reading is `wall`; when a DST gap skipped that reading, the first
 * instant after the gap. `fromLocalTime` without its argument checks, for a wall time already checked (the zone
 * too). Internal: not exported from the entries.
 */
export function instantOfWall(wall: number, zone: string): EpochMs {
  let best = Number.POSITIVE_INFINITY;
  // The offsets in force around the wall time; a candidate is real when its own offset is the one used.
  for (let k = -1; k <= 1; k++) {
    const o = zoneOffsetMs(wall + k * DAY, zone);
    const candidate = wall - o;
    if (candidate < best && zoneOffsetMs(candidate, zone) === o) best = candidate;
  }
  return best !== Number.POSITIVE_INFINITY ? best : endOfGap(wall, zone);
}

/** First instant whose local reading is later than `wall` (which a gap skipped). */
function endOfGap(wall: number, zone: string): EpochMs {
  let lo = wall - DAY;
  let hi = wall + DAY;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallOf(mid, zone) > wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Adds `n` local calendar days (or weeks/months) to `ms` keeping the local wall-clock time where it exists. A
 * month step keeps the day of month, clamped to the target month's last day. A reading that a DST fold shows
 * twice resolves to its first occurrence, and one that a gap skips is pushed forward by the gap's length — as
 * JavaScript's `Date` (and Temporal's "compatible" disambiguation) resolve them; {@link fromLocalTime} gives the
 * first instant after a gap instead (Paris 02:30 on the spring-forward day: 03:30 here, 03:00 there).
 *
 * @example
 * ```ts
 * addLocal(Date.parse('2026-03-28T12:00:00+01:00'), 1, 'day', 'Europe/Paris'); // 2026-03-29T12:00:00+02:00 (23 h later)
 * ```
 */
export function addLocal(ms: EpochMs, n: number, unit: CalendarUnit, zone: string): EpochMs {
  instantArg(ms, 'ms');
  if (!Number.isSafeInteger(n) || Math.abs(n) > 120_000) throw inputError('n must be an integer number of units (at most 120,000 either way)', ['n'], { value: typeof n === 'number' ? n : typeof n });
  unitArg(unit);
  zoneArg(zone);
  // The local reading, moved by whole days or months on the calendar (UTC date arithmetic has no DST); a month
  // step keeps the day of month, clamped to the target month's last day (31 Jan + 1 month = 28/29 Feb).
  const wall = wallOf(ms, zone);
  const timeOfDay = wall - Math.floor(wall / DAY) * DAY;
  const date = new Date(wall - timeOfDay);
  let target: number;
  if (unit === 'month') {
    const months = date.getUTCFullYear() * 12 + date.getUTCMonth() + n;
    const year = Math.floor(months / 12);
    const month = months - year * 12;
    const last = new Date(utcMs(year, month + 1, 0)).getUTCDate();
    target = utcMs(year, month, Math.min(date.getUTCDate(), last)) + timeOfDay;
  } else {
    target = utcMs(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + n * (unit === 'week' ? 7 : 1)) + timeOfDay;
  }
  instantArg(target, 'result');
  return instantOfWallCompatible(target, zone);
}

/**
 * The instant of a local reading as JavaScript's `Date` resolves one (ECMAScript's, and Temporal's "compatible"
 * disambiguation): the earlier of two in a fold, and in a gap the reading pushed forward by the gap's length.
 */
function instantOfWallCompatible(wall: number, zone: string): EpochMs {
  const before = zoneOffsetMs(wall - DAY, zone);
  const after = zoneOffsetMs(wall + DAY, zone);
  const early = wall - before;
  const late = wall - after;
  const earlyOk = zoneOffsetMs(early, zone) === before;
  const lateOk = zoneOffsetMs(late, zone) === after;
  if (earlyOk && lateOk) return Math.min(early, late);
  if (earlyOk) return early;
  if (lateOk) return late;
  // In a gap: read with the offset in force before it, which lands past it by as much as the reading was in it.
  return early;
}

/** The local wall-clock reading of an instant in a zone. */
export interface LocalTime {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly day: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** Minutes since local midnight as shown on the clock (`hour * 60 + minute`). */
  readonly minuteOfDay: number;
  /** Offset from UTC in minutes at that instant (Paris summer: 120; fractional for a historic offset with seconds, Paris 1900: 9.35). */
  readonly offsetMinutes: number;
}

/**
 * Reads the local wall-clock time of `ms` in `zone`.
 *
 * @example
 * ```ts
 * localTime(Date.parse('2026-07-01T19:30:00Z'), 'Europe/Paris'); // { hour: 21, minute: 30, minuteOfDay: 1290, weekday: 3, … }
 * ```
 */
export function localTime(ms: EpochMs, zone: string): LocalTime {
  instantArg(ms, 'ms');
  zoneArg(zone);
  const offset = zoneOffsetMs(ms, zone);
  const d = new Date(ms + offset);
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    hour,
    minute,
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    minuteOfDay: hour * 60 + minute,
    offsetMinutes: offset / MINUTE,
  };
}

/**
 * The instant at which the local clock in `zone` shows the given date and time. A time that does not exist
 * (skipped by a spring-forward) resolves to the first instant after the gap; a time that occurs twice (fall
 * back) resolves to the earlier one.
 *
 * @example
 * ```ts
 * fromLocalTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Paris'); // 2026-03-29T01:00:00Z (03:00 CEST)
 * ```
 */
export function fromLocalTime(
  t: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number; millisecond?: number },
  zone: string,
): EpochMs {
  wallArg(t);
  zoneArg(zone);
  const hour = t.hour ?? 0;
  const minute = t.minute ?? 0;
  const second = t.second ?? 0;
  const millisecond = t.millisecond ?? 0;
  const wall = utcMs(t.year, t.month - 1, t.day, hour, minute, second, millisecond);
  instantArg(wall, 'result');
  return instantOfWall(wall, zone);
}

/**
 * The first instant after `after` at which the local clock in `zone` reads the given date and time (a day past
 * the month's end rolls over: `{ month: 1, day: 32 }` is 1 February). DST: a wall time skipped by a
 * spring-forward resolves to the first instant after the gap; in a fall-back fold, when the first reading is not
 * after `after`, the second reading (under the offset in force at `after`) is taken; when neither is, the next
 * whole minute after `after` (callers searching forward re-check from there). Quiet hours end this way.
 *
 * @example
 * ```ts
 * // 01:50 happens twice in New York on 2026-11-01; at 01:45 EST (after the fold) the next one is 01:50 EST.
 * nextLocalTime({ year: 2026, month: 11, day: 1, hour: 1, minute: 50 }, Date.parse('2026-11-01T06:45:00Z'), 'America/New_York'); // 2026-11-01T06:50:00Z
 * ```
 */
export function nextLocalTime(wall: { year: number; month: number; day: number; hour?: number; minute?: number }, after: EpochMs, zone: string): EpochMs {
  wallArg(wall);
  instantArg(after, 'after');
  zoneArg(zone);
  // Normalise day overflow through UTC date arithmetic, which has no DST.
  const d = new Date(utcMs(wall.year, wall.month - 1, wall.day));
  const hour = wall.hour ?? 0;
  const minute = wall.minute ?? 0;
  const first = fromLocalTime({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour, minute }, zone);
  if (first > after) return first;
  // The clock went back (fall-back fold) and we are past the first reading: the wall time occurs again at
  // the same wall reading under the offset now in force.
  const naive = utcMs(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hour, minute);
  const second = naive - zoneOffsetMs(after, zone);
  return second > after ? second : after + MINUTE - (after % MINUTE);
}

/**
 * Offset of `zone` from UTC at instant `ms`, in minutes (Paris winter: 60, New York summer: −240). Historic
 * local-mean-time offsets keep their seconds, as the IANA data, `Intl` and PostgreSQL have them: Paris until 1911,
 * 9.35 (0:09:21); Monrovia until 1972, −44.5. (`Date`'s `getTimezoneOffset` drops the seconds.)
 *
 * @example
 * ```ts
 * utcOffsetMinutes(Date.parse('2026-07-01T00:00:00Z'), 'Australia/Lord_Howe'); // 630
 * ```
 */
export function utcOffsetMinutes(ms: EpochMs, zone: string): number {
  instantArg(ms, 'ms');
  zoneArg(zone);
  return zoneOffsetMs(ms, zone) / MINUTE;
}

/** Checks the fields of a local date-time argument: integers (a day past the month's end rolls over). */
function wallArg(t: unknown): void {
  if (typeof t !== 'object' || t === null) throw inputError('expected { year, month, day, hour?, minute?, … }', ['time']);
  for (const k of ['year', 'month', 'day', 'hour', 'minute', 'second', 'millisecond'] as const) {
    const v = (t as Record<string, unknown>)[k];
    if (v === undefined && k !== 'year' && k !== 'month' && k !== 'day') continue;
    if (!Number.isSafeInteger(v) || Math.abs(v as number) > 1e8) throw inputError(`${k} must be an integer`, ['time', k], { value: typeof v === 'number' ? v : typeof v });
  }
}
