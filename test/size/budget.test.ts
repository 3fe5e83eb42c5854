/** Every entry stays within its size budget (min + gzip, dependencies included), and the README says so. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageEntries, entryLabel } from '../../scripts/entries.js';
import { measure, README_END, README_START, type SizeRow } from '../../scripts/size.js';
import { SIZE_BUDGETS } from './budgets.js';

let rows: SizeRow[] = [];
beforeAll(async () => {
  rows = await measure();
}, 120_000);

describe('size budgets', () => {
  it('every public entry is measured and has a budget', () => {
    for (const e of packageEntries) {
      expect(rows.map((r) => r.label)).toContain(entryLabel(e));
      expect(SIZE_BUDGETS[entryLabel(e)], `no budget for ${e.specifier}`).toBeTypeOf('number');
    }
  });

  it.each(Object.keys(SIZE_BUDGETS))('%s fits its budget', (label) => {
    const row = rows.find((r) => r.label === label);
    expect(row, `${label} was not measured`).toBeDefined();
    if (!row) return;
    expect(row.gzipped, `${row.specifier}: ${row.gzipped} B min+gzip`).toBeLessThanOrEqual(SIZE_BUDGETS[label]!);
    expect(row.gzipped).toBeLessThan(row.minified + 64);
  });

  it('the README size table says what `npm run size` measures (within 2 %, so it cannot drift)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf(README_START), readme.indexOf(README_END));
    const kb = (text: string): number => Number(text.replace(/[^\d.]/g, '')) * 1024; // scripts/size.ts prints kB of 1,024 bytes
    const stale: string[] = [];
    let seen = 0;
    for (const m of section.matchAll(/^\| `([^`]+)` \| ([\d.]+ kB) \| ([\d.]+ kB) \|$/gm)) {
      seen++;
      const row = rows.find((r) => r.specifier === m[1]);
      if (!row) {
        stale.push(`${m[1]}: in the README, no longer measured`);
        continue;
      }
      for (const [what, said, measured] of [['minified', kb(m[2]!), row.minified], ['min+gzip', kb(m[3]!), row.gzipped]] as const) {
        // 2 % (or 1 kB for the small ones): rounding and dependency patch releases, not a forgotten refresh.
        if (Math.abs(said - measured) > Math.max(1000, 0.02 * measured)) stale.push(`${m[1]} ${what}: README ${said} B, measured ${measured} B`);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(rows.length);
    expect(stale, 'README size table is stale: run `npm run size -- --write`').toEqual([]);
  });

  it('the README carries the size table for every entry', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf(README_START), readme.indexOf(README_END));
    expect(section.length).toBeGreaterThan(0);
    for (const e of packageEntries) expect(section).toContain(`| \`${e.specifier}\` |`);
  });
});
