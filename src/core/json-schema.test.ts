/**
 * jsonValueSchema and jsonObjectSchema are checked by hand (src/core/schema.ts): they must accept, copy and refuse
 * exactly as the zod schemas they stand for (the oracles below), issue for issue, nested union errors included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { NO_CONTROL_CHARACTERS, PORTABLE_NO_CONTROL_CHARACTERS, channelSchema, idSchema, jsonObjectSchema, jsonValueSchema, tagSchema, toJSONSchema, type JsonValue } from './schema.js';
import { parseBehaviourEvent } from './records.js';
import { ENGLISH } from './zod.js';

const valueOracle: z.ZodMiniType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(valueOracle), z.record(z.string(), valueOracle)]));
const oracle = z.record(z.string(), valueOracle);
const shown = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'symbol' || typeof x === 'bigint' || typeof x === 'function' ? String(x) : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
function outcome(schema: z.core.$ZodType, input: unknown): string {
  const r = z.safeParse(schema, input, ENGLISH);
  return r.success ? `ok ${shown(r.data)}` : `error ${shown(r.error.issues)}`;
}

const sym = Symbol('k');
const odd = fc.constantFrom<unknown>(undefined, Number.NaN, Number.POSITIVE_INFINITY, -Infinity, 1n, sym, () => 1, new Date(0), new Map(), Object.create(null), [1, , 2], new (class Foo {})());
const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.double(), fc.boolean(), fc.constant(null), odd);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', '__proto__', '0', 'constructor'), tie('value'), { maxKeys: 3 })),
}));
const withSymbol = (o: unknown): unknown => (o !== null && typeof o === 'object' && !Array.isArray(o) ? Object.assign(Object.create(Object.getPrototypeOf(o) as object | null) as object, o, { [sym]: 1 }) : o);

describe('jsonObjectSchema and jsonValueSchema parse as zod\'s record and lazy union of JSON', () => {
  it('same copy, issues, paths, messages and nested union errors, whatever the object holds', () => {
    fc.assert(
      fc.property(fc.oneof(value, value.map(withSymbol), fc.anything()), (input) => {
        expect(outcome(jsonObjectSchema, input)).toBe(outcome(oracle, input));
        expect(outcome(jsonValueSchema, input)).toBe(outcome(valueOracle, input));
      }),
      { numRuns: 1000 },
    );
  });

  it('copies what it accepts (a __proto__ key and non-enumerable keys left out) and names a bad value at its key', () => {
    const input = JSON.parse('{"a":[1,{"b":null}],"__proto__":{"x":1}}') as Record<string, unknown>;
    Object.defineProperty(input, 'hidden', { value: 1, enumerable: false });
    const out = z.parse(jsonObjectSchema, input, ENGLISH);
    expect(out).toEqual({ a: [1, { b: null }] });
    expect(out.a).not.toBe(input.a);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    const r = z.safeParse(jsonObjectSchema, { a: 1, b: [1, { c: Number.NaN }] }, ENGLISH);
    expect(r.error?.issues.map((i) => [i.code, i.path, i.message])).toEqual([['invalid_union', ['b'], 'Invalid input']]);
    expect(() => parseBehaviourEvent({ subjectId: 'p1', type: 'view', at: 0, properties: { price: undefined as never } })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'properties.price' }));
  });

  it('refuses JSON nested more than 1,000 levels deep, at the place it goes deeper (zod ends in a RangeError a few thousand down)', () => {
    const nest = (depth: number, leaf: unknown): unknown => {
      let v = leaf;
      for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
      return v;
    };
    // 1,000 levels below `x` (x itself is level 1): accepted, and a bad leaf there is named as zod names it.
    expect(z.safeParse(jsonObjectSchema, { x: nest(999, {}) }, ENGLISH).success).toBe(true);
    expect(z.safeParse(jsonObjectSchema, { x: nest(1000, undefined) }, ENGLISH).error?.issues.map((i) => [i.code, i.path])).toEqual([['invalid_union', ['x']]]);
    for (const depth of [1001, 5000, 200_000]) {
      for (const leaf of [1, undefined]) {
        const r = z.safeParse(jsonObjectSchema, { x: nest(depth, leaf) }, ENGLISH);
        expect(r.error?.issues).toHaveLength(1);
        const [issue] = r.error!.issues;
        expect(issue).toMatchObject({ code: 'custom', message: 'JSON nested more than 1000 levels deep' });
        expect(issue!.path).toHaveLength(1001); // x, then 1,000 keys down to the first object at level 1,001
        expect(issue!.path[0]).toBe('x');
        expect(issue!.path.slice(1).every((k) => k === 0 || k === 'a')).toBe(true);
      }
    }
    expect(() => parseBehaviourEvent({ subjectId: 'p1', type: 'view', at: 0, properties: { x: nest(100_000, 1) as never } })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('jsonValueSchema bounds its depth too, from the top', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    const r = z.safeParse(jsonValueSchema, deep, ENGLISH);
    expect(r.error?.issues.map((i) => [i.code, i.path.length])).toEqual([['custom', 1001]]);
    expect(z.parse(jsonValueSchema, 'text', ENGLISH)).toBe('text');
    // Any JSON: a JSON Schema with no constraint.
    expect(Object.keys(toJSONSchema(jsonValueSchema)).filter((k) => k !== '$schema')).toEqual([]);
  });

  it('describes itself to JSON Schema as an object of JSON values', () => {
    expect(toJSONSchema(jsonObjectSchema)).toMatchObject({ type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} });
  });
});

describe('toJSONSchema writes the id check in JSON Schema\'s portable regular expressions', () => {
  // Every code point, every lone surrogate, and pairs: the same verdict as the runtime check, read in Unicode
  // mode as JSON Schema reads patterns.
  const portable = new RegExp(PORTABLE_NO_CONTROL_CHARACTERS, 'u');
  it('the same characters as NO_CONTROL_CHARACTERS, without a \\p class', () => {
    expect(PORTABLE_NO_CONTROL_CHARACTERS).not.toMatch(/\\p\{/);
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const s = String.fromCodePoint(cp);
      if (portable.test(s) !== NO_CONTROL_CHARACTERS.test(s)) expect.fail(`U+${cp.toString(16)}`);
    }
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\u0000', '\u009f', '\u00a0', '\u007f', 'a'), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 8 }), (s) => {
        expect(portable.test(s)).toBe(NO_CONTROL_CHARACTERS.test(s));
      }),
      { numRuns: 3000 },
    );
  });
  it('ids and tags in a generated schema carry it; other patterns are kept', () => {
    const schema = toJSONSchema(z.object({ id: idSchema, tag: tagSchema, channel: channelSchema }));
    const props = schema.properties as Record<string, { pattern?: string }>;
    expect(props.id!.pattern).toBe(PORTABLE_NO_CONTROL_CHARACTERS);
    expect(props.tag!.pattern).toBe(PORTABLE_NO_CONTROL_CHARACTERS);
    expect(props.channel!.pattern).toBe('^[a-z][a-z0-9_.-]*$');
    expect(JSON.stringify(schema)).not.toContain('\\\\p{');
  });
});
