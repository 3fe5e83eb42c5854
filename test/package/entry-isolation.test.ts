/**
 * A consumer importing one subpath must load only that module (plus core) — never ioredis, pg, or another
 * module's code and zod schemas. Builds the real package with the project's tsup config (no d.ts) into a
 * temp dir, then (1) walks the ESM import graph of each entry and reads the chunks' source maps to list every
 * source file that gets loaded, and (2) imports the entry in a child Node process in which resolving
 * `ioredis` or `pg` throws.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config, { entries } from '../../tsup.config.js';

const MODULES = ['identity', 'consent', 'capping', 'segments', 'arbitration', 'attribution'] as const;
let out = '';

beforeAll(async () => {
  // Inside the project, so the built files resolve zod & co. from its node_modules like an installed package.
  const cache = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  out = mkdtempSync(join(cache, 'cc-build-'));
  const base = Array.isArray(config) ? config[0] : config;
  await build({ ...(base as object), entry: entries, outDir: out, dts: false, sourcemap: true, silent: true, format: ['esm'], clean: true });
}, 120_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Every file reached from `entryFile` by static or dynamic import, and the bare packages it imports. */
function importGraph(entryFile: string): { files: Set<string>; packages: Set<string>; sources: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const sources = new Set<string>();
  const stack = [entryFile];
  const re = /(?:import|export)\s*(?:[\w*{}\s,$]*from\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(re)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
    const map = `${file}.map`;
    if (existsSync(map)) {
      for (const s of (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources) {
        sources.add(relative(process.cwd(), resolve(dirname(map), s)).split(sep).join('/'));
      }
    }
  }
  return { files, packages, sources };
}

describe('subpath entries load only their own module', () => {
  it.each(MODULES)('crosschannel/%s loads no adapter driver and no other module', (mod) => {
    const g = importGraph(join(out, mod, 'index.js'));
    expect(g.packages.has('ioredis')).toBe(false);
    expect(g.packages.has('pg')).toBe(false);
    expect(g.sources.size).toBeGreaterThan(0);
    for (const src of g.sources) {
      const other = MODULES.find((m) => m !== mod && src.startsWith(`src/${m}/`));
      expect(other, `${mod} pulls in ${src}`).toBeUndefined();
      expect(src.startsWith('src/adapters/'), `${mod} pulls in ${src}`).toBe(false);
    }
  });

  it('crosschannel/insights loads no adapter driver, and of the other modules only capping and segments (which it builds on)', () => {
    const g = importGraph(join(out, 'insights', 'index.js'));
    expect(g.packages.has('ioredis')).toBe(false);
    expect(g.packages.has('pg')).toBe(false);
    for (const src of g.sources) {
      const other = MODULES.find((m) => m !== 'capping' && m !== 'segments' && src.startsWith(`src/${m}/`));
      expect(other, `insights pulls in ${src}`).toBeUndefined();
      expect(src.startsWith('src/adapters/'), `insights pulls in ${src}`).toBe(false);
    }
  });

  it.each(['decide', 'journeys', 'adapters/otel'])('crosschannel/%s never imports @opentelemetry/api (telemetry is passed in)', (entry) => {
    const g = importGraph(join(out, entry, 'index.js'));
    expect(g.sources.size).toBeGreaterThan(0);
    expect([...g.packages].filter((p) => p.startsWith('@opentelemetry/'))).toEqual([]);
  });

  it('the graph walk does see drivers where they are used (the check can fail)', () => {
    const g = importGraph(join(out, 'adapters', 'redis', 'index.js'));
    expect(g.sources.has('src/adapters/redis/keys.ts')).toBe(true);
  });

  it('importing crosschannel/consent in a fresh Node process never resolves ioredis or pg', () => {
    const hooks = join(out, 'deny-hooks.mjs');
    writeFileSync(
      hooks,
      `export async function resolve(spec, ctx, next) {
  if (spec === 'ioredis' || spec === 'pg' || spec.startsWith('pg/') || spec.startsWith('@opentelemetry/')) throw new Error('DENIED ' + spec);
  return next(spec, ctx);
}\n`,
    );
    const register = join(out, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const run = (entry: string): string =>
      execFileSync(process.execPath, ['--import', pathToFileURL(register).href, '--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(entry).href)}); console.log('LOADED');`], {
        encoding: 'utf8',
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    for (const mod of [...MODULES, 'decide', 'adapters/otel']) expect(run(join(out, mod, 'index.js'))).toContain('LOADED');
    // The deny hook is live: an entry that does import a driver fails to load.
    writeFileSync(join(out, 'uses-ioredis.mjs'), `import 'ioredis';\n`);
    expect(() => run(join(out, 'uses-ioredis.mjs'))).toThrow(/DENIED ioredis/);
  });
});
