/**
 * `crosschannel/testing` — the store conformance kit: the exact suites the shipped memory, Redis and PostgreSQL
 * stores pass, public so that an integrator's own store is held to the same contract (atomic reservation under
 * concurrency, idempotent retries, ordering, erasure, validation before any write). Call a runner at the top
 * level of a vitest file; vitest is an optional peer dependency and this is the only entry that imports it.
 *
 * One runner per store interface: `runContactHistoryStoreConformance`, `runIdentityStoreConformance`,
 * `runConsentStoreConformance`, `runEventStoreConformance`, `runOfferCapacityStoreConformance`; and
 * `runConformance`, the generic runner they are built on. See the adapters guide (docs/adapters.md) and the
 * worked SQLite store in examples/custom-store.ts.
 *
 * @example
 * ```ts
 * import { runContactHistoryStoreConformance } from 'crosschannel/testing';
 * import { MemoryContactHistoryStore } from 'crosschannel/adapters/memory';
 *
 * runContactHistoryStoreConformance([
 *   { name: 'memory', create: () => new MemoryContactHistoryStore() },
 *   // { name: 'my store', create: () => openMyStore(), destroy: (s) => closeMyStore(s), skip: !process.env.MY_DB },
 * ]);
 * ```
 * @packageDocumentation
 */
export * from './harness.js';
export * from './consent-store.js';
export * from './contact-history-store.js';
export * from './offer-capacity-store.js';
export * from './identity-store.js';
export * from './event-store.js';
export { runJourneyStoreConformance } from './journey-store.js';
