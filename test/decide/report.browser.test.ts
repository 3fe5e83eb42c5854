/**
 * The demo's HTML report opened in headless Chromium (Debian `chromium` through playwright-core): every chart
 * is rendered with real geometry, the page makes no network request (it works offline) and raises no error.
 * The simulation is the small seeded one (500 customers, 5 days) so this stays fast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
});
