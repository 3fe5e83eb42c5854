import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { optimize, optimizeExact, optimizeGreedy, type OptimizationConstraints, type OptimizationCustomer, type OptimizationResult } from './index.js';
import { problemArb, toColumns } from '../../test/arbitraries/arbitration.js';
import { lpOptimum } from '../../test/oracles/lp.js';

/** Checks every constraint of an instance against a result; returns the recomputed total value. */
function assertFeasible(customers: ReadonlyArray<OptimizationCustomer>, c: OptimizationConstraints, r: OptimizationResult): number {
  const perCustomer = new Map<string, Set<string>>();
  const perOffer = new Map<string, { n: number; cost: number }>();
  const perChannel = new Map<string, number>();
  let cost = 0;
  let value = 0;
  for (const a of r.assignments) {
    const cust = customers.find((x) => x.id === a.customerId)!;
    const cand = cust.candidates.find((k) => k.offerId === a.offerId && k.channel === a.channel && k.value === a.value);
    expect(cand, 'assignment is one of the customer candidates').toBeDefined();
    const given = perCustomer.get(a.customerId) ?? new Set();
    expect(given.has(a.offerId)).toBe(false);
    given.add(a.offerId);
    perCustomer.set(a.customerId, given);
    const o = perOffer.get(a.offerId) ?? { n: 0, cost: 0 };
    o.n++;
    o.cost += a.cost;
    perOffer.set(a.offerId, o);
    if (a.channel !== undefined) perChannel.set(a.channel, (perChannel.get(a.channel) ?? 0) + 1);
    cost += a.cost;
    value += a.value;
  }
  for (const [id, set] of perCustomer) {
    const cust = customers.find((x) => x.id === id)!;
    expect(set.size).toBeLessThanOrEqual(cust.maxOffers ?? c.maxOffersPerCustomer ?? 1);
  }
  for (const [id, o] of perOffer) {
    const lim = c.offers?.[id];
    if (lim?.capacity !== undefined) expect(o.n).toBeLessThanOrEqual(lim.capacity);
    if (lim?.budget !== undefined) expect(o.cost).toBeLessThanOrEqual(lim.budget + 1e-9);
  }
  for (const [id, n] of perChannel) {
    const lim = c.channels?.[id]?.capacity;
    if (lim !== undefined) expect(n).toBeLessThanOrEqual(lim);
  }
  if (c.budget !== undefined) expect(cost).toBeLessThanOrEqual(c.budget + 1e-9);
  expect(r.totalValue).toBeCloseTo(value, 9);
  return value;
}

describe('optimize — properties', () => {
  it('greedy never exceeds a constraint and never beats the exact optimum; exact equals the LP solver optimum', () => {
    fc.assert(
      fc.property(problemArb(5), ({ customers, constraints }) => {
        const g = optimizeGreedy(customers, constraints);
        const gv = assertFeasible(customers, constraints, g);
        const gval = optimizeGreedy(customers, constraints, { strategy: 'value' });
        assertFeasible(customers, constraints, gval);
        const gden = optimizeGreedy(customers, constraints, { strategy: 'density' });
        assertFeasible(customers, constraints, gden);
        expect(gv).toBeGreaterThanOrEqual(Math.max(gval.totalValue, gden.totalValue) - 1e-9);
        const e = optimizeExact(customers, constraints);
        const ev = assertFeasible(customers, constraints, e);
        expect(e.optimal).toBe(true);
        expect(gv).toBeLessThanOrEqual(ev + 1e-9);
        expect(gval.totalValue).toBeLessThanOrEqual(ev + 1e-9);
        expect(gden.totalValue).toBeLessThanOrEqual(ev + 1e-9);
        expect(ev).toBeCloseTo(lpOptimum(customers, constraints), 6);
      }),
      { numRuns: 250 },
    );
  });

  it('exact equals brute-force enumeration on tiny instances', () => {
    fc.assert(
      fc.property(problemArb(3), ({ customers, constraints }) => {
        const pairs = customers.flatMap((c) => c.candidates.map((k) => ({ c, k })));
        let best = 0;
        for (let mask = 0; mask < 1 << pairs.length; mask++) {
          const chosen = pairs.filter((_, i) => mask & (1 << i));
          const ok = (() => {
            const defMax = constraints.maxOffersPerCustomer ?? 1;
            for (const c of customers) if (chosen.filter((x) => x.c === c).length > (c.maxOffers ?? defMax)) return false;
            for (const [id, l] of Object.entries(constraints.offers ?? {})) {
              const mine = chosen.filter((x) => x.k.offerId === id);
              if (l.capacity !== undefined && mine.length > l.capacity) return false;
              if (l.budget !== undefined && mine.reduce((s, x) => s + (x.k.cost ?? 0), 0) > l.budget) return false;
            }
            for (const [id, l] of Object.entries(constraints.channels ?? {})) if (l.capacity !== undefined && chosen.filter((x) => x.k.channel === id).length > l.capacity) return false;
            if (constraints.budget !== undefined && chosen.reduce((s, x) => s + (x.k.cost ?? 0), 0) > constraints.budget) return false;
            return true;
          })();
          if (ok) best = Math.max(best, chosen.reduce((s, x) => s + x.k.value, 0));
        }
        expect(optimizeExact(customers, constraints).totalValue).toBeCloseTo(best, 9);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic and independent of object identity', () => {
    fc.assert(
      fc.property(problemArb(5), ({ customers, constraints }) => {
        const copy = JSON.parse(JSON.stringify({ customers, constraints })) as { customers: OptimizationCustomer[]; constraints: OptimizationConstraints };
        expect(optimizeGreedy(copy.customers, copy.constraints)).toEqual(optimizeGreedy(customers, constraints));
        expect(optimize(copy.customers, copy.constraints)).toEqual(optimize(customers, constraints));
      }),
      { numRuns: 100 },
    );
  });

  it('the greedy does not depend on the unit of value: values scaled by 2^k (past single precision) give the same plan', () => {
    // Keys were the values at single precision: scaled past 3.4e38 (or below 1.4e-45) they all became ∞ (or 0) and
    // the pass fell back to input order.
    fc.assert(
      fc.property(problemArb(5), fc.constantFrom(-200, -160, 130, 200, 900), fc.constantFrom('best', 'density', 'value') as fc.Arbitrary<'best' | 'density' | 'value'>, ({ customers, constraints }, k, strategy) => {
        const scaled = customers.map((c) => ({ ...c, candidates: c.candidates.map((x) => ({ ...x, value: x.value * 2 ** k })) }));
        const pick = (r: OptimizationResult): string[] => r.assignments.map((a) => `${a.customerId}:${a.offerId}:${a.channel}`);
        expect(pick(optimizeGreedy(scaled, constraints, { strategy }))).toEqual(pick(optimizeGreedy(customers, constraints, { strategy })));
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on the unit of cost: costs and budgets scaled by 2^-40 give the same plan (a 1e-9 slack swamped them)', () => {
    fc.assert(
      fc.property(problemArb(5), ({ customers, constraints }) => {
        const s = 2 ** -40;
        const scaled = customers.map((c) => ({ ...c, candidates: c.candidates.map((x) => ({ ...x, cost: (x.cost ?? 0) * s })) }));
        const offers = Object.fromEntries(Object.entries(constraints.offers ?? {}).map(([id, l]) => [id, { ...l, ...(l.budget !== undefined ? { budget: l.budget * s } : {}) }]));
        const k = { ...constraints, offers, ...(constraints.budget !== undefined ? { budget: constraints.budget * s } : {}) };
        const pick = (r: OptimizationResult): string[] => r.assignments.map((a) => `${a.customerId}:${a.offerId}`);
        expect(pick(optimizeGreedy(scaled, k))).toEqual(pick(optimizeGreedy(customers, constraints)));
        expect(optimizeExact(scaled, k).totalValue).toBe(optimizeExact(customers, constraints).totalValue);
      }),
      { numRuns: 150 },
    );
  });

  it('candidate columns (typed arrays) give exactly the result of candidate objects', () => {
    fc.assert(
      fc.property(problemArb(6), ({ customers, constraints }) => {
        // Columns carry per-customer maxOffers only when every customer sets it; otherwise fill in the default.
        const full = customers.map((c) => ({ ...c, maxOffers: c.maxOffers ?? constraints.maxOffersPerCustomer ?? 1 }));
        const cols = toColumns(full);
        expect(optimizeGreedy(cols, constraints)).toEqual(optimizeGreedy(full, constraints));
        expect(optimizeGreedy(cols, constraints, { strategy: 'density' })).toEqual(optimizeGreedy(full, constraints, { strategy: 'density' }));
        expect(optimizeExact(cols, constraints)).toEqual(optimizeExact(full, constraints));
      }),
      { numRuns: 150 },
    );
  });
});
