/** Module-level zod schemas are marked pure, so an entry carries only the schemas it uses (scripts/pure-schemas.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceFiles, unwrappedSchemas, wrapSchemas } from '../../scripts/pure-schemas.js';


describe('pure schema initializers', () => {
  it('every top-level initializer that builds a zod schema is marked pure (run `npx tsx scripts/pure-schemas.ts --write`)', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    const bad: string[] = [];
    for (const file of files) {
      for (const s of unwrappedSchemas(file, readFileSync(file, 'utf8'))) bad.push(`${file}:${s.line}`);
    }
    expect(bad).toEqual([]);
  });

  it('finds schema initializers (including object literals of schemas) and wraps them so they are found no more', () => {
    const text = [
      "import * as z from 'zod/mini';",
      'export const a = z.string().check(z.maxLength(9));',
      'const shape = { id: z.string() };',
      'const plain = [1, 2].map((x) => x * 2);',
      'const later = () => z.string();',
      'export const b = /* @__PURE__ */ (() => z.number())();',
    ].join('\n');
    expect(unwrappedSchemas('x.ts', text).map((s) => s.line)).toEqual([2, 3]);
    const wrapped = wrapSchemas('x.ts', text);
    expect(wrapped).toContain('export const a = /* @__PURE__ */ (() => z.string().check(z.maxLength(9)))();');
    expect(wrapped).toContain('const shape = /* @__PURE__ */ (() => ({ id: z.string() }))();');
    expect(unwrappedSchemas('x.ts', wrapped)).toEqual([]);
  });
});
