import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capWindowAt } from './windows.js';
import { parseCapRules } from './rules.js';
import { calendarWindow, DAY } from '../core/time.js';
import { weekStartArb, zoneArb } from '../../test/arbitraries/time.js';

const unitArb = fc.constantFrom('day' as const, 'week' as const, 'month' as const);
const T0 = Date.UTC(2026, 0, 1);

describe('capWindowAt (memoised calendar windows)', () => {
  it('answers every instant of a sequence with the window calendarWindow computes afresh', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ unit: unitArb, weekStartsOn: weekStartArb }), { minLength: 1, maxLength: 4 }),
        // Instants jump back and forth over ~3 years, as a refusal's search for the next allowed moment does.
        fc.array(fc.record({ rule: fc.nat(), zone: zoneArb, t: fc.integer({ min: 0, max: 1100 * DAY }) }), { minLength: 1, maxLength: 60 }),
        (windows, asks) => {
          const caps = parseCapRules({ rules: windows.map((w, i) => ({ id: `r${i}`, kind: 'limit', limit: 1, window: { calendar: w.unit, weekStartsOn: w.weekStartsOn } })) });
          for (const a of asks) {
            const rule = caps.rules[a.rule % caps.rules.length]!;
            const t = T0 + a.t;
            const got = capWindowAt(caps, rule, t, a.zone);
            const w = rule.window!;
            if (w.type !== 'calendar') throw new Error('calendar rules only');
            expect(got).toEqual(calendarWindow(t, w.unit, a.zone, { weekStartsOn: w.weekStartsOn }));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the current window while later ones are asked for', () => {
    const caps = parseCapRules({ rules: [{ id: 'd', kind: 'limit', limit: 1, window: { calendar: 'day' } }] });
    const rule = caps.rules[0]!;
    const now = Date.UTC(2026, 5, 15, 12);
    const today = capWindowAt(caps, rule, now, 'Europe/Paris');
    capWindowAt(caps, rule, now + DAY, 'Europe/Paris');
    capWindowAt(caps, rule, now + 2 * DAY, 'Europe/Paris');
    expect(capWindowAt(caps, rule, now + 1, 'Europe/Paris')).toBe(today);
  });
});
