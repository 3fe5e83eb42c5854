import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { arrayOf, booleanSchema, customSchema, discriminated, ENGLISH, enumSchema, gtCheck, gteCheck, intSchema, issuesCheck, literalSchema, ltCheck, lteCheck, maxLengthCheck, minLengthCheck, numberSchema, refineCheck, regexCheck, stringSchema, transformSchema, tupleItem } from './zod.js';
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

describe('intSchema and regexCheck parse and describe exactly as z.int() and z.regex', () => {
  const numberish = fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 53), fc.constant(-(2 ** 53)), fc.constant(1e300), fc.constant(-0), fc.constant(Number.NaN), fc.constant(Infinity), valueArb);

  it('intSchema: same value and issues (fractions abort the later checks, unsafe integers do not), alone, bounded and inside objects and unions', () => {
    const pairs: Array<[z.core.$ZodType, z.core.$ZodType]> = [
      [intSchema(), z.int()],
      [intSchema().check(z.gte(1), z.lte(4)), z.int().check(z.gte(1), z.lte(4))],
      [z.strictObject({ n: z._default(intSchema().check(z.gte(0)), 3), s: z.union([intSchema(), z.string()]) }), z.strictObject({ n: z._default(z.int().check(z.gte(0)), 3), s: z.union([z.int(), z.string()]) })],
    ];
    fc.assert(
      fc.property(numberish, fc.record({ n: fc.option(numberish, { nil: undefined }), s: numberish }, { requiredKeys: ['s'] }), (v, o) => {
        for (const [mine, theirs] of pairs.slice(0, 2)) expect(outcome(mine, v)).toBe(outcome(theirs, v));
        expect(outcome(pairs[2]![0], o)).toBe(outcome(pairs[2]![1], o));
      }),
      { numRuns: 500 },
    );
    expect(outcome(intSchema(), 0.5)).toContain('expected int');
    expect(outcome(intSchema().check(z.lte(4)), 2 ** 60)).toContain('safe integer range');
  });

  it('regexCheck: same issues with and without a message, the pattern reset between calls (g flag), later checks still run', () => {
    const later = z.refine((v: unknown) => (v as string).length !== 3, 'not three');
    const pairs: Array<[z.core.$ZodType, z.core.$ZodType]> = [
      [z.string().check(regexCheck(/^[a-z]+$/)), z.string().check(z.regex(/^[a-z]+$/))],
      [z.string().check(z.maxLength(5), regexCheck(/^[a-z]+$/, 'lowercase letters'), later), z.string().check(z.maxLength(5), z.regex(/^[a-z]+$/, 'lowercase letters'), later)],
      [z.array(z.string().check(regexCheck(/a/g, 'an a'))), z.array(z.string().check(z.regex(/a/g, 'an a')))],
    ];
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 7 }), fc.stringMatching(/^[a-z]{1,6}$/), valueArb), fc.array(fc.oneof(fc.constantFrom('a', 'ba', 'b', ''), fc.string()), { maxLength: 4 }), (v, list) => {
        for (const [mine, theirs] of pairs.slice(0, 2)) expect(outcome(mine, v)).toBe(outcome(theirs, v));
        expect(outcome(pairs[2]![0], list)).toBe(outcome(pairs[2]![1], list));
      }),
      { numRuns: 500 },
    );
  });

  it('give the same JSON Schema as zod (integer type and safe range, bounds, patterns)', () => {
    const mine = z.strictObject({ a: intSchema().check(z.gte(1)), b: z.optional(intSchema()), c: z.string().check(z.minLength(1), regexCheck(/^[a-z]+$/, 'x')), d: z.string().check(regexCheck(/b/), regexCheck(/c/)) });
    const theirs = z.strictObject({ a: z.int().check(z.gte(1)), b: z.optional(z.int()), c: z.string().check(z.minLength(1), z.regex(/^[a-z]+$/, 'x')), d: z.string().check(z.regex(/b/), z.regex(/c/)) });
    expect(toJSONSchema(mine)).toEqual(toJSONSchema(theirs));
    expect(toJSONSchema(mine)).toMatchObject({ properties: { a: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, c: { pattern: '^[a-z]+$' } } });
  });
});

describe('enumSchema parses and describes exactly as z.enum', () => {
  it('same value and issues alone, defaulted, optional, in objects, arrays, unions and records', () => {
    const kinds = ['opened', 'clicked', 'refused'] as const;
    const build = (e: (v: readonly string[]) => z.core.$ZodType): z.core.$ZodType =>
      z.strictObject({
        a: e(kinds),
        b: z._default(e(['day', 'week']), 'week'),
        c: z.optional(e(['x'])),
        d: z.array(e(kinds)).check(z.minLength(1)),
        u: z._default(z.union([e(['skip', 'hold']), z.strictObject({ goto: z.string() })]), 'hold'),
        r: z.record(z.string(), e(['email', 'phone'])),
      });
    const mine = build((v) => enumSchema(v));
    const theirs = build((v) => z.enum(v as [string, ...string[]]));
    const word = fc.oneof(fc.constantFrom('opened', 'clicked', 'refused', 'day', 'week', 'x', 'skip', 'hold', 'email', 'phone', ''), fc.string({ maxLength: 3 }), valueArb);
    fc.assert(
      fc.property(fc.record({ a: word, b: word, c: word, d: fc.oneof(fc.array(word, { maxLength: 3 }), word), u: fc.oneof(word, fc.record({ goto: word })), r: fc.oneof(fc.dictionary(fc.string({ maxLength: 2 }), word, { maxKeys: 2 }), word) }, { requiredKeys: [] }), valueArb, (input, alone) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
        expect(outcome(enumSchema(kinds), alone)).toBe(outcome(z.enum(kinds), alone));
      }),
      { numRuns: 500 },
    );
    expect(outcome(mine, { a: 'opened', d: ['clicked'], r: { p: 'email' } })).toBe(outcome(theirs, { a: 'opened', d: ['clicked'], r: { p: 'email' } }));
    expect(outcome(mine, { a: 'opened', d: ['clicked'], r: { p: 'email' } })).toMatch(/^ok /);
  });

  it('gives the same JSON Schema and values as zod', () => {
    const mine = z.strictObject({ a: enumSchema(['a', 'b']), b: z._default(enumSchema(['x', 'y']), 'x'), c: z.union([enumSchema(['p']), z.number()]) });
    const theirs = z.strictObject({ a: z.enum(['a', 'b']), b: z._default(z.enum(['x', 'y']), 'x'), c: z.union([z.enum(['p']), z.number()]) });
    expect(toJSONSchema(mine)).toEqual(toJSONSchema(theirs));
    expect([...enumSchema(['a', 'b', 'a'])._zod.values!]).toEqual([...z.enum(['a', 'b', 'a'])._zod.values!]);
  });
});

describe('literalSchema and booleanSchema parse and describe exactly as z.literal and z.boolean', () => {
  it('same value and issues, in discriminated unions (their values), objects, unions and alone', () => {
    const build = (lit: (v: string | number | readonly string[]) => z.core.$ZodType, bool: () => z.core.$ZodType): z.core.$ZodType =>
      z.strictObject({
        version: lit(1),
        rule: discriminated('kind', [z.strictObject({ kind: lit('limit'), n: z.number() }), z.strictObject({ kind: lit(['gap', 'quiet']), on: z._default(bool(), false) })]),
        channel: z.union([lit('*'), z.string().check(z.minLength(2))]),
        flag: z.optional(bool()),
      });
    const mine = build((v) => literalSchema(v as never), booleanSchema);
    const theirs = build((v) => z.literal(v as never), z.boolean);
    const atom = fc.oneof(fc.constantFrom(1, '1', 'limit', 'gap', 'quiet', '*', 'ab', true, false, 0), valueArb);
    fc.assert(
      fc.property(fc.record({ version: atom, rule: fc.oneof(fc.record({ kind: atom, n: atom, on: atom }, { requiredKeys: [] }), atom), channel: atom, flag: atom }, { requiredKeys: [] }), atom, (input, alone) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
        expect(outcome(booleanSchema(), alone)).toBe(outcome(z.boolean(), alone));
        expect(outcome(literalSchema(['gap', 'quiet']), alone)).toBe(outcome(z.literal(['gap', 'quiet']), alone));
      }),
      { numRuns: 500 },
    );
    expect(outcome(mine, { version: 1, rule: { kind: 'gap' }, channel: '*' })).toBe(outcome(theirs, { version: 1, rule: { kind: 'gap' }, channel: '*' }));
    expect(outcome(mine, { version: 1, rule: { kind: 'gap' }, channel: '*' })).toMatch(/^ok /);
    expect(toJSONSchema(mine)).toEqual(toJSONSchema(theirs));
  });
});

describe('bound and length checks parse and describe exactly as zod\'s', () => {
  const text = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 }), fc.constantFrom('😀', '😀😀', 'a😀', '\ud83d', '\ude00x', 'abcd'));

  it('gteCheck, gtCheck, lteCheck, ltCheck: same issues with and without a message, on numbers and bigints, alone and in objects', () => {
    const build = (gte: typeof z.gte, gt: typeof z.gt, lte: typeof z.lte, lt: typeof z.lt): z.core.$ZodType =>
      z.strictObject({
        a: z.number().check(gte(0), lte(1)),
        b: z._default(z.number().check(gt(-2.5, 'above −2.5'), lt(10)), 3),
        c: z.optional(z.number().check(gte(0, 'Spend cannot be negative'))),
        d: z.optional(z.bigint().check(gt(5n), lte(10n))),
      });
    const mine = build(gteCheck as never, gtCheck as never, lteCheck as never, ltCheck as never);
    const theirs = build(z.gte, z.gt, z.lte, z.lt);
    const num = fc.oneof(fc.double(), fc.constantFrom(0, 1, -2.5, 10, -0, 0.5), valueArb);
    fc.assert(
      fc.property(fc.record({ a: num, b: num, c: num, d: fc.oneof(fc.bigInt({ min: 0n, max: 12n }), num) }, { requiredKeys: [] }), (input) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
      }),
      { numRuns: 500 },
    );
    expect(toJSONSchema(z.strictObject({ a: z.number().check(gteCheck(0), ltCheck(1)), b: z.number().check(gtCheck(0), lteCheck(1)) }))).toEqual(toJSONSchema(z.strictObject({ a: z.number().check(z.gte(0), z.lt(1)), b: z.number().check(z.gt(0), z.lte(1)) })));
  });

  it('minLengthCheck, maxLengthCheck: same issues on strings (code points), arrays, and values of the wrong type that have a length', () => {
    const build = (min: typeof z.minLength, max: typeof z.maxLength): z.core.$ZodType =>
      z.strictObject({
        s: z.string().check(min(1, 'Must not be empty'), max(3)),
        t: z.optional(z.string().check(min(2), max(4, 'at most four'), z.regex(/^[a-z😀]*$/))),
        l: z._default(z.array(z.string().check(max(2))).check(min(1), max(2)), ['x']),
        n: z.optional(z.number().check(min(1) as never)),
      });
    const mine = build(minLengthCheck as never, maxLengthCheck as never);
    const theirs = build(z.minLength, z.maxLength);
    fc.assert(
      fc.property(fc.record({ s: fc.oneof(text, fc.array(fc.integer(), { maxLength: 4 }), valueArb), t: fc.oneof(text, valueArb), l: fc.oneof(fc.array(fc.oneof(text, valueArb), { maxLength: 3 }), text, valueArb), n: fc.oneof(fc.integer(), text, valueArb) }, { requiredKeys: [] }), (input) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
      }),
      { numRuns: 500 },
    );
    expect(outcome(mine, { s: '😀😀😀' })).toMatch(/^ok /);
    expect(toJSONSchema(mine)).toEqual(toJSONSchema(theirs));
  });
});

describe('numberSchema and stringSchema parse and describe exactly as z.number and z.string', () => {
  it('same value and issues (NaN and ±Infinity named; later checks skipped, length checks still run on a value with a length), in objects, unions and records', () => {
    const build = (num: () => z.core.$ZodType, str: () => z.core.$ZodType): z.core.$ZodType =>
      z.strictObject({
        n: (num() as z.ZodMiniNumber).check(z.gte(0), z.refine(() => false, 'never')),
        s: (str() as z.ZodMiniString).check(z.minLength(2), z.regex(/^[a-z]*$/)),
        u: z.optional(z.union([num(), str(), z.null()])),
        r: z._default(z.record(str() as z.ZodMiniString, num()), {}),
      });
    const mine = build(numberSchema, stringSchema);
    const theirs = build(z.number, z.string);
    const atom = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 3, 'ab', 'A', ''), fc.array(fc.integer(), { maxLength: 3 }), fc.string({ maxLength: 4 }), valueArb);
    fc.assert(
      fc.property(fc.record({ n: atom, s: atom, u: atom, r: fc.oneof(fc.dictionary(fc.string({ maxLength: 2 }), atom, { maxKeys: 2 }), atom) }, { requiredKeys: [] }), atom, (input, alone) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
        expect(outcome(numberSchema(), alone)).toBe(outcome(z.number(), alone));
        expect(outcome(stringSchema(), alone)).toBe(outcome(z.string(), alone));
      }),
      { numRuns: 500 },
    );
    expect(outcome(numberSchema(), Number.NaN)).toContain('"received":"NaN"');
    expect(toJSONSchema(mine)).toEqual(toJSONSchema(theirs));
  });
});

describe('transformSchema parses and describes exactly as z.transform', () => {
  it('same value and issues as the second schema of a pipe (issues it pushes, checks after the pipe), in objects, defaulted and alone', () => {
    // As the package's timestamp and duration schemas do: a transform that can push its own issue.
    const toMs = (v: string | number, ctx: z.core.ParsePayload): number => {
      const ms = typeof v === 'number' ? v : Date.parse(v);
      if (Number.isNaN(ms)) ctx.issues.push({ code: 'custom', message: 'Not a time', input: v });
      return ms;
    };
    const build = (tx: <I, O>(fn: (v: I, ctx: z.core.ParsePayload) => O) => z.core.$ZodType): z.core.$ZodType =>
      z.strictObject({
        at: z.pipe(z.union([z.number(), z.string()]), tx(toMs) as never).check(z.refine((ms: unknown) => (ms as number) >= 0, 'not before 1970')),
        list: z._default(z.pipe(z.union([z.string(), z.array(z.string()).check(z.minLength(1))]), tx((v: string | string[]) => (Array.isArray(v) ? v : [v])) as never), ['x'] as never),
        // A bare transform as a property: its key is optional to the object, as zod's is (an absent key stays absent).
        bare: tx((v: unknown) => (v === undefined ? undefined : typeof v)) as never,
      });
    const mine = build((fn) => transformSchema(fn as never));
    const theirs = build((fn) => z.transform(fn as never));
    const atom = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('2026-01-01T00:00:00Z', '1960-01-01', 'nope', ''), fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }), valueArb);
    fc.assert(
      fc.property(fc.record({ at: atom, list: atom, bare: atom }, { requiredKeys: [] }), atom, (input, alone) => {
        expect(outcome(mine, input)).toBe(outcome(theirs, input));
        expect(outcome(z.pipe(z.number(), transformSchema((n: number) => n * 2)), alone)).toBe(outcome(z.pipe(z.number(), z.transform((n: number) => n * 2)), alone));
      }),
      { numRuns: 500 },
    );
    expect(toJSONSchema(mine)).toEqual(toJSONSchema(theirs));
    expect(z.toJSONSchema(mine, { io: 'output', unrepresentable: 'any' })).toEqual(z.toJSONSchema(theirs, { io: 'output', unrepresentable: 'any' }));
  });
});
