import { describe, expect, it } from 'vitest';
import {
  DAY,
  HOUR,
  MINUTE,
  addLocal,
  assertTimeZone,
  calendarWindow,
  durationToMs,
  endOfLocalDay,
  fromLocalTime,
  isValidTimeZone,
  localTime,
  safeToEpochMs,
  startOfLocalDay,
  startOfLocalMonth,
  startOfLocalWeek,
  toEpochMs,
  utcOffsetMinutes,
} from './time.js';
import { CrossChannelError } from './errors.js';

const iso = (s: string): number => Date.parse(s);

describe('toEpochMs', () => {
  it('reads numbers, Dates and ISO strings with offsets', () => {
    expect(toEpochMs(0)).toBe(0);
    expect(toEpochMs(new Date(1234))).toBe(1234);
    expect(toEpochMs('2026-03-29T01:30:00Z')).toBe(iso('2026-03-29T01:30:00Z'));
    expect(toEpochMs('2026-03-29T03:30:00+02:00')).toBe(iso('2026-03-29T01:30:00Z'));
    expect(toEpochMs('2026-03-29T03:30:00.123-0530')).toBe(iso('2026-03-29T09:00:00.123Z'));
    expect(toEpochMs('2026-03-29')).toBe(Date.UTC(2026, 2, 29));
  });

  it.each([
    ['no offset', '2026-03-29T01:30:00'],
    ['not ISO', '29/03/2026'],
    ['empty', ''],
    ['Feb 30', '2026-02-30'],
    ['hour 24', '2026-02-01T24:00:00Z'],
    ['NaN', Number.NaN],
    ['fraction', 1.5],
    ['out of range', 9e15],
    ['null', null],
    ['invalid Date', new Date('x')],
    ['object', {}],
  ])('rejects %s with TIME_INVALID', (_name, input) => {
    expect(() => toEpochMs(input, ['at'])).toThrow(CrossChannelError);
    try {
      toEpochMs(input, ['events', 3, 'at']);
    } catch (e) {
      expect((e as CrossChannelError).code).toBe('TIME_INVALID');
      expect((e as CrossChannelError).path).toBe('events[3].at');
    }
  });

  it('has a non-throwing variant', () => {
    expect(safeToEpochMs('2026-01-01')).toEqual({ ok: true, value: Date.UTC(2026, 0, 1) });
    const r = safeToEpochMs('tomorrow');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('TIME_INVALID');
  });
});

describe('durationToMs', () => {
  it('reads compact, ISO and object forms', () => {
    expect(durationToMs('90s')).toBe(90_000);
    expect(durationToMs('1h30m')).toBe(90 * MINUTE);
    expect(durationToMs('2w')).toBe(14 * DAY);
    expect(durationToMs('250ms')).toBe(250);
    expect(durationToMs('P7D')).toBe(7 * DAY);
    expect(durationToMs('PT1H30M')).toBe(90 * MINUTE);
    expect(durationToMs('PT0.5S')).toBe(500);
    expect(durationToMs({ days: 30 })).toBe(30 * DAY);
    expect(durationToMs(1000)).toBe(1000);
  });
  it.each(['', 'P', 'PT', 'abc', '7 days', 'P1M', -1, Number.POSITIVE_INFINITY, {}, { days: -1 }, { fortnights: 1 }])('rejects %j', (d) => {
    expect(() => durationToMs(d as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});

describe('time zones', () => {
  it('validates IANA names', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(() => assertTimeZone('Nowhere/Land', ['tz'])).toThrow(expect.objectContaining({ code: 'TIMEZONE_INVALID', path: 'tz' }));
  });

  it('names a zone JSON cannot print (a BigInt, a cycle, a symbol) without crashing while it words the error', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const [zone, shown] of [[10n, '10'], [cycle, '[object Object]'], [Symbol('z'), 'Symbol(z)']] as const) {
      expect(() => assertTimeZone(zone as never, ['tz'])).toThrow(expect.objectContaining({ code: 'TIMEZONE_INVALID', path: 'tz', message: `Unknown IANA time zone ${shown}` }));
      expect(() => utcOffsetMinutes(0, zone as never)).toThrow(expect.objectContaining({ code: 'TIMEZONE_INVALID' }));
    }
  });

  it('reads offsets from the IANA data: half and quarter hours, zero, and historic ones between −1 h and 0 keep their sign', () => {
    expect(utcOffsetMinutes(Date.UTC(2026, 0, 15), 'Asia/Kolkata')).toBe(330);
    expect(utcOffsetMinutes(Date.UTC(2026, 0, 15), 'Asia/Kathmandu')).toBe(345);
    expect(utcOffsetMinutes(Date.UTC(2026, 0, 15), 'America/St_Johns')).toBe(-210);
    expect(utcOffsetMinutes(Date.UTC(2026, 0, 15), 'UTC')).toBe(0);
    expect(utcOffsetMinutes(Date.UTC(2026, 6, 15), 'Europe/London')).toBe(60);
    // Liberia kept Monrovia mean time, GMT−0:44:30, until 1972: the seconds are kept, as Intl and PostgreSQL keep
    // them (getTimezoneOffset drops them; @date-fns/tz reads +44, its parser loses the sign of "-00").
    expect(utcOffsetMinutes(Date.UTC(1928, 4, 14), 'Africa/Monrovia')).toBe(-44.5);
    expect(localTime(Date.UTC(1928, 4, 14, 12), 'Africa/Monrovia')).toMatchObject({ hour: 11, minute: 15, second: 30, offsetMinutes: -44.5 });
    // Paris mean time, +0:09:21, until 1911: 23:50:45Z is 00:00:06 the next day (the seconds decide the date).
    expect(localTime(Date.parse('1900-01-01T23:50:45Z'), 'Europe/Paris')).toMatchObject({ day: 2, hour: 0, minute: 0, second: 6 });
    expect(calendarWindow(Date.parse('1900-01-01T23:50:45Z'), 'day', 'Europe/Paris').start).toBe(Date.parse('1900-01-01T23:50:39Z'));
  });
});

describe('calendar windows across DST', () => {
  it('Europe/Paris spring-forward day lasts 23 h, fall-back day 25 h', () => {
    const spring = calendarWindow(iso('2026-03-29T12:00:00Z'), 'day', 'Europe/Paris');
    expect(spring.start).toBe(iso('2026-03-28T23:00:00Z'));
    expect(spring.end - spring.start).toBe(23 * HOUR);
    const fall = calendarWindow(iso('2026-10-25T12:00:00Z'), 'day', 'Europe/Paris');
    expect(fall.end - fall.start).toBe(25 * HOUR);
  });

  it('America/New_York DST days', () => {
    const spring = calendarWindow(iso('2026-03-08T17:00:00Z'), 'day', 'America/New_York');
    expect(spring.start).toBe(iso('2026-03-08T05:00:00Z'));
    expect(spring.end - spring.start).toBe(23 * HOUR);
    const fall = calendarWindow(iso('2026-11-01T17:00:00Z'), 'day', 'America/New_York');
    expect(fall.end - fall.start).toBe(25 * HOUR);
  });

  it('Australia/Lord_Howe moves by 30 minutes', () => {
    const fallBack = calendarWindow(iso('2026-04-05T06:00:00Z'), 'day', 'Australia/Lord_Howe');
    expect(fallBack.end - fallBack.start).toBe(24.5 * HOUR);
    const springForward = calendarWindow(iso('2026-10-04T06:00:00Z'), 'day', 'Australia/Lord_Howe');
    expect(springForward.end - springForward.start).toBe(23.5 * HOUR);
  });

  it('weeks honour the configured first day and DST', () => {
    const t = iso('2026-03-29T12:00:00Z'); // Sunday
    expect(startOfLocalWeek(t, 'Europe/Paris', { weekStartsOn: 0 })).toBe(iso('2026-03-28T23:00:00Z'));
    expect(startOfLocalWeek(t, 'Europe/Paris')).toBe(iso('2026-03-22T23:00:00Z'));
    const w = calendarWindow(t, 'week', 'Europe/Paris');
    expect(w.end - w.start).toBe(7 * DAY - HOUR);
  });

  it('months in the local zone', () => {
    expect(startOfLocalMonth(iso('2026-03-31T23:30:00Z'), 'Europe/Paris')).toBe(iso('2026-03-31T22:00:00Z'));
    const m = calendarWindow(iso('2026-02-10T00:00:00Z'), 'month', 'Asia/Kolkata');
    expect(m.end - m.start).toBe(28 * DAY);
  });

  it('endOfLocalDay is the last millisecond', () => {
    const t = iso('2026-10-25T12:00:00Z');
    expect(endOfLocalDay(t, 'Europe/Paris') + 1 - startOfLocalDay(t, 'Europe/Paris')).toBe(25 * HOUR);
  });

  it('addLocal keeps the wall clock', () => {
    const t = iso('2026-03-28T11:00:00Z'); // 12:00 Paris (CET)
    expect(addLocal(t, 1, 'day', 'Europe/Paris')).toBe(iso('2026-03-29T10:00:00Z'));
  });
});

describe('local time of day', () => {
  it('reads wall-clock fields and offset', () => {
    const lt = localTime(iso('2026-07-01T19:30:00Z'), 'Europe/Paris');
    expect(lt).toMatchObject({ year: 2026, month: 7, day: 1, weekday: 3, hour: 21, minute: 30, minuteOfDay: 1290, offsetMinutes: 120 });
    expect(utcOffsetMinutes(iso('2026-07-01T00:00:00Z'), 'Australia/Lord_Howe')).toBe(630);
    expect(utcOffsetMinutes(iso('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('fromLocalTime resolves gaps forward and overlaps to the earlier instant', () => {
    expect(fromLocalTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Paris')).toBe(iso('2026-03-29T01:00:00Z'));
    expect(fromLocalTime({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Paris')).toBe(iso('2026-10-25T00:30:00Z'));
    expect(fromLocalTime({ year: 2026, month: 7, day: 1, hour: 9 }, 'America/New_York')).toBe(iso('2026-07-01T13:00:00Z'));
    expect(fromLocalTime({ year: 2026, month: 10, day: 4, hour: 2, minute: 15 }, 'Australia/Lord_Howe')).toBe(iso('2026-10-03T15:30:00Z'));
  });
});

describe('nextLocalTime', () => {
  it('rolls days over, skips a spring-forward gap and takes the second reading of a fold', async () => {
    const { nextLocalTime } = await import('./time.js');
    expect(nextLocalTime({ year: 2026, month: 1, day: 32, hour: 8 }, Date.parse('2026-01-31T12:00:00Z'), 'UTC')).toBe(Date.parse('2026-02-01T08:00:00Z'));
    // 02:30 does not exist in Paris on 2026-03-29: the first instant after the gap.
    expect(nextLocalTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, Date.parse('2026-03-28T12:00:00Z'), 'Europe/Paris')).toBe(Date.parse('2026-03-29T01:00:00Z'));
    // 01:50 happens twice in New York on 2026-11-01; at 01:45 EST the next one is 01:50 EST.
    expect(nextLocalTime({ year: 2026, month: 11, day: 1, hour: 1, minute: 50 }, Date.parse('2026-11-01T06:45:00Z'), 'America/New_York')).toBe(Date.parse('2026-11-01T06:50:00Z'));
  });
});
