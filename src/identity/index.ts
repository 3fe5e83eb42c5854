/**
 * `crosschannel/identity` — cross-channel identity resolution: normalise identifiers, stitch observations into
 * profiles with merge protection, match records without a shared identifier (Fellegi–Sunter), unmerge and
 * erase. See docs/identity.md.
 * @packageDocumentation
 */
export * from './normalize.js';
export * from './rules.js';
export {
  IdentityGraph,
  stitch,
  type ObservationInput,
  type InvalidIdentifier,
  type Profile,
  type ProfileChange,
  type StitchReport,
  type AuditEntry,
  type RefusedLink,
  type RefusalCode,
} from './graph.js';
export { erasureProof, type ErasureResult } from './erasure.js';
export { compareIdentifiers, type IdentityStore, type IdentifierInput, type ErasureReceipt } from './store.js';
export {
  matchModelSchema,
  parseMatchModel,
  safeParseMatchModel,
  matchRecords,
  scorePair,
  matchesToObservations,
  type MatchModelInput,
  type MatchModel,
  type MatchRecord,
  type CompiledField,
  type FieldContribution,
  type ScoredPair,
  type MatchStats,
} from './match.js';
export { estimateMatchParameters, type EstimateOptions, type EstimatedParameters } from './em.js';
export { jaroWinkler, levenshtein, soundex } from './strings.js';
export { identityComponentsFromSql, identityComponentsSqlOptionsSchema, type IdentityComponentsSqlOptionsInput, type SqlComponents } from './sql.js';
