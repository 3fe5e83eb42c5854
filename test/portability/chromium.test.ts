/**
 * Runs the smoke scenarios inside headless Chromium — on a page and in a module worker (no window, no DOM,
 * like an edge worker) — against browser bundles of every pure entry (esbuild, `platform: 'browser'`,
 * dependencies included, code shared between entries split into chunks as an app's bundler would) served on
 * loopback, and compares each result with the same calls made in Node.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNodeBuiltin } from '../../scripts/browser-bundle.js';
import { entryLabel, pureEntries } from '../../scripts/entries.js';
import { serveStatic, type StaticServer } from '../../scripts/serve-static.js';
import { launchChromium, noChromium } from '../fixtures/chromium.js';
import { runScenarios, scenarios, type Modules } from './scenarios.js';

type Results = Awaited<ReturnType<typeof runScenarios>>;

/** Loads every entry bundle and runs the scenarios; the same code runs on the page and in a module worker. */
const RUNNER = (labels: string[]) => `import { runScenarios } from './scenarios.js';
export async function run() {
  const labels = ${JSON.stringify(labels)};
  const modules = {};
  for (const label of labels) modules[label] = await import('./entries/' + label + '.js');
  const exports = Object.fromEntries(labels.map((l) => [l, Object.keys(modules[l]).sort()]));
  const runtime = { process: typeof process !== 'undefined', window: typeof window !== 'undefined', document: typeof document !== 'undefined' };
  return JSON.stringify({ results: await runScenarios(modules), exports, runtime });
}
`;

// The worker has no window and no DOM, like an edge worker (Cloudflare Workers, Deno Deploy, Vercel Edge).
const WORKER = `import { run } from './runner.js';
run().then((r) => postMessage(r), (e) => postMessage(JSON.stringify({ fatal: String((e && e.stack) || e) })));
`;

const PAGE = `<!doctype html>
<meta charset="utf-8"><link rel="icon" href="data:,"><title>crosschannel portability smoke</title>
<script type="module">
import { run } from './runner.js';
const fatal = (e) => JSON.stringify({ fatal: String((e && e.stack) || e) });
window.__smoke = run().catch(fatal);
window.__worker = new Promise((resolve) => {
  const worker = new Worker('./worker.js', { type: 'module' });
  worker.onmessage = (m) => resolve(m.data);
  worker.onerror = (e) => resolve(fatal(e.message));
});
</script>`;

interface RuntimeRun {
  results?: Results;
  exports?: Record<string, string[]>;
  runtime?: { process: boolean; window: boolean; document: boolean };
  fatal?: string;
}

async function nodeModules(): Promise<Modules> {
  const loaded: Record<string, unknown> = {};
  for (const e of pureEntries) loaded[entryLabel(e)] = await import(/* @vite-ignore */ `../../${e.source}`);
  return loaded as unknown as Modules;
}

let nodeRun: Promise<Results> | undefined;
/** The same scenarios in Node, run once. */
const nodeResults = (): Promise<Results> => (nodeRun ??= nodeModules().then(runScenarios));

describe.skipIf(noChromium)('pure entries in headless Chromium behave as in Node', () => {
  let dir = '';
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let browserRun: RuntimeRun = {};
  let workerRun: RuntimeRun = {};
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cc-portability-'));
    const labels = pureEntries.map(entryLabel);
    const nodeImports: string[] = [];
    await build({
      entryPoints: Object.fromEntries(pureEntries.map((e) => [entryLabel(e), e.source])),
      outdir: join(dir, 'entries'),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
      plugins: [
        {
          name: 'no-node',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (a) => (a.kind !== 'entry-point' && isNodeBuiltin(a.path) ? (nodeImports.push(a.path), { path: a.path, external: true }) : undefined));
          },
        },
      ],
    });
    expect(nodeImports).toEqual([]);
    await build({ entryPoints: ['test/portability/scenarios.ts'], outfile: join(dir, 'scenarios.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'silent' });
    writeFileSync(join(dir, 'runner.js'), RUNNER(labels));
    writeFileSync(join(dir, 'worker.js'), WORKER);
    writeFileSync(join(dir, 'index.html'), PAGE);
    server = await serveStatic(dir);
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => '__smoke' in window && '__worker' in window, undefined, { timeout: 30_000 });
    browserRun = JSON.parse(await page.evaluate(() => (window as unknown as { __smoke: Promise<string> }).__smoke)) as RuntimeRun;
    workerRun = JSON.parse(await page.evaluate(() => (window as unknown as { __worker: Promise<string> }).__worker)) as RuntimeRun;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the page and a module worker loaded every bundle and ran without errors, without `process`', () => {
    expect(browserRun.fatal).toBeUndefined();
    expect(workerRun.fatal).toBeUndefined();
    expect(server?.missing).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(browserRun.runtime).toEqual({ process: false, window: true, document: true });
    expect(workerRun.runtime).toEqual({ process: false, window: false, document: false });
  });

  it('each entry exposes the same exports in the browser and the worker as in Node', async () => {
    const node = await nodeModules();
    const expected = Object.fromEntries(Object.entries(node).map(([l, m]) => [l, Object.keys(m as object).sort()]));
    expect(browserRun.exports).toEqual(expected);
    expect(workerRun.exports).toEqual(expected);
  });

  it.each(Object.keys(scenarios))('%s', async (name) => {
    const node = (await nodeResults())[name];
    expect(node?.ok, JSON.stringify(node?.value)).toBe(true);
    expect(browserRun.results?.[name], 'page').toEqual(node);
    expect(workerRun.results?.[name], 'worker').toEqual(node);
  });
});
