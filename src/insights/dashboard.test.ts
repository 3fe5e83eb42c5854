/** renderDashboard given an input of the wrong shape: typed errors at the field, never a TypeError; the KPI tiles' comparisons. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accumulateKpis } from './accumulate.js';
import { renderDashboard } from './dashboard.js';
import type { KpiName } from './kpis.js';
import { kpiTable } from './table.js';
import { FunnelAccumulator, funnelReport } from './funnels.js';
import { CohortAccumulator, cohortReport } from './cohorts.js';
import { syntheticHistories } from '../../test/arbitraries/insights.js';
import { KPI_NAMES } from './kpis.js';
import { pressureReport } from './pressure.js';
import { summariseCustomers } from './clv.js';
import { findPersonas } from './personas.js';

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

describe('renderDashboard: hostile text and extreme numbers', () => {
  const START = Date.parse('2026-03-02T00:00:00Z');
  const NOW = START + 56 * 86_400_000;
  const people = [...syntheticHistories({ people: 60, seed: 5, start: START })];
  const acc = accumulateKpis(people, { by: ['period'], period: 'week', timeZone: 'Europe/Paris' });
  const fa = new FunnelAccumulator({ steps: ['page_view', 'purchase'], window: '1d' });
  const ca = new CohortAccumulator({ period: 'week', timeZone: 'Europe/Paris', activeEvents: ['page_view'] });
  for (const p of people) {
    fa.add(p);
    ca.add(p);
  }
  const customers = summariseCustomers(people, NOW);
  // Plain JSON, as a report read back from a file.
  const base = JSON.parse(
    JSON.stringify({
      generatedAt: NOW,
      kpis: kpiTable(acc, [...KPI_NAMES]),
      funnel: funnelReport(fa),
      cohorts: cohortReport(ca, NOW),
      pressure: pressureReport(acc, { rules: [{ id: 'weekly', kind: 'limit', limit: 3, window: 'week' }] }),
      personas: findPersonas(customers.map((c) => ({ subjectId: c.subjectId, features: { orders: c.orders, revenue: c.revenue } })), { k: 2, seed: 1 }),
    }),
  );
  /** The input with `set` applied to a deep copy. */
  const edit = (set: (x: any) => void) => {
    const x = structuredClone(base);
    set(x);
    return x;
  };

  it('replaces NUL, other controls, noncharacters and lone surrogates by U+FFFD (HTML parse errors; a NUL was dropped)', () => {
    const hostile = 'a\u0000b\u0001\u0085\u007f\ufdd0\uffff\u{1fffe}\ud800<i>\tc\nd';
    const html = renderDashboard(edit((x) => {
      x.title = hostile;
      x.funnel.steps[0].step = hostile;
      x.personas[0].name = hostile;
    }));
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]|\u{1fffe}|[\ud800-\udbff](?![\udc00-\udfff])|<i>/u);
    expect(html).toContain('<title>a\ufffdb\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd&#60;i&#62;\tc\nd</title>');
  });

  it('property: any string as the title reads back as itself, but the code points HTML calls parse errors as U+FFFD', () => {
    // From the HTML standard's input stream errors: controls but ASCII whitespace, noncharacters, surrogates.
    const allowed = (cp: number) => !((cp < 0x20 && ![0x09, 0x0a, 0x0c, 0x0d].includes(cp)) || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe || (cp >= 0xd800 && cp <= 0xdfff));
    const unit = fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom('<', '>', '&', '"', "'", '\u0000', '\u0085', '\ufdd0', '\u{10fffe}'), fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (title) => {
        const html = renderDashboard({ generatedAt, title });
        const shown = html.match(/<title>([^<]*)<\/title>/)![1]!.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
        const want = Array.from(title, (ch) => (allowed(ch.codePointAt(0)!) ? ch : '\ufffd')).join('');
        expect(shown).toBe(want);
        expect(Array.from(html).every((ch) => allowed(ch.codePointAt(0)!))).toBe(true);
      }),
    );
  });

  it('refuses a shown number that is not finite, and a share too large to print, at its part (NaN, Infinity and x="NaN" were written)', () => {
    const cases: Array<[string, (x: any) => void]> = [
      ['kpis', (x) => (x.kpis.rows.at(-1).values.contacts.value = Number.NaN)],
      ['kpis', (x) => (x.kpis.rows.at(-1).values.deliveryRate.value = 1e308)],
      ['kpis', (x) => (x.kpis.rows.at(-2).values.revenue.value = Number.NaN)],
      ['funnel', (x) => (x.funnel.steps[1].dropOff = Number.POSITIVE_INFINITY)],
      ['funnel', (x) => (x.funnel.steps[1].conversionFromStart = '<b>x</b>')],
      ['cohorts', (x) => (x.cohorts.cohorts[0].revenuePerPerson[0] = Number.NaN)],
      ['cohorts', (x) => (x.cohorts.cohorts[0].retention[0] = -1e308)],
      ['pressure', (x) => (x.pressure[0].cap.limit = Number.NaN)],
      ['pressure', (x) => (x.pressure[0].atCap = Number.NEGATIVE_INFINITY)],
      ['personas', (x) => (x.personas[0].share = 1e308)],
      ['personas', (x) => (x.personas[0].rulePrecision = Number.NaN)],
    ];
    for (const [name, set] of cases) expect(() => renderDashboard(edit(set)), name).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: name }));
  });

  it('keeps every coordinate and label finite for finite numbers near ±1.8e308 (the histogram lost half its values and printed NaN and InfinityM)', () => {
    const spread = Array.from({ length: 300 }, (_, i) => (i % 2 ? 1.5e308 : -1.5e308));
    const hist = renderDashboard({ generatedAt: NOW, customerValues: spread });
    expect(hist).not.toMatch(/NaN|Infinity/);
    const counts = [...hist.matchAll(/<title>[^<]*: (\d+)<\/title>/g)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(20);
    expect(counts[0]! + counts[19]!).toBe(300);
    const html = renderDashboard(
      edit((x) => {
        x.funnel.steps[1].reached = 1e308;
        x.pressure[0].cap.limit = 1e308;
        const rows = x.kpis.rows;
        rows.at(-2).values.revenue.value = 1e-300;
        rows.at(-1).values.revenue.value = 1e300;
      }),
    );
    expect(html).not.toMatch(/NaN|Infinity/);
    for (const m of html.matchAll(/ (?:x|x1|x2|y|width|height)="([^"]*)"/g)) expect(Number.isFinite(Number(m[1])), m[0]).toBe(true);
    expect(html).toMatch(/data-kpi="revenue">.*?▲ >1e308%/);
  });
});
