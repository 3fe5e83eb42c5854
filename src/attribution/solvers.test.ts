/**
 * The public solvers and rule weights called from plain JavaScript with counts, options or arguments of the wrong
 * shape: each is `INPUT_INVALID` at the bad place, not a `TypeError` (or a hang) from inside (2026-12-06).
 */
import { describe, expect, it } from 'vitest';
import { buildJourneys, collectStatistics, parseAttributionConfig, ruleWeights, solveMarkov, solveShapley, statisticsFromPaths, transitionCounts } from './index.js';

const bad = (path: string, code = 'INPUT_INVALID') => expect.objectContaining({ code, path });
const journeys = buildJourneys(
  [
    { subjectId: 'a', channel: 'email', at: 1000 },
    { subjectId: 'a', channel: 'search', at: 2000 },
    { subjectId: 'b', channel: 'display', at: 1500 },
  ],
  [{ subjectId: 'a', at: 3000, value: 30 }],
);
const stats = collectStatistics(journeys, { models: ['markov', { model: 'markov', name: 'markov_2', order: 2 }, 'shapley'] });
const [order1, order2] = stats.markov as [(typeof stats.markov)[0], (typeof stats.markov)[0]];
const channels = stats.channels.length;

describe('solveMarkov and transitionCounts', () => {
  it('refuse counts of the wrong shape at counts (was a TypeError: states, rows, dense, conversion values)', () => {
    expect(solveMarkov(order1, channels).conversionProbability).toBeCloseTo(0.5);
    for (const counts of [
      { ...order1, states: [[], 7] },
      { ...order1, dense: undefined },
      { ...order1, conversionValue: {} },
      { ...order2, rows: order2.rows.map((r, i) => (i === 0 ? 'x' : r)) },
      // A Map whose keys are no transitions.
      { ...order2, rows: order2.rows.map((r, i) => (i === 0 ? new Map([['a', 1]]) : r)) },
    ]) {
      expect(() => solveMarkov(counts as never, channels)).toThrow(bad('counts'));
    }
    expect(() => transitionCounts({ ...order2, rows: [null] } as never)).toThrow(bad('counts'));
  });

  it('fails with ATTRIBUTION_SOLVER_FAILED, in both solvers, on counts where a state never leaves itself (not NaN)', () => {
    // Hand-made counts: the state of `c` loops to itself only. Dense elimination finds the system singular;
    // Gauss–Seidel must not take the NaN of 0 / (1 − 1) for a settled state (2026-12-08).
    const st = statisticsFromPaths([{ path: 'a > b', conversions: 1 }, { path: 'c', nulls: 1 }], { models: [{ model: 'markov', order: 2 }] });
    const mc = st.markov[0]!;
    const c = mc.states.findIndex((s) => s.length === 1 && s[0] === st.channelIndex.get('c'));
    mc.rows[c] = new Map([[c + 2, 5]]);
    for (const denseLimit of [0, 400]) expect(() => solveMarkov(mc, st.channels.length, { denseLimit })).toThrow(expect.objectContaining({ code: 'ATTRIBUTION_SOLVER_FAILED' }));
  });

  it('refuses a denseLimit that is not a number at options.denseLimit (an object was compared, calling its valueOf)', () => {
    expect(() => solveMarkov(order1, channels, { denseLimit: { valueOf: () => { throw new Error('boom'); } } } as never)).toThrow(bad('options.denseLimit'));
  });
});

describe('solveShapley', () => {
  const options = { maxExactChannels: 1, samples: 50, seed: 1 };
  it('refuses counts, options and a channel order of the wrong shape at their place (was a TypeError, a hang or `seed`)', () => {
    const cs = stats.channelSets!;
    expect(solveShapley(cs, channels, options).method).toBe('sampled');
    expect(() => solveShapley({ ...cs, value: [Symbol('s')] } as never, channels, options)).toThrow(bad('counts.value'));
    expect(() => solveShapley({ ...cs, masks: cs.masks.map(() => Infinity) }, channels, options)).toThrow(bad('counts.masks'));
    expect(() => solveShapley(cs, channels, { ...options, seed: null } as never)).toThrow(bad('options.seed'));
    expect(() => solveShapley(cs, channels, { ...options, samples: 2 ** 53 })).toThrow(bad('options.samples'));
    expect(() => solveShapley(cs, channels, { ...options, maxExactChannels: 40 })).toThrow(bad('options.maxExactChannels'));
    expect(() => solveShapley(cs, channels, options, [0, { valueOf: () => 1 }] as never)).toThrow(bad('channelOrder'));
  });

  it('refuses 0 samples when it has to sample (the mean of no permutation made every credit NaN)', () => {
    const cs = stats.channelSets!;
    expect(() => solveShapley(cs, channels, { ...options, samples: 0 })).toThrow(bad('options.samples'));
    const two = solveShapley(cs, channels, { ...options, samples: 2 });
    expect([...two.conversions].every(Number.isFinite)).toBe(true);
  });

  it('refuses 1 sample: one permutation has no standard error (it reported 0, as if the credits were exact) (2026-12-08)', () => {
    const cs = stats.channelSets!;
    expect(() => solveShapley(cs, channels, { ...options, samples: 1 })).toThrow(bad('options.samples'));
    // Two draws that credit the set {email, search} to different members: a standard error of 0.5 each.
    const two = solveShapley(cs, channels, { ...options, samples: 2, seed: 4 });
    const [e, s] = ['email', 'search'].map((c) => stats.channelIndex.get(c)!) as [number, number];
    expect([two.conversions[e], two.conversions[s], two.conversionsStandardError![e], two.conversionsStandardError![s]]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('gives finite standard errors for order values above 1e154 (their squares overflowed: NaN) (2026-12-08)', () => {
    const rows = (v: number) => Array.from({ length: 30 }, (_, i) => ({ path: [`c${i}`, `c${(i + 1) % 30}`], conversions: 1, value: v }));
    const solve = (v: number) => {
      const st = statisticsFromPaths(rows(v), { models: ['shapley'] });
      return solveShapley(st.channelSets!, st.channels.length, { maxExactChannels: 20, samples: 50, seed: 1 });
    };
    const unit = solve(1);
    for (const v of [1e200, 1e300]) {
      const big = solve(v);
      for (let c = 0; c < 30; c++) expect(big.valueStandardError![c]! / v).toBeCloseTo(unit.valueStandardError![c]!, 12);
    }
  });
});

describe('ruleWeights', () => {
  const [positionBased, timeDecay] = parseAttributionConfig({ models: ['position_based', 'time_decay'] }).models;
  it('names the bad argument (was `arguments` for all of them, a TypeError for a model of the wrong shape)', () => {
    const w = new Float64Array(3);
    ruleWeights(positionBased!, ['a', 'b', 'c'], [0, 1, 2], 2, 3, w, null);
    expect([...w]).toEqual([0.4, 0.2, 0.4].map((x) => expect.closeTo(x, 12)));
    expect(() => ruleWeights(positionBased!, ['a'], null as never, 2, 1, w, null)).toThrow(bad('times'));
    expect(() => ruleWeights(timeDecay!, ['a', 'b'], [0, { valueOf: () => { throw new Error('boom'); } }] as never, 2, 2, w, null)).toThrow(bad('times'));
    expect(() => ruleWeights(positionBased!, ['a'], [0], 2, 9, w, null)).toThrow(bad('length'));
    expect(() => ruleWeights({ ...timeDecay!, model: { toString: () => 'x' } } as never, ['a'], [0], 2, 1, w, null)).toThrow(bad('model.model'));
    expect(() => ruleWeights({ ...timeDecay!, halfLife: Symbol('h') } as never, ['a'], [0], 2, 1, w, null)).toThrow(bad('model.halfLife'));
    expect(() => ruleWeights(parseAttributionConfig({ models: ['markov'] }).models[0]!, ['a'], [0], 2, 1, w, null)).toThrow(bad('model.model', 'CONFIG_INVALID'));
  });

  it('refuses times that are NaN, newest first or fewer than `length`, and channels fewer than `length` (time decay gave NaN weights)', () => {
    const w = new Float64Array(3);
    expect(() => ruleWeights(timeDecay!, ['a', 'b', 'c'], [0], 2, 3, w, null)).toThrow(bad('length'));
    expect(() => ruleWeights(timeDecay!, ['a'], [0, 1, 2], 2, 3, w, null)).toThrow(bad('length'));
    expect(() => ruleWeights(timeDecay!, ['a', 'b'], [Number.NaN, 1], 2, 2, w, null)).toThrow(bad('times'));
    // Newest first: 2^(Δ/h) of a touch listed before a much older one overflowed to Infinity / Infinity.
    expect(() => ruleWeights(timeDecay!, ['a', 'b'], [1e15, 0], 1e15, 2, w, null)).toThrow(bad('times'));
    expect(() => ruleWeights(timeDecay!, ['a', 'b'], [0, 1], Number.NaN, 2, w, null)).toThrow(bad('conversionAt'));
    ruleWeights(timeDecay!, ['a', 'b', 'c'], [0, 0, 7 * 86_400_000], 7 * 86_400_000, 3, w, null);
    expect([...w]).toEqual([0.25, 0.25, 0.5].map((x) => expect.closeTo(x, 12)));
  });
});
