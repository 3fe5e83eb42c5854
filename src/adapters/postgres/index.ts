/**
 * `crosschannel/adapters/postgres` — stores on PostgreSQL (or any compatible engine) through `pg` (optional
 * peer dependency) or PGlite. Each store ships its schema as SQL migrations and creates it on `migrate()`.
 * @packageDocumentation
 */
export { fromPg, fromPglite, type PgliteLike, type PgPoolLike, type SqlClient, type SqlQueryable } from './sql.js';
export { identityMigrations, PostgresIdentityStore, type PostgresIdentityStoreOptions } from './identity.js';
export { consentStoreSchemaSql, PostgresConsentStore, type PostgresConsentStoreOptions } from './consent.js';
export { eventStoreSchemaSql, PostgresEventStore, type PostgresEventStoreOptions } from './events.js';
export { PostgresAssignmentStore, assignmentStoreSchemaSql, type PostgresAssignmentStoreOptions } from './assignments.js';
export { PostgresJourneyStore, journeyStoreSchemaSql, type PostgresJourneyStoreOptions } from './journeys.js';
