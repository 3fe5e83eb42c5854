/**
 * package.json's maps of the public entries agree with the build's (tsup.config.ts `entries`, read through
 * scripts/entries.ts, which also says which are published for `require`): `exports` names
 * every built entry with its ESM and CommonJS files and declarations, and `typesVersions` — what TypeScript reads
 * under the legacy node10 resolution, which ignores `exports` — sends each CommonJS subpath to its `.d.cts`.
 * The consumer test (consumer.test.ts) proves the same on the packed tarball; this one names the missing line
 * in a second, without a build.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageEntries } from '../../scripts/entries.js';

interface Conditions {
  readonly types: string;
  readonly default: string;
}
interface Manifest {
  readonly main: string;
  readonly types: string;
  readonly exports: Record<string, string | { import?: Conditions; require?: Conditions }>;
  readonly typesVersions?: Record<string, Record<string, string[]>>;
}

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as Manifest;
// `crosschannel` → `.`, `crosschannel/consent` → `./consent`.
const subpathOf = (specifier: string): string => specifier.replace(/^crosschannel/, '.');

describe('package.json entry maps', () => {
  it('exports every built entry, with its files and declarations in both formats', () => {
    const expected: Record<string, unknown> = { './package.json': './package.json' };
    for (const { key, specifier, commonjs } of packageEntries) {
      const esm = { types: `./dist/${key}.d.ts`, default: `./dist/${key}.js` };
      const cjs = { types: `./dist/${key}.d.cts`, default: `./dist/${key}.cjs` };
      expected[subpathOf(specifier)] = commonjs ? { import: esm, require: cjs } : { import: esm };
    }
    expect(manifest.exports).toEqual(expected);
    expect(manifest.main).toBe('./dist/index.cjs');
    expect(manifest.types).toBe('./dist/index.d.cts');
  });

  it('maps every CommonJS subpath to its declarations for node10 resolution (typesVersions)', () => {
    const expected: Record<string, string[]> = {};
    for (const { key, specifier, commonjs } of packageEntries) {
      if (key === 'index' || !commonjs) continue;
      expected[subpathOf(specifier).slice(2)] = [`./dist/${key}.d.cts`];
    }
    expect(manifest.typesVersions).toEqual({ '*': expected });
  });
});
