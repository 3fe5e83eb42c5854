/**
 * The demo's HTML report opened in headless Chromium (Debian `chromium` through playwright-core): every chart
 * is rendered with real geometry, the page makes no network request (it works offline) and raises no error.
 * The simulation is the small seeded one (500 customers, 5 days) so this stays fast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium } from '../fixtures/chromium.js';
import { runSimulation } from '../../examples/demo/simulate.js';
import { renderHtml } from '../../examples/demo/report.js';
import type { DemoSummary } from '../../examples/demo/report.js';

describe.skipIf(noChromium)('demo report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let summary: DemoSummary;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    summary = await runSimulation({ seed: 7, customers: 500, days: 5 });
    dir = mkdtempSync(join(tmpdir(), 'cc-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(summary));
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads offline: the only request is the file itself, and nothing errors', () => {
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    expect(requests).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('draws contacts per day as one visible line per channel with a point per day', async () => {
    const lines = await page.$$eval('svg[data-chart="contacts-per-day"] polyline.series', (els) =>
      els.map((e) => {
        const box = (e as SVGGraphicsElement).getBBox();
        return { series: e.getAttribute('data-series'), points: (e.getAttribute('points') ?? '').trim().split(/\s+/).length, width: box.width };
      }),
    );
    expect(lines.map((l) => l.series).sort()).toEqual(summary.contactsPerDay.series.map((s) => s.name).sort());
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const l of lines) {
      expect(l.points).toBe(5);
      expect(l.width).toBeGreaterThan(100);
    }
  });

  it('draws the attribution chart (the attribution module’s SVG) with bars of non-zero height', async () => {
    const chart = await page.$('#attribution svg');
    expect(chart).not.toBeNull();
    const box = await chart!.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(150);
    const heights = await page.$$eval('#attribution svg rect', (els) => els.map((e) => (e as SVGGraphicsElement).getBBox().height));
    const bars = heights.filter((h) => h > 0.5);
    // one bar per model × channel that received credit: at least the 8 models on the busiest channel
    expect(bars.length).toBeGreaterThanOrEqual(summary.attribution!.models.length);
  });

  it('draws the per-channel bar charts and the tables', async () => {
    for (const id of ['offers-per-channel', 'blocked-per-channel']) {
      const bars = await page.$$eval(`svg[data-chart="${id}"] rect.bar`, (els) => els.map((e) => (e as SVGGraphicsElement).getBBox().height));
      expect(bars.length).toBeGreaterThan(0);
      expect(bars.some((h) => h > 1)).toBe(true);
    }
    const text = await page.textContent('body');
    expect(text).toContain('profiles after stitching');
    expect(text).toContain('Why no contact');
    expect(await page.$$eval('table', (t) => t.length)).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ['desktop', 1280, 900],
    ['phone', 390, 844],
  ] as const)('lays out at %s width (%i px): no page overflow, x labels apart, numbers aligned with their headers, traces wrapped; screenshot', async (name, width, height) => {
    await page.setViewportSize({ width, height });
    await page.reload({ waitUntil: 'load' });
    const layout = await page.evaluate(() => {
      const doc = document.documentElement;
      // x-axis labels of every chart: no two overlap (bounding boxes on screen, rotation included).
      const overlaps: string[] = [];
      for (const svg of Array.from(document.querySelectorAll('svg'))) {
        const boxes = Array.from(svg.querySelectorAll('text.x-label')).map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }));
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!.r;
            const b = boxes[j]!.r;
            const ix = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const iy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (ix > 0.5 && iy > 0.5) overlaps.push(`${boxes[i]!.text} / ${boxes[j]!.text}`);
          }
      }
      const labels = document.querySelectorAll('svg text.x-label').length;
      // Numeric columns: header and cells right-aligned alike.
      const misaligned: string[] = [];
      for (const table of Array.from(document.querySelectorAll('table'))) {
        const ths = Array.from(table.querySelectorAll('thead th'));
        const row = table.querySelector('tbody tr');
        if (!row) continue;
        Array.from(row.children).forEach((td, i) => {
          const th = ths[i];
          // 'start' is 'left' in this left-to-right page.
          const align = (e: Element): string => getComputedStyle(e).textAlign.replace('start', 'left').replace('end', 'right');
          if (th && align(td) !== align(th)) misaligned.push(`${th.textContent}: th ${align(th)} / td ${align(td)}`);
        });
      }
      // Long numbers carry thousands separators.
      const bare = Array.from(document.querySelectorAll('td.n, .kpi b')).map((e) => e.textContent ?? '').filter((t) => /\d{4,}/.test(t.replace(/\.\d+/, '')));
      const pres = Array.from(document.querySelectorAll('pre')).map((p) => ({ scroll: p.scrollWidth, client: p.clientWidth }));
      return { pageOverflow: doc.scrollWidth - doc.clientWidth, overlaps, labels, misaligned, bare, pres };
    });
    expect(layout.pageOverflow, 'the page scrolls sideways').toBeLessThanOrEqual(0);
    expect(layout.labels).toBeGreaterThan(5);
    expect(layout.overlaps, 'x-axis labels collide').toEqual([]);
    expect(layout.misaligned).toEqual([]);
    expect(layout.bare, 'numbers without thousands separators').toEqual([]);
    for (const p of layout.pres) expect(p.scroll, 'a trace is cut instead of wrapped').toBeLessThanOrEqual(p.client);
    const shot = join(dir, `report-${name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });
});

