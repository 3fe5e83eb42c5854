/**
 * The public API, per entry, is the checked-in list test/package/api.snapshot.json: an export added or removed
 * by accident fails here. After an intended change (a new export, a new module or entry), regenerate it and
 * review the diff:
 *
 *   UPDATE_API=1 npx vitest run test/package/api.test.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportsWithoutExample, publicApi } from './public-api.js';

const SNAPSHOT = join(process.cwd(), 'test/package/api.snapshot.json');

describe('public API', () => {
  it('matches test/package/api.snapshot.json (regenerate with UPDATE_API=1)', () => {
    const api = publicApi();
    if (process.env.UPDATE_API === '1' || !existsSync(SNAPSHOT)) {
      writeFileSync(SNAPSHOT, `${JSON.stringify(api, null, 2)}\n`);
      return;
    }
    const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, string[]>;
    const diff: string[] = [];
    for (const entry of new Set([...Object.keys(expected), ...Object.keys(api)])) {
      const want = new Set(expected[entry] ?? []);
      const have = new Set(api[entry] ?? []);
      for (const x of have) if (!want.has(x)) diff.push(`+ ${entry}: ${x}`);
      for (const x of want) if (!have.has(x)) diff.push(`- ${entry}: ${x}`);
    }
    expect(diff, 'public API changed; if intended: UPDATE_API=1 npx vitest run test/package/api.test.ts').toEqual([]);
  }, 120_000);

  it('module entries name their exports (no `export *` barrel leaking internals)', () => {
    const indexes = ['src/index.ts', ...readdirSync('src', { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => (d.name === 'adapters' ? readdirSync('src/adapters').map((a) => `src/adapters/${a}/index.ts`) : [`src/${d.name}/index.ts`]))];
    const barrels: string[] = [];
    for (const file of indexes.filter((f) => existsSync(f))) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        // The root entry re-exports the core entry (itself explicit) and each module as a namespace.
        if (/^export \* from /.test(line) && !(file === 'src/index.ts' && line.includes("'./core/index.js'"))) barrels.push(`${file}: ${line}`);
      }
    }
    expect(barrels).toEqual([]);
  });

  it('every export of consent, identity and decide is documented with an @example', () => {
    const missing = exportsWithoutExample();
    for (const entry of ['crosschannel/consent', 'crosschannel/identity', 'crosschannel/decide']) expect(missing[entry], entry).toEqual([]);
  }, 120_000);
});
