/**
 * `crosschannel/adapters/memory` — in-process stores (bounded with lru-cache), the default for tests, demos and
 * single-process services.
 * @packageDocumentation
 */
export { MemoryContactHistoryStore, type MemoryContactHistoryStoreOptions } from './contact-history.js';
export { MemoryIdentityStore, type MemoryIdentityStoreOptions } from './identity.js';
export { MemoryConsentStore, type MemoryConsentStoreOptions } from './consent.js';
export { MemoryEventStore, type MemoryEventStoreOptions } from './events.js';
export { MemoryOfferCapacityStore } from './offer-capacity.js';
export { MemoryAssignmentStore } from './assignments.js';
export { MemoryJourneyStore } from './journeys.js';
