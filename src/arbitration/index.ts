/**
 * `crosschannel/arbitration` — next-best-offer decisions: eligibility, suppression from the shared contact
 * history, scoring, budgets and batch optimisation. See docs/arbitration.md.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './offers.js';
export * from './context.js';
export * from './eligibility.js';
export * from './suppression.js';
export * from './propensity.js';
export * from './score.js';
export * from './store.js';
export * from './arbitrate.js';
export type { OptimizationCandidate, OptimizationCustomer, OptimizationConstraints, CandidateColumns, OptimizationInput } from './problem.js';
export * from './optimize.js';
