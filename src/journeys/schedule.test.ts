import { describe, expect, expectTypeOf, it } from 'vitest';
import { localTime } from '../core/time.js';
import type { JourneyDefinitionInput, StepInput } from './definition.js';
import { nextLocalTime } from './schedule.js';

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
