/** javascript-lp-solver as an independent exact oracle for the batch optimiser (tests and bench only). */
import lpSolver from 'javascript-lp-solver';
import type { OptimizationConstraints, OptimizationCustomer } from '../../src/arbitration/problem.js';

// The package's types describe the namespace, at runtime the default export is the solver object.
const solver = lpSolver as unknown as { Solve(model: unknown): unknown };

/** Optimum of the 0-1 integer programme of a batch optimisation instance. */
export function lpOptimum(customers: ReadonlyArray<OptimizationCustomer>, constraints: OptimizationConstraints): number {
  const cons: Record<string, { max: number }> = {};
  const variables: Record<string, Record<string, number>> = {};
  const ints: Record<string, 1> = {};
  const defMax = constraints.maxOffersPerCustomer ?? 1;
  if (constraints.budget !== undefined) cons.budget = { max: constraints.budget };
  for (const [id, l] of Object.entries(constraints.offers ?? {})) {
    if (l.capacity !== undefined) cons[`cap_${id}`] = { max: l.capacity };
    if (l.budget !== undefined) cons[`bud_${id}`] = { max: l.budget };
  }
  for (const [id, l] of Object.entries(constraints.channels ?? {})) if (l.capacity !== undefined) cons[`ch_${id}`] = { max: l.capacity };
  customers.forEach((c, ci) => {
    cons[`cust_${ci}`] = { max: c.maxOffers ?? defMax };
    c.candidates.forEach((k, j) => {
      if (!(k.value > 0)) return;
      const name = `x_${ci}_${j}`;
      cons[`ub_${name}`] = { max: 1 };
      cons[`u_${ci}_${k.offerId}`] = { max: 1 };
      const v: Record<string, number> = { value: k.value, [`cust_${ci}`]: 1, [`ub_${name}`]: 1, [`u_${ci}_${k.offerId}`]: 1 };
      v[`cap_${k.offerId}`] = 1;
      // Zero coefficients are left out: this solver reports some models with explicit zeros as infeasible.
      if ((k.cost ?? 0) > 0) {
        v[`bud_${k.offerId}`] = k.cost!;
        v.budget = k.cost!;
      }
      if (k.channel !== undefined) v[`ch_${k.channel}`] = 1;
      variables[name] = v;
      ints[name] = 1;
    });
  });
  if (Object.keys(variables).length === 0) return 0;
  const r = solver.Solve({ optimize: 'value', opType: 'max', constraints: cons, variables, ints }) as { feasible: boolean; result: number };
  if (!r.feasible) throw new Error('LP infeasible: cannot happen, the empty assignment is feasible');
  return r.result;
}
