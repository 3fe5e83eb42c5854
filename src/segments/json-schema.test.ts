/**
 * `segmentsJsonSchema()` ships generated (scripts/json-schemas.ts) instead of calling zod's converter: it must
 * stay exactly what zod derives from the schema, key order included.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { toJSONSchema } from '../core/schema.js';
import { packJson, unpackJson } from '../core/json-pack.js';
import { segmentDefinitionSchema, segmentsJsonSchema } from './index.js';

describe('segmentsJsonSchema (generated)', () => {
  it("is zod's toJSONSchema of the definition list, byte for byte (else: npx tsx scripts/json-schemas.ts --write)", () => {
    expect(JSON.stringify(segmentsJsonSchema())).toBe(JSON.stringify(toJSONSchema(z.array(segmentDefinitionSchema))));
  });

  it('returns a fresh tree each call: mutating one result does not change the next', () => {
    const a = segmentsJsonSchema() as { items: { properties: Record<string, Record<string, unknown>> } };
    a.items.properties['id']!['maxLength'] = 1;
    expect(JSON.stringify(segmentsJsonSchema())).toBe(JSON.stringify(toJSONSchema(z.array(segmentDefinitionSchema))));
  });
});

describe('packJson / unpackJson', () => {
  it('round-trips values with repeated subtrees and stores each repeat once', () => {
    const leaf = { type: 'string', minLength: 1, maxLength: 256 };
    const value = { a: leaf, b: [leaf, { x: leaf }, 3, null, true], c: { x: leaf }, d: 'text' };
    const packed = packJson(value);
    expect(unpackJson(packed)).toEqual(value);
    expect(JSON.stringify(unpackJson(packed))).toBe(JSON.stringify(value));
    expect(packed.defs).toContainEqual(leaf);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(value).length);
  });

  it('unpacks every repeat as its own object: no two places of the result share one', () => {
    const leaf = { type: 'string', minLength: 1, maxLength: 256 };
    const out = unpackJson(packJson({ a: leaf, b: [leaf] })) as { a: typeof leaf; b: Array<typeof leaf> };
    out.a.maxLength = 1;
    expect(out.b[0]!.maxLength).toBe(256);
  });

  it('refuses a document holding a string that looks like a reference', () => {
    expect(() => packJson({ a: '§0' })).toThrow(/starts with §/);
  });
});
