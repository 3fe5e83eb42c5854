/**
 * Every pure entry bundles for `platform: 'browser'` with all its dependencies and no Node built-in import
 * and no Node-only global; only the Redis/PostgreSQL adapters and the vitest-based kit may need Node.
 */
import { describe, expect, it } from 'vitest';
import { bundleForBrowser, portabilityProblems } from '../../scripts/browser-bundle.js';
import { packageEntries, pureEntries } from '../../scripts/entries.js';

describe('pure entries bundle for the browser without Node', () => {
  it.each(pureEntries.map((e) => [e.specifier, e] as const))('%s', async (_name, entry) => {
    const bundle = await bundleForBrowser(entry.source);
    expect(portabilityProblems(bundle)).toEqual([]);
    // The bundle really contains the entry's sources (an empty bundle would pass vacuously).
    expect(Object.keys(bundle.metafile.inputs)).toContain(entry.source);
  });

  it('every entry except the Node-bound adapters and the testing kit is declared pure', () => {
    const nodeBound = packageEntries.filter((e) => !e.pure).map((e) => e.specifier);
    expect(nodeBound.sort()).toEqual(['crosschannel/adapters/postgres', 'crosschannel/adapters/redis', 'crosschannel/testing']);
    for (const m of ['identity', 'consent', 'capping', 'segments', 'arbitration', 'attribution', 'decide', 'adapters/memory']) {
      expect(pureEntries.map((e) => e.specifier)).toContain(`crosschannel/${m}`);
    }
  });

  it('the check catches Node built-ins and Node-only globals (it can fail)', async () => {
    const bundle = await bundleForBrowser('test/portability/fixtures/node-bound.ts');
    const problems = portabilityProblems(bundle);
    expect(problems).toEqual(
      expect.arrayContaining([
        "imports Node built-in 'node:fs' (from test/portability/fixtures/node-bound.ts)",
        "imports Node built-in 'crypto' (from test/portability/fixtures/node-bound.ts)",
      ]),
    );
    for (const g of ['process', '__dirname', 'Buffer']) {
      expect(problems.some((p) => p.startsWith(`uses Node-only global '${g}'`))).toBe(true);
    }
  });
});
