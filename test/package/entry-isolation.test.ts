/**
 * A consumer importing one subpath must load only that module (plus core) — never ioredis, pg, or another
 * module's code and zod schemas. Builds the real package with the project's tsup config (no d.ts) into a
 * temp dir, then (1) walks the ESM import graph of each entry and reads the chunks' source maps to list every
 * source file that gets loaded, and (2) imports the entry in a child Node process in which resolving
 * `ioredis` or `pg` throws. The optional peer `libphonenumber-js` is never imported: phone normalisation finds
 * it at run time, and a child process in which it cannot be resolved still loads everything and gets a typed
 * `DEPENDENCY_MISSING` for a phone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config, { entries } from '../../tsup.config.js';
import { packageEntries } from '../../scripts/entries.js';

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

  it('no entry imports libphonenumber-js (statically or dynamically) and none holds a top-level await: each bundles to CommonJS', async () => {
    for (const { key } of packageEntries) {
      const g = importGraph(join(out, `${key}.js`));
      expect(g.packages.has('libphonenumber-js'), key).toBe(false);
    }
    // A top-level await anywhere in the graph makes esbuild refuse the CommonJS format (as a serverless bundle uses).
    const bundle = await esbuild({
      stdin: { contents: `export * from ${JSON.stringify(join(out, 'index.js'))};`, resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      logLevel: 'silent',
      external: ['ioredis', 'pg', '@duckdb/node-api'],
    });
    expect(bundle.outputFiles[0]!.text.length).toBeGreaterThan(0);
    // The check can fail: a top-level await is refused.
    await expect(
      esbuild({ stdin: { contents: 'export const x = await Promise.resolve(1);', loader: 'js' }, bundle: true, write: false, format: 'cjs', logLevel: 'silent' }),
    ).rejects.toThrow(/Top-level await/);
  });

  it('without libphonenumber-js every entry loads, phones throw DEPENDENCY_MISSING naming it (with the path), other identifiers work', () => {
    const peer = /^libphonenumber-js(\/|$)/.source;
    const hooks = join(out, 'deny-phone-hooks.mjs');
    writeFileSync(hooks, `export async function resolve(spec, ctx, next) {\n  if (new RegExp(${JSON.stringify(peer)}).test(spec)) throw new Error('DENIED ' + spec);\n  return next(spec, ctx);\n}\n`);
    const register = join(out, 'register-deny-phone.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    // `require` (which the ES build reaches through process.getBuiltinModule) does not go through module.register
    // hooks in Node 20: deny the peer there too.
    const preload = join(out, 'deny-phone-require.cjs');
    writeFileSync(
      preload,
      `const Module = require('node:module');\nconst resolveFilename = Module._resolveFilename;\nModule._resolveFilename = function (request, ...rest) {\n  if (new RegExp(${JSON.stringify(peer)}).test(request)) throw Object.assign(new Error('DENIED ' + request), { code: 'MODULE_NOT_FOUND' });\n  return resolveFilename.call(this, request, ...rest);\n};\n`,
    );
    const script = [
      `import { createRequire } from 'node:module';`,
      // Every entry, the vitest kit included (it imports vitest, which loads outside a test run).
      ...packageEntries.map((e) => `await import(${JSON.stringify(pathToFileURL(join(out, `${e.key}.js`)).href)});`),
      `const id = await import(${JSON.stringify(pathToFileURL(join(out, 'identity', 'index.js')).href)});`,
      `const out = { email: id.normalizeEmail('Ada@Example.com').value };`,
      `try { out.phone = id.normalizePhone('06 12 34 56 78', 'FR').value; } catch (e) { out.phone = [e.name, e.code, e.path, e.detail.package, /npm install libphonenumber-js/.test(e.message)]; }`,
      `const g = new id.IdentityGraph({ normalization: { defaultCountry: 'FR' } });`,
      `try { g.add([{ identifiers: [{ type: 'email', value: 'a@shop.test' }, { type: 'phone', value: '06 12 34 56 78' }], at: 1 }]); out.graph = g.size.identifiers; } catch (e) { out.graph = [e.code, e.path, g.size.identifiers]; }`,
      `out.stitch = id.stitch([{ identifiers: [{ type: 'email', value: 'a@shop.test' }, { type: 'user_id', value: 'u1' }], at: 1 }]).profiles.length;`,
      `try { createRequire(import.meta.url)('libphonenumber-js/min'); out.peer = 'found'; } catch (e) { out.peer = e.message; }`,
      `console.log(JSON.stringify(out));`,
    ].join('\n');
    const file = join(out, 'phone-peer.mjs');
    writeFileSync(file, script);
    const run = (deny: boolean): unknown =>
      JSON.parse(
        execFileSync(process.execPath, [...(deny ? ['--require', preload, '--import', pathToFileURL(register).href] : []), file], {
          encoding: 'utf8',
          cwd: process.cwd(),
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
    expect(run(true)).toEqual({
      email: 'ada@example.com',
      phone: ['CrossChannelError', 'DEPENDENCY_MISSING', null, 'libphonenumber-js', true],
      graph: ['DEPENDENCY_MISSING', '[0].identifiers[1].value', 0],
      stitch: 1,
      peer: 'DENIED libphonenumber-js/min',
    });
    // The same script with the peer resolvable: phones normalise exactly as before.
    expect(run(false)).toEqual({ email: 'ada@example.com', phone: '+33612345678', graph: 2, stitch: 1, peer: 'found' });
  });
});
