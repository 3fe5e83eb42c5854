import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { arrayOf, customSchema, discriminated, ENGLISH, issuesCheck, refineCheck, tupleItem } from './zod.js';
import { toJSONSchema } from './schema.js';

const shown = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'function' ? 'fn' : typeof x === 'symbol' || typeof x === 'bigint' ? String(x) : x));
function outcome(schema: z.core.$ZodType, input: unknown): string {
  const r = z.safeParse(schema, input, ENGLISH);
  return r.success ? `ok ${shown(r.data)}` : `error ${shown(r.error.issues)}`;
}

const valueArb = fc.oneof(fc.anything(), fc.constant(() => 1), fc.constant(Math.max), fc.double(), fc.constant(undefined));

describe('refineCheck and customSchema parse exactly as z.refine and z.custom', () => {
  it('refineCheck: same issues, paths, messages and check order in objects, arrays and unions', () => {
    const shape = { a: z.number(), b: z.optional(z.number()) };
    const ok = (v: { a: number; b?: number | undefined }): boolean => v.a + (v.b ?? 0) <= 1;
    const later = z.refine((v: unknown) => (v as { a: number }).a !== 0.5, 'not a half');
    const mine = z.array(z.union([z.strictObject(shape).check(refineCheck(ok, 'a + b must not exceed 1', ['b']), later), z.string()]));
    const theirs = z.array(z.union([z.strictObject(shape).check(z.refine(ok, { message: 'a + b must not exceed 1', path: ['b'] }), later), z.string()]));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.record({ a: fc.oneof(fc.double(), fc.constant(0.5), fc.string()), b: fc.option(fc.double(), { nil: undefined }) }, { requiredKeys: [] }), valueArb), { maxLength: 4 }), (input) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
      }),
      { numRuns: 300 },
    );
  });

  it('customSchema: same value, issues and abort as z.custom, as an object property and alone', () => {
    const isFn = (v: unknown): boolean => typeof v === 'function';
    const mine = z.strictObject({ name: z.string(), weight: customSchema<() => number>(isFn, 'weight must be a function') });
    const theirs = z.strictObject({ name: z.string(), weight: z.custom<() => number>(isFn, 'weight must be a function') });
    fc.assert(
      fc.property(fc.record({ name: fc.oneof(fc.string(), fc.integer()), weight: valueArb }, { requiredKeys: ['name'] }), valueArb, (input, alone) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
        const a = z.safeParse(customSchema(isFn, 'no'), alone, ENGLISH);
        const b = z.safeParse(z.custom(isFn, 'no'), alone, ENGLISH);
        expect(a.success).toBe(b.success);
        if (a.success && b.success) expect(a.data).toBe(b.data);
        else expect(shown(a.error?.issues)).toBe(shown(b.error?.issues));
      }),
      { numRuns: 300 },
    );
  });

  it('customSchema aborts the checks after it, as z.custom does; refineCheck does not', () => {
    const after = z.refine(() => false, 'after');
    expect(outcome(customSchema(() => false, 'first').check(after), 1)).toBe(outcome(z.custom(() => false, 'first').check(after), 1));
    expect(outcome(customSchema(() => false, 'first').check(after), 1)).not.toContain('after');
    expect(outcome(z.number().check(refineCheck(() => false, 'first'), after), 1)).toBe(outcome(z.number().check(z.refine(() => false, 'first'), after), 1));
    expect(outcome(z.number().check(refineCheck(() => false, 'first'), after), 1)).toContain('after');
  });
});

describe('issuesCheck parses exactly as z.superRefine', () => {
  it('same issues, paths, messages and check order, in objects, arrays and unions', () => {
    // The duplicate-id check of capping's rule sets and the path-segment check of segments, as they use it.
    type Set = { rules: Array<{ id: string }> };
    const dupes = (set: Set, report: (message: string, path?: PropertyKey[]) => void): void => {
      const seen = new Set<string>();
      set.rules.forEach((r, i) => {
        if (seen.has(r.id)) report(`Duplicate rule id ${r.id}`, ['rules', i, 'id']);
        seen.add(r.id);
      });
    };
    const segments = (p: string, report: (message: string, path?: PropertyKey[]) => void): void => {
      for (const seg of p.split('.')) if (seg === '' || seg === '__proto__') report(`bad segment ${seg}`);
    };
    const later = z.refine((v: unknown) => JSON.stringify(v).length < 40, 'too long');
    const shape = { rules: z.array(z.strictObject({ id: z.string() })), path: z.string().check(z.minLength(1), issuesCheck<string>(segments), later) };
    const theirShape = { rules: shape.rules, path: z.string().check(z.minLength(1), z.superRefine<string>((p, ctx) => segments(p, (message) => ctx.addIssue({ code: 'custom', message }))), later) };
    const mine = z.array(z.union([z.strictObject(shape).check(issuesCheck<Set>(dupes), later), z.number()]));
    const theirs = z.array(
      z.union([z.strictObject(theirShape).check(z.superRefine<Set>((set, ctx) => dupes(set, (message, path) => ctx.addIssue({ code: 'custom', message, path: path as PropertyKey[] }))), later), z.number()]),
    );
    const id = fc.constantFrom('a', 'b', 'c');
    const path = fc.oneof(fc.constantFrom('a.b', 'a..b', '__proto__.x', '.', 'x.__proto__', ''), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.record({ rules: fc.array(fc.record({ id }), { maxLength: 4 }), path }), valueArb), { maxLength: 3 }), (input) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
      }),
      { numRuns: 400 },
    );
  });
});

describe('arrayOf(tupleItem(…)) parses exactly as z.array(z.tuple(…))', () => {
  // timing's model JSON rows: the oracle is the same shape with zod's own tuple.
  const count = z.int().check(z.gte(0), z.lte(9));
  const items = [z.string().check(z.minLength(1)), z.int().check(z.gte(0)), z.array(count).check(z.maxLength(3))] as const;
  const mine = z.strictObject({ rows: arrayOf(tupleItem(items)), after: z.number() });
  const theirs = z.strictObject({ rows: z.array(z.tuple([...items])), after: z.number() });
  const cell = fc.oneof(fc.string({ maxLength: 2 }), fc.integer({ min: -2, max: 12 }), fc.array(fc.integer({ min: -1, max: 10 }), { maxLength: 4 }), valueArb);
  const row = fc.oneof(
    fc.tuple(fc.string({ maxLength: 2 }), fc.nat(3), fc.array(fc.nat(10), { maxLength: 4 })),
    fc.array(cell, { maxLength: 5 }),
    valueArb,
  );

  it('same value, issues, paths and messages, whatever the rows hold', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(row, { maxLength: 4 }), valueArb), fc.oneof(fc.double(), valueArb), (rows, after) => {
        expect(outcome(mine, { rows, after })).toBe(outcome(theirs, { rows, after }));
      }),
      { numRuns: 500 },
    );
  });

  it('a valid row comes back typed and copied; a short, long or non-array row is named at its index', () => {
    expect(z.parse(mine, { rows: [['a', 1, [2]]], after: 0 }, ENGLISH)).toEqual({ rows: [['a', 1, [2]]], after: 0 });
    const issues = (input: unknown): unknown => z.safeParse(mine, input, ENGLISH).error?.issues.map((i) => [i.code, i.path]);
    expect(issues({ rows: [['a', 1]], after: 0 })).toEqual([['too_small', ['rows', 0]]]);
    expect(issues({ rows: [['a', 1, [], 4]], after: 0 })).toEqual([['too_big', ['rows', 0]]]);
    expect(issues({ rows: [{}, ['', 1, [10]]], after: 0 })).toEqual([['invalid_type', ['rows', 0]], ['too_small', ['rows', 1, 0]], ['too_big', ['rows', 1, 2, 0]]]);
  });
});

describe('discriminated(key, options) parses exactly as z.discriminatedUnion(key, options)', () => {
  const options = [
    z.strictObject({ kind: z.literal('limit'), limit: z.int().check(z.gte(0)), note: z.optional(z.string()) }),
    z.strictObject({ kind: z.literal(['gap', 'pause']), ms: z._default(z.number().check(z.gt(0)), 5) }).check(refineCheck((v) => v.ms !== 7, 'not 7', ['ms'])),
    z.strictObject({ kind: z.literal('nested'), inner: z.strictObject({ at: z.array(z.number()).check(z.maxLength(2)) }) }),
  ] as const;
  const mine = z.strictObject({ rules: z.array(discriminated('kind', options)), after: z.number() });
  const theirs = z.strictObject({ rules: z.array(z.discriminatedUnion('kind', [...options])), after: z.number() });
  const field = fc.oneof(fc.integer({ min: -2, max: 9 }), fc.string({ maxLength: 2 }), fc.array(fc.integer(), { maxLength: 3 }), fc.record({ at: fc.oneof(fc.array(fc.double(), { maxLength: 3 }), valueArb) }), valueArb);
  const rule = fc.oneof(
    fc.record({ kind: fc.constantFrom('limit', 'gap', 'pause', 'nested', 'other', 'constructor', '__proto__'), limit: field, ms: field, note: field, inner: field, extra: field }, { requiredKeys: ['kind'] }),
    fc.record({ kind: valueArb }),
    valueArb,
  );

  it('same value, issues, paths and messages, whatever the items hold', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(rule, { maxLength: 4 }), valueArb), fc.oneof(fc.double(), valueArb), (rules, after) => {
        expect(outcome(mine, { rules, after })).toBe(outcome(theirs, { rules, after }));
      }),
      { numRuns: 600 },
    );
  });

  it('an unknown value is named at the key with the allowed values; a non-object is not an object; defaults are applied', () => {
    const one = (input: unknown): unknown => z.safeParse(discriminated('kind', options), input, ENGLISH);
    expect(one({ kind: 'gap' })).toEqual({ success: true, data: { kind: 'gap', ms: 5 } });
    const issues = (input: unknown): unknown => (one(input) as { error?: z.core.$ZodError }).error?.issues.map((i) => [i.code, i.path, i.message]);
    expect(issues({ kind: 'x' })).toEqual([['invalid_union', ['kind'], "Invalid discriminator value. Expected 'limit' | 'gap' | 'pause' | 'nested'"]]);
    expect(issues([])).toEqual([['invalid_type', [], 'Invalid input: expected object, received array']]);
    expect(issues({ kind: 'limit', limit: -1 })).toEqual([['too_small', ['limit'], 'Too small: expected number to be >=0']]);
  });

  it("gives zod's JSON Schema of a discriminated union (oneOf the options)", () => {
    expect(toJSONSchema(mine)).toEqual(toJSONSchema(theirs));
    expect(JSON.stringify(toJSONSchema(mine))).toContain('"oneOf"');
  });
});
