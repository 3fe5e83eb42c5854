import { describe, expect, it } from 'vitest';
import { optimize, optimizeExact, optimizeGreedy, type OptimizationCustomer } from './index.js';
import { isCrossChannelError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { lpOptimum } from '../../test/oracles/lp.js';

describe('batch optimisation', () => {
  it('an offer on several channels is one offer in the customers\' bound (47 pairs of one offer ran past 2,000,000 nodes)', () => {
    const channels = ['email', 'sms', 'push', 'web', 'call_center'];
    const customers = Array.from({ length: 14 }, (_, c) => ({ id: `c${c}`, candidates: channels.slice(0, 1 + (c % 5)).map((channel) => ({ offerId: 'o', channel, value: 5 })) }));
    const r = optimizeExact(customers, { maxOffersPerCustomer: 3 }, { maxNodes: 10_000 });
    expect(r.totalValue).toBe(70);
    expect(r.nodes).toBeLessThan(100);
  });

  it('never overspends a budget past 2^53 (a cost of 6 rounded away from 1.8e17 let a cost of the whole budget in)', () => {
    const B = 183629436954869760; // 2^57.35: one unit in the last place is 32
    const customers = [
      { id: 'a', candidates: [{ offerId: 'x', value: 2, cost: 6 }] },
      { id: 'b', candidates: [{ offerId: 'y', value: 1, cost: B }] },
    ];
    for (const k of [{ budget: B }, { offers: { x: { budget: B }, y: { budget: B } }, budget: B }]) {
      for (const r of [optimizeGreedy(customers, k), optimizeExact(customers, k)]) expect(r.assignments.map((a) => a.customerId)).toEqual(['a']);
    }
    // Exactly full is allowed: B − 32 then 32.
    const full = [{ id: 'a', candidates: [{ offerId: 'x', value: 1, cost: B - 32 }] }, { id: 'b', candidates: [{ offerId: 'x', value: 1, cost: 32 }] }];
    expect(optimizeGreedy(full, { budget: B }).assignments).toHaveLength(2);
  });

  it('never exceeds a budget below 1 (eleven costs of 1e-10 fitted a budget of 1e-10)', () => {
    const customers = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, candidates: [{ offerId: 'x', value: 1, cost: 1e-10 }] }));
    for (const k of [{ budget: 1e-10 }, { offers: { x: { budget: 1e-10 } } }]) {
      expect(optimizeGreedy(customers, k).assignments).toHaveLength(1);
      expect(optimizeExact(customers.slice(0, 12), k).assignments).toHaveLength(1);
    }
    // Decimal costs that fill it exactly still fit (0.1e-10 + 0.2e-10 leaves less than 0.2e-10 after either).
    const exact = [{ id: 'a', candidates: [{ offerId: 'x', value: 1, cost: 0.1 * 1e-10 }] }, { id: 'b', candidates: [{ offerId: 'y', value: 1, cost: 0.2 * 1e-10 }] }];
    expect(optimizeGreedy(exact, { budget: 0.3 * 1e-10 }).assignments).toHaveLength(2);
  });

  it('ranks values beyond single precision by value, not by input order (all were ∞, or 0, and tied)', () => {
    for (const [small, large] of [[4e38, 1e39], [1e-46, 3e-46]] as const) {
      const customers = [{ id: 'c', candidates: [{ offerId: 'small', value: small }, { offerId: 'large', value: large }] }];
      for (const strategy of ['best', 'density', 'value'] as const) expect(optimizeGreedy(customers, {}, { strategy }).assignments.map((a) => a.offerId)).toEqual(['large']);
    }
  });

  it('keeps ranking the others when one density overflows to ∞ (1.7e308 for a customer who may take four offers)', () => {
    const customers = [
      { id: 'rich', maxOffers: 4, candidates: [{ offerId: 'huge', value: 1.7e308 }] },
      { id: 'c', candidates: [{ offerId: 'small', value: 1 }, { offerId: 'large', value: 2 }] },
    ];
    expect(optimizeGreedy(customers, {}, { strategy: 'density' }).assignments.map((a) => a.offerId)).toEqual(['huge', 'large']);
  });

  it('fills 500 call-centre slots with the customers worth calling, the rest by email', () => {
    const customers: OptimizationCustomer[] = Array.from({ length: 800 }, (_, i) => ({
      id: `c${i}`,
      candidates: [
        { offerId: 'retention-call', channel: 'call_center', value: 10 + (i % 97) },
        { offerId: 'retention-mail', channel: 'email', value: 3 },
      ],
    }));
    const r = optimizeGreedy(customers, { channels: { call_center: { capacity: 500 } } });
    const calls = r.assignments.filter((a) => a.channel === 'call_center');
    expect(calls.length).toBe(500);
    expect(r.assignments.length).toBe(800);
    const minCalled = Math.min(...calls.map((a) => a.value));
    const maxMailed = Math.max(...customers.map((c, i) => (calls.some((a) => a.customerId === c.id) ? 0 : 10 + (i % 97))));
    expect(minCalled).toBeGreaterThanOrEqual(maxMailed);
  });

  it('the exact method beats a greedy that takes the locally best pair', () => {
    const customers: OptimizationCustomer[] = [
      { id: 'a', candidates: [{ offerId: 'x', value: 10 }, { offerId: 'y', value: 9 }] },
      { id: 'b', candidates: [{ offerId: 'x', value: 10 }] },
    ];
    const constraints = { offers: { x: { capacity: 1 } } };
    expect(optimizeGreedy(customers, constraints, { strategy: 'value' }).totalValue).toBe(10);
    const e = optimizeExact(customers, constraints);
    expect(e.totalValue).toBe(19);
    expect(e.assignments.map((x) => `${x.customerId}←${x.offerId}`)).toEqual(['a←y', 'b←x']);
    expect(lpOptimum(customers, constraints)).toBe(19);
  });

  it('density ranks a cheap offer above an expensive one that eats the budget', () => {
    const customers: OptimizationCustomer[] = Array.from({ length: 4 }, (_, i) => ({
      id: `c${i}`,
      candidates: [
        { offerId: 'voucher', value: 10, cost: 10 },
        { offerId: 'tip', value: 6, cost: 1 },
      ],
    }));
    const r = optimizeGreedy(customers, { budget: 13 });
    expect(r.totalCost).toBeLessThanOrEqual(13);
    expect(r.totalValue).toBe(optimizeExact(customers, { budget: 13 }).totalValue);
  });

  it('never gives one customer the same offer twice, across channels', () => {
    const r = optimizeExact([{ id: 'a', candidates: [{ offerId: 'x', channel: 'email', value: 5 }, { offerId: 'x', channel: 'sms', value: 4 }] }], { maxOffersPerCustomer: 2 });
    expect(r.assignments).toHaveLength(1);
  });

  it('a limit meant as "no limit" (1e9, 2^53 − 1, 2e18) gives what a limit of every candidate gives (exact), and the same for every such limit (greedy, optimize)', () => {
    // 2e18 wrapped into a negative Int32 (a RangeError sizing an array), 1e9 sized a 4 GB one (found by the
    // mutation fuzz at 5,000 mutants, seed 10).
    const rng = createRng(11);
    const customers: OptimizationCustomer[] = Array.from({ length: 8 }, (_, c) => ({
      id: `c${c}`,
      candidates: ['x', 'y', 'z'].flatMap((offerId) => ['email', 'sms'].map((channel) => ({ offerId, channel, value: rng.int(100), cost: rng.int(5) }))),
    }));
    const limits = { offers: { x: { capacity: 4 }, y: { capacity: 3 } }, channels: { sms: { capacity: 5 } }, budget: 25 };
    const expected = optimizeExact(customers, { ...limits, maxOffersPerCustomer: 6 }).assignments;
    for (const big of [1e9, Number.MAX_SAFE_INTEGER, 2e18]) {
      expect(optimizeExact(customers, { ...limits, maxOffersPerCustomer: big }).assignments, `${big}`).toEqual(expected);
      expect(optimizeExact(customers.map((c) => ({ ...c, maxOffers: big })), limits).assignments, `per customer ${big}`).toEqual(expected);
    }
    // The greedy's density weighs a customer's limit (1 / limit), so a limit of 6 and one of 1e9 may rank pairs
    // differently (`optimize` takes the greedy here); every limit past 2^31 − 1 is that limit.
    for (const run of [optimizeGreedy, optimize]) {
      const at = (big: number) => run(customers, { ...limits, maxOffersPerCustomer: big }).assignments;
      expect(at(2e18), run.name).toEqual(at(Number.MAX_SAFE_INTEGER));
      expect(at(2e18), run.name).toEqual(at(2 ** 31 - 1));
      expect(at(1e9).length, run.name).toBeGreaterThan(0);
    }
  });

  it('ignores non-positive values and respects per-customer maxOffers overrides', () => {
    const r = optimizeGreedy([
      { id: 'a', maxOffers: 2, candidates: [{ offerId: 'x', value: 5 }, { offerId: 'y', value: 4 }, { offerId: 'z', value: 0 }, { offerId: 'w', value: -3 }] },
      { id: 'b', maxOffers: 0, candidates: [{ offerId: 'x', value: 50 }] },
    ]);
    expect(r.assignments.map((a) => a.offerId)).toEqual(['x', 'y']);
  });

  it('finds the optimum when decimal costs use the global budget up exactly (a free pair was cut off: −∞ bound)', () => {
    // 0.1 + 0.2 leaves the budget at −5.5e-17: the free pair z still fits, and the optimum takes it (scipy milp: 21).
    const customers: OptimizationCustomer[] = [
      { id: 'big', candidates: [{ offerId: 'x', value: 15, cost: 0.3 }] },
      { id: 'a', candidates: [{ offerId: 'x', value: 10, cost: 0.1 }] },
      { id: 'b', candidates: [{ offerId: 'x', value: 10, cost: 0.2 }] },
      { id: 'z', candidates: [{ offerId: 'x', value: 1, cost: 0 }] },
    ];
    for (const run of [optimizeExact, optimize]) {
      const r = run(customers, { budget: 0.3 });
      expect(r.totalValue).toBe(21);
      expect(r.assignments.map((a) => a.customerId).sort()).toEqual(['a', 'b', 'z']);
    }
    expect(lpOptimum(customers, { budget: 0.3 })).toBeCloseTo(21, 9);
  });

  it('refuses a customer listed twice or without a string id (the same offer went to "a" twice)', () => {
    const twice = [{ id: 'a', candidates: [{ offerId: 'x', value: 5 }] }, { id: 'a', candidates: [{ offerId: 'x', value: 4 }] }];
    for (const run of [optimizeExact, optimizeGreedy, optimize]) {
      expect(() => run(twice, { maxOffersPerCustomer: 1 })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customers[1].id' }));
      expect(() => run([{ candidates: [] }] as never, {})).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customers[0].id' }));
    }
    const columns = { customerIds: ['a', 'a'], offerIds: ['x'], customerOffsets: [0, 1, 2], offer: [0, 0], value: [5, 4] };
    expect(() => optimizeGreedy(columns as never, {})).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customers.customerIds[1]' }));
  });

  it('refuses columns naming an offer or a channel twice (each index got the whole capacity: x with capacity 1 went to a and b)', () => {
    const offers = { customerIds: ['a', 'b'], customerOffsets: [0, 1, 2], offerIds: ['x', 'x'], offer: [0, 1], value: [1, 1] };
    const channels = { customerIds: ['a', 'b'], customerOffsets: [0, 1, 2], offerIds: ['x'], offer: [0, 0], value: [1, 1], channelIds: ['h', 'h'], channel: [0, 1] };
    for (const run of [optimizeExact, optimizeGreedy, optimize]) {
      expect(() => run(offers, { offers: { x: { capacity: 1 } } })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customers.offerIds[1]' }));
      expect(() => run(channels, { channels: { h: { capacity: 1 } } })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customers.channelIds[1]' }));
      expect(() => run({ ...offers, offerIds: [7, 'x'] } as never, {})).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customers.offerIds[0]' }));
      // A channel that is not a string was used as a key and returned as is.
      expect(() => run([{ id: 'a', candidates: [{ offerId: 'x', value: 1, channel: 7 as never }] }], {})).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customers[0].candidates[0].channel' }));
    }
  });

  it('throws ARBITRATION_PROBLEM_TOO_LARGE past the node limit; optimize() then falls back to greedy', () => {
    const customers: OptimizationCustomer[] = Array.from({ length: 12 }, (_, i) => ({
      id: `c${i}`,
      candidates: ['a', 'b', 'c'].map((o, j) => ({ offerId: o, value: 10 + ((i * 7 + j * 3) % 11), cost: 1 + ((i + j) % 4) })),
    }));
    const constraints = { maxOffersPerCustomer: 2, offers: { a: { capacity: 5 }, b: { capacity: 6 } }, budget: 30 };
    let err: unknown;
    try {
      optimizeExact(customers, constraints, { maxNodes: 10 });
    } catch (e) {
      err = e;
    }
    expect(isCrossChannelError(err, 'ARBITRATION_PROBLEM_TOO_LARGE')).toBe(true);
    expect(optimize(customers, constraints, { maxNodes: 10 }).method).toBe('greedy');
    const exact = optimize(customers, constraints);
    expect(exact.method).toBe('exact');
    expect(exact.totalValue).toBeCloseTo(lpOptimum(customers, constraints), 6);
  });

  it.each([
    ['a NaN value', [{ id: 'a', candidates: [{ offerId: 'x', value: Number.NaN }] }], {}, 'customers[0].candidates[0].value'],
    ['a negative cost', [{ id: 'a', candidates: [{ offerId: 'x', value: 1, cost: -1 }] }], {}, 'customers[0].candidates[0].cost'],
    ['a bad maxOffers', [{ id: 'a', maxOffers: 1.5, candidates: [] }], {}, 'customers[0].maxOffers'],
    ['a bad capacity', [], { offers: { x: { capacity: -1 } } }, 'constraints.offers.x.capacity'],
    ['a bad budget', [], { budget: -5 }, 'constraints.budget'],
  ])('rejects %s with INPUT_INVALID at its path', (_n, customers, constraints, path) => {
    let err: unknown;
    try {
      optimizeGreedy(customers as OptimizationCustomer[], constraints);
    } catch (e) {
      err = e;
    }
    expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
    expect((err as { path: string }).path).toBe(path);
  });

  it.each([
    ['offsets', { customerIds: ['a'], customerOffsets: [0, 2], offerIds: ['x'], offer: [0], value: [1] }, 'customers.customerOffsets'],
    ['offer index', { customerIds: ['a'], customerOffsets: [0, 1], offerIds: ['x'], offer: [3], value: [1] }, 'customers.offer[0]'],
    ['channel index', { customerIds: ['a'], customerOffsets: [0, 1], offerIds: ['x'], offer: [0], value: [1], channelIds: [], channel: [0] }, 'customers.channel[0]'],
    ['value', { customerIds: ['a'], customerOffsets: [0, 1], offerIds: ['x'], offer: [0], value: [Number.NaN] }, 'customers.value[0]'],
  ])('rejects bad candidate columns (%s) with INPUT_INVALID', (_n, cols, path) => {
    let err: unknown;
    try {
      optimizeGreedy(cols);
    } catch (e) {
      err = e;
    }
    expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
    expect((err as { path: string }).path).toBe(path);
  });

  it('large inputs (bucket-sorted path) take pairs exactly in key order, ties by input order', () => {
    const rng = createRng(99);
    const offers = ['a', 'b', 'c', 'd', 'e', 'f'];
    const customers: OptimizationCustomer[] = Array.from({ length: 1500 }, (_, c) => ({
      id: `c${c}`,
      // Few distinct values → many ties; fractional ones → keys that differ only in low bits.
      candidates: offers.map((offerId, j) => ({ offerId, channel: j % 2 ? 'sms' : 'email', value: rng.next() < 0.15 ? 1 + rng.int(3) : 1 + rng.next() * 1e-4, cost: j % 3 })),
    }));
    const constraints = { maxOffersPerCustomer: 2, offers: { a: { capacity: 400 }, b: { capacity: 900, budget: 700 } }, channels: { sms: { capacity: 1200 } }, budget: 2500 };
    const pairs = customers.flatMap((c, ci) => c.candidates.map((k, j) => ({ ci, j, k, key: Math.fround(k.value) })));
    pairs.sort((x, y) => y.key - x.key || x.ci - y.ci || x.j - y.j);
    const given = new Map<number, string[]>();
    const used = new Map<string, number>();
    const spentBy = new Map<string, number>();
    let spent = 0;
    const expected: string[] = [];
    for (const { ci, k } of pairs) {
      const g = given.get(ci) ?? [];
      const lim = (constraints.offers as Record<string, { capacity?: number; budget?: number }>)[k.offerId];
      const cost = k.cost ?? 0;
      if (g.length >= 2 || g.includes(k.offerId)) continue;
      if ((used.get(k.offerId) ?? 0) >= (lim?.capacity ?? Infinity)) continue;
      if (k.channel === 'sms' && (used.get('ch:sms') ?? 0) >= 1200) continue;
      if (cost > 0 && ((spentBy.get(k.offerId) ?? 0) + cost > (lim?.budget ?? Infinity) + 1e-9 || spent + cost > 2500 + 1e-9)) continue;
      g.push(k.offerId);
      given.set(ci, g);
      used.set(k.offerId, (used.get(k.offerId) ?? 0) + 1);
      if (k.channel === 'sms') used.set('ch:sms', (used.get('ch:sms') ?? 0) + 1);
      spentBy.set(k.offerId, (spentBy.get(k.offerId) ?? 0) + cost);
      spent += cost;
      expected.push(`${ci}:${k.offerId}`);
    }
    const r = optimizeGreedy(customers, constraints, { strategy: 'value' });
    expect(r.assignments.map((a) => `${a.customerId.slice(1)}:${a.offerId}`).sort()).toEqual(expected.sort());
  });

  it('refuses bad options with INPUT_INVALID at their path (null options were a TypeError)', () => {
    const refused = (path: string) => expect.objectContaining({ code: 'INPUT_INVALID', path });
    expect(() => optimize([], {}, null as never)).toThrow(refused('options'));
    expect(() => optimizeExact([], {}, null as never)).toThrow(refused('options'));
    expect(() => optimizeGreedy([], {}, null as never)).toThrow(refused('options'));
    expect(() => optimizeGreedy([], {}, { strategy: 'fastest' as never })).toThrow(refused('options.strategy'));
    expect(() => optimizeExact([], {}, { maxNodes: 0 })).toThrow(refused('options.maxNodes'));
    expect(() => optimize([], {}, { exactUpTo: Number.NaN })).toThrow(refused('options.exactUpTo'));
    expect(optimize([], {}, {}).assignments).toEqual([]);
  });

  it('names a bad limit or column instead of failing inside (was a TypeError, or a valueOf called by a comparison)', () => {
    const bad = (path: string) => expect.objectContaining({ code: 'INPUT_INVALID', path });
    const customers = [{ id: 'a', candidates: [{ offerId: 'x', value: 10 }] }];
    const throwing = { valueOf: () => { throw new Error('boom'); } };
    expect(() => optimizeExact(customers, { offers: { x: null } } as never)).toThrow(bad('constraints.offers.x'));
    expect(() => optimizeExact(customers, { channels: { email: undefined } } as never)).toThrow(bad('constraints.channels.email'));
    expect(() => optimizeExact(customers, { budget: throwing } as never)).toThrow(bad('constraints.budget'));
    expect(() => optimizeExact(customers, { offers: { x: { budget: throwing } } } as never)).toThrow(bad('constraints.offers.x.budget'));
    const columns = { customerIds: ['a', 'b'], customerOffsets: [0, 2, 3], offerIds: ['x', 'y'], offer: [0, 1, 0], value: [10, 9, 10], cost: [1, 0, 2] };
    expect(optimizeGreedy(columns).totalValue).toBe(20);
    expect(() => optimizeGreedy({ ...columns, cost: [1, throwing, 2] } as never)).toThrow(bad('customers.cost[1]'));
    expect(() => optimizeGreedy({ ...columns, value: [10, [Symbol('s')], 10] } as never)).toThrow(bad('customers.value[1]'));
    expect(() => optimizeGreedy({ ...columns, maxOffers: null } as never)).toThrow(bad('customers.maxOffers'));
    // An offset past the candidates was reported at the value it made the loop read.
    expect(() => optimizeGreedy({ ...columns, customerOffsets: [0, 2 ** 53, 3] })).toThrow(bad('customers.customerOffsets[1]'));
  });
});
