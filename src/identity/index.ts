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
