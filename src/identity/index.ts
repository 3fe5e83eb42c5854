/**
 * `crosschannel/identity` — cross-channel identity resolution: normalise identifiers, stitch observations into
 * profiles with merge protection, match records without a shared identifier (Fellegi–Sunter), unmerge and
 * erase. Guide: [docs/identity.md](../../docs/identity.md).
 * @packageDocumentation
 *
 * @document ../../docs/identity.md
 */
export {
  DEFAULT_NORMALIZERS,
  hashIdentifier,
  hashIdentifierSync,
  type Identifier,
  IDENTIFIER_TYPES,
  identifierKey,
  type IdentifierType,
  isIdentifierType,
  type NormalizedIdentifier,
  normalizeEmail,
  normalizeIdentifier,
  type NormalizeOptions,
  normalizePhone,
  type NormalizerKind,
  normalizerKindOf,
  normalizeValue,
} from './normalize.js';
export type { PhoneNumberLibrary } from './phone-lib-type.js';
export {
  type CompiledIdentityRules,
  DEFAULT_BLOCKED_PATTERNS,
  DEFAULT_LIMITS,
  DEFAULT_PRIORITY,
  type IdentityRules,
  type IdentityRulesInput,
  type IdentityRulesOptions,
  identityRulesSchema,
  parseIdentityRules,
  safeParseIdentityRules,
} from './rules.js';
export {
  IdentityGraph,
  type IdentityGraphOptions,
  stitch,
  type ObservationInput,
  type InvalidIdentifier,
  type Profile,
  type ProfileChange,
  type StitchReport,
  type AuditEntry,
  type RefusedLink,
} from './graph.js';
export { erasureProof, type ErasureResult } from './erasure.js';
export { compareIdentifiers, preferredIdentifier, type IdentityStore, type IdentifierInput, type IdentityErasureReceipt } from './store.js';
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
export { type IdentifierReasonCode, type IdentityErrorCode, type RefusalCode } from './errors.js';
export {
  identityComponentsFromSql,
  identityComponentsIntoSql,
  identityComponentsIntoSqlTargetSchema,
  identityComponentsSqlOptionsSchema,
  type IdentityComponentsIntoSqlTarget,
  type IdentityComponentsSqlOptionsInput,
  type SqlComponentCounts,
  type SqlComponents,
} from './sql.js';
