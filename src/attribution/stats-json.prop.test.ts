import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as z from 'zod/mini';
import { collectStatistics, createStatistics } from './index.js';
import { statisticsJSONSchema } from './stats.js';
import { ENGLISH } from '../core/zod.js';
import { isCrossChannelError } from '../core/errors.js';
import { journeysArb } from '../../test/arbitraries/attribution.js';

// The shape as it was written with zod's own tuple and record (the oracle): the hand-checked tuples and records
// of statisticsJSONSchema must accept, return and refuse exactly as these do, with the same issues.
const count = z.number();
const channelList = z.array(z.string().check(z.minLength(1)));
const oracle = z.object({
  version: z.literal(1),
  models: z.array(z.record(z.string(), z.unknown())),
  channels: channelList,
  totals: z.object({ journeys: count, convertingJourneys: count, conversions: count, value: count, unattributedConversions: count, unattributedValue: count }),
  rules: z.array(z.object({ name: z.string(), conversions: z.array(count), value: z.array(count) })),
  markov: z.array(z.object({ order: z.int().check(z.gte(1), z.lte(4)), transitions: z.array(z.tuple([channelList, z.union([channelList, z.literal('conversion'), z.literal('null')]), count, count])) })),
  channelSets: z.nullable(z.array(z.tuple([channelList, count, count, count]))),
});

const config = { models: ['linear', 'markov', { model: 'markov', name: 'markov_2', order: 2 }, 'shapley'] } as const;
const sym = Symbol('k');
const shown = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'symbol' || typeof x === 'bigint' ? String(x) : x));
function outcome(schema: z.core.$ZodType, input: unknown): string {
  const r = z.safeParse(schema, input, ENGLISH);
  return r.success ? `ok ${shown(r.data)}` : `error ${shown(r.error.issues)}`;
}

/** Every path into a JSON value. */
function paths(v: unknown, p: Array<string | number> = []): Array<Array<string | number>> {
  const out = [p];
  if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) out.push(...paths(c, [...p, Array.isArray(v) ? Number(k) : k]));
  return out;
}

const junkArb = fc.oneof(
  fc.anything(),
  fc.constantFrom(null, undefined, '', 'conversion', 'null', 'x', 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, new Date(0), new Map(), [], {}),
  fc.tuple(fc.array(fc.oneof(fc.string(), fc.integer())), fc.oneof(fc.constantFrom('conversion', 'null', 'other'), fc.array(fc.string())), fc.oneof(fc.double(), fc.string()), fc.oneof(fc.double(), fc.string())),
  fc.array(fc.oneof(fc.array(fc.string()), fc.constantFrom('conversion', 'null'), fc.double()), { maxLength: 6 }),
  fc.constant({ [sym]: 1, model: 'linear' }),
  fc.constant(JSON.parse('{"__proto__": {"x": 1}, "model": "linear"}') as unknown),
  fc.constant(Object.assign(Object.create(null) as object, { model: 'linear' })),
);

describe('statistics JSON validation', () => {
  it('accepts, returns and refuses exactly as the zod tuple/record shape, issue for issue', () => {
    fc.assert(
      fc.property(journeysArb({ maxJourneys: 6 }), fc.nat(), fc.array(junkArb, { minLength: 1, maxLength: 3 }), (journeys, pick, junk) => {
        const json = JSON.parse(JSON.stringify(collectStatistics(journeys, config).toJSON())) as Record<string, unknown>;
        expect(outcome(statisticsJSONSchema, json)).toBe(outcome(oracle, json));
        // Junk goes only into the statistics' own objects (never into an earlier junk value, which may be shared).
        const all = paths(json).filter((p) => p.length > 0);
        const own = new WeakSet<object>();
        const collect = (v: unknown): void => {
          if (v !== null && typeof v === 'object') (own.add(v), Object.values(v).forEach(collect));
        };
        collect(json);
        for (const value of junk) {
          const at = all[(pick + all.length) % all.length]!;
          pick = pick * 31 + 7;
          let parent = json as Record<string | number, unknown>;
          for (const k of at.slice(0, -1)) parent = parent?.[k] as Record<string | number, unknown>;
          if (parent !== null && typeof parent === 'object' && own.has(parent)) parent[at.at(-1)!] = value;
        }
        expect(outcome(statisticsJSONSchema, json)).toBe(outcome(oracle, json));
      }),
      { numRuns: 400 },
    );
  });

  it('reads records as zod does: own enumerable string keys but __proto__; symbol keys refused', () => {
    const json = JSON.parse(JSON.stringify(createStatistics(config).toJSON())) as Record<string, unknown>;
    const hidden = Object.defineProperty({ model: 'linear' }, 'secret', { value: 1, enumerable: false });
    const specials = [JSON.parse('{"__proto__": {"x": 1}, "model": "linear"}'), hidden, { [sym]: 1 }, Object.create(null), new Date(0), new (class Model {})(), Object.create({ inherited: 1 })];
    for (const m of specials) {
      const input = { ...json, models: [m] };
      expect(outcome(statisticsJSONSchema, input)).toBe(outcome(oracle, input));
    }
    expect(outcome(statisticsJSONSchema, { ...json, models: [specials[0], hidden] })).toContain('"models":[{"model":"linear"},{"model":"linear"}]');
    const parsed = z.parse(statisticsJSONSchema, { ...json, models: [specials[0]] });
    expect(Object.getPrototypeOf(parsed.models[0])).toBe(Object.prototype); // the key is skipped, not assigned
  });

  it('words tuple and record issues as zod does, at the bad field', () => {
    const good = createStatistics(config).toJSON();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ channelSets: [[['a'], 1, 1]] }, 'channelSets[0]', 'Too small: expected array to have >=4 items'],
      [{ channelSets: [[['a'], 1, 1, 1, 1]] }, 'channelSets[0]', 'Too big: expected array to have <=4 items'],
      [{ channelSets: ['a'] }, 'channelSets[0]', 'Invalid input: expected tuple, received string'],
      [{ channelSets: [[[''], 1, 1, 1]] }, 'channelSets[0][0][0]', 'Too small: expected string to have >=1 characters'],
      [{ markov: [{ order: 1, transitions: [[['a'], 'nowhere', 1, 0]] }] }, 'markov[0].transitions[0][1]', 'Invalid input'],
      [{ markov: [{ order: 1, transitions: [[['a'], 'null', 1, 'x']] }] }, 'markov[0].transitions[0][3]', 'Invalid input: expected number, received string'],
      [{ models: [[]] }, 'models[0]', 'Invalid input: expected record, received array'],
      [{ models: [{ [sym]: 1 }] }, 'models[0]["Symbol(k)"]', 'Invalid key in record'],
    ];
    for (const [patch, path, message] of cases) {
      try {
        createStatistics(config).merge({ ...good, ...patch } as never);
        expect.unreachable(path);
      } catch (e) {
        expect(isCrossChannelError(e, 'INPUT_INVALID'), String(e)).toBe(true);
        expect(e).toMatchObject({ path, message: `${message} at ${path}` });
      }
    }
  });
});
