/**
 * The consumer's view: the package as `npm pack` ships it, installed into a scratch project, must compile under
 * strict TypeScript WITHOUT `skipLibCheck` (module resolution node16, nodenext and bundler; `.ts`, `.mts` and
 * `.cts` files importing every public entry), and work from plain Node ESM and CommonJS — including recognising
 * an error thrown by the other format's copy of the package.
 *
 * The test builds the package itself (CI runs `npm test` before `npm run build`): the project's tsup config
 * into a temporary package directory, the same declaration fix as `npm run build`, then `npm pack`. The
 * tarball is unpacked into the scratch project's node_modules the way npm installs it; its dependencies and
 * peers are linked from this repository's node_modules, so the test needs no network.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config, { entries } from '../../tsup.config.js';
import cliConfig from '../../tsup.cli.config.js';
import { fixDeclarations } from '../../scripts/fix-dts.js';
import { packageEntries } from '../../scripts/entries.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/**
 * The oldest TypeScript the package supports: 5.5, zod 4's own floor (its types need `NoInfer`, 5.4). `.ci/run`
 * installs it into .cache/ts-floor (not a devDependency: its `tsc` bin would take the place of the project's);
 * `CC_TS_FLOOR` may name another `tsc`. Missing, the check is skipped on a workstation and fails in CI.
 */
const TSC_FLOOR = process.env.CC_TS_FLOOR ?? join(ROOT, '.cache/ts-floor/node_modules/typescript/bin/tsc');
const FLOOR_VERSION = '5.5';
/**
 * The newest major TypeScript (7, the native compiler: what `npm install -D typescript` gives a new project), pinned
 * so that a run is repeatable. `.ci/run` installs it into .cache/ts-newest; `CC_TS_NEWEST` may name another `tsc`.
 * TypeScript 7 no longer has the node10 resolution, so only the three modern resolutions are compiled with it.
 */
const TSC_NEWEST = process.env.CC_TS_NEWEST ?? join(ROOT, '.cache/ts-newest/node_modules/typescript/bin/tsc');
const NEWEST_VERSION = '7.0';
let work = '';
let app = '';

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cc-consumer-'));
  const pkg = join(work, 'pkg');
  mkdirSync(pkg);
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md']) copyFileSync(join(ROOT, f), join(pkg, f));
  const { entry: _entry, outDir: _outDir, ...base } = config as Record<string, unknown>;
  await build({ ...base, entry: entries, outDir: join(pkg, 'dist'), silent: true, clean: true });
  const { outDir: _cliOut, ...cliBase } = cliConfig as Record<string, unknown>;
  await build({ ...cliBase, outDir: join(pkg, 'dist', 'cli'), silent: true });
  for (const f of walk(join(pkg, 'dist'))) {
    if (!f.endsWith('.d.ts') && !f.endsWith('.d.cts')) continue;
    const { text, fixed } = fixDeclarations(readFileSync(f, 'utf8'));
    if (fixed > 0) writeFileSync(f, text);
  }
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: pkg, encoding: 'utf8' })) as Array<{ filename: string }>;
  const tarball = join(work, packed[0]!.filename);

  // The scratch project: the tarball unpacked as npm does, dependencies and peers linked from this repository.
  app = join(work, 'app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  execFileSync('tar', ['-xzf', tarball, '-C', work]);
  execFileSync('mv', [join(work, 'package'), join(app, 'node_modules', 'crosschannel')]);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  const links = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), '@types/node', '@types/pg'];
  for (const name of links) {
    const target = join(ROOT, 'node_modules', name);
    const link = join(app, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A consumer file importing every public entry and using a few types, in the module syntax of its extension. */
function consumerSource(kind: 'esm' | 'cjs'): string {
  const lines = packageEntries
    .filter((e) => kind === 'esm' || e.commonjs) // the vitest kit is ESM-only, as vitest is
    .map((e, i) => `import * as m${i} from '${e.specifier}';\nexport const keys${i}: string[] = Object.keys(m${i});`);
  return [
    ...lines,
    `import { CrossChannelError, isCrossChannelError, toEpochMs, type EpochMs } from 'crosschannel';`,
    `import type * as capping from 'crosschannel/capping';`,
    `import type * as consent from 'crosschannel/consent';`,
    `import type * as decide from 'crosschannel/decide';`,
    `import { evaluateCaps, parseCapRules, type CapCandidate, type CompiledCapRules } from 'crosschannel/capping';`,
    `const rules: CompiledCapRules = parseCapRules({ rules: [{ id: 'd', kind: 'limit', limit: 1, window: 'day' }] });`,
    `const candidate: capping.CapCandidate = { channel: 'email' };`,
    `const same: CapCandidate = candidate;`,
    `const now: EpochMs = toEpochMs('2026-03-02T10:00:00Z');`,
    `export const allowed: boolean = evaluateCaps({ contacts: [], responses: [] }, rules, same, { now }).allowed;`,
    `export const tc: consent.TcString | null = null;`,
    `export type Config = decide.DecideConfig;`,
    `export function code(e: unknown): string | undefined { return isCrossChannelError(e) ? e.code : e instanceof CrossChannelError ? e.code : undefined; }`,
  ].join('\n');
}

describe('the packed package, installed in a scratch project', () => {
  const configs: Array<[string, Record<string, string>]> = [
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', { module: 'preserve', moduleResolution: 'bundler' }],
  ];
  /** Writes the consumer files and a strict tsconfig into a directory of the scratch project, then runs `tsc` on them. */
  function compile(tsc: string, dir: string, options: Record<string, string | boolean>, files: Record<string, string> = { 'all.ts': consumerSource('esm'), 'all.mts': consumerSource('esm'), 'all.cts': consumerSource('cjs') }): { output: string; status: number | null } {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...options, strict: true, target: 'es2022', noEmit: true, skipLibCheck: false, types: ['node'], exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true }, files: Object.keys(files) }),
    );
    const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8' });
    return { output: r.stdout + r.stderr, status: r.status };
  }

  it.each(configs)('compiles under strict TypeScript without skipLibCheck (%s; .ts, .mts and .cts)', (name, options) => {
    const r = compile(TSC, join(app, `tsc-${name}`), options);
    expect(r.output, `tsc (${name}) reported errors`).toBe('');
    expect(r.status).toBe(0);
  }, 180_000);

  // TypeScript's resolution for `module: commonjs` when none is named (node10, "node"): it reads no `exports`, so
  // the subpaths reach their CommonJS declarations through package.json's `typesVersions`. `esModuleInterop` as
  // `tsc --init` sets it: without it zod's own declarations fail (TS1259 in zod/v4/locales), whatever imports them.
  it('compiles under the legacy node10 resolution of a CommonJS project (every entry but the ESM-only kit)', () => {
    const r = compile(TSC, join(app, 'tsc-node10'), { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true }, { 'all.ts': consumerSource('cjs') });
    expect(r.output, 'tsc (node10) reported errors').toBe('');
    expect(r.status).toBe(0);
  }, 180_000);

  // Declarations emitted by a newer compiler can carry what an older one cannot read: TypeScript 5.9 infers
  // `new Uint16Array(n)` as `Uint16Array<ArrayBuffer>`, a generic only 5.7 and later know (TS2315 before).
  for (const [which, tsc, version, dir] of [
    ['the oldest supported', TSC_FLOOR, FLOOR_VERSION, 'ts-floor'],
    ['the newest', TSC_NEWEST, NEWEST_VERSION, 'ts-newest'],
  ] as const) {
    const missing = !existsSync(tsc);
    it.skipIf(missing && !process.env.CI).each(configs)(`compiles under ${which} TypeScript, ${version} (%s)`, (name, options) => {
      if (missing) throw new Error(`TypeScript ${version} not found at ${tsc}: .ci/run installs it (npm install --prefix .cache/${dir} typescript@${version})`);
      expect(execFileSync(process.execPath, [tsc, '-v'], { encoding: 'utf8' })).toContain(`Version ${version}.`);
      const r = compile(tsc, join(app, `${dir}-${name}`), options);
      expect(r.output, `tsc ${version} (${name}) reported errors`).toBe('');
      expect(r.status).toBe(0);
    }, 180_000);
  }

  it('runs from plain Node ESM and CommonJS, every entry', () => {
    const specs = packageEntries.map((e) => e.specifier);
    writeFileSync(join(app, 'run.mjs'), `const out = {};\nfor (const s of ${JSON.stringify(specs)}) out[s] = Object.keys(await import(s)).length;\nconsole.log(JSON.stringify(out));\n`);
    const cjsSpecs = packageEntries.filter((e) => e.commonjs).map((e) => e.specifier);
    writeFileSync(
      join(app, 'run.cjs'),
      `const out = {};\nfor (const s of ${JSON.stringify(cjsSpecs)}) out[s] = Object.keys(require(s)).length;\n` +
        `try { require('crosschannel/testing'); out.testing = 'loaded'; } catch (e) { out.testing = e.code; }\nconsole.log(JSON.stringify(out));\n`,
    );
    const esm = JSON.parse(execFileSync(process.execPath, ['run.mjs'], { cwd: app, encoding: 'utf8' })) as Record<string, number>;
    const cjs = JSON.parse(execFileSync(process.execPath, ['run.cjs'], { cwd: app, encoding: 'utf8' })) as Record<string, number | string>;
    for (const s of specs) expect(esm[s], s).toBeGreaterThan(0);
    for (const s of cjsSpecs) expect(cjs[s], s).toBe(esm[s]);
    // The vitest conformance kit is ESM-only (vitest cannot be required): not exported to require().
    expect(cjs.testing).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('recognises an error thrown by the other format’s copy (instanceof and isCrossChannelError)', () => {
    writeFileSync(
      join(app, 'identity.mjs'),
      [
        `import { createRequire } from 'node:module';`,
        `import * as esm from 'crosschannel';`,
        `const cjs = createRequire(import.meta.url)('crosschannel');`,
        `if (esm.CrossChannelError === cjs.CrossChannelError) throw new Error('expected two copies');`,
        `const caught = (f) => { try { f(); } catch (e) { return e; } throw new Error('no error'); };`,
        `const fromCjs = caught(() => cjs.toEpochMs('not a date'));`,
        `const fromEsm = caught(() => esm.toEpochMs('not a date'));`,
        `console.log(JSON.stringify([`,
        `  fromCjs instanceof esm.CrossChannelError, esm.isCrossChannelError(fromCjs, 'TIME_INVALID'),`,
        `  fromEsm instanceof cjs.CrossChannelError, cjs.isCrossChannelError(fromEsm, 'TIME_INVALID'),`,
        `  new Error('x') instanceof esm.CrossChannelError, cjs.isCrossChannelError(new Error('x')),`,
        `]));`,
      ].join('\n'),
    );
    const out = JSON.parse(execFileSync(process.execPath, ['identity.mjs'], { cwd: app, encoding: 'utf8' })) as boolean[];
    expect(out).toEqual([true, true, true, true, false, false]);
  });

  it('libphonenumber-js is an optional peer: without it every entry loads (ESM and CJS) and phones throw DEPENDENCY_MISSING naming it', () => {
    const link = join(app, 'node_modules', 'libphonenumber-js');
    const script = (kind: 'esm' | 'cjs'): string =>
      [
        kind === 'esm' ? `const load = (s) => import(s);` : `const load = async (s) => require(s);`,
        `(async () => {`,
        `  for (const s of ${JSON.stringify(packageEntries.filter((e) => kind === 'esm' || e.commonjs).map((e) => e.specifier))}) await load(s);`,
        `  const id = await load('crosschannel/identity');`,
        `  const out = { email: id.normalizeEmail('Ada@Example.com').value };`,
        `  try { out.phone = id.normalizePhone('06 12 34 56 78', 'FR').value; } catch (e) { out.phone = [e.code, e.detail.package, /npm install libphonenumber-js/.test(e.message)]; }`,
        `  const g = new id.IdentityGraph();`,
        `  try { g.add([{ identifiers: [{ type: 'email', value: 'a@shop.test' }, { type: 'phone', value: '+33612345678' }], at: 1 }]); out.graph = g.size.identifiers; } catch (e) { out.graph = [e.code, e.path, g.size.identifiers]; }`,
        `  console.log(JSON.stringify(out));`,
        `})();`,
      ].join('\n');
    writeFileSync(join(app, 'peer.mjs'), script('esm'));
    writeFileSync(join(app, 'peer.cjs'), script('cjs'));
    const run = (file: string): unknown => JSON.parse(execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' }));
    const present = { email: 'ada@example.com', phone: '+33612345678', graph: 2 };
    expect(run('peer.mjs')).toEqual(present);
    expect(run('peer.cjs')).toEqual(present);
    rmSync(link);
    try {
      const missing = { email: 'ada@example.com', phone: ['DEPENDENCY_MISSING', 'libphonenumber-js', true], graph: ['DEPENDENCY_MISSING', '[0].identifiers[1].value', 0] };
      expect(run('peer.mjs')).toEqual(missing);
      expect(run('peer.cjs')).toEqual(missing);
    } finally {
      symlinkSync(join(ROOT, 'node_modules', 'libphonenumber-js'), link, 'dir');
    }
  });

  it('installs in at most 15 MB for a user of the pure modules (the package and its runtime dependencies, no optional peers)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const sizes = new Map<string, number>([['crosschannel', dirSize(join(app, 'node_modules', 'crosschannel'))]]);
    // The runtime dependency closure, as npm would install it (each package once).
    const queue = Object.keys(manifest.dependencies);
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (sizes.has(name)) continue;
      const dir = join(ROOT, 'node_modules', name);
      sizes.set(name, dirSize(dir));
      const deps = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
      queue.push(...Object.keys(deps));
    }
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;
    console.log(`installed: ${mb(total)} = ${[...sizes].map(([k, v]) => `${k} ${mb(v)}`).join(' + ')}`);
    expect(sizes.has('libphonenumber-js')).toBe(false);
    expect(total).toBeLessThanOrEqual(15 * 1024 * 1024);
  });

  it('the crosschannel command is installed as a bin and runs from the tarball', () => {
    const bin = JSON.parse(readFileSync(join(app, 'node_modules', 'crosschannel', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const path = join(app, 'node_modules', 'crosschannel', bin.bin.crosschannel!);
    expect(readFileSync(path, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    const r = spawnSync(process.execPath, [path, 'tcf', 'decode', 'not-a-tc-string!'], { cwd: app, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CONSENT_TCF_MALFORMED');
    const demo = spawnSync(process.execPath, [path, 'demo'], { cwd: app, encoding: 'utf8' });
    expect(demo.status).toBe(0);
    expect(demo.stdout).toContain('CAP_LIMIT_REACHED');
  });

  it('ships declarations and code only: no sources, tests or benchmarks in the tarball', () => {
    const files = walk(join(app, 'node_modules', 'crosschannel')).map((f) => f.slice(join(app, 'node_modules', 'crosschannel').length + 1));
    expect(files).toContain('package.json');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('bench/') || f.includes('.test.'))).toBe(false);
  });
});

/** Bytes of the files under `dir` (links followed at the top, as an installed package holds real files). */
function dirSize(dir: string): number {
  let total = 0;
  for (const f of walk(dir)) total += statSync(f).size;
  return total;
}
