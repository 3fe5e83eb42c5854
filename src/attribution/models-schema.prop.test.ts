import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { modelSpecSchema, type PositionWeight } from './index.js';
import { durationSchema } from '../core/schema.js';
import { ENGLISH } from '../core/zod.js';

const DAY = 86_400_000;
const name = z.optional(z.string().check(z.minLength(1), z.maxLength(64)));
// modelSpecSchema as it was written with z.refine and z.custom (the oracle for refineCheck and customSchema).
const oracle = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('last_touch'), name }),
  z.strictObject({ model: z.literal('last_non_direct'), name, directChannels: z._default(z.array(z.string().check(z.minLength(1))).check(z.maxLength(256)), ['direct']) }),
  z.strictObject({ model: z.literal('first_touch'), name }),
  z.strictObject({ model: z.literal('linear'), name }),
  z.strictObject({ model: z.literal('time_decay'), name, halfLife: z._default(durationSchema, 7 * DAY) }).check(z.refine((m) => m.halfLife > 0, { message: 'halfLife must be positive', path: ['halfLife'] })),
  z.strictObject({ model: z.literal('position_based'), name, first: z._default(z.number().check(z.gte(0), z.lte(1)), 0.4), last: z._default(z.number().check(z.gte(0), z.lte(1)), 0.4) }).check(z.refine((m) => m.first + m.last <= 1 + 1e-12, { message: 'first + last must not exceed 1', path: ['last'] })),
  z.strictObject({ model: z.literal('custom'), name: z.string().check(z.minLength(1), z.maxLength(64)), weight: z.custom<PositionWeight>((v) => typeof v === 'function', 'weight must be a function') }),
  z.strictObject({ model: z.literal('markov'), name, order: z._default(z.int().check(z.gte(1), z.lte(4)), 1), valueCredit: z._default(z.enum(['valueRemoval', 'conversionShare']), 'valueRemoval') }),
  z.strictObject({ model: z.literal('shapley'), name, maxExactChannels: z._default(z.int().check(z.gte(1), z.lte(22)), 20), samples: z._default(z.int().check(z.gte(10), z.lte(10_000_000)), 2000), seed: z._default(z.union([z.int(), z.string()]), 1) }),
]);

const shown = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'function' ? 'fn' : typeof x === 'symbol' || typeof x === 'bigint' ? String(x) : x));
const outcome = (schema: z.core.$ZodType, input: unknown): string => {
  const r = z.safeParse(schema, input, ENGLISH);
  return r.success ? `ok ${shown(r.data)}` : `error ${shown(r.error.issues)}`;
};

describe('modelSpecSchema', () => {
  it('parses, and refuses with the same issues, exactly as written with z.refine and z.custom', () => {
    const specArb = fc.record(
      {
        model: fc.constantFrom('time_decay', 'position_based', 'custom', 'linear', 'markov', 'nope'),
        name: fc.oneof(fc.string({ maxLength: 3 }), fc.integer()),
        halfLife: fc.oneof(fc.constantFrom(0, -1, '0d', '1d', 1, 'PT0S'), fc.anything()),
        first: fc.oneof(fc.double({ min: -0.5, max: 1.5 }), fc.constant(0.6), fc.string()),
        last: fc.oneof(fc.double({ min: -0.5, max: 1.5 }), fc.constant(0.6)),
        weight: fc.oneof(fc.constant(() => 1), fc.anything()),
        order: fc.integer({ min: 0, max: 5 }),
      },
      { requiredKeys: ['model'] },
    );
    fc.assert(
      fc.property(specArb, (spec) => {
        const { halfLife, first, last, weight, ...rest } = spec as Record<string, unknown>;
        const only = { time_decay: { halfLife }, position_based: { first, last }, custom: { weight } }[spec.model as 'custom'] ?? {};
        for (const input of [spec, { ...rest, ...only }]) expect(outcome(modelSpecSchema, input)).toBe(outcome(oracle, input));
      }),
      { numRuns: 500 },
    );
  });
});
