/**
 * zod/mini ships no messages ("Invalid input" for everything) unless a locale is configured, and importing the
 * classic `zod` configures English globally — which would hide a parse that forgot the package's English
 * context. So this file imports no classic zod, anywhere in its module graph.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ENGLISH } from './zod.js';
import { parseWith as publicParseWith } from './parse.js';
import { sourceFiles } from '../../scripts/pure-schemas.js';
import { isCrossChannelError } from './errors.js';
import { parseEventBatch } from '../segments/store.js';
import { parseDecideRequest } from '../decide/request.js';
import { parseCapRules } from '../capping/rules.js';
import { parseCatalogue } from '../arbitration/offers.js';
import { parseSegments } from '../segments/dsl.js';
import { parseIdentityRules } from '../identity/rules.js';

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("zod's issues are worded in English by every parser, with no zod locale configured", () => {
  it('type, size, format and unknown-key issues of configs, requests and event batches', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => parseEventBatch([{ subjectId: 5, type: 'x', at: 0 } as never]), /expected string, received number at \[0\]\.subjectId/],
      [() => parseCapRules({ rules: [{ id: 'r', kind: 'limit', limit: 'many', window: 'day' }] } as never), /expected number/],
      [() => parseDecideRequest({ identifiers: [], channel: 'web', now: 0 } as never), /Too small: expected array to have >=?1 items? at identifiers/],
      [() => parseCatalogue({ offers: [{ id: 'o', value: 1, colour: 'red' }] } as never), /Unrecognized key/],
      [() => parseSegments([{ id: 5, rule: { attr: 'a', op: 'exists' } }] as never), /expected string, received number/],
      [() => parseIdentityRules({ limits: { user_id: -1 } } as never), /Too small/],
    ];
    for (const [f, message] of cases) {
      const e = errorOf(f);
      expect(isCrossChannelError(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toMatch(/^Invalid input( at |$)/);
    }
  });
});

describe("the package's English error map is zod's English locale, word for word", () => {
  const LOCALE = { error: en().localeError };
  const messages = (schema: z.core.$ZodType, input: unknown, ctx: z.core.ParseContext<z.core.$ZodIssue>): string[] => {
    const r = z.safeParse(schema, input, ctx);
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };
  const str = z.string().check(z.minLength(2), z.maxLength(3), z.regex(/^[a-z]*$/), z.lowercase());
  const cases: Array<[z.core.$ZodType, unknown[]]> = [
    [z.string(), [5, null, undefined, [], {}, Number.NaN, Number.POSITIVE_INFINITY, 1n, true, new Date(0), Symbol('s'), () => 1]],
    [z.number(), ['1', Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null]],
    [z.int(), [1.5, 2 ** 60, '3', Number.NaN]],
    [z.number().check(z.gt(1), z.lt(0), z.gte(5), z.lte(-5)), [2, 0.5, 7]],
    [z.literal('a'), ['b', 1]],
    [z.literal(5), [6]],
    [z.enum(['a', 'b', 'c']), ['d', 1]],
    [str, ['', 'B', 'abcdef', 'q', 'ab', 'aXz']],
    [z.string().check(z.length(4)), ['abc', 'abcde']],
    [z.array(z.number()).check(z.minLength(1), z.maxLength(2)), [[], [1, 2, 3], ['x']]],
    [z.array(z.number()).check(z.length(2)), [[1]]],
    [z.strictObject({ a: z.optional(z.number()) }), [{ b: 1 }, { b: 1, c: 2 }, { a: 'x' }, 'x']],
    [z.record(z.string().check(z.minLength(3)), z.number()), [{ ab: 1 }, { abc: 'x' }]],
    [z.union([z.string(), z.number()]), [true, null]],
    [z.discriminatedUnion('k', [z.strictObject({ k: z.literal('a') }), z.strictObject({ k: z.literal('b'), n: z.number() })]), [{ k: 'x' }, { k: 'b' }, 5]],
    [z.string().check(z.refine(() => false)), ['x']],
    [z.tuple([z.string(), z.number()]), [['a'], ['a', 1, 2], 'x']],
    [z.date(), [new Date(Number.NaN), 'x']],
    [z.bigint().check(z.gt(5n)), [1n, 1]],
  ];

  it('for every issue the package can raise (type, value, sizes, regex, keys, unions, custom)', () => {
    let compared = 0;
    for (const [schema, inputs] of cases) {
      for (const input of inputs) {
        const expected = messages(schema, input, LOCALE);
        expect(messages(schema, input, ENGLISH), `${String(input)}`).toEqual(expected);
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(60);
    expect(messages(z.int(), 1.5, ENGLISH)).toEqual(['Invalid input: expected int, received number']);
    expect(messages(z.array(z.number()).check(z.minLength(1)), [], ENGLISH)).toEqual(['Too small: expected array to have >=1 items']);
  });

  it('no schema of the package uses a construct whose message the map leaves out (string formats, startsWith, multipleOf, sets, maps, files, xor)', () => {
    const formats = /\bz\.(email|url|httpUrl|hostname|emoji|uuid|uuidv4|uuidv6|uuidv7|guid|nanoid|cuid|cuid2|ulid|xid|ksuid|iso|ipv4|ipv6|mac|cidrv4|cidrv6|base64|base64url|e164|jwt|hash|hex|stringFormat|templateLiteral|json|startsWith|endsWith|includes|multipleOf|set|map|file|minSize|maxSize|size|xor)\s*\(/;
    const used = sourceFiles().filter((f) => formats.test(readFileSync(f, 'utf8')));
    expect(used).toEqual([]);
  });

  it('the public parseWith, which takes any schema, keeps the complete locale (format names included)', () => {
    const e = errorOf(() => publicParseWith(z.email(), 'not-an-email', 'INPUT_INVALID'));
    expect(isCrossChannelError(e, 'INPUT_INVALID')).toBe(true);
    expect((e as Error).message).toBe('Invalid email address');
    expect(messages(z.email(), 'x', ENGLISH)).toEqual(['Invalid email']);
  });
});
