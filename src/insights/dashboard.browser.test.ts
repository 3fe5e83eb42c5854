/**
 * The insights dashboard opened in headless Chromium (Debian `chromium` through playwright-core): every section
 * renders with real geometry, the page makes no network request and raises no error, and no "NaN" shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium } from '../../test/fixtures/chromium.js';
import { syntheticHistories } from '../../test/arbitraries/insights.js';
import { accumulateKpis } from './accumulate.js';
import { fitBgNbd } from './bgnbd.js';
import { CohortAccumulator, cohortReport } from './cohorts.js';
import { summariseCustomers } from './clv.js';
import { renderDashboard, type DashboardInput } from './dashboard.js';
import { FunnelAccumulator, funnelReport } from './funnels.js';
import { KPI_NAMES } from './kpis.js';
import { findPersonas } from './personas.js';
import { pressureReport } from './pressure.js';
import { kpiTable } from './table.js';

const START = Date.parse('2026-03-02T00:00:00Z');
const NOW = START + 8 * 7 * 86_400_000;

function buildHtml(): string {
  return renderDashboard(buildInput());
}

function buildInput(): DashboardInput {
  const people = [...syntheticHistories({ people: 400, seed: 3, start: START })];
  const acc = accumulateKpis(people, { by: ['period'], period: 'week', timeZone: 'Europe/Paris' });
  const funnel = new FunnelAccumulator({ steps: ['page_view', 'cart_add', 'checkout', 'purchase'], window: '1d' });
  const cohorts = new CohortAccumulator({ period: 'week', timeZone: 'Europe/Paris', activeEvents: ['page_view', 'purchase'] });
  for (const p of people) {
    funnel.add(p);
    cohorts.add(p);
  }
  const customers = summariseCustomers(people, NOW);
  return {
    title: 'Insights <test>',
    generatedAt: NOW,
    kpis: kpiTable(acc, [...KPI_NAMES]),
    funnel: funnelReport(funnel),
    cohorts: cohortReport(cohorts, NOW),
    pressure: pressureReport(acc, { rules: [{ id: 'weekly', kind: 'limit', limit: 3, window: 'week' }] }),
    customerValues: customers.map((c) => c.revenue),
    personas: findPersonas(
      customers.map((c) => ({ subjectId: c.subjectId, features: { orders: c.orders, revenue: c.revenue } })),
      { k: 3, seed: 1 },
    ),
  };
}

/** Every name of a report (steps, channels, cohorts, traits, rule ids, reasons, title) replaced by `text`, as plain JSON; the keys the tiles and charts read stay. */
function withNames(input: DashboardInput, text: string): DashboardInput {
  const keep = /^(kpis\.(period|kpis|rows\.\d+\.(key|values))|cohorts\.period|pressure\.\d+\.cap\.(kind|window)|personas\.\d+\.rule)(\.|$)|(^|\.)unit$/;
  const map = (v: unknown, path: string): unknown =>
    typeof v === 'string' ? (keep.test(path) ? v : text)
    : Array.isArray(v) ? v.map((x, i) => map(x, `${path}.${i}`))
    : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x, path === '' ? k : `${path}.${k}`)]))
    : v;
  return map(JSON.parse(JSON.stringify(input)), '') as DashboardInput;
}

describe.skipIf(noChromium)('insights dashboard in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    const html = buildHtml();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.setContent(html, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every section with visible charts, offline, without errors or NaN', async () => {
    expect(await page.title()).toBe('Insights <test>');
    const headings = await page.locator('h2').allTextContents();
    expect(headings).toEqual(['Key figures', 'Funnel', 'Retention by week of acquisition', 'Marketing pressure per person-week', 'Customer value distribution', 'Personas']);
    expect(await page.locator('.tile').count()).toBe(KPI_NAMES.length);
    const sizes = await page.locator('svg').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.width, r.height]));
    expect(sizes.length).toBeGreaterThanOrEqual(5);
    for (const [w, h] of sizes) {
      expect(w).toBeGreaterThan(100);
      expect(h).toBeGreaterThan(20);
    }
    expect(await page.locator('svg rect').count()).toBeGreaterThan(20);
    expect(await page.locator('.card').count()).toBe(3);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/NaN|undefined|Infinity/);
    expect(text).toMatch(/cap 3 \(weekly\)/);
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('keeps hostile names as text: the same elements as a plain page, no script run, no request, the title as given', async () => {
    const tags = async (html: string) => {
      const p = await browser.newPage();
      const fetched: string[] = [];
      p.on('request', (r) => fetched.push(r.url()));
      await p.setContent(html, { waitUntil: 'load' });
      const seen = await p.evaluate(() => ({ tags: Array.from(document.querySelectorAll('*'), (e) => e.tagName).join(), ran: 'pwned' in window, title: document.title }));
      await p.close();
      return { ...seen, fetched: fetched.filter((u) => !u.startsWith('about:')) };
    };
    const hostile = `"'></title></style><script>window.pwned=1</script><img src=http://127.0.0.1:9/x onerror="window.pwned=1"><!--`;
    const input = buildInput();
    const [a, b] = [await tags(renderDashboard(withNames(input, 'x'))), await tags(renderDashboard(withNames(input, hostile)))];
    expect(b.tags).toBe(a.tags);
    expect(b).toMatchObject({ ran: false, fetched: [], title: hostile });
  });
});
