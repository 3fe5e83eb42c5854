/**
 * `crosschannel/testing` — the store conformance kit: the exact suites the shipped memory, Redis and PostgreSQL
 * stores pass, public so that an integrator's own store is held to the same contract (atomic reservation under
 * concurrency, idempotent retries, ordering, erasure, validation before any write). Call a runner at the top
 * level of a vitest file; vitest is an optional peer dependency and this is the only entry that imports it.
 *
 * One runner per store interface: `runContactHistoryStoreConformance`, `runIdentityStoreConformance`,
 * `runConsentStoreConformance`, `runEventStoreConformance`, `runOfferCapacityStoreConformance`; and
 * `runConformance`, the generic runner they are built on. See the [adapters guide](../../docs/adapters.md) and the
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
export { type ConformanceTargets, type Implementation, implementationsOf, runConformance } from './harness.js';
export { CONFORMANCE_ERASURE_SALT, runConsentStoreConformance } from './consent-store.js';
export { runContactHistoryStoreConformance } from './contact-history-store.js';
export { runOfferCapacityStoreConformance } from './offer-capacity-store.js';
export { CONFORMANCE_IDENTITY_RULES, type IdentityStoreOpener, runIdentityStoreConformance } from './identity-store.js';
export { runEventStoreConformance } from './event-store.js';
export { runAssignmentStoreConformance } from './assignment-store.js';
export { runJourneyStoreConformance } from './journey-store.js';
