/**
 * `crosschannel/adapters/postgres` — stores on PostgreSQL (or any compatible engine) through `pg` (optional
 * peer dependency) or PGlite. Each store ships its schema as SQL migrations and creates it on `migrate()`.
 * @packageDocumentation
 */
export * from './sql.js';
export * from './identity.js';
export * from './consent.js';
export * from './events.js';
export { PostgresJourneyStore, journeyStoreSchemaSql, type PostgresJourneyStoreOptions } from './journeys.js';
