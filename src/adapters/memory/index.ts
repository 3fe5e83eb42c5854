/**
 * `crosschannel/adapters/memory` — in-process stores (bounded with lru-cache), the default for tests, demos and
 * single-process services.
 * @packageDocumentation
 */
export * from './contact-history.js';
export * from './identity.js';
export * from './consent.js';
export * from './events.js';
export * from './offer-capacity.js';
export { MemoryJourneyStore } from './journeys.js';
