/**
 * `crosschannel/adapters/redis` — stores on Redis / Redis Cluster through `ioredis` (optional peer dependency).
 * All keys of one subject share a hash tag, so multi-key scripts stay in one slot.
 * @packageDocumentation
 */
export { offerKey, subjectKey } from './keys.js';
export { RedisContactHistoryStore, type RedisContactHistoryStoreOptions } from './contact-history.js';
export { RedisOfferCapacityStore, type RedisOfferCapacityStoreOptions } from './offer-capacity.js';
export { RedisAssignmentStore, type RedisAssignmentStoreOptions } from './assignments.js';
export type { RedisStoreErrorDetail } from './errors.js';
export { RedisJourneyStore, type RedisJourneyStoreOptions } from './journeys.js';
