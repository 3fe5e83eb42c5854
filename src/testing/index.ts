/**
 * `crosschannel/testing` — the store conformance suites, public so that integrators run the exact tests the
 * shipped adapters pass against their own stores (inside a vitest suite; vitest is an optional peer).
 *
 * @example
 * ```ts
 * import { runConformance } from 'crosschannel/testing';
 * runConformance('MyStore', [{ name: 'mine', create: () => new MyStore() }], (store) => {
 *   // it('…', async () => { … store() … })
 * });
 * ```
 * @packageDocumentation
 */
export * from './harness.js';
export * from './consent-store.js';
export * from './contact-history-store.js';
export * from './offer-capacity-store.js';
export * from './identity-store.js';
export * from './event-store.js';
