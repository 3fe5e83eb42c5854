import { describe, expect, it } from 'vitest';
import {
  AttributionStatistics,
  attribute,
  collectStatistics,
  compareModels,
  computeAttribution,
  createStatistics,
  parseAttributionConfig,
  safeParseAttributionConfig,
  solveMarkov,
  statisticsFromPaths,
  type AttributionResult,
  type Journey,
} from './index.js';
import { isCrossChannelError } from '../core/errors.js';
import { createRng } from '../core/random.js';

const DAY = 86_400_000;
const journey = (channels: string[], converted: boolean, value = 1, days?: number[], conversionDay?: number): Journey => {
  const times = (days ?? channels.map((_, i) => i)).map((d) => d * DAY);
  return { subjectId: 'p', channels, times, converted, value: converted ? value : 0, ...(converted ? { conversionAt: (conversionDay ?? (days ? days[days.length - 1]! : channels.length - 1)) * DAY } : {}) };
};

/** The worked example of docs/attribution.md. */
const FIVE: Journey[] = [
  journey(['display', 'search', 'email'], true, 120, [0, 7, 14], 14),
  journey(['search', 'email'], true, 60, [0, 7], 7),
  journey(['display'], false),
  journey(['email'], true, 20, [0], 0),
  journey(['display', 'search'], false),
];
const by = (r: AttributionResult): Record<string, [number, number]> => Object.fromEntries(r.channels.map((c) => [c.channel, [c.conversions, c.value]]));
function expectCredits(r: AttributionResult, expected: Record<string, [number, number]>): void {
  const got = by(r);
  for (const [ch, [conv, val]] of Object.entries(expected)) {
    expect(got[ch]![0], `${r.model} ${ch}`).toBeCloseTo(conv, 10);
    expect(got[ch]![1], `${r.model} ${ch} value`).toBeCloseTo(val, 8);
  }
}

describe('the five-journey worked example (docs/attribution.md), by hand', () => {
  const c = compareModels(FIVE);
  const model = (name: string): AttributionResult => c.models.find((m) => m.model === name)!;
  it('totals', () => {
    expect(c.channels).toEqual(['display', 'email', 'search']);
    expect(c.totals).toEqual({ journeys: 5, conversions: 3, value: 200 });
    expect(c.models.map((m) => m.model)).toEqual(['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based', 'markov', 'shapley']);
  });
  it('rule-based models', () => {
    expectCredits(model('last_touch'), { display: [0, 0], search: [0, 0], email: [3, 200] });
    expectCredits(model('first_touch'), { display: [1, 120], search: [1, 60], email: [1, 20] });
    expectCredits(model('linear'), { display: [1 / 3, 40], search: [5 / 6, 70], email: [11 / 6, 90] });
    expectCredits(model('position_based'), { display: [0.4, 48], search: [0.7, 54], email: [1.9, 98] });
    expectCredits(model('time_decay'), { display: [1 / 7, 120 / 7], search: [2 / 7 + 1 / 3, 240 / 7 + 20], email: [4 / 7 + 2 / 3 + 1, 480 / 7 + 40 + 20] });
  });
  it('Markov order 1: removal effects 4/9, 2/3, 1', () => {
    const m = model('markov');
    expect(m.markov!.conversionProbability).toBeCloseTo(0.6, 12);
    expect(m.markov!.expectedValue).toBeCloseTo(40, 10);
    expect(m.markov!.removalEffects.display).toBeCloseTo(4 / 9, 12);
    expect(m.markov!.removalEffects.search).toBeCloseTo(2 / 3, 12);
    expect(m.markov!.removalEffects.email).toBeCloseTo(1, 12);
    expectCredits(m, { display: [12 / 19, 800 / 19], search: [18 / 19, 1200 / 19], email: [27 / 19, 1800 / 19] });
  });
  it('Shapley: v({d,s,e}) = 3, φ = 1/3, 5/6, 11/6', () => {
    expectCredits(model('shapley'), { display: [1 / 3, 40], search: [5 / 6, 70], email: [11 / 6, 90] });
    expect(model('shapley').shapley).toEqual({ method: 'exact', players: 3 });
  });
});

describe('published examples', () => {
  it('Markov: the classic three paths C1 > C2 > C3 (converts), C1, C2 > C3 give P = 1/3, removal effects 1/2, 1, 1, credits 0.2, 0.4, 0.4', () => {
    // S. Bryl, analyzecore.com 2016-08-03 (the tutorial the npm package markovattribution tests against: value 1000 →
    // 200, 400, 400); order 2 gives the same here (no state repeats a context).
    for (const order of [1, 2]) {
      const m = attribute([journey(['C1', 'C2', 'C3'], true, 1000), journey(['C1'], false), journey(['C2', 'C3'], false)], { model: 'markov', order });
      expect(m.markov!.conversionProbability).toBeCloseTo(1 / 3, 12);
      expect(m.markov!.removalEffects).toEqual({ C1: expect.closeTo(0.5, 12), C2: expect.closeTo(1, 12), C3: expect.closeTo(1, 12) });
      expectCredits(m, { C1: [0.2, 200], C2: [0.4, 400], C3: [0.4, 400] });
    }
  });
  it('Markov: the ChannelAttribution vignette (A > B > A > B > B > A, A > B > B > A > A, A > A, all converting) gives A 2, B 1', () => {
    // Altomare & Loris, the package's vignette: P = 1, removal effects A 1, B 0.5 (x_A = 0.25 x_A + 0.375 without B);
    // pychattr's simulation of it reads 1.99 / 1.01. Linear (heuristic_models) gives A 2.1, B 0.9.
    const rows = [{ path: 'A > B > A > B > B > A', conversions: 1 }, { path: 'A > B > B > A > A', conversions: 1 }, { path: 'A > A', conversions: 1 }];
    const c = computeAttribution(statisticsFromPaths(rows, { models: ['markov', 'linear'] }));
    expect(c.models[0]!.markov!.removalEffects).toEqual({ A: expect.closeTo(1, 12), B: expect.closeTo(0.5, 12) });
    expectCredits(c.models[0]!, { A: [2, 2], B: [1, 1] });
    expectCredits(c.models[1]!, { A: [2.1, 2.1], B: [0.9, 0.9] });
  });
  it('Shapley: the Facebook / Organic / LinkedIn example of "Data-driven marketing attribution" (Towards Data Science) gives 45.5, 20.5, 34', () => {
    // 100 converting journeys by channel set: F 20, O 10, L 17, F+O 17, F+L 30, O+L 0, F+O+L 6 (Zhao et al.'s v(S) = Σ_{T ⊆ S} w(T)).
    const rows = ([['F', 20], ['O', 10], ['L', 17], ['F > O', 17], ['F > L', 30], ['F > O > L', 6]] as const).map(([path, conversions]) => ({ path, conversions }));
    expectCredits(computeAttribution(statisticsFromPaths(rows, { models: ['shapley'] })).models[0]!, { F: [45.5, 45.5], O: [20.5, 20.5], L: [34, 34] });
  });
});

describe('model parameters', () => {
  it('last non-direct skips direct unless only direct touched', () => {
    const js = [journey(['search', 'direct'], true, 10), journey(['direct', 'direct'], true, 5)];
    expectCredits(attribute(js, 'last_non_direct'), { search: [1, 10], direct: [1, 5] });
    expectCredits(attribute(js, { model: 'last_non_direct', directChannels: [] }), { search: [0, 0], direct: [2, 15] });
  });
  it('position-based: 100% for one touch, 50/50 for two, 40/20/40 otherwise, configurable', () => {
    const js = [journey(['a'], true), journey(['a', 'b'], true), journey(['a', 'b', 'c', 'd'], true)];
    expectCredits(attribute(js, 'position_based'), { a: [1 + 0.5 + 0.4, 1.9], b: [0.5 + 0.1, 0.6], c: [0.1, 0.1], d: [0.4, 0.4] });
    expectCredits(attribute(js, { model: 'position_based', first: 0.3, last: 0.6 }), { a: [1 + 1 / 3 + 0.3, 1 + 1 / 3 + 0.3], b: [2 / 3 + 0.05, 2 / 3 + 0.05], d: [0.6, 0.6] });
  });
  it('time decay halves the weight every half-life before the conversion', () => {
    const r = attribute([journey(['a', 'b'], true, 1, [0, 3], 3)], { model: 'time_decay', halfLife: '3d' });
    expectCredits(r, { a: [1 / 3, 1 / 3], b: [2 / 3, 2 / 3] });
    // Journeys years old do not underflow.
    const old = attribute([{ subjectId: 'p', channels: ['a', 'b'], times: [0, 1], converted: true, conversionAt: 5e12, value: 1 }], 'time_decay');
    expect(old.channels.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(1, 12);
  });
  it('custom weights per position, validated', () => {
    const r = attribute([journey(['a', 'b', 'c'], true, 6)], { model: 'custom', name: 'u_shape', weight: (i, n) => (i === 0 || i === n - 1 ? 2 : 1) });
    expect(r.model).toBe('u_shape');
    expectCredits(r, { a: [0.4, 2.4], b: [0.2, 1.2], c: [0.4, 2.4] });
    try {
      attribute([journey(['a'], true)], { model: 'custom', name: 'bad', weight: () => -1 });
      expect.unreachable();
    } catch (e) {
      expect(isCrossChannelError(e, 'ATTRIBUTION_WEIGHT_INVALID')).toBe(true);
    }
    expect(() => attribute([journey(['a'], true)], { model: 'custom', name: 'zero', weight: () => 0 })).toThrow(/zero total weight/);
  });
  it('Markov states are the last `order` channels, also past the parser\'s orders (a hand-built configuration of order 6)', () => {
    const journey = { subjectId: 'p', channels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], times: [1, 2, 3, 4, 5, 6, 7, 8], converted: true, conversionAt: 9, value: 1 };
    const names = (st: AttributionStatistics): string[] => st.markov[0]!.states.map((x) => x.map((c) => st.channels[c]).join(''));
    const four = createStatistics({ models: [{ model: 'markov', order: 4 }] }).add(journey);
    expect(names(four)).toEqual(['', 'a', 'ab', 'abc', 'abcd', 'bcde', 'cdef', 'defg', 'efgh']);
    const parsed = parseAttributionConfig({ models: [{ model: 'markov', order: 4 }] });
    const six = new AttributionStatistics({ ...parsed, models: [{ ...parsed.models[0]!, order: 6 }] } as never).add(journey);
    expect(names(six)).toEqual(['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'bcdefg', 'cdefgh']);
    // 50 channels: codes of six of them reach 50 · 64⁵ ≈ 5e10, past 32-bit integers.
    const channels = Array.from({ length: 50 }, (_, i) => String.fromCharCode(65 + i));
    const long = new AttributionStatistics({ ...parsed, models: [{ ...parsed.models[0]!, order: 6 }] } as never);
    long.add({ subjectId: 'q', channels, times: channels.map((_, i) => i), converted: false, value: 0 });
    expect(names(long)).toEqual(['', ...channels.map((_, i) => channels.slice(Math.max(0, i - 5), i + 1).join(''))]);
    // The same six channels reached after four different first channels are one state.
    for (const lead of ['Q', 'R', 'S', 'T']) long.add({ subjectId: 'q', channels: [lead, 'x', 'n', 'o', 'p', 'q', 'r'], times: [0, 1, 2, 3, 4, 5, 6], converted: true, conversionAt: 7, value: 1 });
    expect(names(long).filter((x) => x === 'xnopqr')).toEqual(['xnopqr']);
  });

  it('Markov order 2 distinguishes paths order 1 cannot', () => {
    // a→b converts, c→b does not: order 1 sees one "b"; order 2 sees (a,b) and (c,b).
    const js = [...Array(4)].flatMap(() => [journey(['a', 'b'], true), journey(['c', 'b'], false)]);
    const o1 = attribute(js, 'markov');
    const o2 = attribute(js, { model: 'markov', order: 2 });
    expect(o1.markov!.removalEffects.c).toBeGreaterThan(0);
    expect(o2.markov!.removalEffects.c).toBe(0);
    expect(o2.channels.find((x) => x.channel === 'c')!.conversions).toBe(0);
    expect(o2.markov!.order).toBe(2);
  });
  it('Markov value removal effects follow where the value converts', () => {
    const js = [journey(['a'], true, 100), journey(['b'], true, 1)];
    const r = attribute(js, 'markov');
    expectCredits(r, { a: [1, 100], b: [1, 1] });
  });
  it('the iterative solver agrees with dense elimination on a large order-3 chain', () => {
    const rng = createRng(11);
    const channels = 'abcdefghij'.split('');
    const js: Journey[] = [];
    for (let i = 0; i < 3000; i++) {
      const n = 1 + rng.int(6);
      js.push(journey(Array.from({ length: n }, () => channels[rng.int(10)]!), rng.next() < 0.2, 1 + rng.int(50)));
    }
    const stats = collectStatistics(js, { models: [{ model: 'markov', order: 3 }] });
    const mc = stats.markov[0]!;
    expect(mc.states.length).toBeGreaterThan(400);
    const iterative = solveMarkov(mc, stats.channels.length);
    const dense = solveMarkov(mc, stats.channels.length, { denseLimit: 100_000 });
    expect(iterative.conversionProbability).toBeCloseTo(dense.conversionProbability, 12);
    for (let c = 0; c < stats.channels.length; c++) {
      expect(iterative.removalEffects[c]).toBeCloseTo(dense.removalEffects[c]!, 10);
      expect(iterative.valueRemovalEffects[c]).toBeCloseTo(dense.valueRemovalEffects[c]!, 10);
    }
  });
  it('the iterative solver settles every state, not just the largest (a big order value or a sure state stopped it early)', () => {
    // A slow email ⇄ web loop beside a state that always converts with a large value (2026-12-08): the sweeps
    // stopped once changes were 1e-15 of the largest x or y, so at value 1e9 the loop's probabilities were
    // off by 5e-4 relative and every removal effect with them; with many conversions on `display`, by 5e-7.
    const loop = Array.from({ length: 2000 }, (_, i) => (i % 2 ? 'web' : 'email'));
    for (const [loopNulls, displayConversions, displayValue] of [[0, 1, 1e9], [1e6, 1, 1]] as const) {
      const stats = statisticsFromPaths(
        [
          { path: ['search', ...loop], conversions: 1, value: 1, nulls: loopNulls },
          { path: ['search'], nulls: 3 },
          { path: ['email', 'web'], nulls: 5 },
          { path: ['display'], conversions: displayConversions, value: displayValue },
        ],
        { models: ['markov'] },
      );
      const mc = stats.markov[0]!;
      const iterative = solveMarkov(mc, stats.channels.length, { denseLimit: 0 });
      const dense = solveMarkov(mc, stats.channels.length);
      const rel = (a: number, b: number) => Math.abs(a / b - 1);
      expect(rel(iterative.conversionProbability, dense.conversionProbability)).toBeLessThan(1e-11);
      expect(rel(iterative.expectedValue, dense.expectedValue)).toBeLessThan(1e-11);
      for (let c = 0; c < stats.channels.length; c++) {
        expect(rel(iterative.removalEffects[c]!, dense.removalEffects[c]!)).toBeLessThan(1e-11);
        expect(rel(iterative.valueRemovalEffects[c]!, dense.valueRemovalEffects[c]!)).toBeLessThan(1e-11);
      }
    }
  });
  it('Shapley samples seeded permutations beyond maxExactChannels, reproducibly, with standard errors', () => {
    const rng = createRng(5);
    const channels = Array.from({ length: 24 }, (_, i) => `ch${String(i).padStart(2, '0')}`);
    const js: Journey[] = [];
    for (let i = 0; i < 400; i++) js.push(journey(Array.from({ length: 1 + rng.int(4) }, () => channels[rng.int(24)]!), rng.next() < 0.5, 1 + rng.int(9)));
    const spec = { model: 'shapley' as const, samples: 300, seed: 'q3' };
    const a = attribute(js, spec);
    const b = attribute(js, spec);
    expect(a).toEqual(b);
    expect(a.shapley!.method).toBe('sampled');
    expect(a.shapley!.samples).toBe(300);
    expect(a.shapley!.players).toBe(24);
    const exact = attribute(js, { model: 'shapley', maxExactChannels: 22, samples: 300 });
    expect(exact.shapley!.method).toBe('sampled'); // 24 players > 22
    const total = a.channels.reduce((s, c) => s + c.conversions, 0);
    expect(total).toBeCloseTo(a.totals.conversions, 9);
    for (const c of a.channels) expect(a.shapley!.standardErrors![c.channel]!.conversions).toBeGreaterThan(0);
  });
  it('exact Shapley on 20 playing channels', () => {
    const channels = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const js = channels.map((c, i) => journey([c, channels[(i + 1) % 20]!], true, i + 1));
    const r = attribute(js, 'shapley');
    expect(r.shapley!.method).toBe('exact');
    // Each journey's two channels split it in half.
    expect(r.channels.find((x) => x.channel === 'c0')!.value).toBeCloseTo((1 + 20) / 2, 9);
  });
});

describe('configuration and statistics errors', () => {
  it('reports bad models with their path', () => {
    const cases: Array<[unknown, string]> = [
      [{ models: ['nope'] }, 'models[0].model'],
      [{ models: ['linear', { model: 'time_decay', halfLife: 0 }] }, 'models[1].halfLife'],
      [{ models: [{ model: 'markov', order: 5 }] }, 'models[0].order'],
      [{ models: [{ model: 'position_based', first: 0.7, last: 0.5 }] }, 'models[0].last'],
      [{ models: ['linear', 'linear'] }, 'models[1].name'],
      [{ models: [] }, 'models'],
      [{ models: [{ model: 'custom', name: 'x' }] }, 'models[0].weight'],
    ];
    for (const [input, path] of cases) {
      try {
        parseAttributionConfig(input as never);
        expect.unreachable(JSON.stringify(input));
      } catch (e) {
        expect(isCrossChannelError(e, 'CONFIG_INVALID'), String(e)).toBe(true);
        expect((e as { path?: string }).path).toBe(path);
      }
      const safe = safeParseAttributionConfig(input);
      expect(safe.ok).toBe(false);
      if (!safe.ok) expect(safe.error.path).toBe(path);
    }
    expect(safeParseAttributionConfig({ models: ['linear'] })).toEqual({ ok: true, value: { models: [{ model: 'linear', name: 'linear' }] } });
  });
  it('refuses to merge statistics of different models, and more than 53 channels', () => {
    const a = createStatistics({ models: ['linear'] });
    const b = createStatistics({ models: [{ model: 'time_decay', halfLife: '1d' }] });
    expect(() => a.merge(b)).toThrow(expect.objectContaining({ code: 'ATTRIBUTION_STATISTICS_MISMATCH' }));
    const s = createStatistics({ models: ['shapley'] });
    expect(() => s.add(journey(Array.from({ length: 54 }, (_, i) => `c${i}`), true))).toThrow(expect.objectContaining({ code: 'ATTRIBUTION_TOO_MANY_CHANNELS' }));
  });
  it('validates statistics JSON from elsewhere', () => {
    const good = createStatistics({ models: ['linear', 'markov'] }).add(journey(['a', 'b'], true)).toJSON();
    expect(() => createStatistics({ models: ['linear', 'markov'] }).merge(good)).not.toThrow();
    const bad: Array<[unknown, string]> = [
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, totals: { ...good.totals, journeys: 'x' } }, 'totals.journeys'],
      [{ ...good, rules: [{ name: 'linear', conversions: [1], value: [1, 0] }] }, 'rules[0].conversions'],
      // The list of the wrong length is named (the value's was reported at conversions).
      [{ ...good, rules: [{ name: 'linear', conversions: [1, 0], value: [1] }] }, 'rules[0].value'],
      [{ ...good, markov: [{ order: 1, transitions: [[['a'], 'nowhere', 1, 0]] }] }, 'markov[0].transitions[0][1]'],
    ];
    for (const [json, path] of bad) {
      try {
        createStatistics({ models: ['linear', 'markov'] }).merge(json as never);
        expect.unreachable();
      } catch (e) {
        expect(isCrossChannelError(e, 'INPUT_INVALID'), String(e)).toBe(true);
        expect((e as { path?: string }).path).toBe(path);
      }
    }
    // Models that JSON cannot print (a BigInt) are a mismatch, not a TypeError from the comparison.
    expect(() => createStatistics({ models: ['linear', 'markov'] }).merge({ ...good, models: [{ model: 10n }] } as never)).toThrow(expect.objectContaining({ code: 'ATTRIBUTION_STATISTICS_MISMATCH' }));
  });
  it('an empty input gives zero credits, not NaN', () => {
    const c = compareModels([]);
    expect(c.totals).toEqual({ journeys: 0, conversions: 0, value: 0 });
    const nonConverting = compareModels([journey(['a'], false)]);
    for (const m of nonConverting.models) for (const x of m.channels) expect([x.conversions, x.value, x.conversionShare]).toEqual([0, 0, 0]);
  });
});
