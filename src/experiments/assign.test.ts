import { GrowthBook } from '@growthbook/growthbook';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { assign, experimentBucket, isHeldOut } from './assign.js';
import { HOLDOUT_VARIANT_ID, parseExperiment, parseHoldout, type ExperimentInput } from './config.js';
import { bucketHash, fnv1a32 } from './hash.js';

const NOW = Date.parse('2026-05-01T09:00:00Z');

// GrowthBook's published reference: fnv over the string, then its `hash` (written as a test oracle, not used by the code).
function refFnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h += (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24);
  }
  return h >>> 0;
}

function gbRun(exp: ExperimentInput & { weights?: number[] }, id: string): { inExperiment: boolean; variationId: number; bucket: number | undefined } {
  const gb = new GrowthBook({ attributes: { id } });
  const r = gb.run({
    key: exp.id,
    variations: exp.variants.map((_, i) => i) as [number, number, ...number[]],
    ...(exp.variants[0]!.weight !== undefined ? { weights: exp.variants.map((v) => v.weight!) } : {}),
    ...(exp.coverage !== undefined ? { coverage: exp.coverage } : {}),
    ...(exp.seed !== undefined ? { seed: exp.seed } : {}),
    hashVersion: exp.hashVersion ?? 2,
    ...(exp.namespace ? { namespace: [exp.namespace.id, exp.namespace.range[0], exp.namespace.range[1]] as [string, number, number] } : {}),
  });
  gb.destroy();
  return { inExperiment: r.inExperiment, variationId: r.variationId, bucket: r.bucket };
}

const idArb = fc.oneof(fc.string({ maxLength: 40 }), fc.uuid(), fc.nat().map((n) => `user-${n}`), fc.string({ unit: 'binary', maxLength: 12 }));
const weightsArb = fc.integer({ min: 2, max: 5 }).chain((n) =>
  fc.array(fc.integer({ min: 1, max: 100 }), { minLength: n, maxLength: n }).map((raw) => {
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((r) => r / total);
  }),
);
const experimentArb: fc.Arbitrary<ExperimentInput> = fc.record({
  id: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  weights: fc.option(weightsArb, { nil: undefined }),
  n: fc.integer({ min: 2, max: 4 }),
  coverage: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  seed: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
  hashVersion: fc.constantFrom(1 as const, 2 as const),
  namespace: fc.option(
    fc.record({ id: fc.stringMatching(/^[a-z]{1,8}$/), a: fc.double({ min: 0, max: 1, noNaN: true }), b: fc.double({ min: 0, max: 1, noNaN: true }) }).filter((r) => r.a !== r.b),
    { nil: undefined },
  ),
}).map((r) => {
  const variants = (r.weights ?? new Array<number | undefined>(r.n).fill(undefined)).map((w, i) => (w === undefined ? { id: `v${i}` } : { id: `v${i}`, weight: w }));
  const e: ExperimentInput = { id: r.id, variants, hashVersion: r.hashVersion };
  if (r.coverage !== undefined) e.coverage = r.coverage;
  if (r.seed !== undefined) e.seed = r.seed;
  if (r.namespace) e.namespace = { id: r.namespace.id, range: [Math.min(r.namespace.a, r.namespace.b), Math.max(r.namespace.a, r.namespace.b)] };
  return e;
});

describe('GrowthBook-compatible hashing', () => {
  it('FNV-1a matches the reference loop on arbitrary strings (incl. lone surrogates)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (s) => fnv1a32(s) === refFnv(s)), { numRuns: 2000 });
  });

  it('hash v1 and v2 match GrowthBook`s formulas', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 30 }), (seed, value) => {
        expect(bucketHash(seed, value, 1)).toBe((refFnv(value + seed) % 1000) / 1000);
        expect(bucketHash(seed, value, 2)).toBe((refFnv(refFnv(seed + value) + '') % 10000) / 10000);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same variant as the GrowthBook SDK on thousands of random ids and experiments', () => {
    let compared = 0;
    fc.assert(
      fc.property(experimentArb, fc.array(idArb, { minLength: 20, maxLength: 60 }), (input, ids) => {
        const exp = parseExperiment(input);
        for (const id of ids) {
          const ours = assign(exp, id, { now: NOW });
          const theirs = gbRun(input, id);
          expect({ id, in: ours.inExperiment, v: ours.variantIndex }).toEqual({ id, in: theirs.inExperiment, v: theirs.inExperiment ? theirs.variationId : -1 });
          if (theirs.bucket !== undefined && id !== '') expect(experimentBucket(exp, id)).toBe(theirs.bucket);
          compared++;
        }
      }),
      { numRuns: 200 },
    );
    expect(compared).toBeGreaterThan(5000);
  });
});

describe('assign', () => {
  const base = parseExperiment({ id: 'subject-line', variants: [{ id: 'control' }, { id: 'emoji' }] });

  it('is deterministic and splits about evenly', () => {
    let emoji = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = assign(base, `p${i}`, { now: NOW });
      expect(assign(base, `p${i}`, { now: NOW + 1e9 })).toBe(a);
      if (a.variantId === 'emoji') emoji++;
    }
    expect(emoji / 20_000).toBeGreaterThan(0.48);
    expect(emoji / 20_000).toBeLessThan(0.52);
  });

  it('respects start/stop, active and an empty unit, with reasons', () => {
    const e = parseExperiment({ id: 'e', variants: [{ id: 'a' }, { id: 'b' }], start: NOW, stop: NOW + 1000 });
    expect(assign(e, 'p', { now: NOW - 1 }).reason.code).toBe('EXPERIMENT_NOT_STARTED');
    expect(assign(e, 'p', { now: NOW }).reason.code).toBe('EXPERIMENT_ASSIGNED');
    expect(assign(e, 'p', { now: NOW + 1000 }).reason.code).toBe('EXPERIMENT_STOPPED');
    expect(assign(e, '', { now: NOW }).reason.code).toBe('EXPERIMENT_NO_UNIT');
    expect(assign(parseExperiment({ id: 'e', variants: [{ id: 'a' }, { id: 'b' }], active: false }), 'p', { now: NOW }).reason.code).toBe('EXPERIMENT_INACTIVE');
  });

  it('targets by segments and by a predicate', () => {
    const e = parseExperiment({ id: 'e', variants: [{ id: 'a' }, { id: 'b' }], targeting: { all: ['buyers'], none: ['staff'] } }, { predicate: (_id, ctx) => ctx.attributes?.country === 'FR' });
    const attributes = { country: 'FR' };
    expect(assign(e, 'p', { now: NOW, segments: new Set(['buyers']), attributes }).inExperiment).toBe(true);
    expect(assign(e, 'p', { now: NOW, segments: ['buyers'], attributes }).inExperiment).toBe(true);
    expect(assign(e, 'p', { now: NOW, segments: ['buyers', 'staff'], attributes }).reason.code).toBe('EXPERIMENT_NOT_TARGETED');
    expect(assign(e, 'p', { now: NOW, attributes }).reason.code).toBe('EXPERIMENT_NOT_TARGETED');
    expect(assign(e, 'p', { now: NOW, segments: ['buyers'], attributes: { country: 'DE' } }).reason.code).toBe('EXPERIMENT_NOT_TARGETED');
  });

  it('keeps an experiment holdout out before hashing variants, so the others keep their GrowthBook variant', () => {
    const e = parseExperiment({ id: 'e', variants: [{ id: 'a' }, { id: 'b' }], holdout: { share: 0.1 } });
    let held = 0;
    for (let i = 0; i < 10_000; i++) {
      const a = assign(e, `p${i}`, { now: NOW });
      if (a.variantId === HOLDOUT_VARIANT_ID) {
        held++;
        expect(a.held && a.inExperiment).toBe(true);
      } else expect(a.variantIndex).toBe(assign(base.id === 'x' ? base : parseExperiment({ id: 'e', variants: [{ id: 'a' }, { id: 'b' }] }), `p${i}`, { now: NOW }).variantIndex);
    }
    expect(held / 10_000).toBeGreaterThan(0.08);
    expect(held / 10_000).toBeLessThan(0.12);
  });

  it('a global holdout keeps about its share out of every experiment', () => {
    const holdout = parseHoldout({ id: 'global', share: 0.05 });
    let held = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = assign(base, `p${i}`, { now: NOW, holdout });
      expect(a.reason.code === 'EXPERIMENT_GLOBAL_HOLDOUT').toBe(isHeldOut(holdout, `p${i}`, NOW));
      if (a.held) held++;
    }
    expect(held / 20_000).toBeGreaterThan(0.04);
    expect(held / 20_000).toBeLessThan(0.06);
  });

  it('rejects bad definitions with typed errors and paths', () => {
    const cases: Array<[unknown, string, string | undefined]> = [
      [{ id: 'e', variants: [{ id: 'a', weight: 0.5 }, { id: 'b', weight: 0.3 }] }, 'EXPERIMENT_WEIGHTS_INVALID', 'variants'],
      [{ id: 'e', variants: [{ id: 'a', weight: 0.5 }, { id: 'b' }] }, 'EXPERIMENT_WEIGHTS_INVALID', 'variants'],
      [{ id: 'e', variants: [{ id: 'a' }] }, 'CONFIG_INVALID', 'variants'],
      [{ id: 'e', variants: [{ id: 'a' }, { id: 'a' }] }, 'CONFIG_INVALID', 'variants[1].id'],
      [{ id: 'e', variants: [{ id: 'a' }, { id: 'b' }], coverage: Number.NaN }, 'CONFIG_INVALID', 'coverage'],
      [{ id: 'e', variants: [{ id: 'a' }, { id: 'b' }], namespace: { id: 'n', range: [0.5, 0.2] } }, 'CONFIG_INVALID', 'namespace.range'],
      [null, 'CONFIG_INVALID', undefined],
    ];
    for (const [input, code, path] of cases) {
      const err = (() => {
        try {
          parseExperiment(input as ExperimentInput);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isCrossChannelError(err, code), JSON.stringify(input)).toBe(true);
      expect((err as { path?: string }).path).toBe(path);
    }
  });

  it('gives CrossChannelError, never a TypeError, for wrong shapes from plain JS', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (x, y, z) => {
        for (const f of [() => assign(x as never, y as never, z as never), () => assign(base, y as never, z as never), () => isHeldOut(x as never, y as never, z as never)]) {
          try {
            f();
          } catch (e) {
            expect(isCrossChannelError(e)).toBe(true);
          }
        }
      }),
    );
  });
});

describe('FNV over decimal digits without a string', () => {
  it('equals fnv1a32(String(n)) on edges and random 32-bit values', async () => {
    const { fnvOfDecimal } = await import('./hash.js');
    for (const n of [0, 1, 9, 10, 99, 100, 9999, 10000, 99999, 100000, 100001, 999999, 1000000, 1234567890, 4294967295]) expect(fnvOfDecimal(n)).toBe(refFnv(String(n)));
    fc.assert(fc.property(fc.nat({ max: 4294967295 }), (n) => fnvOfDecimal(n) === refFnv(String(n))), { numRuns: 5000 });
  });
});
