/** Calendar-period date conditions in the person's zone: "birthday this month / this week / today". */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSegment, safeCompileSegments } from './compile.js';

const bday = (period: 'day' | 'week' | 'month', weekStartsOn?: number) =>
  compileSegment({ anniversary: 'birthday', period, ...(weekStartsOn === undefined ? {} : { weekStartsOn }) }, { timeZoneAttr: 'tz', timeZone: 'UTC' });
const at = (iso: string) => Date.parse(iso);

describe('anniversary periods', () => {
  // 23:30 UTC on 31 March is already 1 April in Paris, still 31 March in New York.
  const now = at('2026-03-31T23:30:00Z');

  it('month and day are the local ones of the person', () => {
    expect(bday('month')({ birthday: '1990-04-15', tz: 'Europe/Paris' }, [], now)).toBe(true);
    expect(bday('month')({ birthday: '1990-04-15', tz: 'UTC' }, [], now)).toBe(false);
    expect(bday('day')({ birthday: '1990-04-01', tz: 'Europe/Paris' }, [], now)).toBe(true);
    expect(bday('day')({ birthday: '1990-04-01', tz: 'America/New_York' }, [], now)).toBe(false);
    expect(bday('day')({ birthday: '1990-03-31', tz: 'America/New_York' }, [], now)).toBe(true);
  });

  it('week: Monday-start by default, weekStartsOn moves it, and it runs across New Year', () => {
    // Wednesday 1 April 2026 in Paris: Monday week 30 March – 5 April, Sunday week 29 March – 4 April.
    const p = { tz: 'Europe/Paris' };
    expect(bday('week')({ ...p, birthday: '1990-04-05' }, [], now)).toBe(true);
    expect(bday('week')({ ...p, birthday: '1990-04-06' }, [], now)).toBe(false);
    expect(bday('week', 0)({ ...p, birthday: '1990-04-05' }, [], now)).toBe(false);
    expect(bday('week', 0)({ ...p, birthday: '1990-03-29' }, [], now)).toBe(true);
    expect(bday('week')({ tz: 'UTC', birthday: '2000-01-02' }, [], at('2026-12-31T12:00:00Z'))).toBe(true);
  });

  it('29 February is celebrated on 28 February in common years; non-dates are not in any period', () => {
    expect(bday('day')({ birthday: '2000-02-29', tz: 'UTC' }, [], at('2027-02-28T10:00:00Z'))).toBe(true);
    expect(bday('day')({ birthday: '2000-02-29', tz: 'UTC' }, [], at('2028-02-29T10:00:00Z'))).toBe(true);
    expect(bday('month')({ birthday: 'soon', tz: 'UTC' }, [], now)).toBe(false);
    // Not calendar dates (they were read as 1 May, 2 March and a 29 February): in no period, never within any days.
    const within = compileSegment({ anniversary: 'birthday', withinDays: 366 }, { timeZoneAttr: 'tz' });
    for (const birthday of ['1990-04-31', '1990-02-30', '2021-02-29', '1990-06-31']) {
      for (const period of ['day', 'week', 'month'] as const) expect(bday(period)({ birthday, tz: 'UTC' }, [], now), `${birthday} ${period}`).toBe(false);
      expect(within({ birthday, tz: 'UTC' }, [], now), birthday).toBe(false);
    }
    expect(bday('month')({ birthday: '2020-02-29', tz: 'UTC' }, [], at('2027-02-10T10:00:00Z'))).toBe(true);
  });

  it('property: "today" is exactly "within 0 days", in every zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2010, 0, 1) }),
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland'),
        (birth, t, tz) => {
          const profile = { birthday: new Date(birth).toISOString().slice(0, 10), tz };
          const within0 = compileSegment({ anniversary: 'birthday', withinDays: 0 }, { timeZoneAttr: 'tz' });
          expect(bday('day')(profile, [], t)).toBe(within0(profile, [], t));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('needs exactly one of withinDays and period', () => {
    const r = safeCompileSegments([{ id: 'x', rule: { anniversary: 'birthday', withinDays: 3, period: 'week' } }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path).toBe('[0].rule.period');
  });
});
