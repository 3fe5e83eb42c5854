import { describe, expect, it } from 'vitest';
import { createHistory, parseBehaviourEvent } from '../core/records.js';
import type { SubjectHistory } from './accumulate.js';
import { CohortAccumulator, cohortReport } from './cohorts.js';

const person = (id: string, events: Array<[string, number, string?, number?]>): SubjectHistory =>
  createHistory(id, {
    events: events.map(([type, at, channel, amount]) => parseBehaviourEvent({ subjectId: id, type, at, ...(channel ? { channel } : {}), properties: amount === undefined ? {} : { amount } })),
  });

describe('cohorts', () => {
  it('builds monthly acquisition cohorts with retention and cumulative revenue, cut at now', () => {
    const c = new CohortAccumulator({ period: 'month', timeZone: 'Europe/Paris' });
    c.add(person('x', [['purchase', Date.parse('2026-01-10T10:00:00Z'), 'web', 10], ['purchase', Date.parse('2026-03-01T10:00:00Z'), 'web', 30]]));
    c.add(person('y', [['purchase', Date.parse('2026-01-31T23:30:00Z'), 'web', 20]])); // 1 Feb in Paris
    c.add(person('z', [['purchase', Date.parse('2026-01-20T10:00:00Z'), 'web', 5], ['purchase', Date.parse('2026-01-21T10:00:00Z'), 'web', 5]]));
    const r = cohortReport(c, Date.parse('2026-03-15T00:00:00Z'));
    expect(r.cohorts.map((x) => [x.cohort, x.size, x.retention, x.revenuePerPerson])).toEqual([
      ['2026-01', 2, [1, 0, 0.5], [10, 10, 25]],
      ['2026-02', 1, [1, 0], [20, 20]],
    ]);
  });
});

describe('cohort states from elsewhere', () => {
  it('checks every value before merging any, and names the options where they are in the state', () => {
    const h = createHistory('p', { events: [parseBehaviourEvent({ subjectId: 'p', type: 'purchase', at: Date.UTC(2026, 0, 5), properties: { amount: 10 } })] });
    const good = new CohortAccumulator({ period: 'week' }).add(h).toJSON();
    const acc = new CohortAccumulator({ period: 'week' }).add(h);
    const before = JSON.stringify(acc.toJSON());
    const cohort = good.cohorts[0]!;
    const bad: Array<[unknown, string]> = [
      [{ ...good, cohorts: [null] }, 'cohorts[0]'],
      [{ ...good, cohorts: [{ ...cohort, size: { valueOf: 3 } }] }, 'cohorts[0].size'],
      [{ ...good, cohorts: [{ ...cohort, start: -6.8e29 }] }, 'cohorts[0].start'],
      [{ ...good, cohorts: [cohort, { ...cohort, active: [1, 'x'] }] }, 'cohorts[1].active[1]'],
    ];
    for (const [state, path] of bad) {
      expect(() => acc.merge(state as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
      expect(JSON.stringify(acc.toJSON())).toBe(before);
    }
    expect(() => cohortReport({ ...good, options: { ...good.options, amountProperty: 5 } } as never, Date.UTC(2026, 2, 1))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', path: 'options.amountProperty' }),
    );
  });
});
