/**
 * The docs site, checked: built once with the project's typedoc config (exactly what `npm run docs` runs, into
 * a temp dir), served on loopback and opened in headless Chromium. The landing page renders with the module
 * map and the example, no internal link 404s, and every guide is reachable from the landing page in at most
 * two clicks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../../scripts/serve-static.js';
import { brokenLinks } from '../../scripts/site-links.js';
import { launchChromium, noChromium } from '../fixtures/chromium.js';

interface TypedocConfig {
  out: string;
  readme: string;
  projectDocuments: string[];
  entryPoints: string[];
  treatWarningsAsErrors?: boolean;
}
const config = JSON.parse(readFileSync('typedoc.json', 'utf8')) as TypedocConfig;

/** The site name of an entry point's module: `crosschannel` for the root, `identity`, `adapters/memory`, … */
function moduleName(entry: string): string {
  return entry === 'src/index.ts' ? 'crosschannel' : entry.replace(/^src\//, '').replace(/\/index\.ts$/, '');
}
/** Guides attached to a module by an `@document` tag in its entry's comment: shown under the module in the sidebar. */
const MODULE_GUIDES = config.entryPoints.flatMap((entry) =>
  [...readFileSync(entry, 'utf8').matchAll(/@document \S*docs\/([a-z-]+)\.md/g)].map((m) => ({ guide: m[1]!, page: `documents/${moduleName(entry).replace(/\//g, '_')}.${m[1]!}.html` })),
);
/** Every guide and its page: module guides, then the project documents (architecture, scale, …). */
const GUIDE_PAGES = [...MODULE_GUIDES, ...config.projectDocuments.map((p) => ({ guide: basename(p, '.md'), page: `documents/${basename(p, '.md')}.html` }))];
const GUIDES = GUIDE_PAGES.map((g) => g.guide);
const MODULES = ['identity', 'consent', 'capping', 'segments', 'arbitration', 'attribution', 'decide'];

let site = '';
beforeAll(() => {
  site = mkdtempSync(join(tmpdir(), 'cc-docs-'));
  execFileSync(process.execPath, ['node_modules/typedoc/bin/typedoc', '--out', site, '--logLevel', 'Warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
}, 180_000);

afterAll(() => {
  if (site) rmSync(site, { recursive: true, force: true });
});

describe('docs site configuration', () => {
  it('npm run docs builds typedoc into docs/site with every module guide and the adapters guide', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.docs).toMatch(/^typedoc\b/);
    expect(config.out).toBe('docs/site');
    expect(config.readme).toBe('docs/index.md');
    for (const g of [...MODULES, 'core', 'adapters']) expect(GUIDES).toContain(g);
    // A guide added to docs/ but not to the site would silently be missing from it.
    const written = readdirSync('docs').filter((f) => f.endsWith('.md') && f !== 'index.md').map((f) => basename(f, '.md'));
    expect([...GUIDES].sort()).toEqual(written.sort());
  });

  it('each module guide sits under its module (one sidebar entry per module), the core module is named crosschannel, and TypeDoc warnings fail the build', () => {
    for (const m of [...MODULES, 'journeys', 'experiments', 'timing', 'insights']) expect(MODULE_GUIDES.map((g) => g.guide)).toContain(m);
    expect(MODULE_GUIDES.find((g) => g.guide === 'core')?.page).toBe('documents/crosschannel.core.html');
    expect(config.treatWarningsAsErrors).toBe(true);
    // Guides are linked, not named in plain text ("See docs/capping.md").
    const plain = config.entryPoints.filter((e) => /See docs\/[a-z-]+\.md/.test(readFileSync(e, 'utf8')));
    expect(plain).toEqual([]);
  });
});

describe('docs site links', () => {
  it('every internal link and navigation entry of the built site resolves', () => {
    const { pages, links, broken } = brokenLinks(site);
    expect(existsSync(join(site, 'modules', 'crosschannel.html'))).toBe(true);
    for (const g of GUIDE_PAGES) expect(existsSync(join(site, g.page)), g.page).toBe(true);
    expect(pages).toBeGreaterThan(GUIDES.length);
    expect(links).toBeGreaterThan(pages);
    expect(broken).toEqual([]);
  });

  it('the link check finds a broken link, a broken anchor and a copied stale page (it can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-links-'));
    try {
      mkdirSync(join(dir, 'documents'));
      mkdirSync(join(dir, 'media'));
      writeFileSync(join(dir, 'index.html'), '<a href="documents/a.html#there">a</a> <a href="documents/gone.html">b</a> <a href="https://example.com/">c</a>');
      writeFileSync(join(dir, 'documents', 'a.html'), '<h1 id="here">a</h1><a href="../index.html">home</a> <a href="../media/stale.html">api</a> <a href="../media/x.ts">src</a>');
      writeFileSync(join(dir, 'media', 'stale.html'), '<h1>an old generated page</h1>');
      writeFileSync(join(dir, 'media', 'x.ts'), 'export {};');
      expect(brokenLinks(dir).broken).toEqual([
        { page: 'documents/a.html', href: '../media/stale.html', why: 'html copied as media' },
        { page: 'index.html', href: 'documents/a.html#there', why: 'missing anchor' },
        { page: 'index.html', href: 'documents/gone.html', why: 'missing file' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(noChromium)('docs site in headless Chromium', () => {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await serveStatic(site);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Internal page links of the page at `url` once its scripts have rendered navigation. */
  async function linksOf(url: string): Promise<string[]> {
    const response = await page!.goto(url, { waitUntil: 'load' });
    expect(response?.status(), url).toBe(200);
    await page!.waitForSelector('.tsd-navigation a', { timeout: 15_000 }).catch(() => undefined);
    const hrefs = await page!.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    const origin = new URL(server!.url).origin;
    return [...new Set(hrefs.filter((h) => h.startsWith(origin)).map((h) => h.split('#')[0]!))];
  }

  it('the landing page renders the module map and a short example', async () => {
    await linksOf(server!.url);
    expect(await page!.title()).toMatch(/crosschannel/);
    const tableText = await page!.$$eval('.tsd-panel table, .col-content table', (ts) => ts.map((t) => t.textContent ?? '').join('\n'));
    for (const m of MODULES) expect(tableText).toContain(`crosschannel/${m}`);
    const examples = await page!.$$eval('pre code', (cs) => cs.map((c) => (c as HTMLElement).innerText));
    const example = examples.find((c) => c.includes("from 'crosschannel"));
    expect(example, 'a code example importing crosschannel').toBeDefined();
    const lines = example!.trim().split('\n').length;
    expect(lines).toBeGreaterThanOrEqual(10);
    expect(lines).toBeLessThanOrEqual(30);
    expect(pageErrors).toEqual([]);
  });

  it('every link rendered on the landing page (navigation included) loads without a 404', async () => {
    const links = await linksOf(server!.url);
    expect(links.length).toBeGreaterThan(GUIDES.length);
    for (const link of links) {
      const res = await page!.request.get(link);
      expect(res.status(), link).toBe(200);
    }
    // Stylesheets, scripts and icons the pages asked for were all there.
    expect(server!.missing).toEqual([]);
  });

  it.each(GUIDE_PAGES)('the $guide guide is at most two clicks from the landing page', async ({ guide, page: guidePage }) => {
    const target = new URL(guidePage, server!.url).href;
    const first = await linksOf(server!.url);
    let clicks = first.includes(target) ? 1 : 0;
    for (const link of first) {
      if (clicks > 0) break;
      if (!link.endsWith('.html') || link === server!.url) continue;
      if ((await linksOf(link)).includes(target)) clicks = 2;
    }
    expect(clicks, `${guide} not reachable in two clicks`).toBeGreaterThan(0);
    const res = await page!.goto(target, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    expect(await page!.textContent('h1, h2')).toBeTruthy();
    expect(pageErrors).toEqual([]);
  });
});
