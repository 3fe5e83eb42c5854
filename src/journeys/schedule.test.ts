import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { localTime } from '../core/time.js';
import type { JourneyDefinitionInput, StepInput } from './definition.js';
import { nextLocalTime, waitEnd } from './schedule.js';
import { stepSchema } from './definition.js';

describe('nextLocalTime', () => {
  it('finds the next 10:00 on a weekday in the zone, across DST', () => {
    const fri = Date.parse('2026-03-06T15:00:00Z'); // Friday 16:00 Paris
    const t = nextLocalTime(fri, '10:00', [1, 2, 3, 4, 5], 'Europe/Paris');
    expect(t).toBe(Date.parse('2026-03-09T09:00:00Z'));
    const beforeDst = Date.parse('2026-03-28T12:00:00Z');
    const after = nextLocalTime(beforeDst, '10:00', undefined, 'Europe/Paris'); // Sunday 29 March, summer time
    expect(after).toBe(Date.parse('2026-03-29T08:00:00Z'));
    expect(localTime(after, 'Europe/Paris').hour).toBe(10);
    expect(nextLocalTime(Date.parse('2026-03-09T09:00:00Z'), '10:00', [1], 'Europe/Paris')).toBe(Date.parse('2026-03-09T09:00:00Z'));
  });

  it('takes the second reading of a time the clock shows twice (it waited a day when from fell between them)', () => {
    // 25 October 2026, Paris: 02:30 CEST is 00:30Z, 02:30 CET is 01:30Z; from is 02:45 CEST.
    expect(nextLocalTime(Date.parse('2026-10-25T00:45:00Z'), '02:30', undefined, 'Europe/Paris')).toBe(Date.parse('2026-10-25T01:30:00Z'));
    expect(nextLocalTime(Date.parse('2026-10-25T00:15:00Z'), '02:30', undefined, 'Europe/Paris')).toBe(Date.parse('2026-10-25T00:30:00Z'));
    expect(nextLocalTime(Date.parse('2026-10-25T01:45:00Z'), '02:30', undefined, 'Europe/Paris')).toBe(Date.parse('2026-10-26T01:30:00Z'));
    // New York, 1 November 2026: 01:30 EDT is 05:30Z, 01:30 EST 06:30Z.
    expect(nextLocalTime(Date.parse('2026-11-01T05:40:00Z'), '01:30', [0], 'America/New_York')).toBe(Date.parse('2026-11-01T06:30:00Z'));
  });

  it('takes the second reading of a fold longer than a few hours (Kwajalein, 1969: +11 back to −12, a 23-hour fold; python zoneinfo)', () => {
    // At 13:00Z on 30 September 1969 the clock went from 1 October 00:00 (+11) back to 30 September 01:00 (−12):
    // 30 September 09:49 shows at 22:49Z on the 29th, then again at 21:49Z on the 30th (it waited a day more).
    expect(nextLocalTime(Date.parse('1969-09-30T15:33:00Z'), '09:49', undefined, 'Pacific/Kwajalein')).toBe(Date.parse('1969-09-30T21:49:00Z'));
    expect(nextLocalTime(Date.parse('1969-09-29T20:00:00Z'), '09:49', undefined, 'Pacific/Kwajalein')).toBe(Date.parse('1969-09-29T22:49:00Z'));
  });

  it('is the first whole minute at or after from that reads the time on an allowed weekday (oracle: a scan minute by minute)', () => {
    const MINUTE = 60_000;
    // Instants around the 2026 transitions of three zones, where readings are skipped or shown twice.
    const around = ['2026-03-08T07:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-11-01T06:00:00Z', '2026-04-05T15:00:00Z', '2026-10-04T16:00:00Z'].map(Date.parse);
    fc.assert(
      fc.property(
        fc.constantFrom(...around),
        fc.integer({ min: -6 * 60, max: 6 * 60 }),
        fc.constantFrom('Europe/Paris', 'America/New_York', 'Australia/Lord_Howe'),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45, 59),
        fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
        (base, offsetMin, zone, hour, minute, weekdays) => {
          const from = base + offsetMin * MINUTE + 17_000;
          const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
          let t = Math.ceil(from / MINUTE) * MINUTE;
          for (;; t += MINUTE) {
            const l = localTime(t, zone);
            if (l.hour === hour && l.minute === minute && (weekdays === undefined || weekdays.includes(l.weekday))) break;
          }
          // A reading that a spring-forward skips resolves to the first instant after the gap (fromLocalTime's rule):
          // the scan finds no such reading that day, so compare only where the scan's day and the answer's agree.
          const got = nextLocalTime(from, time, weekdays, zone);
          const gl = localTime(got, zone);
          if (gl.hour === hour && gl.minute === minute) expect(got, `${zone} ${time} from ${new Date(from).toISOString()}`).toBe(t);
          else expect(got).toBeLessThan(t);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('public config types', () => {
  it('definitions autocomplete step types and accept durations as written', () => {
    expectTypeOf<StepInput['type']>().toEqualTypeOf<'send' | 'wait' | 'waitFor' | 'reply' | 'split' | 'randomSplit' | 'task' | 'goal' | 'end'>();
    expectTypeOf<{ id: 'j'; version: 1; entry: { on: 'manual' }; start: 'a'; steps: { a: { type: 'wait'; duration: '1d' } } }>().toMatchTypeOf<JourneyDefinitionInput>();
    expectTypeOf<JourneyDefinitionInput['entry']['reentry']>().toEqualTypeOf<'never' | 'always' | { cooldown: string | number | { weeks?: number | undefined; days?: number | undefined; hours?: number | undefined; minutes?: number | undefined; seconds?: number | undefined; milliseconds?: number | undefined } } | undefined>();
  });
});

describe('nextLocalTime input errors (mutation fuzz, 2026-12-05)', () => {
  it('names a from beyond the epoch range from, not the clock helper’s ms', () => {
    expect(() => nextLocalTime(2 ** 53, '10:00', undefined, 'Europe/Paris')).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'from' }));
    // Inside the epoch range but past the year 9999, which the calendar refuses (found at 5,000 mutants, seed
    // 123456): it was TIME_INVALID at `ms`, the calendar's own argument. Year 9999's last days too: their next
    // days are past it.
    for (const from of [3_702_253_482_343_179, -8e15, Date.UTC(9999, 11, 31, 12)]) {
      expect(() => nextLocalTime(from, '10:00', [1], 'Europe/Paris'), String(from)).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'from' }));
    }
  });
});

describe('wait ends across DST (the guide\'s examples, checked against python zoneinfo and luxon)', () => {
  const wait = (x: object) => stepSchema.parse({ type: 'wait', ...x }) as Parameters<typeof waitEnd>[0];
  it('until: a skipped time ends at the first instant after the gap; a doubled one at the first reading at or after', () => {
    expect(waitEnd(wait({ until: { time: '02:30' } }), Date.parse('2026-03-28T12:00:00Z'), undefined, 'Europe/Paris')).toBe(Date.parse('2026-03-29T01:00:00Z'));
    expect(waitEnd(wait({ until: { time: '02:30' } }), Date.parse('2026-10-25T00:45:00Z'), undefined, 'Europe/Paris')).toBe(Date.parse('2026-10-25T01:30:00Z'));
  });
  it('offsetMonths keeps the wall clock; a reading in a gap moves forward by the gap', () => {
    const w = wait({ date: { attr: 'd', offsetMonths: 12 } });
    expect(waitEnd(w, 0, { d: Date.parse('2025-03-29T01:30:00Z') }, 'Europe/Paris')).toBe(Date.parse('2026-03-29T01:30:00Z'));
    expect(waitEnd(wait({ date: { attr: 'd', offsetMonths: 1 } }), 0, { d: '2026-01-31T09:00:00Z' }, 'UTC')).toBe(Date.parse('2026-02-28T09:00:00Z'));
  });
  it('a date alone, or a time without an offset, is read on the person\'s clock (was UTC midnight, or the host\'s zone; python zoneinfo)', () => {
    const on = wait({ date: { attr: 'd' } });
    // A birthday in Los Angeles begins at its midnight, not at 17:00 the day before.
    expect(waitEnd(on, 0, { d: '2026-05-12' }, 'America/Los_Angeles')).toBe(Date.parse('2026-05-12T07:00:00Z'));
    expect(waitEnd(on, 0, { d: '2026-05-12T10:00' }, 'Europe/Paris')).toBe(Date.parse('2026-05-12T08:00:00Z'));
    // An offset (or Z) says which instant it is, whatever the zone.
    expect(waitEnd(on, 0, { d: '2026-05-12T10:00:00+02:00' }, 'Asia/Tokyo')).toBe(Date.parse('2026-05-12T08:00:00Z'));
    expect(waitEnd(on, 0, { d: '2026-05-12T10:00Z' }, 'Asia/Tokyo')).toBe(Date.parse('2026-05-12T10:00:00Z'));
    // Havana skips its midnight on 8 March 2026: the day begins at 01:00 CDT.
    expect(waitEnd(on, 0, { d: '2026-03-08' }, 'America/Havana')).toBe(Date.parse('2026-03-08T05:00:00Z'));
    // 11 months after a service on 3 May 2025, 08:00 on a weekday in Tokyo: Friday 3 April (it was Monday 6 April:
    // UTC midnight is 09:00 there, past 08:00).
    const remind = wait({ date: { attr: 'd', offsetMonths: 11 }, until: { time: '08:00', weekdays: [1, 2, 3, 4, 5] } });
    expect(waitEnd(remind, 0, { d: '2025-05-03' }, 'Asia/Tokyo')).toBe(Date.parse('2026-04-02T23:00:00Z'));
  });
});
