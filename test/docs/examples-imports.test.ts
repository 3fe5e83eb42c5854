/** Examples can be pasted into a user's project: they import the package by name, never the repository's sources. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageEntries } from '../../scripts/entries.js';

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('examples/', () => {
  const all = files('examples');
  const specifiers = new Set(packageEntries.map((e) => e.specifier));
  it('imports crosschannel by its public entries only (no relative path into src/)', () => {
    expect(all.length).toBeGreaterThan(10);
    const bad: string[] = [];
    let named = 0;
    for (const f of all) {
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1]!;
        if (/(^|\/)src\//.test(spec)) bad.push(`${f}: ${spec}`);
        else if (spec.startsWith('crosschannel')) {
          named++;
          if (!specifiers.has(spec)) bad.push(`${f}: ${spec} is not a public entry`);
        }
      }
    }
    expect(bad).toEqual([]);
    expect(named).toBeGreaterThan(all.length);
  });
});
