import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { toJSONSchema } from '../core/schema.js';
import { ENGLISH } from '../core/zod.js';
import { experimentSchema, parseExperiment, rangeSchema } from './config.js';

const shown = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'function' ? 'fn' : typeof x === 'symbol' || typeof x === 'bigint' ? String(x) : x));
function outcome(schema: z.core.$ZodType, input: unknown): string {
  const r = z.safeParse(schema, input, ENGLISH);
  return r.success ? `ok ${shown(r.data)}` : `error ${shown(r.error.issues)}`;
}

describe("a namespace's range, checked by hand (zod's tuple type cost the entry ≈ 0.45 kB)", () => {
  const share = z.number().check(z.gte(0), z.lte(1));
  const mine = z.strictObject({ range: rangeSchema, after: z.number() });
  const theirs = z.strictObject({ range: z.tuple([share, share]), after: z.number() });
  const item = fc.oneof(fc.double(), fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(0.5), fc.string({ maxLength: 2 }), fc.anything());

  it('parses exactly as z.tuple([share, share]): same value, issues, paths and messages', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(item, { maxLength: 4 }), fc.tuple(item, item), item), fc.oneof(fc.double(), fc.anything()), (range, after) => {
        expect(outcome(mine, { range, after })).toBe(outcome(theirs, { range, after }));
      }),
      { numRuns: 500 },
    );
    expect(outcome(mine, { range: [0.2, 0.7], after: 1 })).toBe('ok {"range":[0.2,0.7],"after":1}');
  });

  it('is still a tuple to the JSON Schema generator, and parseExperiment names the place', () => {
    expect(toJSONSchema(mine)).toEqual(toJSONSchema(theirs));
    expect(JSON.stringify(toJSONSchema(experimentSchema))).toContain('"prefixItems"');
    expect(() => parseExperiment({ id: 'e', variants: [{ id: 'a' }, { id: 'b' }], namespace: { id: 'n', range: [0.1, 2] } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'namespace.range[1]' }));
    expect(() => parseExperiment({ id: 'e', variants: [{ id: 'a' }, { id: 'b' }], namespace: { id: 'n', range: [0.1] as never } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'namespace.range' }));
  });
});
