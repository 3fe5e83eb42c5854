/**
 * `crosschannel/adapters/redis` — stores on Redis / Redis Cluster through `ioredis` (optional peer dependency).
 * All keys of one subject share a hash tag, so multi-key scripts stay in one slot.
 * @packageDocumentation
 */
export * from './keys.js';
export * from './contact-history.js';
export * from './offer-capacity.js';
export { RedisJourneyStore, type RedisJourneyStoreOptions } from './journeys.js';
