/**
 * Size report: each public entry bundled the way an app's bundler would (esbuild, dependencies included,
 * minified, tree-shaken; Node-bound entries keep their driver and Node built-ins external), then gzipped.
 *
 *   npx tsx scripts/size.ts            print the table
 *   npx tsx scripts/size.ts --write    also update the table in README.md (between the size markers)
 *   npx tsx scripts/size.ts --json     print JSON (what the budget test reads)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { build } from 'esbuild';
import { entryLabel, packageEntries } from './entries.js';

export interface SizeRow {
  /** Entry label (`consent`, `adapters/redis`, `index` for the root) or a focused import's label. */
  readonly label: string;
  /** What a user imports. */
  readonly specifier: string;
  readonly minified: number;
  readonly gzipped: number;
}

/**
 * Narrow imports worth watching on their own: what a browser consent banner or an edge worker actually
 * pulls in. Each names exports of an entry; a focus whose exports do not exist yet is skipped.
 */
export const FOCUSED: ReadonlyArray<{ label: string; source: string; names: readonly string[] }> = [
  { label: 'consent: TCF decode + check', source: 'src/consent/index.ts', names: ['decodeTcString', 'tcfCanProcess'] },
  { label: 'core: calendar windows', source: 'src/index.ts', names: ['calendarWindow', 'localTime'] },
  { label: 'identity: normalise + audience hash', source: 'src/identity/index.ts', names: ['normalizeIdentifier', 'hashIdentifier'] },
  { label: 'consent: ledger check', source: 'src/consent/index.ts', names: ['consentState', 'canContact'] },
  { label: 'capping: rules + evaluation', source: 'src/capping/index.ts', names: ['parseCapRules', 'evaluateCaps'] },
  { label: 'experiments: assignment', source: 'src/experiments/index.ts', names: ['parseExperimentSet', 'assignAll'] },
];

const NODE_EXTERNALS = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

async function minifiedSize(options: { entry?: string; stdin?: string; pure: boolean; external: readonly string[] }): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    ...(options.stdin !== undefined ? { stdin: { contents: options.stdin, resolveDir: process.cwd(), loader: 'ts' as const } } : { entryPoints: [options.entry!] }),
    bundle: true,
    write: false,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: options.pure ? 'browser' : 'node',
    target: 'es2022',
    logLevel: 'silent',
    external: options.pure ? [...options.external] : [...options.external, ...NODE_EXTERNALS],
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: constants.Z_BEST_COMPRESSION }).byteLength };
}

/** Exports a source module really has, read from its compiled form (cheap: one esbuild transform). */
async function exportNames(source: string): Promise<Set<string>> {
  const result = await build({ entryPoints: [source], bundle: true, write: false, format: 'esm', platform: 'neutral', metafile: true, logLevel: 'silent', packages: 'external' });
  const out = Object.values(result.metafile.outputs)[0];
  return new Set(out?.exports ?? []);
}

/** Measures every public entry, then the focused imports whose exports exist. */
export async function measure(): Promise<SizeRow[]> {
  const rows: SizeRow[] = [];
  for (const e of packageEntries) {
    rows.push({ label: entryLabel(e), specifier: e.specifier, ...(await minifiedSize({ entry: e.source, pure: e.pure, external: e.external })) });
  }
  for (const f of FOCUSED) {
    const available = await exportNames(f.source);
    if (!f.names.every((n) => available.has(n))) continue;
    const stdin = `export { ${f.names.join(', ')} } from './${f.source}';`;
    const spec = packageEntries.find((e) => e.source === f.source)?.specifier ?? f.source;
    rows.push({ label: f.label, specifier: `{ ${f.names.join(', ')} } from '${spec}'`, ...(await minifiedSize({ stdin, pure: true, external: [] })) });
  }
  return rows;
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;

export function sizeTable(rows: readonly SizeRow[]): string {
  const lines = ['| Import | Minified | Min + gzip |', '|---|---:|---:|'];
  for (const r of rows) lines.push(`| \`${r.specifier}\` | ${kb(r.minified)} | ${kb(r.gzipped)} |`);
  return lines.join('\n');
}

export const README_START = '<!-- size:start -->';
export const README_END = '<!-- size:end -->';

/** Replaces the table between the size markers (which must already be in the README). */
export function withSizeTable(readme: string, table: string): string {
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  return `${readme.slice(0, a + README_START.length)}\n${table}\n${readme.slice(b)}`;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const rows = await measure();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    const table = sizeTable(rows);
    console.log(table);
    if (process.argv.includes('--write')) {
      const readme = resolve('README.md');
      if (!existsSync(readme)) throw new Error('run from the repository root');
      writeFileSync(readme, withSizeTable(readFileSync(readme, 'utf8'), table));
      console.log('\nREADME.md updated.');
    }
  }
}
