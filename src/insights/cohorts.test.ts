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
