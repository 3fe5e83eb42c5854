/** renderDashboard given an input of the wrong shape: typed errors at the field, never a TypeError; the KPI tiles' comparisons. */
import { describe, expect, it } from 'vitest';
import { accumulateKpis } from './accumulate.js';
import { renderDashboard } from './dashboard.js';
import type { KpiName } from './kpis.js';
import { kpiTable } from './table.js';
import { FunnelAccumulator, funnelReport } from './funnels.js';
import { CohortAccumulator, cohortReport } from './cohorts.js';
import { syntheticHistories } from '../../test/arbitraries/insights.js';

const generatedAt = Date.UTC(2026, 5, 1);

describe('renderDashboard', () => {
  it('refuses a title that is not a string at `title` (it was a TypeError from escaping it)', () => {
    for (const title of [5, [null], {}]) expect(() => renderDashboard({ generatedAt, title } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'title' }));
    expect(renderDashboard({ generatedAt, title: 'Shop <EU>' })).toContain('<title>Shop &#60;EU&#62;</title>');
  });

  it('names an instant it cannot print at `generatedAt` (it was TIME_INVALID at `ms`)', () => {
    for (const at of [1e308, 2 ** 53, -1e20]) expect(() => renderDashboard({ generatedAt: at })).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'generatedAt' }));
  });

  it('shows the median customer value as the mean of the two middle values for an even count (it showed the upper one)', () => {
    expect(renderDashboard({ generatedAt, customerValues: [4, 1, 3, 2] })).toMatch(/median 2\.50/);
    expect(renderDashboard({ generatedAt, customerValues: [1, 2, 30] })).toMatch(/median 2</);
  });
});

describe('renderDashboard: numbers from plain JSON', () => {
  const START = Date.parse('2026-03-02T00:00:00Z');
  const people = [...syntheticHistories({ people: 40, seed: 3, start: START })];
  const fa = new FunnelAccumulator({ steps: ['page_view', 'purchase'], window: '1d' });
  const ca = new CohortAccumulator({ period: 'week', timeZone: 'Europe/Paris', activeEvents: ['page_view'] });
  for (const p of people) {
    fa.add(p);
    ca.add(p);
  }
  const funnel = JSON.parse(JSON.stringify(funnelReport(fa)));
  const cohorts = JSON.parse(JSON.stringify(cohortReport(ca, START + 56 * 86_400_000)));
  const X = '<img src=x onerror=alert(1)>';

  it('refuses a shown number that is markup or not finite at its part (a string `reached` or `size` was written into the page and ran)', () => {
    const cases: Array<[string, unknown]> = [
      ['funnel', { ...funnel, steps: funnel.steps.map((st: object, i: number) => (i === 0 ? { ...st, reached: X } : st)) }],
      ['funnel', { ...funnel, byEntryChannel: [{ channel: 'web', reached: [X, 1] }] }],
      ['funnel', { ...funnel, steps: funnel.steps.map((st: object) => ({ ...st, reached: Number.NaN })) }],
      ['cohorts', { ...cohorts, cohorts: cohorts.cohorts.map((c: object) => ({ ...c, size: X })) }],
      ['cohorts', { ...cohorts, cohorts: cohorts.cohorts.map((c: { retention: number[] }) => ({ ...c, retention: c.retention.map(() => Number.NaN) })) }],
    ];
    for (const [name, value] of cases) expect(() => renderDashboard({ generatedAt, [name]: value } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: name }));
    const html = renderDashboard({ generatedAt, funnel, cohorts });
    expect(html).not.toMatch(/NaN|Infinity|<img/);
  });

  it('keeps the mean and median of values near ±1.8e308 finite (the median showed InfinityM)', () => {
    for (const values of [[-1e308, 1e308], [1.7e308, 1.7e308, 1]]) expect(renderDashboard({ generatedAt, customerValues: values })).not.toMatch(/NaN|Infinity/);
  });
});

describe('renderDashboard: KPI tiles', () => {
  const W = 7 * 86_400_000;
  const T = Date.parse('2026-03-02T10:00:00Z');
  const buyer = (purchases: Array<[number, number, string?]>) => ({
    subjectId: 'd',
    contacts: [],
    responses: [],
    events: purchases.map(([at, amount, channel]) => ({ subjectId: 'd', type: at === T ? 'page_view' : 'purchase', at, ...(channel ? { channel } : {}), properties: { amount } })),
  });
  const tile = (html: string, kpi: string) => html.match(new RegExp(`<div class="tile" data-kpi="${kpi}">.*?</div></div>`))![0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  const render = (h: object, kpis: KpiName[], by: Array<'period' | 'channel'> = ['period']) => renderDashboard({ generatedAt: T + 5 * W, kpis: kpiTable(accumulateKpis([h as never], { by }), kpis) });

  it('compares the last period with the period before it, not with the row before (weeks apart, it said "vs 2026-03-02")', () => {
    const html = render(buyer([[T, 0], [T + 1, 10], [T + 3 * W, 30]]), ['revenue']);
    expect(tile(html, 'revenue')).toBe('Revenue 30 no record in 2026-03-16');
    expect(tile(render(buyer([[T, 0], [T + 1, 10], [T + 2 * W, 10], [T + 3 * W, 30]]), ['revenue']), 'revenue')).toBe('Revenue 30 ▲ 200.0% vs 2026-03-16');
    expect(tile(render(buyer([[T + 1, 10]]), ['revenue']), 'revenue')).toBe('Revenue 10 no previous period');
  });

  it('words a previous value of 0 as a change from 0, not as "no previous period"', () => {
    const html = render(buyer([[T, 0], [T + W, 30]]), ['revenue', 'activePeople', 'purchases', 'averageOrderValue']);
    expect(tile(html, 'revenue')).toBe('Revenue 30 ▲ from 0 vs 2026-03-02');
    expect(tile(html, 'purchases')).toBe('Orders 1 ▲ from 0 vs 2026-03-02');
    expect(tile(html, 'activePeople')).toBe('Active people 1 = 0.0% vs 2026-03-02');
    expect(tile(html, 'averageOrderValue')).toBe('Average order value 30 no value in 2026-03-02');
    expect(tile(render(buyer([[T, 0], [T + W, 0]]), ['revenue']), 'revenue')).toBe('Revenue 0 = unchanged vs 2026-03-02');
  });

  it('refuses a table not grouped by period only at `kpis` (a channel × period table compared two channels)', () => {
    for (const by of [['channel', 'period'], ['channel'], []] as Array<Array<'period' | 'channel'>>) {
      expect(() => render(buyer([[T + 1, 10, 'app'], [T + 2, 30, 'web']]), ['revenue'], by), JSON.stringify(by)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'kpis' }));
    }
  });
});
