/**
 * `crosschannel/arbitration` — next-best-offer decisions: eligibility, suppression from the shared contact
 * history, scoring, budgets and batch optimisation. Guide: [docs/arbitration.md](../../docs/arbitration.md).
 * @packageDocumentation
 *
 * @document ../../docs/arbitration.md
 */
export {
  ARBITRATION_STAGES,
  type ArbitrationErrorCode,
  type ArbitrationReasonCode,
  type ArbitrationStage,
  type ExcludedOffer,
} from './errors.js';
export {
  type CannibalisationGuardInput,
  cannibalisationGuardSchema,
  type Catalogue,
  type CatalogueInput,
  catalogueSchema,
  type CompiledGuard,
  type CompiledOffer,
  type CompiledPolicy,
  type ContactPolicyInput,
  contactPolicySchema,
  type EligibilityPredicate,
  eligibilitySchema,
  type Offer,
  type OfferInput,
  offerSchema,
  parseCatalogue,
  type ParseCatalogueOptions,
  type StaticExclusions,
  valueScaleSchema,
} from './offers.js';
export { type ArbitrationContext } from './context.js';
export { type OfferHistory } from './suppression.js';
export { type AcceptanceCounts, type BetaPosterior, PropensityTable, type PropensityTableJSON } from './propensity.js';
export { type PropensityOptions, type ScoreFactors } from './score.js';
export {
  type CapacityReservation,
  capacitySpecOf,
  type ConsumeResult,
  NO_USAGE,
  type OfferCapacitySpec,
  type OfferCapacityStore,
  type OfferUsage,
  validateConsume,
} from './store.js';
export { arbitrate, type ArbitrateOptions, type ArbitrationResult, type PreparedArbitration, prepareArbitration, type RankedOffer } from './arbitrate.js';
export type { OptimizationCandidate, OptimizationCustomer, OptimizationConstraints, CandidateColumns, OptimizationInput } from './problem.js';
export {
  type Assignment,
  type ExactOptions,
  type GreedyOptions,
  type OptimizationResult,
  optimize,
  optimizeExact,
  optimizeGreedy,
} from './optimize.js';
