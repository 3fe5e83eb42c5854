import fc from 'fast-check';
import { tz, TZDate } from '@date-fns/tz';
import { addDays, addMonths, addWeeks, startOfDay, startOfMonth, startOfWeek } from 'date-fns';
import { describe, expect, it } from 'vitest';
import {
  DAY,
  HOUR,
  MINUTE,
  addLocal,
  calendarWindow,
  fromLocalTime,
  localTime,
  toEpochMs,
  toIsoString,
  utcOffsetMinutes,
  type CalendarUnit,
} from './time.js';
import { DST_ZONES, ZONES, epochMsArb, weekStartArb, zoneArb } from '../../test/arbitraries/time.js';
import { utcMs } from './utc.js';

const unitArb = fc.constantFrom<CalendarUnit>('day', 'week', 'month');

describe('timestamps (properties)', () => {
  it('ISO strings round-trip through toEpochMs', () => {
    fc.assert(fc.property(epochMsArb, (t) => toEpochMs(toIsoString(t)) === t));
  });

  it('an offset string denotes the same instant as its UTC form', () => {
    fc.assert(
      fc.property(epochMsArb, fc.integer({ min: -14 * 60, max: 14 * 60 }), (t, offsetMin) => {
        const local = new Date(t + offsetMin * MINUTE).toISOString().slice(0, 23);
        const sign = offsetMin < 0 ? '-' : '+';
        const abs = Math.abs(offsetMin);
        const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        return toEpochMs(`${local}${off}`) === t;
      }),
    );
  });
});

describe('calendar windows (properties)', () => {
  it('every instant belongs to exactly one local window, which starts at local midnight (or where a DST gap skips it)', () => {
    fc.assert(
      fc.property(epochMsArb, zoneArb, unitArb, weekStartArb, (t, zone, unit, weekStartsOn) => {
        const w = calendarWindow(t, unit, zone, { weekStartsOn });
        expect(w.start).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(w.end);
        // The neighbours are different windows that touch this one: no instant is in two windows.
        expect(calendarWindow(w.start - 1, unit, zone, { weekStartsOn }).end).toBe(w.start);
        expect(calendarWindow(w.end, unit, zone, { weekStartsOn }).start).toBe(w.end);
        expect(calendarWindow(w.end - 1, unit, zone, { weekStartsOn }).start).toBe(w.start);
        const lt = localTime(w.start, zone);
        // Local midnight, or — where a DST change skips midnight (São Paulo until 2018) — the first instant of the
        // local date: the millisecond before it is on the previous date and in the other offset.
        if (lt.minuteOfDay !== 0) {
          const before = localTime(w.start - 1, zone);
          expect(before.day).not.toBe(lt.day);
          expect(before.offsetMinutes).toBeLessThan(lt.offsetMinutes);
        }
        if (unit === 'month') expect(lt.day).toBe(1);
        if (unit === 'week') expect(lt.weekday).toBe(weekStartsOn);
      }),
      { numRuns: 300 },
    );
  });

  it('window starts are monotone in the instant', () => {
    fc.assert(
      fc.property(epochMsArb, epochMsArb, zoneArb, unitArb, (a, b, zone, unit) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return calendarWindow(lo, unit, zone).start <= calendarWindow(hi, unit, zone).start;
      }),
      { numRuns: 300 },
    );
  });

  it('a local day lasts 24 h plus the change of UTC offset during it (23 h / 25 h on DST days)', () => {
    // A day starts at its first local instant: midnight, or later where a transition skips midnight (Brazil
    // until 2019, Chile, …): such a day starts at 01:00, so the day before it ends there too.
    const minuteOfDay = (ms: number, zone: string): number => {
      const l = localTime(ms, zone);
      return l.hour * 60 + l.minute;
    };
    fc.assert(
      fc.property(epochMsArb, zoneArb, (t, zone) => {
        const w = calendarWindow(t, 'day', zone);
        const shift = utcOffsetMinutes(w.start, zone) - utcOffsetMinutes(w.end, zone);
        expect(w.end - w.start).toBe(DAY + (shift + minuteOfDay(w.end, zone) - minuteOfDay(w.start, zone)) * MINUTE);
      }),
      { numRuns: 500 },
    );
  });

  it('a day whose next midnight is skipped by DST lasts 24 h (America/Sao_Paulo, 2018-11-03)', () => {
    const w = calendarWindow(Date.UTC(2018, 10, 3, 15), 'day', 'America/Sao_Paulo');
    expect(w.start).toBe(Date.UTC(2018, 10, 3, 3));
    expect(w.end).toBe(Date.UTC(2018, 10, 4, 3));
    expect(localTime(w.end, 'America/Sao_Paulo').hour).toBe(1);
  });

  it.each(DST_ZONES)('%s has short and long days every DST year, of the zone-specific length', (zone) => {
    const lengths = new Set<number>();
    const step = 6 * HOUR;
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += step) {
      const w = calendarWindow(t, 'day', zone);
      lengths.add(w.end - w.start);
    }
    const delta = zone === 'Australia/Lord_Howe' ? 30 * MINUTE : HOUR;
    expect([...lengths].sort((a, b) => a - b)).toEqual([DAY - delta, DAY, DAY + delta]);
  });

  it('fromLocalTime inverts localTime for every instant (earlier instant on overlaps)', () => {
    fc.assert(
      fc.property(epochMsArb, fc.constantFrom(...ZONES), (t, zone) => {
        const lt = localTime(t, zone);
        const back = fromLocalTime(lt, zone);
        // Same wall clock; on an overlap the earlier of the two instants showing it.
        expect(localTime(back, zone).minuteOfDay).toBe(lt.minuteOfDay);
        expect(back).toBeLessThanOrEqual(t);
        expect(t - back === 0 || t - back === HOUR || t - back === 30 * MINUTE).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Our window of `t` starts where date-fns says, except in a fold across the window's first midnight: a clock set
 * back from just after midnight to the evening before (St John's fell back at 00:01 until 2011) reads the previous
 * day again. Windows partition time (each starts at the first instant its midnight is shown), so that hour belongs
 * to the window that had already begun; date-fns gives it the date the clock reads. That case, and only it, is
 * accepted: date-fns' window is ours just before, ends where ours starts, and `t` reads earlier than our start.
 */
function expectWindowStart(t: number, unit: 'day' | 'week' | 'month', zone: string, weekStartsOn: 0 | 1 | 2 | 3 | 4 | 5 | 6, ref: number): void {
  const w = calendarWindow(t, unit, zone, { weekStartsOn });
  expect(t >= w.start && t < w.end, `${unit} window of ${t} in ${zone}`).toBe(true);
  if (w.start === ref) return;
  const before = calendarWindow(ref, unit, zone, { weekStartsOn });
  const wall = (x: number): number => x + utcOffsetMinutes(x, zone) * MINUTE;
  expect({ unit, zone, t, refStart: before.start, refEnd: before.end, foldBack: wall(t) < wall(w.start) }).toEqual({ unit, zone, t, refStart: ref, refEnd: w.start, foldBack: true });
}

describe('fast zone tables agree with date-fns + @date-fns/tz (the oracle)', () => {
  it('offsets, local fields and day/week/month windows', () => {
    fc.assert(
      fc.property(epochMsArb, zoneArb, weekStartArb, (t, zone, weekStartsOn) => {
        const inZone = tz(zone);
        const ref = new TZDate(t, zone);
        expect(utcOffsetMinutes(t, zone)).toBe(-ref.getTimezoneOffset());
        const lt = localTime(t, zone);
        expect([lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.weekday]).toEqual([
          ref.getFullYear(),
          ref.getMonth() + 1,
          ref.getDate(),
          ref.getHours(),
          ref.getMinutes(),
          ref.getDay(),
        ]);
        expectWindowStart(t, 'day', zone, weekStartsOn, startOfDay(t, { in: inZone }).getTime());
        expectWindowStart(t, 'week', zone, weekStartsOn, startOfWeek(t, { in: inZone, weekStartsOn }).getTime());
        expectWindowStart(t, 'month', zone, weekStartsOn, startOfMonth(t, { in: inZone }).getTime());
      }),
      { numRuns: 1000 },
    );
  });

  it('instants next to DST transitions', () => {
    // Transition instants of 2026 in each DST zone, ± a few ms / minutes.
    for (const zone of ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Pacific/Chatham']) {
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += HOUR) {
        if (utcOffsetMinutes(t, zone) === utcOffsetMinutes(t + HOUR, zone)) continue;
        for (const d of [-MINUTE, -1, 0, 1, MINUTE, 30 * MINUTE, HOUR]) {
          const x = t + d;
          expect(utcOffsetMinutes(x, zone), `${zone} ${x}`).toBe(-new TZDate(x, zone).getTimezoneOffset());
          expect(calendarWindow(x, 'day', zone).start).toBe(startOfDay(x, { in: tz(zone) }).getTime());
        }
      }
    }
  });

  it('a clock set back across midnight: St John\'s fell back at 00:01 until 2011 (00:01 NDT became 23:01 NST the day before)', () => {
    const zone = 'America/St_Johns';
    // 2008-11-02 02:31Z is the transition: 00:00–00:01 of 2 November (NDT) came first, then 23:01 of 1 November again.
    for (let x = Date.parse('2008-11-02T01:00:00Z'); x <= Date.parse('2008-11-02T05:00:00Z'); x += MINUTE / 2) {
      for (const unit of ['day', 'week', 'month'] as const) expectWindowStart(x, unit, zone, 1, (unit === 'day' ? startOfDay : unit === 'week' ? startOfWeek : startOfMonth)(x, { in: tz(zone), weekStartsOn: 1 }).getTime());
    }
    // Windows partition time: 2 November began at 02:30Z, the first time its midnight was shown, and keeps the hour
    // the clock then read as 1 November 23:01–23:59 (date-fns dates that hour 1 November).
    expect(calendarWindow(Date.parse('2008-11-02T02:29:00Z'), 'day', zone)).toEqual({ start: Date.parse('2008-11-01T02:30:00Z'), end: Date.parse('2008-11-02T02:30:00Z') });
    expect(calendarWindow(Date.parse('2008-11-02T02:45:00Z'), 'day', zone).start).toBe(Date.parse('2008-11-02T02:30:00Z'));
    expect(startOfDay(Date.parse('2008-11-02T02:45:00Z'), { in: tz(zone) }).getTime()).toBe(Date.parse('2008-11-01T02:30:00Z'));
  });
});

describe('addLocal agrees with date-fns addDays / addWeeks / addMonths in the zone (the oracle)', () => {
  const oracle = (ms: number, n: number, unit: 'day' | 'week' | 'month', zone: string): number =>
    (unit === 'day' ? addDays : unit === 'week' ? addWeeks : addMonths)(ms, n, { in: tz(zone) }).getTime();
  /**
   * Equal to the oracle, except in a fold: the same local reading, ours its first occurrence (as fromLocalTime
   * and JavaScript's Date resolve it), date-fns sometimes the second. True when they differ that way.
   */
  const expectAgreesUpToFold = (x: number, n: number, unit: 'day' | 'week' | 'month', zone: string): boolean => {
    const ours = addLocal(x, n, unit, zone);
    const theirs = oracle(x, n, unit, zone);
    if (ours === theirs) return false;
    const wall = (ms: number): number => ms + utcOffsetMinutes(ms, zone) * MINUTE;
    const what = `${zone} ${new Date(x).toISOString()} ${n} ${unit}: ours ${new Date(ours).toISOString()}, date-fns ${new Date(theirs).toISOString()}`;
    expect(wall(ours), what).toBe(wall(theirs));
    expect(ours, what).toBeLessThan(theirs);
    return true;
  };
  it('on random instants, steps and zones', () => {
    fc.assert(
      fc.property(epochMsArb, fc.integer({ min: -40, max: 40 }), fc.constantFrom('day' as const, 'week' as const, 'month' as const), zoneArb, (ms, n, unit, zone) => {
        expectAgreesUpToFold(ms, n, unit, zone);
      }),
      // The first counterexample found: 18 days back lands on 02:00 of the night Paris leaves summer time.
      { numRuns: 3000, examples: [[Date.UTC(2035, 10, 15, 1), -18, 'day', 'Europe/Paris']] },
    );
  });
  it('from and into DST gaps and folds (readings that a step lands on twice or never)', () => {
    let folds = 0;
    for (const zone of [...DST_ZONES, 'America/Sao_Paulo', 'Pacific/Chatham', 'America/St_Johns']) {
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += HOUR) {
        if (utcOffsetMinutes(t, zone) === utcOffsetMinutes(t + HOUR, zone)) continue;
        for (const d of [-2 * HOUR, -HOUR, -30 * MINUTE, -1, 0, 1, 15 * MINUTE, 30 * MINUTE, HOUR, 90 * MINUTE]) {
          for (const [n, unit] of [[1, 'day'], [-1, 'day'], [7, 'day'], [1, 'week'], [-1, 'week'], [1, 'month'], [-12, 'month']] as const) {
            // The reading one step away from a transition lands in its gap or fold on the other side.
            for (const x of [t + d, oracle(t + d, -n, unit, zone)]) if (expectAgreesUpToFold(x, n, unit, zone)) folds++;
          }
        }
      }
    }
    expect(folds).toBeGreaterThan(0); // the fold cases were reached
  });
});

describe('the whole calendar range, years 1 to 9999', () => {
  const FIRST = -62_135_596_800_000; // 0001-01-01T00:00:00Z
  const LAST = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
  // Whole range, the first and last 40 days, and the years 1–99 (which `Date.UTC` reads as 1901–1999).
  const calendarMsArb = fc.oneof(
    fc.integer({ min: FIRST, max: LAST }),
    fc.integer({ min: FIRST, max: FIRST + 40 * DAY }),
    fc.integer({ min: LAST - 40 * DAY, max: LAST }),
    fc.integer({ min: FIRST, max: -59_011_459_200_000 /* 0100-01-01 */ }),
    fc.constantFrom(FIRST, LAST),
  );

  it('utcMs is Date.UTC for every year, years 0–99 included (oracle: setUTCFullYear, which has no two-digit rule)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -200, max: 10_200 }),
        fc.integer({ min: -30, max: 40 }),
        fc.integer({ min: -60, max: 90 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 999 }),
        (year, month, day, hour, minute, ms) => {
          const d = new Date(0);
          d.setUTCFullYear(year, month, day);
          d.setUTCHours(hour, minute, 0, ms);
          expect(utcMs(year, month, day, hour, minute, 0, ms)).toBe(d.getTime());
          if (year < 0 || year >= 100) expect(utcMs(year, month, day, hour, minute, 0, ms)).toBe(Date.UTC(year, month, day, hour, minute, 0, ms));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('ISO strings of every year parse to the instant they name (0050-06-01 was read as 1950)', () => {
    fc.assert(
      fc.property(calendarMsArb, (t) => {
        const iso = toIsoString(t);
        expect(toEpochMs(iso)).toBe(t);
        expect(toEpochMs(iso)).toBe(Date.parse(iso));
        if (t % DAY === 0) expect(toEpochMs(iso.slice(0, 10))).toBe(t);
      }),
      { numRuns: 1000 },
    );
  });

  it('local fields equal Intl\'s in the years of local mean time, whose offsets have seconds (Paris +0:09:21, Monrovia −0:44:30)', () => {
    const lmtZones = ['Europe/Paris', 'Africa/Monrovia', 'Europe/Amsterdam', 'Europe/Dublin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu'];
    const formats = new Map(lmtZones.map((z) => [z, new Intl.DateTimeFormat('en-US', { timeZone: z, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })]));
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1850, 0, 1), max: Date.UTC(1975, 0, 1) }), fc.constantFrom(...lmtZones), (t, zone) => {
        const parts = Object.fromEntries(formats.get(zone)!.formatToParts(t).map((p) => [p.type, Number(p.value)]));
        const lt = localTime(t, zone);
        expect([lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second]).toEqual([parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second]);
        const w = calendarWindow(t, 'day', zone);
        // The day starts at the first instant showing its date (00:00:00, or later when a change of offset skipped
        // midnight: Kolkata's clocks went from 23:51:10 to 00:08:50 on 1906-01-01).
        expect(localTime(w.start, zone).day).toBe(lt.day);
        expect(localTime(w.start - 1, zone).day).not.toBe(lt.day);
      }),
      { numRuns: 2000 },
    );
  });

  it('offsets agree with @date-fns/tz, and every instant has its local day, week and month, up to the ends of the range', () => {
    fc.assert(
      fc.property(calendarMsArb, zoneArb, unitArb, weekStartArb, (t, zone, unit, weekStartsOn) => {
        // TZDate's getTimezoneOffset drops the seconds of historic local-mean-time offsets; the package keeps them.
        expect(Math.trunc(utcOffsetMinutes(t, zone))).toBe(Math.trunc(-new TZDate(t, zone).getTimezoneOffset()));
        const w = calendarWindow(t, unit, zone, { weekStartsOn });
        expect(w.start).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(w.end);
        // A window may start before the year 1 or end after 9999 (the instant is in range, its local date not).
        if (w.start >= FIRST) {
          const lt = localTime(w.start, zone);
          if (unit === 'month') expect(lt.day).toBe(1);
          if (unit === 'week') expect(lt.weekday).toBe(weekStartsOn);
        }
        if (w.start - 1 >= FIRST) expect(calendarWindow(w.start - 1, unit, zone, { weekStartsOn }).end).toBe(w.start);
        if (w.end <= LAST) expect(calendarWindow(w.end, unit, zone, { weekStartsOn }).start).toBe(w.end);
      }),
      { numRuns: 1000 },
    );
  });
});
