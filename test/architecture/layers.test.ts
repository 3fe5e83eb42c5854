/**
 * Arrows point down: a pure module imports core only (never an adapter, never another module), only the
 * combining layers (timing, insights, decide, journeys) read the modules below them, and no two files import
 * each other. See docs/architecture.md and the table in ./layers.ts.
 */
import { describe, expect, it } from 'vitest';
import { importCycles, importEdges, layerOf, layerViolations, sourceFiles, type ImportEdge } from './layers.js';

const root = process.cwd();
const edges = importEdges(root, sourceFiles(root));

describe('layers of src/', () => {
  it('reads a real import graph', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual({ from: 'src/capping/evaluate.ts', to: 'src/core/time.ts', relative: true });
    expect(edges).toContainEqual({ from: 'src/adapters/redis/contact-history.ts', to: 'ioredis', relative: false });
  });

  it('no module imports an adapter or another module; every arrow points down', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('no import cycles between files', () => {
    expect(importCycles(edges)).toEqual([]);
  });
});

describe('the checks can fail', () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, relative: !/^[@a-z]/.test(to) || to.startsWith('src/') });

  it('layers by path', () => {
    expect(layerOf('src/index.ts')).toBe('root');
    expect(layerOf('src/adapters/redis/keys.ts')).toBe('adapters/redis');
    expect(layerOf('src/consent/tcf/bits.ts')).toBe('consent');
  });

  it('flags a module importing an adapter, another module, or a driver; a new module is held to core only', () => {
    const bad = [
      edge('src/attribution/sql.ts', 'src/adapters/postgres/sql.ts'),
      edge('src/capping/evaluate.ts', 'src/segments/compile.ts'),
      edge('src/core/time.ts', 'src/capping/rules.ts'),
      edge('src/consent/store.ts', 'node:crypto'),
      edge('src/adapters/redis/keys.ts', 'src/adapters/memory/index.ts'),
      edge('src/newmodule/a.ts', 'src/capping/rules.ts'),
      edge('src/timing/a.ts', 'src/decide/pipeline.ts'),
    ];
    expect(layerViolations(bad)).toHaveLength(bad.length);
  });

  it('lets the combining layers read what is below them', () => {
    const good = [
      edge('src/decide/pipeline.ts', 'src/capping/evaluate.ts'),
      edge('src/timing/a.ts', 'src/capping/rules.ts'),
      edge('src/journeys/a.ts', 'src/decide/index.ts'),
      edge('src/adapters/redis/contact-history.ts', 'ioredis'),
      edge('src/testing/harness.ts', 'vitest'),
      edge('src/segments/dsl.ts', 'zod'),
    ];
    expect(layerViolations(good)).toEqual([]);
  });

  it('finds a type-only cycle', () => {
    const cycle = [edge('src/a/x.ts', 'src/a/y.ts'), edge('src/a/y.ts', 'src/a/z.ts'), edge('src/a/z.ts', 'src/a/x.ts'), edge('src/a/z.ts', 'src/core/time.ts')];
    expect(importCycles(cycle)).toEqual([['src/a/x.ts', 'src/a/y.ts', 'src/a/z.ts']]);
  });
});
